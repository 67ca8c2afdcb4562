//! Full text for snippet-only items (`full_text = true` on a source). In: articles whose feed gave
//! only a summary; out: the same articles with the body extracted from their pages, or — when a
//! page cannot be fetched or has no recognisable body — the snippet kept and the reason noted.
//! Pages are fetched with the feed's politeness, limits and conditional GET (the extracted text is
//! kept in the `http` tree beside the validators, so a 304 costs no extraction).
//!
//! Extraction is readability-style but small: the `<article>` (else `<main>`, else `<body>`)
//! region with navigation, headers, footers, asides, forms, scripts and styles blanked out, then
//! its paragraphs (`<p>`, list items, headings) kept when they carry text and are not mostly
//! links. dom_smoothie (a readability.js port) would do better on odd layouts but brings ~30 new
//! crates (html5ever, selectors, cssparser); see the report for its measured build cost.

use super::feed::{Parsed, article_id};
use super::fetch::{Fetched, Fetcher};
use super::html::html_to_text;
use super::stored::{self, HttpRecord};
use crate::store::Store;

/// A snippet longer than this is treated as the article (some feeds put everything in the
/// summary); shorter ones are replaced when the page gives more.
pub const SNIPPET_MAX_CHARS: usize = 600;

/// Pages fetched per source and run: a feed of 200 snippets should not become 200 page loads.
pub const MAX_PAGES_PER_SOURCE: usize = 40;

/// An extracted body shorter than this is no better than a snippet.
const MIN_BODY_CHARS: usize = 200;

/// Replaces snippets with page bodies where it can; returns one note per fallback.
pub async fn fill(
    parsed: &mut Parsed,
    fetcher: &Fetcher,
    store: Option<&dyn Store>,
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut fetched = 0;
    for (article, snippet_only) in parsed.articles.iter_mut().zip(&parsed.snippet_only) {
        if !*snippet_only || article.text.chars().count() > SNIPPET_MAX_CHARS {
            continue;
        }
        if fetched == MAX_PAGES_PER_SOURCE {
            failures.push(format!(
                "more than {MAX_PAGES_PER_SOURCE} snippet-only items; the rest keep their snippets"
            ));
            break;
        }
        fetched += 1;
        match page_text(&article.url, fetcher, store).await {
            Ok(body) if body.chars().count() > article.text.chars().count() => {
                article.text = body;
                article.id = article_id(&article.url, &article.title, &article.text);
            }
            Ok(_) => failures.push(format!(
                "{}: the page says no more than the feed",
                article.url
            )),
            Err(reason) => failures.push(format!("{}: {reason}", article.url)),
        }
    }
    if failures.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "full text: {} item(s) kept their snippet ({})",
        failures.len(),
        failures.join("; ")
    )]
}

/// The page's extracted body, conditionally fetched and remembered in the `http` tree.
async fn page_text(
    url: &str,
    fetcher: &Fetcher,
    store: Option<&dyn Store>,
) -> Result<String, String> {
    let prior = match store {
        Some(store) => stored::http_record(store, url).map_err(|e| e.to_string())?,
        None => None,
    };
    let validators = prior
        .as_ref()
        .filter(|r| r.text.is_some() && !r.validators.is_empty())
        .map(|r| &r.validators);
    let fetched = fetcher
        .fetch(url, validators)
        .await
        .map_err(|e| e.to_string())?;
    let (bytes, content_type, validators) = match fetched {
        Fetched::NotModified => {
            return prior
                .and_then(|r| r.text)
                .ok_or_else(|| "the server answered 304 to an unconditional request".to_string());
        }
        Fetched::Body {
            bytes,
            content_type,
            validators,
            ..
        } => (bytes, content_type, validators),
    };
    let (html, _) = super::charset::to_utf8(&bytes, content_type.as_deref());
    let body =
        extract_body(&html).ok_or_else(|| "no article body found in the page".to_string())?;
    if let Some(store) = store {
        let record = HttpRecord {
            validators,
            body_blake3: blake3::hash(&bytes).to_hex().to_string(),
            article_ids: Vec::new(),
            text: Some(body.clone()),
        };
        stored::put_http_record(store, url, &record).map_err(|e| e.to_string())?;
    }
    Ok(body)
}

/// Elements whose content is never the article body.
const BOILERPLATE: &[&str] = &[
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg",
    "iframe", "button", "figure",
];

/// Elements that hold the body's paragraphs.
const PARAGRAPHS: &[&str] = &["p", "li", "h2", "h3", "blockquote", "pre"];

/// The article body of an HTML page as plain text (one paragraph per line), or `None` when the
/// page has no region that reads like an article.
pub fn extract_body(html: &str) -> Option<String> {
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `html` too.
    let lower = html.to_ascii_lowercase();
    let mut blanked = html.as_bytes().to_vec();
    blank_comments(&lower, &mut blanked);
    for name in BOILERPLATE {
        blank_elements(&lower, &mut blanked, name);
    }
    let page = String::from_utf8_lossy(&blanked).into_owned();
    let lower = page.to_ascii_lowercase();
    let region = ["article", "main", "body"]
        .iter()
        .find_map(|name| element_range(&lower, name))
        .unwrap_or(0..page.len());
    let mut lines: Vec<String> = Vec::new();
    for (start, end) in paragraph_ranges(&lower, region) {
        let fragment = &page[start..end];
        let text = html_to_text(fragment).lines().collect::<Vec<_>>().join(" ");
        if text.chars().count() < 12 || link_share(&fragment.to_ascii_lowercase()) > 0.5 {
            continue;
        }
        if !lines.contains(&text) {
            lines.push(text);
        }
    }
    let body = lines.join("\n");
    (body.chars().count() >= MIN_BODY_CHARS).then_some(body)
}

