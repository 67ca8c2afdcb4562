//! Charset detection and decoding. In: the raw bytes of a feed or page and the `Content-Type` the
//! server sent (if any); out: the same document as UTF-8, with an XML declaration that says so.
//! Order of evidence: a byte-order mark, the `charset` of the Content-Type, the document's own
//! declaration (`<?xml encoding=…?>`, `<meta charset>`), valid UTF-8, and last GB18030 (Chinese
//! feeds that declare nothing are far more often GBK than Latin-1). Never fails: undecodable
//! bytes become U+FFFD.

use encoding_rs::{Encoding, GB18030, UTF_8};

/// The document as UTF-8 and the encoding it was read as (for reports and tests).
pub fn to_utf8(bytes: &[u8], content_type: Option<&str>) -> (String, &'static Encoding) {
    let (encoding, bom_len) = match Encoding::for_bom(bytes) {
        Some((encoding, len)) => (encoding, len),
        None => (detect(bytes, content_type), 0),
    };
    let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
    // The declaration may still name the old encoding (or a wrong one); a parser that honours it
    // would decode the UTF-8 we hand it a second time.
    (rewrite_xml_declaration(&text), encoding)
}

fn detect(bytes: &[u8], content_type: Option<&str>) -> &'static Encoding {
    if let Some(encoding) = content_type.and_then(header_charset) {
        return encoding;
    }
    if let Some(encoding) = declared_charset(bytes) {
        return encoding;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    GB18030
}

/// `text/xml; charset=gbk` → GBK.
fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        label(value)
    })
}

/// The encoding the document names in its first 1 KiB: `<?xml … encoding="GBK"?>`,
/// `<meta charset="big5">` or `<meta http-equiv content="text/html; charset=gb2312">`.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    // Declarations are ASCII in every encoding we read; lossy is enough to find them.
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    if let Some(decl) = head
        .strip_prefix("<?xml")
        .or_else(|| head.trim_start().strip_prefix("<?xml"))
        && let Some(end) = decl.find("?>")
    {
        return attribute(&decl[..end], "encoding").and_then(label);
    }
    let at = head.find("charset=")?;
    let value = &head[at + "charset=".len()..];
    let value = value.trim_start_matches(['"', '\'']);
    let end = value
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(value.len());
    label(&value[..end])
}

/// The value of `name="…"` or `name='…'` inside a declaration.
fn attribute<'a>(decl: &'a str, name: &str) -> Option<&'a str> {
    let at = decl.find(name)?;
    let rest = decl[at + name.len()..].trim_start().strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    rest.find(quote).map(|end| &rest[..end])
}

fn label(value: &str) -> Option<&'static Encoding> {
    Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes())
}

/// `<?xml version="1.0" encoding="GBK"?>` → `<?xml version="1.0" encoding="UTF-8"?>`.
fn rewrite_xml_declaration(text: &str) -> String {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    if !trimmed.starts_with("<?xml") {
        return text.to_string();
    }
    let Some(end) = trimmed.find("?>") else {
        return text.to_string();
    };
    let decl = &trimmed[..end];
    let Some(at) = decl.find("encoding") else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..lead]);
    out.push_str(&decl[..at]);
    out.push_str("encoding=\"UTF-8\"");
    // Skip the old `encoding = "…"`.
    let rest = &decl[at + "encoding".len()..];
    let after_value = attribute(&decl[at..], "encoding")
        .and_then(|value| rest.find(value).map(|i| i + value.len() + 1))
        .unwrap_or(rest.len());
    out.push_str(&rest[after_value.min(rest.len())..]);
    out.push_str(&trimmed[end..]);
    out
}

#[cfg(test)]
mod tests {
    use encoding_rs::{BIG5, GBK, UTF_16LE, WINDOWS_1252};

    use super::*;

    #[test]
    fn gbk_declared_in_the_xml_declaration() {
        let xml = "<?xml version=\"1.0\" encoding=\"GBK\"?><rss><title>人工智能周报</title></rss>";
        let (bytes, _, _) = GBK.encode(xml);
        assert!(std::str::from_utf8(&bytes).is_err(), "really GBK bytes");
        let (text, encoding) = to_utf8(&bytes, None);
        assert_eq!(encoding, GBK);
        assert_eq!(
            text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><title>人工智能周报</title></rss>"
        );
    }

    #[test]
    fn header_charset_wins_over_the_declaration() {
        let xml = "<?xml version='1.0' encoding='utf-8'?><rss>臺灣人工智慧</rss>";
        let (bytes, _, _) = BIG5.encode(xml);
        let (text, encoding) = to_utf8(&bytes, Some("application/rss+xml; charset=Big5"));
        assert_eq!(encoding, BIG5);
        assert!(text.contains("臺灣人工智慧"), "{text}");
        assert!(
            text.starts_with("<?xml version='1.0' encoding=\"UTF-8\"?>"),
            "{text}"
        );
    }

    #[test]
    fn html_meta_charset_and_undeclared_gb18030() {
        let html = "<html><head><meta charset=\"gb2312\"></head><body>模型发布</body></html>";
        let (bytes, _, _) = GBK.encode(html);
        let (text, _) = to_utf8(&bytes, Some("text/html"));
        assert!(text.contains("模型发布"), "{text}");
        // Nothing declared, not UTF-8: read as GB18030.
        let (bytes, _, _) = GB18030.encode("<rss>大模型</rss>");
        let (text, encoding) = to_utf8(&bytes, None);
        assert_eq!(encoding, GB18030);
        assert_eq!(text, "<rss>大模型</rss>");
    }

    #[test]
    fn utf8_and_boms_pass_through() {
        let (text, encoding) = to_utf8("<rss>ok é</rss>".as_bytes(), None);
        assert_eq!((text.as_str(), encoding), ("<rss>ok é</rss>", UTF_8));
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "<rss>hi</rss>".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let (text, encoding) = to_utf8(&utf16, Some("text/xml; charset=iso-8859-1"));
        assert_eq!((text.as_str(), encoding), ("<rss>hi</rss>", UTF_16LE));
        let (text, encoding) = to_utf8(b"caf\xe9", Some("text/plain; charset=latin1"));
        assert_eq!((text.as_str(), encoding), ("café", WINDOWS_1252));
    }
}
