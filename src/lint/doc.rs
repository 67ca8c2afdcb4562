//! The document model lint reads: lines, front matter, code fences and headings. In: the Markdown
//! text; out: a `Doc` whose parts carry 0-based line indices. It judges nothing; `cards` reads
//! sections and cards from it per layout.

use super::inline::{strip_code_spans, strip_urls};

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

    /// The headlines the front matter lists under `generator.extractive_fallback`: cards the
    /// extractive baseline wrote because the model's stayed invalid. Compared without escapes.
    pub(super) fn fallback_headlines(&self) -> Vec<String> {
        let Some((open, close)) = self.front_matter else {
            return Vec::new();
        };
        let lines = &self.lines[open + 1..close];
        let Some(start) = lines
            .iter()
            .position(|l| l.trim_start() == "extractive_fallback:")
        else {
            return Vec::new();
        };
        lines[start + 1..]
            .iter()
            .map(|l| l.trim_start())
            .take_while(|l| l.starts_with("- "))
            .map(|l| plain_headline(&unquote(&l[2..])))
            .collect()
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

/// A headline without Markdown or YAML escapes, for comparing front matter with headings.
pub(super) fn plain_headline(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '\\' | '"')).collect()
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
