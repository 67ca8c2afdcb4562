//! HTML → plain text for feed bodies and titles. In: an HTML fragment as a feed carries it; out:
//! readable text — scripts, styles and comments dropped, entities decoded, block elements turned
//! into line breaks, whitespace collapsed. It never fetches anything and never fails: input that
//! is not well-formed HTML is read as leniently as a browser would.

/// Elements whose content is never text a reader sees.
const HIDDEN_ELEMENTS: &[&str] = &["script", "style", "noscript", "template", "iframe", "svg"];

/// Elements that start or end a line; everything else is inline and leaves no trace.
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "ul",
    "ol",
    "table",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "pre",
    "hr",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "dl",
    "td",
    "th",
];

/// Plain text of an HTML fragment: one line per block, single spaces inside a line, trimmed.
pub fn html_to_text(html: &str) -> String {
    let mut raw = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut raw, &rest[..lt]);
        rest = &rest[lt..];
        rest = match read_markup(rest) {
            Some((markup, after)) => {
                match markup {
                    Markup::Break => raw.push('\n'),
                    Markup::Text(text) => push_text(&mut raw, text),
                    Markup::Nothing => {}
                }
                after
            }
            // A `<` that opens no tag ("a < b") is text.
            None => {
                raw.push('<');
                &rest[1..]
            }
        };
    }
    push_text(&mut raw, rest);
    collapse_whitespace(&decode_escaped_code_points(&raw))
}

/// Plain text that is not HTML: whitespace collapsed within lines, blank lines dropped.
pub fn plain_to_text(text: &str) -> String {
    collapse_whitespace(&decode_escaped_code_points(text))
}

/// JSON escapes a publisher left in its text, decoded: BAAI Hub's Atom feed titles read
/// `Agent\\u002F机器人\\u002F自动驾驶` (4 of the corpus's 25 days), and the lexical card took
/// "u002F" for an entity. A backslash run, `u` and four hex digits make one character; a control
/// character or a lone surrogate stays as written.
fn decode_escaped_code_points(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\\u") {
        let start = rest[..at].trim_end_matches('\\').len();
        out.push_str(&rest[..start]);
        let from_u = &rest[at + 1..];
        let decoded = from_u
            .get(1..5)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32)
            .filter(|c| !c.is_control());
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &from_u[5..];
            }
            None => {
                out.push_str(&rest[start..=at]);
                rest = from_u;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Does text declared as plain look like HTML anyway? Feeds often mislabel escaped HTML as text.
pub fn looks_like_html(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["</", "<br", "<p>", "<p ", "<div", "<img", "<a href"]
        .iter()
        .any(|m| lower.contains(m))
        || has_entity(text)
}

fn has_entity(text: &str) -> bool {
    text.match_indices('&')
        .any(|(at, _)| entity_at(&text[at..]).is_some())
}

enum Markup<'a> {
    /// A block boundary.
    Break,
    /// Literal text (a CDATA section).
    Text(&'a str),
    /// A tag, comment or hidden element: dropped.
    Nothing,
}

/// Reads the markup at the start of `s` (which begins with `<`). `None` when it opens no tag.
fn read_markup(s: &str) -> Option<(Markup<'_>, &str)> {
    if let Some(body) = s.strip_prefix("<!--") {
        let end = body.find("-->").map_or(body.len(), |i| i + 3);
        return Some((Markup::Nothing, &body[end..]));
    }
    if let Some(body) = s.strip_prefix("<![CDATA[") {
        let (text, after) = match body.find("]]>") {
            Some(i) => (&body[..i], &body[i + 3..]),
            None => (body, ""),
        };
        return Some((Markup::Text(text), after));
    }
    let bytes = s.as_bytes();
    let second = *bytes.get(1)?;
    if second == b'!' || second == b'?' {
        let end = s.find('>').map_or(s.len(), |i| i + 1);
        return Some((Markup::Nothing, &s[end..]));
    }
    let closing = second == b'/';
    let name_start = if closing { 2 } else { 1 };
    if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let name_len = s[name_start..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b':')
        .count();
    let name = s[name_start..name_start + name_len].to_ascii_lowercase();
    let after_tag = &s[tag_end(s, name_start + name_len)..];

    if !closing && HIDDEN_ELEMENTS.contains(&name.as_str()) {
        return Some((Markup::Nothing, skip_element_content(after_tag, &name)));
    }
    if BLOCK_ELEMENTS.contains(&name.as_str()) {
        return Some((Markup::Break, after_tag));
    }
    Some((Markup::Nothing, after_tag))
}

/// Byte offset just past the `>` that closes the tag, skipping `>` inside quoted attribute values.
fn tag_end(s: &str, from: usize) -> usize {
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate().skip(from) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return i + 1,
            None => {}
        }
    }
    s.len()
}

/// What follows the closing tag of the hidden element `name`; everything when it is never closed.
fn skip_element_content<'a>(s: &'a str, name: &str) -> &'a str {
    let needle = format!("</{name}");
    let lower = s.to_ascii_lowercase();
    match lower.find(&needle) {
        Some(i) => &s[tag_end(s, i + needle.len())..],
        None => "",
    }
}

/// Appends a text run with entities decoded and every whitespace character (source line breaks
/// included, as in a browser) turned into a space.
fn push_text(out: &mut String, text: &str) {
    let decoded = decode_entities(text);
    out.extend(
        decoded
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c }),
    );
}

