//! The document model lint reads: lines, front matter, code fences, headings, sections and cards.
//! In: the Markdown text; out: a `Doc` whose parts carry 0-based line indices. It judges nothing.

use super::inline::{first_link_target, strip_code_spans, strip_urls};
use crate::render::labels::Labels;

// The document model: lines, front matter, fences, headings, sections and cards.

pub(super) struct Doc<'a> {
    /// Lines without their line ending and trailing whitespace (Markdown hard breaks).
    pub(super) lines: Vec<&'a str>,
    /// 0-based indices of the opening and closing `---` of the front matter.
    pub(super) front_matter: Option<(usize, usize)>,
    /// Lines inside (or fencing) a code block.
    pub(super) in_code: Vec<bool>,
    pub(super) headings: Vec<Heading<'a>>,
}

pub(super) struct Heading<'a> {
    /// 0-based line index.
    pub(super) index: usize,
    pub(super) level: usize,
    pub(super) text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SectionKind {
    Focus,
    News,
    EditorInsight,
    FurtherReading,
}

pub(super) struct Section<'a> {
    pub(super) index: usize,
    /// One past the last line of the section.
    pub(super) end: usize,
    pub(super) kind: SectionKind,
    pub(super) text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Field {
    Summary,
    Entities,
    Importance,
    Sources,
}

impl Field {
    pub(super) const REQUIRED: [Field; 4] = [
        Field::Summary,
        Field::Entities,
        Field::Importance,
        Field::Sources,
    ];

    pub(super) fn label(self, labels: &Labels) -> &'static str {
        match self {
            Field::Summary => labels.summary,
            Field::Entities => labels.entities,
            Field::Importance => labels.importance,
            Field::Sources => labels.sources,
        }
    }
}

pub(super) struct Card<'a> {
    /// 0-based line index of the `###` headline.
    pub(super) index: usize,
    pub(super) headline: &'a str,
    /// Required fields that are present with content.
    pub(super) fields: Vec<Field>,
    /// Target of the first link (or bare arXiv id) of the sources field.
    pub(super) first_source: Option<String>,
}

impl<'a> Doc<'a> {
    pub(super) fn parse(text: &'a str) -> Doc<'a> {
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

    pub(super) fn in_front_matter(&self, index: usize) -> bool {
        self.front_matter
            .is_some_and(|(open, close)| (open..=close).contains(&index))
    }

    /// Lines that are neither front matter nor code: the ones link and text rules read.
    pub(super) fn body_lines(&self) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        self.lines
            .iter()
            .copied()
            .enumerate()
            .filter(|(index, _)| !self.in_front_matter(*index) && !self.in_code[*index])
    }

    /// Index one past the last line belonging to the heading at `heading`: the next heading of
    /// the same or a higher level, or the end of the document.
    pub(super) fn block_end(&self, heading: &Heading) -> usize {
        self.headings
            .iter()
            .find(|h| h.index > heading.index && h.level <= heading.level)
            .map_or(self.lines.len(), |h| h.index)
    }

    pub(super) fn sections(&self, labels: &Labels) -> Vec<Section<'a>> {
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
    pub(super) fn cards(&self, sections: &[Section], labels: &Labels) -> Vec<Card<'a>> {
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

    pub(super) fn card(&self, heading: &Heading<'a>, end: usize, labels: &Labels) -> Card<'a> {
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
    pub(super) fn generator_provider(&self) -> Option<String> {
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
    pub(super) fn prose(&self, index: usize) -> String {
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

pub(super) fn unquote(value: &str) -> String {
    value.trim().trim_matches(['"', '\'']).trim().to_string()
}

pub(super) fn is_thematic_break(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3
        && (compact.chars().all(|c| c == '-')
            || compact.chars().all(|c| c == '*')
            || compact.chars().all(|c| c == '_'))
}

/// `**Name**: rest` → (`Name`, `rest`), with a colon inside or after the bold part removed.
pub(super) fn bold_field(line: &str) -> Option<(&str, &str)> {
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
