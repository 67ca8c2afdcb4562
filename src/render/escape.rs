//! Escaping per output syntax, and the one check a link passes before a digest shows it. In: one
//! line of article-derived text or a raw URL; out: text that renders as the same words in
//! Markdown or HTML, or an absolute http(s) URL safe inside a link (`None` otherwise).

use crate::text::url::is_absolute_http;

/// The syntax a view model's text is escaped for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    Markdown,
    Html,
}

impl Syntax {
    /// One line of text escaped for this syntax.
    pub(crate) fn escape(self, line: &str) -> String {
        match self {
            Syntax::Markdown => escape_markdown(line),
            Syntax::Html => escape_html(line),
        }
    }

    /// A link in this syntax from already escaped `text` and a URL already written for the
    /// syntax (`Text::url`).
    pub(crate) fn link(self, text: &str, url: &str) -> String {
        match self {
            Syntax::Markdown => format!("[{text}]({url})"),
            Syntax::Html => format!("<a href=\"{url}\" rel=\"noopener noreferrer\">{text}</a>"),
        }
    }

    /// What separates two paragraphs of a block field: a blank line in Markdown; in HTML the
    /// template wraps the field in `<p>…</p>`, so a paragraph break closes one and opens the next.
    pub(crate) fn paragraph_break(self) -> &'static str {
        match self {
            Syntax::Markdown => "\n\n",
            Syntax::Html => "</p>\n<p>",
        }
    }
}

/// A link a digest may show, or `None`. Bare arXiv ids (`arXiv:2512.23185v1`) become their abstract
/// page; anything else must already be an absolute http(s) URL.
pub(crate) fn checked_link(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let candidate = match arxiv_id(raw) {
        Some(id) => format!("https://arxiv.org/abs/{id}"),
        None => raw.to_string(),
    };
    if !is_absolute_http(&candidate) {
        return None;
    }
    // Whitespace, parentheses and angle brackets would end a Markdown link destination early.
    let mut url = String::with_capacity(candidate.len());
    for c in candidate.chars() {
        match c {
            ' ' => url.push_str("%20"),
            '(' => url.push_str("%28"),
            ')' => url.push_str("%29"),
            '<' => url.push_str("%3C"),
            '>' => url.push_str("%3E"),
            c if c.is_whitespace() => {}
            c => url.push(c),
        }
    }
    Some(url)
}

/// The id in `arXiv:ID` (any case), when ID has the shape of a new-style (`2512.23185v1`) or
/// old-style (`cs.AI/0601001`) arXiv identifier.
fn arxiv_id(raw: &str) -> Option<&str> {
    let prefix = raw.get(..6)?;
    if !prefix.eq_ignore_ascii_case("arxiv:") {
        return None;
    }
    let id = raw[6..].trim();
    let base = match id.rsplit_once('v') {
        Some((base, version))
            if !base.is_empty()
                && !version.is_empty()
                && version.chars().all(|c| c.is_ascii_digit()) =>
        {
            base
        }
        _ => id,
    };
    let new_style = base.split_once('.').is_some_and(|(yymm, number)| {
        yymm.len() == 4
            && yymm.chars().all(|c| c.is_ascii_digit())
            && (4..=5).contains(&number.len())
            && number.chars().all(|c| c.is_ascii_digit())
    });
    let old_style = base.split_once('/').is_some_and(|(archive, number)| {
        !archive.is_empty()
            && archive
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '.')
            && number.len() == 7
            && number.chars().all(|c| c.is_ascii_digit())
    });
    (new_style || old_style).then_some(id)
}

/// Escapes one line of article-derived text so it renders as the same words in Markdown: no
/// emphasis, code, link, HTML or strikethrough, and no block structure (heading, quote, list,
/// rule, setext underline) when the line is written at the start of a line or of a list item.
pub(crate) fn escape_markdown(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    // A leading ordered-list marker ("2025. " or "3) ") is neutralised by escaping its
    // punctuation; other block markers by escaping the first character.
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let list_marker_at =
        (digits > 0 && matches!(chars.get(digits), Some('.' | ')'))).then_some(digits);
    for (i, &c) in chars.iter().enumerate() {
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '~' => true,
            // A trailing run of '#' closes an ATX heading and would vanish.
            '#' => i == 0 || i + 1 == chars.len(),
            '>' | '-' | '+' | '=' | '|' => i == 0,
            '.' | ')' => list_marker_at == Some(i),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text for HTML element content and double-quoted attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_checked_and_arxiv_ids_rewritten() {
        assert_eq!(
            checked_link("arXiv:2512.23185v1").as_deref(),
            Some("https://arxiv.org/abs/2512.23185v1")
        );
        assert_eq!(
            checked_link(" ARXIV:2512.2318 ").as_deref(),
            Some("https://arxiv.org/abs/2512.2318")
        );
        assert_eq!(
            checked_link("arXiv:cs.AI/0601001v2").as_deref(),
            Some("https://arxiv.org/abs/cs.AI/0601001v2")
        );
        assert_eq!(checked_link("arXiv:not-an-id"), None);
        assert_eq!(checked_link("1"), None);
        assert_eq!(checked_link("ftp://example.com/x"), None);
        assert_eq!(checked_link("/relative/path"), None);
        assert_eq!(checked_link("javascript:alert(1)"), None);
        assert_eq!(
            checked_link("https://en.wikipedia.org/wiki/Foo_(bar)").as_deref(),
            Some("https://en.wikipedia.org/wiki/Foo_%28bar%29")
        );
    }

    #[test]
    fn escapes_inline_and_line_start_markdown() {
        assert_eq!(
            escape_markdown("**x** [a](b) _y_ `z` <b> ~~s~~ a\\b"),
            "\\*\\*x\\*\\* \\[a\\](b) \\_y\\_ \\`z\\` \\<b> \\~\\~s\\~\\~ a\\\\b"
        );
        assert_eq!(escape_markdown("# title #"), "\\# title \\#");
        assert_eq!(escape_markdown("C# rocks"), "C# rocks");
        assert_eq!(escape_markdown("2025. a year"), "2025\\. a year");
        assert_eq!(escape_markdown("3) three"), "3\\) three");
        assert_eq!(escape_markdown("- dash"), "\\- dash");
        assert_eq!(escape_markdown("> quote"), "\\> quote");
        assert_eq!(escape_markdown("a - b > c"), "a - b > c");
        assert_eq!(escape_markdown("GPT-4.5"), "GPT-4.5");
    }

    #[test]
    fn escapes_html_text_and_attributes() {
        assert_eq!(
            escape_html(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
