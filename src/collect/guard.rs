//! What a document must not be before it reaches the feed parser. In: one decoded document and
//! the source it came from; out: `Ok` or the per-source error that says in plain words what the
//! document is instead (empty, an HTML page, XML that declares entities). Entity declarations
//! are refused outright rather than parsed: that is the whole defence against billion-laughs
//! expansion and external entities (`SYSTEM "file:///…"`), so nothing outside the feed is read.

use super::CollectError;

/// Refuse documents that are not feeds, or are feeds we must not parse.
pub(super) fn check_document(text: &str, source: &str) -> Result<(), CollectError> {
    let source_name = source.to_string();
    let body = text.trim_start_matches('\u{feff}').trim();
    if body.is_empty() {
        return Err(CollectError::EmptyDocument { source_name });
    }
    let head = skip_prolog(body);
    let lower: String = head
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Err(CollectError::NotAFeed {
            source_name,
            what: "this is an HTML page, not a feed (look for the site's RSS or Atom link)",
        });
    }
    if is_markup(body) && declares_entities(body) {
        return Err(CollectError::UnsafeXml { source_name });
    }
    Ok(())
}

fn is_markup(body: &str) -> bool {
    body.starts_with('<')
}

/// The document after its XML declaration, processing instructions and comments.
fn skip_prolog(mut body: &str) -> &str {
    loop {
        body = body.trim_start();
        let end = if body.starts_with("<?") {
            body.find("?>").map(|i| i + 2)
        } else if body.starts_with("<!--") {
            body.find("-->").map(|i| i + 3)
        } else {
            return body;
        };
        match end {
            Some(end) => body = &body[end..],
            None => return body,
        }
    }
}

/// Any `<!ENTITY` inside a DOCTYPE's internal subset. Feeds never need their own entities; the
/// ones they use (`&amp;`, `&#8217;`) are predefined or numeric.
fn declares_entities(body: &str) -> bool {
    let Some(doctype) = find_ascii_case_insensitive(body, "<!doctype") else {
        return false;
    };
    find_ascii_case_insensitive(&body[doctype..], "<!entity").is_some()
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        check_document(text, "s").unwrap_err().to_string()
    }

    #[test]
    fn empty_and_whitespace_documents() {
        assert_eq!(
            message(""),
            "source \"s\": the document is empty (0 bytes of feed)"
        );
        assert_eq!(
            message(" \n\t"),
            "source \"s\": the document is empty (0 bytes of feed)"
        );
    }

    #[test]
    fn html_pages_are_named_as_such() {
        for page in [
            "<!DOCTYPE html><html><body>hi</body></html>",
            "<?xml version=\"1.0\"?>\n<!-- x -->\n<HTML lang=en>",
            "  <html>",
        ] {
            assert!(
                message(page).contains("this is an HTML page, not a feed"),
                "{page}"
            );
        }
    }

    #[test]
    fn entity_declarations_are_refused_and_plain_doctypes_are_not() {
        let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><rss>&lol2;</rss>";
        assert!(message(laughs).contains("declares XML entities"));
        let xxe = "<!doctype rss [<!entity xxe SYSTEM \"file:///etc/passwd\">]><rss>&xxe;</rss>";
        assert!(message(xxe).contains("declares XML entities"));
        let netscape = "<?xml version=\"1.0\"?><!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\"><rss version=\"0.91\"></rss>";
        assert!(check_document(netscape, "s").is_ok());
        assert!(check_document("{\"version\": \"https://jsonfeed.org/version/1.1\"}", "s").is_ok());
    }
}
