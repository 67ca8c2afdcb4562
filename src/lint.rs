//! Digest lint: QA over a rendered **daily** digest. In: the Markdown text (plus, for grounding,
//! one card with the texts of its sources); out: findings, each with a 1-based line, a stable rule
//! id and a severity. The card layout is read through `render::labels`, so renderer and linter
//! agree on the words. It never edits the digest, never reads files or the network, and never
//! decides what to do about a finding: `run` and `newsdesk lint` do.

use std::collections::BTreeMap;
use std::fmt;

use crate::collect::url::{canonical_url, is_absolute_http};
use crate::model::Language;
use crate::render::labels::{self, Labels};
use crate::text::{self, has_han, is_han, to_script, wrong_script_chars};

/// The same story twice: same first source, or near-duplicate headlines.
pub const DUPLICATE_STORY: &str = "duplicate-story";
/// A link whose target is not an absolute http(s) URL, or a bare `arXiv:ID`.
pub const BAD_LINK: &str = "bad-link";
/// A `##` section with nothing under it.
pub const EMPTY_SECTION: &str = "empty-section";
/// Stub text such as 同上, 已列於, 生成失败, TODO.
pub const PLACEHOLDER: &str = "placeholder";
/// A news card without its summary, entities, importance or sources.
pub const MISSING_FIELD: &str = "missing-field";
/// Too many characters of the other Chinese script.
pub const WRONG_SCRIPT: &str = "wrong-script";
/// A headline with no Han character in a Chinese digest.
pub const UNTRANSLATED_HEADLINE: &str = "untranslated-headline";
/// A number in a card that none of its sources contains (grounding only).
pub const UNGROUNDED_NUMBER: &str = "ungrounded-number";
/// An entity of a card that none of its sources names (grounding only).
pub const UNGROUNDED_ENTITY: &str = "ungrounded-entity";

/// Share of a Chinese digest's Han characters that may be in the other script before it is an
/// error. Not zero: the character-level test flags a few characters whose forms are shared in
/// practice (names, variants), and one of them in a long digest is not a defect.
const MAX_WRONG_SCRIPT_RATIO: f64 = 0.005;

/// Headlines at least this similar (character-bigram Jaccard, after normalising) are one story.
const NEAR_DUPLICATE_JACCARD: f64 = 0.8;

/// How many offending characters a wrong-script message names.
const WRONG_SCRIPT_EXAMPLES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The digest must not be published as is.
    Error,
    /// Worth a look; the digest may still be published.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// 1-based line of the digest the finding is about (a card's headline for card rules).
    pub line: usize,
    /// Stable rule id, one of the constants of this module.
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    /// `FILE:LINE: severity[rule]: message`, the form editors and CI logs link to.
    pub fn located(&self, file: &std::path::Path) -> String {
        format!(
            "{}:{}: {}[{}]: {}",
            file.display(),
            self.line,
            self.severity,
            self.rule,
            self.message
        )
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: {}[{}]: {}",
            self.line, self.severity, self.rule, self.message
        )
    }
}

/// Every finding of one digest, sorted by line, then rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LintReport {
    pub findings: Vec<Finding>,
}

impl LintReport {
    pub fn errors(&self) -> Vec<&Finding> {
        self.with_severity(Severity::Error)
    }

    pub fn warnings(&self) -> Vec<&Finding> {
        self.with_severity(Severity::Warning)
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Findings per rule id, for summaries.
    pub fn counts_by_rule(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for finding in &self.findings {
            *counts.entry(finding.rule).or_insert(0) += 1;
        }
        counts
    }

    fn with_severity(&self, severity: Severity) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// The digest's language; `None` detects it from the labels the document uses (and, when no
    /// label decides, from its share of Han characters and their script).
    pub language: Option<Language>,
}

/// Lints a rendered daily digest.
pub fn lint_markdown(text: &str, opts: &LintOptions) -> LintReport {
    let doc = Doc::parse(text);
    let language = opts.language.unwrap_or_else(|| detect_language(&doc));
    let labels = labels::labels(language);
    let sections = doc.sections(labels);
    let cards = doc.cards(&sections, labels);

    let mut findings = Vec::new();
    check_duplicates(&cards, &mut findings);
    check_links(&doc, &mut findings);
    check_empty_sections(&doc, &sections, &mut findings);
    check_placeholders(&doc, &mut findings);
    check_missing_fields(&cards, labels, &mut findings);
    if language.is_chinese() {
        check_script(&doc, language, &mut findings);
        check_headlines(&doc, &cards, &mut findings);
    }
    findings.sort_by(|a, b| a.line.cmp(&b.line).then(a.rule.cmp(b.rule)));
    LintReport { findings }
}

// ---------------------------------------------------------------------------------------------
// The document model: lines, front matter, fences, headings, sections and cards.

struct Doc<'a> {
    /// Lines without their line ending and trailing whitespace (Markdown hard breaks).
    lines: Vec<&'a str>,
    /// 0-based indices of the opening and closing `---` of the front matter.
    front_matter: Option<(usize, usize)>,
    /// Lines inside (or fencing) a code block.
    in_code: Vec<bool>,
    headings: Vec<Heading<'a>>,
}

struct Heading<'a> {
    /// 0-based line index.
    index: usize,
    level: usize,
    text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SectionKind {
    Focus,
    News,
    EditorInsight,
    FurtherReading,
}

struct Section<'a> {
    index: usize,
    /// One past the last line of the section.
    end: usize,
    kind: SectionKind,
    text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Summary,
    Entities,
    Importance,
    Sources,
}

impl Field {
    const REQUIRED: [Field; 4] = [
        Field::Summary,
        Field::Entities,
        Field::Importance,
        Field::Sources,
    ];

    fn label(self, labels: &Labels) -> &'static str {
        match self {
            Field::Summary => labels.summary,
            Field::Entities => labels.entities,
            Field::Importance => labels.importance,
            Field::Sources => labels.sources,
        }
    }
}

struct Card<'a> {
    /// 0-based line index of the `###` headline.
    index: usize,
    headline: &'a str,
    /// Required fields that are present with content.
    fields: Vec<Field>,
    /// Target of the first link (or bare arXiv id) of the sources field.
    first_source: Option<String>,
}

impl<'a> Doc<'a> {
    fn parse(text: &'a str) -> Doc<'a> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        let front_matter = if lines.first() == Some(&"---") {
            lines
                .iter()
                .skip(1)
                .position(|l| *l == "---" || *l == "...")
                .map(|close| (0, close + 1))
        } else {
            None
        };
        let body_start = front_matter.map_or(0, |(_, close)| close + 1);
        let mut in_code = vec![false; lines.len()];
        let mut fence: Option<&str> = None;
        for (index, line) in lines.iter().enumerate().skip(body_start) {
            let trimmed = line.trim_start();
            let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
            match (fence, marker) {
                (None, Some(m)) => {
                    fence = Some(m);
                    in_code[index] = true;
                }
                (Some(open), Some(m)) if open == m => {
                    fence = None;
                    in_code[index] = true;
                }
                (Some(_), _) => in_code[index] = true,
                (None, None) => {}
            }
        }
        let headings = lines
            .iter()
            .enumerate()
            .skip(body_start)
            .filter(|(index, _)| !in_code[*index])
            .filter_map(|(index, line)| {
                let level = line.chars().take_while(|&c| c == '#').count();
                let rest = &line[level..];
                ((1..=6).contains(&level) && (rest.is_empty() || rest.starts_with(' '))).then(
                    || Heading {
                        index,
                        level,
                        text: rest.trim(),
                    },
                )
            })
            .collect();
        Doc {
            lines,
            front_matter,
            in_code,
            headings,
        }
    }

