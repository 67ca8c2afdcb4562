//! The Atom feed of the most recent digests, so readers can subscribe. In: digests (the newest
//! first, as `run::publish::recent_digests` reads them back from an output directory); out: `feed.xml` text with
//! one entry per digest linking its `<date>.html` page (relative, so the feed works wherever the
//! directory is served). Entries carry the day's headline, description and each card's title
//! with its first source; ids and timestamps come from the digests, never from the clock.

use super::escape::{checked_link, escape_html};
use super::view::card_headline;
use crate::model::Digest;

/// Atom XML for `digests` (newest first). The feed's `updated` is the newest digest's time.
pub(crate) fn render_feed(digests: &[Digest]) -> String {
    let title = digests
        .first()
        .map(|d| d.title.clone())
        .unwrap_or_else(|| "newsdesk".to_string());
    let feed_id = format!(
        "urn:newsdesk:feed:{}",
        &blake3::hash(title.as_bytes()).to_hex()[..16]
    );
    let updated = digests
        .first()
        .map(|d| d.generated_at.clone())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!("  <title>{}</title>\n", escape_html(&title)));
    xml.push_str(&format!("  <id>{feed_id}</id>\n"));
    xml.push_str(&format!("  <updated>{}</updated>\n", escape_html(&updated)));
    xml.push_str("  <link rel=\"self\" href=\"feed.xml\"/>\n");
    xml.push_str("  <generator>newsdesk</generator>\n");
    for digest in digests {
        xml.push_str(&entry(digest));
    }
    xml.push_str("</feed>\n");
    xml
}

fn entry(digest: &Digest) -> String {
    let language = digest.language;
    let to_script = |t: &str| crate::text::to_script(t, language);
    let headline = [&digest.insight.headline, &digest.title]
        .into_iter()
        .map(|t| to_script(t.trim()))
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    let title = format!("{headline} — {}", digest.date.format("%Y/%m/%d"));
    let mut content = String::new();
    let description = to_script(digest.insight.description.trim());
    if !description.is_empty() {
        content.push_str(&format!("<p>{}</p>", escape_html(&description)));
    }
    content.push_str("<ul>");
    for record in &digest.cards {
        let headline = escape_html(&card_headline(record, language));
        match record.sources.iter().find_map(|s| checked_link(&s.url)) {
            Some(url) => content.push_str(&format!(
                "<li><a href=\"{}\">{headline}</a></li>",
                escape_html(&url)
            )),
            None => content.push_str(&format!("<li>{headline}</li>")),
        }
    }
    content.push_str("</ul>");
    format!(
        "  <entry>\n    <title>{}</title>\n    <id>urn:newsdesk:digest:{}</id>\n    <updated>{}</updated>\n    \
         <link rel=\"alternate\" type=\"text/html\" href=\"{}.html\"/>\n    <summary>{}</summary>\n    \
         <content type=\"html\">{}</content>\n  </entry>\n",
        escape_html(&title),
        digest.date,
        escape_html(&digest.generated_at),
        digest.date,
        escape_html(&description),
        // The content is HTML carried as escaped text (type="html").
        escape_html(&content),
    )
}
