//! Text fields as the view model holds them. In: article- or model-written text, the digest
//! language and the output syntax; out: the text in the target script, whitespace collapsed or
//! paragraphs kept, escaped for Markdown or HTML. Every text field of a view goes through here.

use super::escape::Syntax;
use crate::model::Language;
use crate::text::to_script;

/// The language and syntax every text field of one view is converted and escaped for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Text {
    pub(super) language: Language,
    pub(super) syntax: Syntax,
}

impl Text {
    /// In the target script, whitespace collapsed, not escaped.
    pub(super) fn plain(self, text: &str) -> String {
        plain(text, self.language)
    }

    /// One escaped line: in the target script, whitespace (newlines included) collapsed.
    pub(super) fn line(self, text: &str) -> String {
        self.syntax.escape(&self.plain(text))
    }

    /// A paragraph field: in the target script, escaped, paragraphs (blank-line separated in the
    /// input) kept, lines within a paragraph joined.
    pub(super) fn block(self, text: &str) -> String {
        let converted = to_script(text, self.language);
        let mut paragraphs = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for line in converted.lines().map(str::trim) {
            if line.is_empty() {
                if !current.is_empty() {
                    paragraphs.push(self.syntax.escape(&collapse_whitespace(&current.join(" "))));
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
        if !current.is_empty() {
            paragraphs.push(self.syntax.escape(&collapse_whitespace(&current.join(" "))));
        }
        paragraphs.join(self.syntax.paragraph_break())
    }

    /// Escaped, non-empty, distinct items.
    pub(super) fn list(self, items: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for item in items {
            let item = self.line(item);
            if !item.is_empty() && !out.contains(&item) {
                out.push(item);
            }
        }
        out
    }

    /// A checked URL as the syntax writes it inside a link.
    pub(super) fn url(self, url: &str) -> String {
        match self.syntax {
            Syntax::Markdown => url.to_string(),
            Syntax::Html => self.syntax.escape(url),
        }
    }
}

/// Text in the target script with every run of whitespace (newlines included) collapsed to one
/// space: for headings, list items, link text and front matter.
pub(super) fn plain(text: &str, language: Language) -> String {
    collapse_whitespace(&to_script(text, language))
}

/// Whether `text` only restates one of `others`: its letters and digits (case, punctuation and
/// script folded) are all inside one of them — a 技術細節 that is the headline again, a 速覽 line
/// that is the summary's first sentence. Empty text restates nothing. Render leaves such parts
/// out, and lint flags them in any digest, by this one rule.
pub(crate) fn restates(text: &str, others: &[&str]) -> bool {
    let letters = |t: &str| -> String {
        to_script(t, Language::ZhHant)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let bare = letters(text);
    !bare.is_empty() && others.iter().any(|other| letters(other).contains(&bare))
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_inside_the_title_or_summary_restates_it() {
        let title = "阿里巴巴發布Qwen-Vision-3.2：720億參數多模態模型，MMMU得分71.4";
        let summary = "深圳星步機器人發布Strider-H1，售價9.9萬元，預計3月交付，這將降低價格。";
        // The headline again, with other punctuation or script.
        assert!(restates(
            "阿里巴巴发布Qwen-Vision-3.2, 720亿参数多模态模型 MMMU得分71.4",
            &[title]
        ));
        // The summary's first sentence.
        assert!(restates(
            "深圳星步機器人發布Strider-H1，售價9.9萬元。",
            &[title, summary]
        ));
        // New facts, or empty text, restate nothing.
        assert!(!restates(
            "72B版本在MMMU拿下71.4分，DocVQA達95.2分。",
            &[title, summary]
        ));
        assert!(!restates(" ，。 ", &[title]));
    }

    #[test]
    fn block_keeps_paragraphs_and_joins_lines() {
        let markdown = Text {
            language: Language::En,
            syntax: Syntax::Markdown,
        };
        assert_eq!(
            markdown.block("first line\n  second *line*\n\n\n# not a heading\n"),
            "first line second \\*line\\*\n\n\\# not a heading"
        );
        assert_eq!(markdown.block("  \n\n "), "");
        let html = Text {
            syntax: Syntax::Html,
            ..markdown
        };
        assert_eq!(
            html.block("a <b>\n\nc & d"),
            "a &lt;b&gt;</p>\n<p>c &amp; d"
        );
    }
}