    fn in_front_matter(&self, index: usize) -> bool {
        self.front_matter
            .is_some_and(|(open, close)| (open..=close).contains(&index))
    }

    /// Lines that are neither front matter nor code: the ones link and text rules read.
    fn body_lines(&self) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        self.lines
            .iter()
            .copied()
            .enumerate()
            .filter(|(index, _)| !self.in_front_matter(*index) && !self.in_code[*index])
    }

    /// Index one past the last line belonging to the heading at `heading`: the next heading of
    /// the same or a higher level, or the end of the document.
    fn block_end(&self, heading: &Heading) -> usize {
        self.headings
            .iter()
            .find(|h| h.index > heading.index && h.level <= heading.level)
            .map_or(self.lines.len(), |h| h.index)
    }

    fn sections(&self, labels: &Labels) -> Vec<Section<'a>> {
        self.headings
            .iter()
            .filter(|h| h.level == 2)
            .map(|h| {
                let kind = if h.text.starts_with(labels.focus) {
                    SectionKind::Focus
                } else if h.text.starts_with(labels.editor_insight) {
                    SectionKind::EditorInsight
                } else if h.text.starts_with(labels.further_reading) {
                    SectionKind::FurtherReading
                } else {
                    SectionKind::News
                };
                Section {
                    index: h.index,
                    end: self.block_end(h),
                    kind,
                    text: h.text,
                }
            })
            .collect()
    }

    /// `###` blocks under today's focus and the news sections.
    fn cards(&self, sections: &[Section], labels: &Labels) -> Vec<Card<'a>> {
        let mut cards = Vec::new();
        for section in sections
            .iter()
            .filter(|s| matches!(s.kind, SectionKind::Focus | SectionKind::News))
        {
            for heading in self
                .headings
                .iter()
                .filter(|h| h.level == 3 && h.index > section.index && h.index < section.end)
            {
                let end = self.block_end(heading);
                cards.push(self.card(heading, end, labels));
            }
        }
        cards
    }

    fn card(&self, heading: &Heading<'a>, end: usize, labels: &Labels) -> Card<'a> {
        let mut fields = Vec::new();
        let mut first_source = None;
        let body: Vec<(usize, &str)> = (heading.index + 1..end)
            .map(|i| (i, self.lines[i]))
            .collect();
        for (position, &(index, line)) in body.iter().enumerate() {
            if self.in_code[index] {
                continue;
            }
            let Some((name, inline)) = bold_field(line) else {
                continue;
            };
            let Some(field) = Field::REQUIRED
                .into_iter()
                .find(|f| name.starts_with(f.label(labels)))
            else {
                continue;
            };
            // A field's content is what follows it on its line, or else the lines below it up
            // to the next field or separator (the summary paragraph is written that way).
            let mut content: Vec<&str> = vec![inline];
            content.extend(
                body[position + 1..]
                    .iter()
                    .map(|&(_, l)| l)
                    .take_while(|l| bold_field(l).is_none() && !is_thematic_break(l))
                    .filter(|l| !l.trim().is_empty()),
            );
            let text = content.join("\n");
            if text.trim().is_empty() {
                continue;
            }
            if field == Field::Sources && first_source.is_none() {
                first_source = first_link_target(&text);
            }
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
        Card {
            index: heading.index,
            headline: heading.text,
            fields,
            first_source,
        }
    }

    /// The generator's provider named in the front matter (`generator:` block or inline map).
    fn generator_provider(&self) -> Option<String> {
        let (open, close) = self.front_matter?;
        let lines = &self.lines[open + 1..close];
        let start = lines.iter().position(|l| l.starts_with("generator:"))?;
        let inline = lines[start]["generator:".len()..].trim();
        if let Some(map) = inline.strip_prefix('{') {
            return map.trim_end_matches('}').split(',').find_map(|pair| {
                let (key, value) = pair.split_once(':')?;
                (key.trim() == "provider").then(|| unquote(value))
            });
        }
        lines[start + 1..]
            .iter()
            .take_while(|l| l.starts_with([' ', '\t']) || l.is_empty())
            .find_map(|l| l.trim().strip_prefix("provider:").map(unquote))
    }

    /// The text of a line that prose rules (placeholders, script) should read: front matter
    /// values without their keys; body lines without code spans, link targets and bare URLs.
    fn prose(&self, index: usize) -> String {
        let line = self.lines[index];
        if self.in_front_matter(index) {
            if line == "---" || line == "..." {
                return String::new();
            }
            let trimmed = line.trim_start();
            if let Some(item) = trimmed.strip_prefix("- ") {
                return item.to_string();
            }
            return match trimmed.split_once(':') {
                Some((_, value)) => value.to_string(),
                None => trimmed.to_string(),
            };
        }
        if self.in_code[index] {
            return String::new();
        }
        strip_urls(&strip_code_spans(line))
    }
}

fn unquote(value: &str) -> String {
    value.trim().trim_matches(['"', '\'']).trim().to_string()
}

fn is_thematic_break(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3
        && (compact.chars().all(|c| c == '-')
            || compact.chars().all(|c| c == '*')
            || compact.chars().all(|c| c == '_'))
}

/// `**Name**: rest` → (`Name`, `rest`), with a colon inside or after the bold part removed.
fn bold_field(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix("**")?;
    let end = rest.find("**")?;
    let name = rest[..end].trim().trim_end_matches([':', '：']).trim_end();
    if name.is_empty() {
        return None;
    }
    let value = rest[end + 2..]
        .trim_start()
        .trim_start_matches([':', '：'])
        .trim();
    Some((name, value))
}

// ---------------------------------------------------------------------------------------------
// Inline Markdown: links, code spans, URLs.

struct Link {
    /// Byte range of the whole `[text](target)` in the line.
    start: usize,
    end: usize,
    target: String,
}

/// Inline links and images of one line (code spans excluded). Brackets and parentheses nest,
/// so `[a [b]](https://x/y_(z))` is one link.
fn links(line: &str) -> Vec<Link> {
    let bytes = line.as_bytes();
    let code = code_span_mask(line);
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'[' || code[i] {
            i += 1;
            continue;
        }
        let Some(close) = matching(bytes, i, b'[', b']') else {
            i += 1;
            continue;
        };
        if bytes.get(close + 1) != Some(&b'(') {
            i += 1;
            continue;
        }
        let Some(paren) = matching(bytes, close + 1, b'(', b')') else {
            i += 1;
            continue;
        };
        let start = if i > 0 && bytes[i - 1] == b'!' {
            i - 1
        } else {
            i
        };
        found.push(Link {
            start,
            end: paren + 1,
            target: link_destination(&line[close + 2..paren]),
        });
        i = paren + 1;
    }
    found
}

fn matching(bytes: &[u8], open_at: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, &b) in bytes[open_at..].iter().enumerate() {
        if b == open {
            depth += 1;
        } else if b == close {
            depth -= 1;
            if depth == 0 {
                return Some(open_at + offset);
            }
        }
    }
    None
}