/// Decodes named and numeric character references; unknown or malformed ones stay as written.
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match entity_at(rest) {
            Some((decoded, len)) => {
                out.push_str(&decoded);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character reference at the start of `s` (which begins with `&`): its text and byte length.
fn entity_at(s: &str) -> Option<(String, usize)> {
    // The longest reference we accept is `&#x10FFFF;` or a named one of similar length.
    let semi = s[1..].bytes().take(12).position(|b| b == b';')? + 1;
    let body = &s[1..semi];
    let decoded = if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse::<u32>().ok()?,
        };
        char::from_u32(code).filter(|c| *c != '\0')?.to_string()
    } else {
        named_entity(body)?.to_string()
    };
    Some((decoded, semi + 1))
}

fn named_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" | "AMP" => "&",
        "lt" | "LT" => "<",
        "gt" | "GT" => ">",
        "quot" | "QUOT" => "\"",
        "apos" => "'",
        // A non-breaking space is a space once the text leaves HTML.
        "nbsp" | "ensp" | "emsp" | "thinsp" => " ",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "ldquo" => "\u{201C}",
        "rdquo" => "\u{201D}",
        "lsquo" => "\u{2018}",
        "rsquo" => "\u{2019}",
        "laquo" => "«",
        "raquo" => "»",
        "middot" => "·",
        "bull" => "•",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "times" => "×",
        "deg" => "°",
        "yen" => "¥",
        "euro" => "€",
        "pound" => "£",
        "cent" => "¢",
        "sect" => "§",
        "para" => "¶",
        "plusmn" => "±",
        "divide" => "÷",
        "larr" => "←",
        "rarr" => "→",
        "uarr" => "↑",
        "darr" => "↓",
        "shy" | "zwj" | "zwnj" | "lrm" | "rlm" => "",
        _ => return None,
    })
}

/// One line per non-empty line of `raw`, each with runs of whitespace reduced to one space.
fn collapse_whitespace(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for line in raw.lines() {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        for (i, word) in words.enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_left_in_text_are_decoded() {
        assert_eq!(
            plain_to_text(r"覆盖Agent\\u002F机器人\\u002FAI4S"),
            "覆盖Agent/机器人/AI4S"
        );
        assert_eq!(html_to_text(r"a\u00e9b"), "aéb");
        // Not an escape, or one that would make a control character: as written.
        assert_eq!(
            plain_to_text(r"C:\users\u12 \u0007"),
            r"C:\users\u12 \u0007"
        );
    }

    #[test]
    fn drops_script_style_noscript_with_their_content() {
        let html = "<p>Before</p><script type=\"text/javascript\">var a = '<p>x</p>';</script>\
                    <STYLE>p { color: red }</STYLE><noscript><img src=x>enable JS</noscript>\
                    <p>After</p><!-- a comment <p>hidden</p> -->";
        assert_eq!(html_to_text(html), "Before\nAfter");
    }

    #[test]
    fn decodes_named_and_numeric_entities() {
        let html = "A&nbsp;&amp;&nbsp;B &lt;tag&gt; &quot;q&quot; &#39;s&#39; wait&hellip; \
                    x&mdash;y &ldquo;z&rdquo; &#20013;&#x6587; &unknown; AT&T &#xZZ;";
        assert_eq!(
            html_to_text(html),
            "A & B <tag> \"q\" 's' wait… x—y \u{201C}z\u{201D} 中文 &unknown; AT&T &#xZZ;"
        );
    }

    #[test]
    fn decoded_markup_is_text_not_a_tag() {
        assert_eq!(
            html_to_text("&lt;script&gt;alert(1)&lt;/script&gt; ok"),
            "<script>alert(1)</script> ok"
        );
    }

    #[test]
    fn block_elements_become_lines_and_whitespace_collapses() {
        let html = "<h2>Title</h2>\n  <div>one\n\t two</div><ul><li>a</li><li>b <b>bold</b></li></ul>\
                    line<br/>break<br>again<table><tr><td>c1</td></tr></table>";
        assert_eq!(
            html_to_text(html),
            "Title\none two\na\nb bold\nline\nbreak\nagain\nc1"
        );
    }

    #[test]
    fn inline_tags_leave_no_space_and_attributes_may_hold_gt() {
        assert_eq!(html_to_text("Qwen<span>-Image</span>"), "Qwen-Image");
        assert_eq!(
            html_to_text("<a href=\"x?a>b\" title='1>0'>link</a> text"),
            "link text"
        );
    }

    #[test]
    fn stray_angle_brackets_and_cdata_are_text() {
        assert_eq!(html_to_text("a < b and 3<4"), "a < b and 3<4");
        assert_eq!(html_to_text("<![CDATA[<raw> & text]]>"), "<raw> & text");
        assert_eq!(html_to_text("  "), "");
        assert_eq!(html_to_text("unclosed <script>forever"), "unclosed");
    }

    #[test]
    fn detects_mislabelled_html() {
        assert!(looks_like_html("<p>para</p>"));
        assert!(looks_like_html("Tom &amp; Jerry"));
        assert!(!looks_like_html("a < b & c > d"));
        assert_eq!(plain_to_text("  one\n\n  two   three \n"), "one\ntwo three");
    }
}
