//! arXiv as a source kind (`kind = "arxiv"`). In: the Atom document the arXiv API answers a
//! query URL with (`/api/query?search_query=…`); out: one article per paper — the abstract as
//! text, the categories as tags, outlet "arXiv", and the versionless abstract page
//! `https://arxiv.org/abs/ID` as its URL (never a bare `arXiv:ID`), so v1 and v2 of a paper are
//! one article. The API's error entries become a per-source error naming the API's message; a
//! query that matches nothing is a clean empty result, not a failure (quiet days happen).

use super::CollectError;
use super::feed::{ParseContext, Parsed, article_id, parse_bytes};

/// The paper id of an arXiv abstract or PDF URL, without its version: `2501.01234`,
/// `cs/0112017`.
pub fn paper_id(url: &str) -> Option<String> {
    let parsed = ::url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    if host != "arxiv.org" && !host.ends_with(".arxiv.org") {
        return None;
    }
    let path = parsed.path();
    let rest = path
        .strip_prefix("/abs/")
        .or_else(|| path.strip_prefix("/pdf/"))?;
    let rest = rest.trim_end_matches(".pdf").trim_end_matches('/');
    let id = match rest.rfind('v') {
        Some(at)
            if at > 0
                && rest[at + 1..].chars().all(|c| c.is_ascii_digit())
                && at + 1 < rest.len() =>
        {
            &rest[..at]
        }
        _ => rest,
    };
    (!id.is_empty()).then(|| id.to_string())
}

/// The arXiv API's answer → papers.
pub(crate) fn parse_arxiv(
    bytes: &[u8],
    source: &str,
    tier: u8,
    cx: &ParseContext<'_>,
) -> Result<Parsed, CollectError> {
    let mut parsed = match parse_bytes(bytes, source, tier, cx) {
        Ok(parsed) => parsed,
        Err(CollectError::Empty { .. }) => return Ok(Parsed::default()),
        Err(err) => return Err(err),
    };
    // The API reports a bad query as a feed with one entry whose link is under /api/errors.
    if let Some(error) = parsed
        .articles
        .iter()
        .find(|a| a.url.contains("/api/errors"))
    {
        return Err(CollectError::Arxiv {
            source_name: source.to_string(),
            reason: error.text.clone(),
        });
    }
    for article in &mut parsed.articles {
        if let Some(id) = paper_id(&article.url) {
            article.url = format!("https://arxiv.org/abs/{id}");
        }
        article.outlet = "arXiv".to_string();
        article.id = article_id(&article.url, &article.title, &article.text);
    }
    // The abstract is the whole of what the API gives: not a snippet of a page to fetch.
    parsed.snippet_only.iter_mut().for_each(|s| *s = false);
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_ids_drop_versions_and_keep_old_style_ids() {
        assert_eq!(
            paper_id("http://arxiv.org/abs/2501.01234v2").as_deref(),
            Some("2501.01234")
        );
        assert_eq!(
            paper_id("https://arxiv.org/pdf/2501.01234v1.pdf").as_deref(),
            Some("2501.01234")
        );
        assert_eq!(
            paper_id("https://export.arxiv.org/abs/cs/0112017v1").as_deref(),
            Some("cs/0112017")
        );
        assert_eq!(
            paper_id("https://arxiv.org/abs/2501.01234").as_deref(),
            Some("2501.01234")
        );
        assert_eq!(paper_id("https://example.com/abs/2501.01234"), None);
        assert_eq!(paper_id("https://arxiv.org/list/cs.CL/new"), None);
    }
}