/// The destination of `(dest "title")` or `(<dest>)`.
fn link_destination(inner: &str) -> String {
    let inner = inner.trim();
    if let Some(rest) = inner.strip_prefix('<') {
        return rest.split('>').next().unwrap_or_default().to_string();
    }
    inner
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn first_link_target(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let first_link = links(line).into_iter().next();
        let first_arxiv = bare_arxiv_ids(line).into_iter().next();
        match (first_link, first_arxiv) {
            (Some(link), Some((at, id))) if at < link.start => Some(format!("arXiv:{id}")),
            (Some(link), _) => Some(link.target),
            (None, Some((_, id))) => Some(format!("arXiv:{id}")),
            (None, None) => None,
        }
    })
}

/// Which bytes of `line` sit inside backtick code spans (delimiters included).
fn code_span_mask(line: &str) -> Vec<bool> {
    let bytes = line.as_bytes();
    let mut mask = vec![false; bytes.len()];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
        let delimiter = &line[i..i + run];
        match line[i + run..].find(delimiter) {
            Some(offset) => {
                let end = i + run + offset + run;
                mask[i..end].iter_mut().for_each(|m| *m = true);
                i = end;
            }
            None => i += run,
        }
    }
    mask
}

fn strip_code_spans(line: &str) -> String {
    let mask = code_span_mask(line);
    line.char_indices()
        .filter(|(at, _)| !mask[*at])
        .map(|(_, c)| c)
        .collect()
}

/// The line with link targets dropped (link text kept) and bare or `<…>` URLs removed.
fn strip_urls(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for link in links(line) {
        out.push_str(&line[last..link.start]);
        let whole = &line[link.start..link.end];
        let text_end = whole.find("](").unwrap_or(whole.len());
        out.push_str(
            whole[..text_end]
                .trim_start_matches('!')
                .trim_start_matches('['),
        );
        last = link.end;
    }
    out.push_str(&line[last..]);
    // Bare URLs end at whitespace or at the first non-ASCII character (CJK text runs on).
    let mut prose = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest
        .find("http://")
        .into_iter()
        .chain(rest.find("https://"))
        .min()
    {
        prose.push_str(&rest[..at]);
        let url_len = rest[at..]
            .find(|c: char| c.is_whitespace() || !c.is_ascii() || c == '>')
            .unwrap_or(rest.len() - at);
        rest = &rest[at + url_len..];
    }
    prose.push_str(rest);
    prose
}