/// Overwrites `<!-- … -->` with spaces.
fn blank_comments(lower: &str, bytes: &mut [u8]) {
    let mut from = 0;
    while let Some(start) = lower[from..].find("<!--").map(|i| i + from) {
        let end = lower[start..]
            .find("-->")
            .map_or(lower.len(), |i| start + i + 3);
        bytes[start..end].fill(b' ');
        from = end;
    }
}

/// Overwrites every `<name …>…</name>` with spaces (outermost first; an unclosed one runs to the
/// end of the page, as a browser would read it).
fn blank_elements(lower: &str, bytes: &mut [u8], name: &str) {
    let mut from = 0;
    while let Some(start) = find_open(lower, name, from) {
        let close = format!("</{name}");
        let end = lower[start..]
            .find(&close)
            .map(|i| start + i)
            .map_or(lower.len(), |i| {
                lower[i..].find('>').map_or(lower.len(), |j| i + j + 1)
            });
        bytes[start..end].fill(b' ');
        from = end;
    }
}

/// The byte offset of the next `<name` followed by `>`, whitespace or `/`.
fn find_open(lower: &str, name: &str, from: usize) -> Option<usize> {
    let open = format!("<{name}");
    let mut at = from;
    while let Some(i) = lower.get(at..)?.find(&open) {
        let start = at + i;
        let next = lower.as_bytes().get(start + open.len()).copied();
        if matches!(next, Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r')) {
            return Some(start);
        }
        at = start + open.len();
    }
    None
}

/// The inside of the first `<name>` element (to its last `</name>`, so nested ones stay in).
fn element_range(lower: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let start = find_open(lower, name, 0)?;
    let inner = start + lower[start..].find('>')? + 1;
    let end = lower.rfind(&format!("</{name}")).filter(|&e| e > inner)?;
    Some(inner..end)
}

/// Byte ranges of the paragraph elements inside `region`, in order.
fn paragraph_ranges(lower: &str, region: std::ops::Range<usize>) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = Vec::new();
    for name in PARAGRAPHS {
        let mut from = region.start;
        while let Some(start) = find_open(lower, name, from).filter(|&s| s < region.end) {
            let close = format!("</{name}");
            let end = lower[start..region.end]
                .find(&close)
                .map_or(region.end, |i| start + i);
            found.push((start, end));
            from = end.max(start + 1);
        }
    }
    found.sort();
    // A <p> inside an <li> (or the reverse) would be read twice: keep the outer one.
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for range in found {
        if kept.last().is_some_and(|last| range.0 < last.1) {
            continue;
        }
        kept.push(range);
    }
    kept
}

/// The share of a fragment's text that sits inside links: menus and "related" lists are all
/// links, body paragraphs rarely are.
fn link_share(lower_fragment: &str) -> f64 {
    let total = html_to_text(lower_fragment).chars().count();
    if total == 0 {
        return 0.0;
    }
    let mut linked = 0;
    let mut from = 0;
    while let Some(start) = find_open(lower_fragment, "a", from) {
        let end = lower_fragment[start..]
            .find("</a")
            .map_or(lower_fragment.len(), |i| start + i);
        linked += html_to_text(&lower_fragment[start..end]).chars().count();
        from = end.max(start + 2);
    }
    linked as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html><head><title>Lab News</title>
<style>p { color: red }</style><script>var p = "<p>not text</p>";</script></head>
<body><header><nav><ul><li><a href="/">Home</a></li><li><a href="/ai">AI</a></li></ul></nav></header>
<div class="layout"><aside><p>Subscribe to our newsletter for weekly updates on everything.</p></aside>
<article><h1>Qwen-Image-2512 released</h1>
<p>Alibaba's Qwen team released Qwen-Image-2512, an open-weight image generation model, on Monday.</p>
<!-- <p>an editor's hidden note that must not appear</p> -->
<p>The model scores 92 on GenEval and ships under the Apache-2.0 license, with weights on Hugging Face.</p>
<ul><li>Text rendering in Chinese and English improved markedly over the previous release.</li></ul>
<p><a href="/a">Related: one</a> <a href="/b">Related: two</a> <a href="/c">Related: three</a></p>
<figure><img src="x.png"><figcaption>Sample images generated by the model</figcaption></figure>
<p>阿里巴巴表示，新模型在中文文字渲染方面有明顯提升。</p>
</article></div><footer><p>© 2026 Lab News. All rights reserved. Contact us any time.</p></footer></body></html>"#;

    #[test]
    fn extracts_the_article_paragraphs_and_nothing_around_them() {
        let body = extract_body(PAGE).unwrap();
        assert_eq!(
            body,
            "Alibaba's Qwen team released Qwen-Image-2512, an open-weight image generation model, on Monday.\n\
             The model scores 92 on GenEval and ships under the Apache-2.0 license, with weights on Hugging Face.\n\
             Text rendering in Chinese and English improved markedly over the previous release.\n\
             阿里巴巴表示，新模型在中文文字渲染方面有明顯提升。"
        );
    }

    #[test]
    fn pages_without_a_body_give_none() {
        assert_eq!(
            extract_body(
                "<html><body><nav><p>Home About Contact Blog Careers Press</p></nav></body></html>"
            ),
            None
        );
        assert_eq!(extract_body(""), None);
        // A body with real paragraphs but no <article> or <main> still works.
        let plain: String = (1..=5)
            .map(|i| format!("<p>Paragraph {i} of real article text about a model release.</p>"))
            .collect();
        let plain = format!("<body>{plain}</body>");
        assert!(extract_body(&plain).is_some());
    }
}
