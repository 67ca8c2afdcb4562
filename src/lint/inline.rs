//! Inline Markdown as lint reads it: links (nested brackets and parentheses), code spans, bare
//! and `<…>` URLs, and `arXiv:ID` written as plain text. In: one line; out: byte ranges and targets.

pub(super) struct Link {
    /// Byte range of the whole `[text](target)` in the line.
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) target: String,
}

/// Inline links and images of one line (code spans excluded). Brackets and parentheses nest,
/// so `[a [b]](https://x/y_(z))` is one link.
pub(super) fn links(line: &str) -> Vec<Link> {
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

pub(super) fn matching(bytes: &[u8], open_at: usize, open: u8, close: u8) -> Option<usize> {
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
pub(super) fn link_destination(inner: &str) -> String {
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

pub(super) fn first_link_target(text: &str) -> Option<String> {
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
pub(super) fn code_span_mask(line: &str) -> Vec<bool> {
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

pub(super) fn strip_code_spans(line: &str) -> String {
    let mask = code_span_mask(line);
    line.char_indices()
        .filter(|(at, _)| !mask[*at])
        .map(|(_, c)| c)
        .collect()
}

/// The line with link targets dropped (link text kept) and bare or `<…>` URLs removed.
pub(super) fn strip_urls(line: &str) -> String {
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
pub(super) fn bare_arxiv_ids(line: &str) -> Vec<(usize, String)> {
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