/// `arXiv:ID` written as plain text (not as a link): (byte offset, id).
fn bare_arxiv_ids(line: &str) -> Vec<(usize, String)> {
    let code = code_span_mask(line);
    let linked: Vec<(usize, usize)> = links(line).iter().map(|l| (l.start, l.end)).collect();
    let lower = line.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = lower[from..].find("arxiv:") {
        let at = from + offset;
        from = at + "arxiv:".len();
        if code[at]
            || linked
                .iter()
                .any(|&(start, end)| (start..end).contains(&at))
        {
            continue;
        }
        let id: String = line[from..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-'))
            .collect();
        if id.starts_with(|c: char| c.is_ascii_digit()) {
            found.push((at, id.trim_end_matches('.').to_string()));
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Language detection.

fn detect_language(doc: &Doc) -> Language {
    let mut scores: BTreeMap<Language, usize> = BTreeMap::new();
    for language in Language::ALL {
        let l = labels::labels(language);
        let headings = doc
            .headings
            .iter()
            .filter(|h| {
                h.level == 2
                    && [l.focus, l.editor_insight, l.further_reading]
                        .iter()
                        .any(|w| h.text.starts_with(w))
            })
            .count();
        let fields = doc
            .body_lines()
            .filter_map(|(_, line)| bold_field(line))
            .filter(|(name, _)| {
                [
                    l.summary,
                    l.details,
                    l.scenarios,
                    l.entities,
                    l.importance,
                    l.sources,
                ]
                .iter()
                .any(|w| name.starts_with(w))
            })
            .count();
        scores.insert(language, headings + fields);
    }
    let best = scores.values().copied().max().unwrap_or(0);
    let leaders: Vec<Language> = scores
        .iter()
        .filter(|(_, s)| **s == best)
        .map(|(l, _)| *l)
        .collect();
    if best > 0 && leaders.len() == 1 {
        return leaders[0];
    }
    // No label decides (none used, or only those both Chinese scripts share): fall back on the
    // text itself.
    let prose: String = (0..doc.lines.len())
        .map(|i| doc.prose(i))
        .collect::<Vec<_>>()
        .join("\n");
    if !text::is_chinese(&prose) {
        return Language::En;
    }
    // A tie (no script-specific character) reads as zh-Hant, the project's default script.
    text::lang::leaning_script(&prose).unwrap_or(Language::ZhHant)
}

// ---------------------------------------------------------------------------------------------
// Rules.

fn finding(index: usize, rule: &'static str, severity: Severity, message: String) -> Finding {
    Finding {
        line: index + 1,
        rule,
        severity,
        message,
    }
}

fn check_duplicates(cards: &[Card], findings: &mut Vec<Finding>) {
    let keys: Vec<Option<String>> = cards
        .iter()
        .map(|c| c.first_source.as_deref().and_then(story_key))
        .collect();
    let titles: Vec<String> = cards
        .iter()
        .map(|c| normalize_headline(c.headline))
        .collect();
    for later in 0..cards.len() {
        let earlier = (0..later).find_map(|first| {
            if keys[later].is_some() && keys[later] == keys[first] {
                return Some((
                    first,
                    format!(
                        "same first source {}",
                        keys[first].as_deref().unwrap_or_default()
                    ),
                ));
            }
            if !titles[later].is_empty() && titles[later] == titles[first] {
                return Some((first, "same headline".to_string()));
            }
            let similarity = bigram_jaccard(&titles[later], &titles[first]);
            (similarity >= NEAR_DUPLICATE_JACCARD
                && digits(&titles[later]) == digits(&titles[first]))
            .then(|| {
                (
                    first,
                    format!("near-duplicate headline (bigram Jaccard {similarity:.2})"),
                )
            })
        });
        if let Some((first, why)) = earlier {
            findings.push(finding(
                cards[later].index,
                DUPLICATE_STORY,
                Severity::Error,
                format!(
                    "card \"{}\" repeats the story of line {} (\"{}\"): {why}; keep one card per story",
                    cards[later].headline,
                    cards[first].index + 1,
                    cards[first].headline
                ),
            ));
        }
    }
}

/// Identity of a source for duplicate detection: arXiv papers by id without version (the same
/// paper appears as `arXiv:ID`, `/abs/IDv1` and `/pdf/ID`), everything else by canonical URL.
fn story_key(target: &str) -> Option<String> {
    let arxiv = if target.len() > 6 && target[..6].eq_ignore_ascii_case("arxiv:") {
        Some(target[6..].to_string())
    } else {
        canonical_url(target).and_then(|url| {
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))?;
            let path = rest
                .strip_prefix("arxiv.org/")
                .or_else(|| rest.strip_prefix("www.arxiv.org/"))?;
            let id = path
                .strip_prefix("abs/")
                .or_else(|| path.strip_prefix("pdf/"))?;
            Some(id.trim_end_matches(".pdf").to_string())
        })
    };
    match arxiv {
        Some(id) => Some(format!(
            "arxiv:{}",
            strip_arxiv_version(&id.to_ascii_lowercase())
        )),
        None => canonical_url(target),
    }
}

fn strip_arxiv_version(id: &str) -> &str {
    match id.rfind('v') {
        Some(at)
            if at > 0 && id[at + 1..].chars().all(|c| c.is_ascii_digit()) && at + 1 < id.len() =>
        {
            &id[..at]
        }
        _ => id,
    }
}

/// Headline for comparison: bracketed trailing notes dropped (（同上簡列）, (update)), then only
/// letters and digits, lowercased, full-width forms folded.
fn normalize_headline(headline: &str) -> String {
    let mut text = headline.trim();
    const PAIRS: [(char, char); 5] = [
        ('（', '）'),
        ('(', ')'),
        ('【', '】'),
        ('[', ']'),
        ('〔', '〕'),
    ];
    while let Some(&(open, _)) = PAIRS.iter().find(|(_, close)| text.ends_with(*close)) {
        match text.rfind(open) {
            Some(at) if at > 0 => text = text[..at].trim_end(),
            _ => break,
        }
    }
    fold_width(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

fn bigram_jaccard(a: &str, b: &str) -> f64 {
    fn bigrams(s: &str) -> std::collections::BTreeSet<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let (x, y) = (bigrams(a), bigrams(b));
    let union = x.union(&y).count();
    if union == 0 {
        return 0.0;
    }
    x.intersection(&y).count() as f64 / union as f64
}

fn check_links(doc: &Doc, findings: &mut Vec<Finding>) {
    for (index, line) in doc.body_lines() {
        for link in links(line) {
            if !is_absolute_http(&link.target) {
                let hint = match link.target.to_ascii_lowercase().strip_prefix("arxiv:") {
                    Some(id) => format!("link the paper as https://arxiv.org/abs/{id}"),
                    None => "link an absolute http(s) URL or drop the link".to_string(),
                };
                findings.push(finding(
                    index,
                    BAD_LINK,
                    Severity::Error,
                    format!(
                        "link target \"{}\" is not an absolute http(s) URL; {hint}",
                        link.target
                    ),
                ));
            }
        }
        for (_, id) in bare_arxiv_ids(line) {
            findings.push(finding(
                index,
                BAD_LINK,
                Severity::Error,
                format!("bare arXiv:{id} is not a link; write https://arxiv.org/abs/{id}"),
            ));
        }
    }
}

fn check_empty_sections(doc: &Doc, sections: &[Section], findings: &mut Vec<Finding>) {
    for section in sections {
        let has_content = (section.index + 1..section.end).any(|i| {
            let line = doc.lines[i];
            let is_heading = !doc.in_code[i] && doc.headings.iter().any(|h| h.index == i);
            !line.trim().is_empty() && !is_heading && (doc.in_code[i] || !is_thematic_break(line))
        });
        if !has_content {
            findings.push(finding(
                section.index,
                EMPTY_SECTION,
                Severity::Error,
                format!(
                    "section \"{}\" has no content; drop the heading or fill the section",
                    section.text
                ),
            ));
        }
    }
}

/// Stub words written where content should be. The Latin ones match as whole words, any case.
const CJK_PLACEHOLDERS: [&str; 5] = ["同上", "已列於", "已列于", "生成失败", "生成失敗"];
const LATIN_PLACEHOLDERS: [&str; 3] = ["todo", "tbd", "lorem ipsum"];

/// 同上 ("as above") is a stub, but the two characters also occur inside ordinary words:
/// 如同上述, 共同上線, 同上海…, 同上市公司, 同上一代相比. These neighbours mark such words.
const TONG_SHANG_BEFORE: &str = "如共協协陪偕連连相等";
const TONG_SHANG_AFTER: &str = "海市線线升漲涨述傳传架映網网課课場场台臺一年月季期";

fn check_placeholders(doc: &Doc, findings: &mut Vec<Finding>) {
    for index in 0..doc.lines.len() {
        let prose = doc.prose(index);
        let mut found: Vec<String> = Vec::new();
        for word in CJK_PLACEHOLDERS {
            let hit = prose.match_indices(word).any(|(at, _)| {
                if word != "同上" {
                    return true;
                }
                let before = prose[..at].chars().next_back();
                let after = prose[at + word.len()..].chars().next();
                !before.is_some_and(|c| TONG_SHANG_BEFORE.contains(c))
                    && !after.is_some_and(|c| TONG_SHANG_AFTER.contains(c))
            });
            if hit {
                found.push(word.to_string());
            }
        }
        let lower = prose.to_lowercase();
        for word in LATIN_PLACEHOLDERS {
            let hit = lower.match_indices(word).any(|(at, _)| {
                let before = lower[..at].chars().next_back();
                let after = lower[at + word.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            });
            if hit {
                found.push(word.to_uppercase());
            }
        }
        if !found.is_empty() {
            findings.push(finding(
                index,
                PLACEHOLDER,
                Severity::Error,
                format!(
                    "placeholder text {} where content belongs; write the content or drop the item",
                    found.join(", ")
                ),
            ));
        }
    }
}

fn check_missing_fields(cards: &[Card], labels: &Labels, findings: &mut Vec<Finding>) {
    for card in cards {
        let missing: Vec<&str> = Field::REQUIRED
            .into_iter()
            .filter(|f| !card.fields.contains(f))
            .map(|f| f.label(labels))
            .collect();
        if !missing.is_empty() {
            findings.push(finding(
                card.index,
                MISSING_FIELD,
                Severity::Error,
                format!(
                    "card \"{}\" lacks {}; every card needs them",
                    card.headline,
                    missing.join(", ")
                ),
            ));
        }
    }
}

fn check_script(doc: &Doc, language: Language, findings: &mut Vec<Finding>) {
    let mut han = 0usize;
    // Offending character → (count, first line index), in order of first appearance.
    let mut wrong: Vec<(char, usize, usize)> = Vec::new();
    for index in 0..doc.lines.len() {
        let prose = doc.prose(index);
        han += prose.chars().filter(|&c| is_han(c)).count();
        for c in wrong_script_chars(&prose, language) {
            match wrong.iter_mut().find(|(w, _, _)| *w == c) {
                Some(entry) => entry.1 += 1,
                None => wrong.push((c, 1, index)),
            }
        }
    }
    let wrong_total: usize = wrong.iter().map(|(_, n, _)| n).sum();
    if han == 0 || (wrong_total as f64) <= MAX_WRONG_SCRIPT_RATIO * han as f64 {
        return;
    }
    let other = match language {
        Language::ZhHans => "Traditional",
        _ => "Simplified",
    };
    let examples: Vec<String> = wrong
        .iter()
        .take(WRONG_SCRIPT_EXAMPLES)
        .map(|(c, _, index)| format!("{c} (line {})", index + 1))
        .collect();
    findings.push(finding(
        wrong[0].2,
        WRONG_SCRIPT,
        Severity::Error,
        format!(
            "{wrong_total} of {han} Han characters ({:.1} %) are {other} forms in a {language} digest, above {:.1} %: {}; \
             convert the text with text::to_script",
            100.0 * wrong_total as f64 / han as f64,
            100.0 * MAX_WRONG_SCRIPT_RATIO,
            examples.join(", ")
        ),
    ));
}

fn check_headlines(doc: &Doc, cards: &[Card], findings: &mut Vec<Finding>) {
    // The extractive baseline copies source headlines and cannot translate, so an English
    // headline there is expected; from an LLM it is a defect.
    let extractive = doc
        .generator_provider()
        .is_some_and(|p| p.eq_ignore_ascii_case("extractive"));
    for card in cards.iter().filter(|c| !has_han(c.headline)) {
        let (severity, hint) = if extractive {
            (
                Severity::Warning,
                "expected from the extractive provider, which cannot translate",
            )
        } else {
            (Severity::Error, "the card writer must translate headlines")
        };
        findings.push(finding(
            card.index,
            UNTRANSLATED_HEADLINE,
            severity,
            format!(
                "headline \"{}\" has no Chinese characters; {hint}",
                card.headline
            ),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Grounding.

/// Grounding warnings for one card: numbers in the card text (e.g. 2512, 3.5, 20%, 1,000, 30億)
/// that appear in none of the sources' texts; entities found in none of them (case-insensitive;
/// also try the source text converted to the card's script via text::to_script).
///
/// Each message starts with its rule id (`ungrounded-number: …`, `ungrounded-entity: …`).
/// Numbers match by value, so `1,000` is grounded by `1000` and `30億` by `3 billion`; integers
/// below 10 without a unit are skipped because sources often spell them as words.
pub fn grounding_warnings(
    card_title: &str,
    card_text: &str,
    entities: &[String],
    source_texts: &[&str],
) -> Vec<String> {
    let mut warnings = Vec::new();
    let source_values: Vec<f64> = source_texts
        .iter()
        .flat_map(|t| numbers_in(t))
        .flat_map(|n| n.values)
        .collect();
    let mut seen: Vec<String> = Vec::new();
    for number in numbers_in(&format!("{card_title}\n{card_text}")) {
        if number.small || seen.contains(&number.text) {
            continue;
        }
        seen.push(number.text.clone());
        let grounded = number
            .values
            .iter()
            .any(|v| source_values.iter().any(|s| same_value(*v, *s)));
        if !grounded {
            warnings.push(format!(
                "{UNGROUNDED_NUMBER}: \"{}\" in card \"{card_title}\" appears in none of its {} source(s)",
                number.text,
                source_texts.len()
            ));
        }
    }

    let plain: Vec<String> = source_texts.iter().map(|t| match_form(t)).collect();
    // The card may be in either Chinese script whatever its sources were written in, and a short
    // card rarely shows which, so sources are converted to both (once, and only when needed).
    let mut converted: Option<Vec<String>> = None;
    for entity in entities {
        let needle = match_form(entity);
        if needle.is_empty() || plain.iter().any(|s| s.contains(&needle)) {
            continue;
        }
        let converted = converted.get_or_insert_with(|| {
            source_texts
                .iter()
                .flat_map(|t| {
                    [
                        match_form(&to_script(t, Language::ZhHant)),
                        match_form(&to_script(t, Language::ZhHans)),
                    ]
                })
                .collect()
        });
        if !converted.iter().any(|s| s.contains(&needle)) {
            warnings.push(format!(
                "{UNGROUNDED_ENTITY}: \"{entity}\" in card \"{card_title}\" is named in none of its {} source(s)",
                source_texts.len()
            ));
        }
    }
    warnings
}

/// Text in the form entities are matched in: lowercase, full-width ASCII folded, dash variants
/// unified, whitespace removed (CJK text is spaced inconsistently around Latin words).
fn match_form(text: &str) -> String {
    fold_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}') {
                '-'
            } else {
                c
            }
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Full-width ASCII forms (Ａ, ９, ％) to their ASCII counterparts.
fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        })
        .collect()
}

struct NumberMention {
    /// As written (after width folding), with its unit: "30億", "20%", "1,000".
    text: String,
    /// The bare number, and the scaled value when a scale word follows.
    values: Vec<f64>,
    /// An integer below 10 with no decimal, percent or scale.
    small: bool,
}

/// Scale words after a number. Longest first, so 百萬 wins over 萬.
const SCALES: [(&str, f64); 14] = [
    ("百萬", 1e6),
    ("百万", 1e6),
    ("千萬", 1e7),
    ("千万", 1e7),
    ("萬", 1e4),
    ("万", 1e4),
    ("億", 1e8),
    ("亿", 1e8),
    ("千", 1e3),
    ("trillion", 1e12),
    ("billion", 1e9),
    ("million", 1e6),
    ("thousand", 1e3),
    ("bn", 1e9),
];
/// Single-letter scales only count written right after the digits: "5M", "$2B", "10k".
const ATTACHED_SCALES: [(char, f64); 4] = [('k', 1e3), ('K', 1e3), ('M', 1e6), ('B', 1e9)];

fn numbers_in(text: &str) -> Vec<NumberMention> {
    let chars: Vec<char> = fold_width(text).chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let start = i;
        let mut number = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            number.push(chars[i]);
            i += 1;
        }
        // Thousands groups: a comma followed by exactly three digits.
        while i + 3 < chars.len()
            && chars[i] == ','
            && chars[i + 1..=i + 3].iter().all(char::is_ascii_digit)
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            number.extend(&chars[i + 1..=i + 3]);
            i += 4;
        }
        let mut decimal = false;
        if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
            decimal = true;
            number.push('.');
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                number.push(chars[i]);
                i += 1;
            }
        }
        let Ok(value) = number.parse::<f64>() else {
            continue;
        };
        let mut end = i;
        let mut values = vec![value];
        let mut unit = false;
        let mut j = i;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        let rest: String = chars[j..chars.len().min(j + 8)].iter().collect();
        if rest.starts_with('%') {
            unit = true;
            end = j + 1;
        } else if let Some((word, scale)) = SCALES.iter().find(|(w, _)| {
            rest.to_lowercase().starts_with(w)
                && rest
                    .chars()
                    .nth(w.chars().count())
                    .is_none_or(|c| !c.is_ascii_alphabetic())
        }) {
            unit = true;
            values.push(value * scale);
            end = j + word.chars().count();
        } else if let Some(&(_, scale)) = ATTACHED_SCALES
            .iter()
            .find(|(l, _)| chars.get(i) == Some(l))
            && chars.get(i + 1).is_none_or(|c| !c.is_alphanumeric())
        {
            unit = true;
            values.push(value * scale);
            end = i + 1;
        }
        found.push(NumberMention {
            text: chars[start..end].iter().collect(),
            values,
            small: !decimal && !unit && value < 10.0,
        });
        i = end.max(i);
    }
    found
}

fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::labels::{EN, ZH_HANS, ZH_HANT};

    const SEED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seeds/000_b72983e3a120e600.txt"
    );

    fn fixture(name: &str) -> String {
        let path = format!("{}/fixtures/lint/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn lint(text: &str) -> LintReport {
        lint_markdown(text, &LintOptions::default())
    }

    fn lint_as(text: &str, language: Language) -> LintReport {
        lint_markdown(
            text,
            &LintOptions {
                language: Some(language),
            },
        )
    }

    /// (line, rule) of every finding with `rule`.
    fn lines_of(report: &LintReport, rule: &str) -> Vec<usize> {
        report
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.line)
            .collect()
    }

    /// 1-based line of the first line of `text` containing `needle`.
    fn line_of(text: &str, needle: &str) -> usize {
        text.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}"))
            + 1
    }

    /// One card in the daily layout, written from the label table.
    fn card(
        l: &Labels,
        headline: &str,
        summary: &str,
        entities: &[&str],
        sources: &[(&str, &str)],
    ) -> String {
        let links: Vec<String> = sources
            .iter()
            .map(|(title, url)| format!("[{title}]({url})"))
            .collect();
        format!(
            "### {headline}\n\n**{}**  \n{summary}\n\n**{}**{}{}  \n**{}**{}{}  \n**{}**{}{}\n\n---\n\n",
            l.summary,
            l.entities,
            l.colon,
            entities.join(l.list_separator),
            l.importance,
            l.colon,
            l.high,
            l.sources,
            l.colon,
            links.join(" | ")
        )
    }

    /// A whole daily digest: front matter, focus, the given news sections, insight, reading, footer.
    fn daily(
        l: &Labels,
        provider: &str,
        focus: &[String],
        sections: &[(&str, Vec<String>)],
        insight: &str,
    ) -> String {
        let mut out = format!(
            "---\ntitle: \"Digest\"\ndate: 2026-01-02T06:30:00+08:00\ntags:\n  - \"AI\"\ndescription: \"d\"\nsummary: \"s\"\n\
             generator:\n  provider: \"{provider}\"\n  model: \"m\"\n  run: \"r1\"\n---\n\n## {}\n\n",
            l.focus
        );
        focus.iter().for_each(|c| out.push_str(c));
        for (name, cards) in sections {
            out.push_str(&format!("## {name}\n\n"));
            cards.iter().for_each(|c| out.push_str(c));
        }
        out.push_str(&format!(
            "## {}\n\n### {}\n\n{insight}\n\n---\n\n",
            l.editor_insight, l.trend_summary
        ));
        out.push_str(&format!(
            "## {}\n\n### {}\n\n* [Paper](https://arxiv.org/abs/2512.21227) — why it matters.\n\n---\n\n*{}*\n",
            l.further_reading,
            l.recommended,
            l.footer_counts.replace("{articles}", "120").replace("{topics}", "3")
        ));
        out
    }

    fn clean_en() -> String {
        daily(
            &EN,
            "openai",
            &[card(
                &EN,
                "Alibaba open-sources Qwen-Image-2512",
                "The new image model renders skin, textures and text better.",
                &["Qwen-Image-2512", "Alibaba"],
                &[(
                    "Qwen-Image-2512",
                    "https://www.qbitai.com/2025/12/366357.html",
                )],
            )],
            &[(
                "Models & Research",
                vec![
                    card(
                        &EN,
                        "PhononBench tests the stability of generated crystals",
                        "A phonon benchmark shows most generated crystals are unstable.",
                        &["PhononBench", "MatterSim"],
                        &[("PhononBench", "https://arxiv.org/abs/2512.21227")],
                    ),
                    card(
                        &EN,
                        "Secondary attention sinks in transformers",
                        "Transformers form attention sinks beyond the first token.",
                        &["Transformer"],
                        &[("Attention sinks", "https://arxiv.org/abs/2512.22213")],
                    ),
                ],
            )],
            "Open image models improved while chip makers bought research teams.",
        )
    }

    fn clean_hans() -> String {
        daily(
            &ZH_HANS,
            "openai",
            &[card(
                &ZH_HANS,
                "阿里开源 Qwen-Image-2512 图像生成模型",
                "新版模型改进了人物肤质、自然纹理与图中文字的呈现。",
                &["Qwen-Image-2512", "阿里巴巴"],
                &[("阿里开源", "https://www.qbitai.com/2025/12/366357.html")],
            )],
            &[(
                "模型与技术更新",
                vec![card(
                    &ZH_HANS,
                    "PhononBench 评估生成晶体的动力学稳定性",
                    "该基准以声子计算检验生成晶体，发现多数结构并不稳定。",
                    &["PhononBench", "MatterSim"],
                    &[("PhononBench", "https://arxiv.org/abs/2512.21227")],
                )],
            )],
            "今日的重点是开源图像模型的质量提升。",
        )
    }

    #[test]
    fn clean_documents_have_no_findings() {
        let hant = fixture("clean_zh_hant.md");
        for (name, text, language) in [
            ("zh-Hant fixture", hant, Language::ZhHant),
            ("en", clean_en(), Language::En),
            ("zh-Hans", clean_hans(), Language::ZhHans),
        ] {
            let detected = lint(&text);
            assert!(
                detected.findings.is_empty(),
                "{name}: {:#?}",
                detected.findings
            );
            assert!(!detected.has_errors());
            assert_eq!(lint_as(&text, language), detected, "{name}");
            assert_eq!(detect_language(&Doc::parse(&text)), language, "{name}");
        }
    }

    #[test]
    fn language_falls_back_on_script_when_no_label_decides() {
        assert_eq!(
            detect_language(&Doc::parse("國產智能體發佈，開源模型與資料中心擴張。")),
            Language::ZhHant
        );
        assert_eq!(
            detect_language(&Doc::parse("国产智能体发布，开源模型与数据中心扩张。")),
            Language::ZhHans
        );
        assert_eq!(
            detect_language(&Doc::parse("Open models and data centres, 模型.")),
            Language::En
        );
    }

    #[test]
    fn duplicate_story_by_first_source_url() {
        let url = "https://www.qbitai.com/2025/12/366314.html";
        let text = daily(
            &ZH_HANT,
            "openai",
            &[card(
                &ZH_HANT,
                "英偉達洽談收購 AI21 Labs",
                "英偉達洽談收購。",
                &["英偉達"],
                &[("a", url)],
            )],
            &[(
                "產業動態",
                vec![
                    card(
                        &ZH_HANT,
                        "以色列模型公司將被晶片巨頭併購",
                        "收購案細節。",
                        &["AI21 Labs"],
                        &[(
                            "b",
                            "https://WWW.qbitai.com/2025/12/366314.html?utm_source=rss#top",
                        )],
                    ),
                    card(
                        &ZH_HANT,
                        "量子位報導其他新聞",
                        "其他。",
                        &["量子位"],
                        &[("c", "https://www.qbitai.com/2025/12/1.html"), ("d", url)],
                    ),
                ],
            )],
            "洞察。",
        );
        let report = lint(&text);
        // Only the second card repeats the first source; the third merely cites it second.
        assert_eq!(
            lines_of(&report, DUPLICATE_STORY),
            vec![line_of(&text, "### 以色列模型公司")]
        );
        let message = &report
            .findings
            .iter()
            .find(|f| f.rule == DUPLICATE_STORY)
            .unwrap()
            .message;
        assert!(
            message.contains(&format!("line {}", line_of(&text, "### 英偉達洽談"))),
            "{message}"
        );
    }

    #[test]
    fn duplicate_story_by_arxiv_id_across_link_forms() {
        assert_eq!(
            story_key("arXiv:2512.21227"),
            story_key("https://arxiv.org/abs/2512.21227v2")
        );
        assert_eq!(
            story_key("https://arxiv.org/pdf/2512.21227v1.pdf").as_deref(),
            Some("arxiv:2512.21227")
        );
        assert_ne!(
            story_key("https://arxiv.org/abs/2512.21227"),
            story_key("https://arxiv.org/abs/2512.21228")
        );
        assert_eq!(story_key("1"), None);
    }

    #[test]
    fn duplicate_story_by_near_duplicate_headline() {
        let text = daily(
            &EN,
            "openai",
            &[card(
                &EN,
                "OpenAI releases GPT-5 with a new reasoning mode",
                "s",
                &["OpenAI"],
                &[("a", "https://example.com/a")],
            )],
            &[(
                "Models",
                vec![
                    card(
                        &EN,
                        "OpenAI Releases GPT-5, With New Reasoning Mode (update)",
                        "s",
                        &["OpenAI"],
                        &[("b", "https://example.com/b")],
                    ),
                    // Same words, another model: different numbers are different stories.
                    card(
                        &EN,
                        "OpenAI releases GPT-4 with a new reasoning mode",
                        "s",
                        &["OpenAI"],
                        &[("c", "https://example.com/c")],
                    ),
                    card(
                        &EN,
                        "Anthropic publishes an interpretability study",
                        "s",
                        &["Anthropic"],
                        &[("d", "https://example.com/d")],
                    ),
                ],
            )],
            "Insight.",
        );
        let report = lint(&text);
        assert_eq!(
            lines_of(&report, DUPLICATE_STORY),
            vec![line_of(&text, "### OpenAI Releases GPT-5,")]
        );
        assert_eq!(
            normalize_headline("PhononBench 聲子導向晶體動穩基準（同上簡列）"),
            "phononbench聲子導向晶體動穩基準"
        );
        assert!(bigram_jaccard("openaireleasesgpt5", "anthropicpublishes") < 0.2);
    }

    #[test]
    fn bad_links_and_bare_arxiv_ids() {
        let text = "## Models\n\
                    \n\
                    see [1](1) and [arXiv:2512.1](arXiv:2512.1)\n\
                    cited as arXiv:2512.23185v1 in the text\n\
                    fine: [arXiv:2512.1](https://arxiv.org/abs/2512.1) <https://example.com> `arXiv:2512.2`\n\
                    ![img](/images/a.png)\n\
                    [wiki](https://en.wikipedia.org/wiki/Rust_(programming_language))\n";
        let report = lint_as(text, Language::En);
        assert_eq!(lines_of(&report, BAD_LINK), vec![3, 3, 4, 6]);
        let messages: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.rule == BAD_LINK)
            .map(|f| f.message.as_str())
            .collect();
        assert!(
            messages[1].contains("https://arxiv.org/abs/2512.1"),
            "{}",
            messages[1]
        );
        assert!(
            messages[2].contains("arXiv:2512.23185v1"),
            "{}",
            messages[2]
        );
        assert!(lines_of(&lint(&clean_en()), BAD_LINK).is_empty());
    }

    #[test]
    fn empty_sections() {
        let text = "## Today's Focus\n\n### A card\n\ntext\n\n## Tools\n\n---\n\n## Industry\n\ntext\n\n## Editor's Insight\n\n### Trend Summary\n\n";
        let report = lint_as(text, Language::En);
        assert_eq!(lines_of(&report, EMPTY_SECTION), vec![7, 15]);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.message.contains("\"Tools\""))
        );
        // A fenced block is content, even if it only holds a heading-like line.
        assert!(
            lines_of(
                &lint_as("## Code\n\n```\n## not a heading\n```\n", Language::En),
                EMPTY_SECTION
            )
            .is_empty()
        );
    }

    #[test]
    fn placeholders() {
        let text = "## 產業\n\
                    \n\
                    ### 算力瓶頸（已列於今日焦點）\n\
                    ### PhononBench 基準（同上簡列）\n\
                    內容生成失败\n\
                    Todo: write this, also tbd\n\
                    Lorem Ipsum dolor\n\
                    另見已列于清單\n\
                    雙方共同上線新服務，如同上述，同上海交大合作，同上市公司相比，同上一代相比，協同上下游，相同上限\n\
                    Todoist and mastodon ship; [the app](https://example.com/todo-app) `TODO` 見https://example.com/tbd/page。\n";
        let report = lint_as(text, Language::ZhHant);
        assert_eq!(lines_of(&report, PLACEHOLDER), vec![3, 4, 5, 6, 7, 8]);
        let line6 = report
            .findings
            .iter()
            .find(|f| f.rule == PLACEHOLDER && f.line == 6)
            .unwrap();
        assert!(
            line6.message.contains("TODO") && line6.message.contains("TBD"),
            "{}",
            line6.message
        );
        let front = "---\ntitle: \"TODO\"\n---\n\n## 今日焦點\n\n正文\n";
        assert_eq!(
            lines_of(&lint_as(front, Language::ZhHant), PLACEHOLDER),
            vec![2]
        );
    }

    #[test]
    fn missing_fields() {
        let l = &ZH_HANT;
        let no_importance = format!(
            "### 缺少重要性的卡片\n\n**{}**\n摘要。\n\n**{}**：甲、乙\n**{}**：[a](https://example.com/a)\n\n---\n\n",
            l.summary, l.entities, l.sources
        );
        let empty_values = format!(
            "### 欄位空白的卡片\n\n**{}**\n\n**{}**：\n**{}**：高\n**{}**：\n\n---\n\n",
            l.summary, l.entities, l.importance, l.sources
        );
        let stub = "### 算力擴張與智能增長的瓶頸（已列於今日焦點）\n\n---\n\n".to_string();
        let text = daily(
            l,
            "openai",
            &[no_importance],
            &[("產業", vec![empty_values, stub])],
            "洞察。",
        );
        let report = lint(&text);
        assert_eq!(
            lines_of(&report, MISSING_FIELD),
            vec![
                line_of(&text, "### 缺少重要性"),
                line_of(&text, "### 欄位空白"),
                line_of(&text, "### 算力擴張")
            ]
        );
        let messages: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.rule == MISSING_FIELD)
            .map(|f| f.message.as_str())
            .collect();
        assert!(
            messages[0].contains("重要性") && !messages[0].contains("來源"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("核心摘要, 關鍵實體, 來源") && !messages[1].contains("重要性"),
            "{}",
            messages[1]
        );
        assert!(
            messages[2].contains("核心摘要, 關鍵實體, 重要性, 來源"),
            "{}",
            messages[2]
        );
        // Insight subsections are not cards.
        assert!(lines_of(&lint(&clean_hans()), MISSING_FIELD).is_empty());

        let focus = card(&EN, "Focus", "s", &["A"], &[("a", "https://example.com/a")]);
        let en = daily(
            &EN,
            "openai",
            &[focus],
            &[(
                "Models",
                vec![format!(
                    "### No sources here\n\n**{}**: text\n**{}**: A\n**{}**: High\n",
                    EN.summary, EN.entities, EN.importance
                )],
            )],
            "Insight.",
        );
        let report = lint(&en);
        assert_eq!(
            lines_of(&report, MISSING_FIELD),
            vec![line_of(&en, "### No sources")]
        );
        assert!(
            report.findings[0]
                .message
                .ends_with("lacks Sources; every card needs them"),
            "{}",
            report.findings[0].message
        );
    }

    #[test]
    fn wrong_script_counts_prose_only() {
        let simplified = card(
            &ZH_HANT,
            "国产智能体发布",
            "深元人工智能发布国产智能体，实现全链路国产化。",
            &["深元"],
            &[("国产", "https://example.com/国产")],
        );
        let text = daily(&ZH_HANT, "openai", &[simplified], &[], "洞察。");
        let report = lint_as(&text, Language::ZhHant);
        assert_eq!(
            lines_of(&report, WRONG_SCRIPT),
            vec![line_of(&text, "### 国产")]
        );
        let message = &report
            .findings
            .iter()
            .find(|f| f.rule == WRONG_SCRIPT)
            .unwrap()
            .message;
        assert!(
            message.contains(&format!("国 (line {})", line_of(&text, "### 国产"))),
            "{message}"
        );
        assert!(message.contains("Simplified"), "{message}");

        // The same characters only in a URL, a code span and a front matter key do not count.
        let hidden = fixture("clean_zh_hant.md")
            .replace(
                "(https://www.qbitai.com/2025/12/366357.html)",
                "(https://example.com/国产发布)",
            )
            .replace("`開源模型`", "`国产发布`")
            .replace("tags:", "国产:");
        assert!(
            lint_as(&hidden, Language::ZhHant).findings.is_empty(),
            "{:#?}",
            lint_as(&hidden, Language::ZhHant).findings
        );

        // 里 of 阿里 is Traditional too: the fixture mentions Alibaba five times and stays clean.
        assert!(fixture("clean_zh_hant.md").matches("阿里").count() >= 5);

        // One wrong character among a few hundred stays below 0.5 %.
        let one = fixture("clean_zh_hant.md").replace("研究者發現", "研究者发現");
        assert!(lines_of(&lint(&one), WRONG_SCRIPT).is_empty());
        let many = fixture("clean_zh_hant.md").replace("研究者發現", "研究者发现，这个问题");
        assert_eq!(
            lines_of(&lint(&many), WRONG_SCRIPT),
            vec![line_of(&many, "研究者发现")]
        );

        let hans = clean_hans().replace("质量提升", "質量提升與開發");
        let report = lint(&hans);
        assert_eq!(
            lines_of(&report, WRONG_SCRIPT),
            vec![line_of(&hans, "質量")]
        );
        assert!(report.findings[0].message.contains("Traditional"));
    }

    #[test]
    fn untranslated_headlines() {
        let english = card(
            &ZH_HANT,
            "OpenAI ships GPT-5",
            "OpenAI 發布 GPT-5。",
            &["OpenAI"],
            &[("a", "https://example.com/a")],
        );
        let llm = daily(
            &ZH_HANT,
            "openai",
            std::slice::from_ref(&english),
            &[],
            "洞察。",
        );
        let report = lint(&llm);
        let found: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule == UNTRANSLATED_HEADLINE)
            .collect();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].line, found[0].severity),
            (line_of(&llm, "### OpenAI"), Severity::Error)
        );

        let extractive = daily(&ZH_HANT, "extractive", &[english], &[], "洞察。");
        let report = lint(&extractive);
        assert!(!report.has_errors(), "{:#?}", report.findings);
        assert_eq!(report.warnings().len(), 1);
        assert_eq!(report.warnings()[0].rule, UNTRANSLATED_HEADLINE);

        let inline = "---\ngenerator: {provider: extractive, model: none, run: r1}\n---\n";
        assert_eq!(
            Doc::parse(inline).generator_provider().as_deref(),
            Some("extractive")
        );
        // English digests have English headlines.
        assert!(lines_of(&lint(&clean_en()), UNTRANSLATED_HEADLINE).is_empty());
    }

    #[test]
    fn findings_are_sorted_and_summarised() {
        let text = "## 產業\n\n### TODO card\n\n[1](1)\n\n## 空的\n";
        let report = lint_as(text, Language::ZhHant);
        let keys: Vec<(usize, &str)> = report.findings.iter().map(|f| (f.line, f.rule)).collect();
        assert_eq!(
            keys,
            vec![
                (3, MISSING_FIELD),
                (3, PLACEHOLDER),
                (3, UNTRANSLATED_HEADLINE),
                (5, BAD_LINK),
                (7, EMPTY_SECTION)
            ]
        );
        assert_eq!(report.errors().len(), 5);
        assert_eq!(report.counts_by_rule()[BAD_LINK], 1);
        assert!(
            report.findings[3]
                .to_string()
                .starts_with("line 5: error[bad-link]: ")
        );
    }

    #[test]
    fn grounding_numbers() {
        let sources = [
            "Qwen-Image-2512 scores 3.50 on the benchmark; 1000 rounds; 20 percent faster; 三十亿 yuan",
            "融资 30亿美元",
        ];
        let text = "Qwen-Image-2512 得分 3.5，經過 1,000 輪盲測，速度快 20%，融資 30億美元，共 3 個版本。估值 461 億港元，參數 5M。";
        let warnings = grounding_warnings("阿里發布 Qwen-Image-2512", text, &[], &sources);
        assert_eq!(warnings.len(), 2, "{warnings:#?}");
        assert!(
            warnings[0].starts_with("ungrounded-number: \"461 億\""),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[1].starts_with("ungrounded-number: \"5M\""),
            "{}",
            warnings[1]
        );
        // Values, not spellings: 3 billion grounds 30億, 2.5 million grounds 250萬.
        assert!(
            grounding_warnings(
                "t",
                "募資 30億美元，用戶 250萬",
                &[],
                &["raised $3 billion from 2.5 million users"]
            )
            .is_empty()
        );
        assert_eq!(grounding_warnings("t", "20% 與 12.5", &[], &[]).len(), 2);
    }

    #[test]
    fn grounding_entities() {
        let sources = [
            "阿里巴巴开源了 Qwen-Image-2512 模型，在 AI Arena 盲测中排名第一。",
            "Nvidia talks with ai21 labs",
        ];
        let entities: Vec<String> = [
            "Qwen‑Image‑2512",
            "阿里巴巴",
            "AI21 Labs",
            "NVIDIA",
            "AIArena",
            "開源",
            "Mobileye",
        ]
        .map(String::from)
        .to_vec();
        let warnings = grounding_warnings("阿里開源影像模型", "內容", &entities, &sources);
        assert_eq!(warnings.len(), 1, "{warnings:#?}");
        assert!(
            warnings[0].starts_with("ungrounded-entity: \"Mobileye\""),
            "{}",
            warnings[0]
        );
        // Found only through script conversion of the source.
        assert!(
            grounding_warnings("t", "x", &["國產化".to_string()], &["全链路国产化"]).is_empty()
        );
    }

    #[test]
    fn seed_digest_defects_are_found() {
        let Ok(seed) = std::fs::read_to_string(SEED) else {
            eprintln!("skipping: {SEED} is absent");
            return;
        };
        let report = lint(&seed);
        println!("seed 000 findings per rule: {:?}", report.counts_by_rule());
        assert_eq!(detect_language(&Doc::parse(&seed)), Language::ZhHant);

        let has = |rule: &str, line: usize, needle: &str| {
            report
                .findings
                .iter()
                .any(|f| f.rule == rule && f.line == line && f.message.contains(needle))
        };
        let arxiv_line = line_of(&seed, "[arXiv:2512.23185v1](arXiv:2512.23185v1)");
        assert!(
            has(BAD_LINK, arxiv_line, "arXiv:2512.23185v1"),
            "arXiv pseudo-link at {arxiv_line}"
        );
        assert!(has(BAD_LINK, line_of(&seed, "**來源**： [1](1)"), "\"1\""));
        let stub_line = line_of(&seed, "（同上簡列）");
        let listed_line = line_of(&seed, "（已列於今日焦點）");
        assert!(has(PLACEHOLDER, stub_line, "同上"));
        assert!(has(PLACEHOLDER, listed_line, "已列於"));
        assert!(
            has(DUPLICATE_STORY, stub_line, "PhononBench"),
            "PhononBench twice"
        );
        assert!(
            has(DUPLICATE_STORY, listed_line, "算力擴張"),
            "focus story repeated"
        );
        assert!(has(
            MISSING_FIELD,
            listed_line,
            "核心摘要, 關鍵實體, 重要性, 來源"
        ));
        assert!(report.has_errors());
    }
}
