//! URL canonicalisation. In: a URL as a feed wrote it; out: the form used for identity, dedupe
//! and links — lowercase scheme and host, no fragment, no default port, tracking parameters
//! dropped, every meaningful query parameter kept in its original order.

use url::Url;

/// Query parameters that only track the reader. Exact names; `utm_*` is matched by prefix.
const TRACKING_PARAMS: &[&str] = &[
    "spm",
    "from",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "ref_src",
    "ref",
    "share_token",
    "scene",
    "xtrack",
    "chksm",
    "sessionid",
    "subscene",
    "clicktime",
    "enterid",
    "srcid",
    "sharer_shareid",
    "sharer_sharetime",
    "wt.mc_id",
    "yclid",
    "_hsenc",
    "_hsmi",
    "vero_id",
    "share_source",
    "share_medium",
    "isappinstalled",
];

fn is_tracking(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_") || TRACKING_PARAMS.contains(&lower.as_str())
}

/// Canonical form of an absolute http(s) URL, or `None` when `raw` is not one.
pub fn canonical_url(raw: &str) -> Option<String> {
    let mut url = Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    // `Url` already lowercases scheme and host and drops default ports.
    url.set_fragment(None);
    // Filter the raw `name=value` segments rather than re-encoding decoded pairs, so the kept
    // parameters stay byte-for-byte as the publisher wrote them (`__biz=MzI==` stays unescaped).
    let kept: Vec<String> = url
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|segment| !segment.is_empty())
        .filter(|segment| {
            let raw_name = segment.split('=').next().unwrap_or("");
            let name = url::form_urlencoded::parse(raw_name.as_bytes())
                .next()
                .map(|(n, _)| n.into_owned());
            !is_tracking(name.as_deref().unwrap_or(raw_name))
        })
        .map(str::to_string)
        .collect();
    let query = kept.join("&");
    url.set_query(if query.is_empty() { None } else { Some(&query) });
    if url.path() != "/" && url.path().ends_with('/') {
        let trimmed = url.path().trim_end_matches('/').to_string();
        url.set_path(&trimmed);
    }
    Some(url.to_string())
}

/// Is `raw` an absolute http(s) URL (the only kind a digest may link to)?
pub fn is_absolute_http(raw: &str) -> bool {
    Url::parse(raw).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_trackers_and_fragment_keeps_meaningful_query() {
        assert_eq!(
            canonical_url(
                "HTTPS://Example.COM:443/a/b/?utm_source=x&id=42&spm=1.2&UTM_Medium=y#top"
            )
            .as_deref(),
            Some("https://example.com/a/b?id=42")
        );
        assert_eq!(
            canonical_url("https://mp.weixin.qq.com/s?__biz=MzI&mid=22&idx=2&sn=a1&chksm=e9&scene=0&xtrack=1#rd")
                .as_deref(),
            Some("https://mp.weixin.qq.com/s?__biz=MzI&mid=22&idx=2&sn=a1")
        );
        assert_eq!(
            canonical_url(
                "https://mp.weixin.qq.com/s?__biz=MzIzNjc1NzUzMw==&mid=2247861529&utm_source=x"
            )
            .as_deref(),
            Some("https://mp.weixin.qq.com/s?__biz=MzIzNjc1NzUzMw==&mid=2247861529")
        );
        assert_eq!(
            canonical_url("https://www.qbitai.com/2026/01/1.html?from=rss").as_deref(),
            Some("https://www.qbitai.com/2026/01/1.html")
        );
        assert_eq!(
            canonical_url("https://example.com/").as_deref(),
            Some("https://example.com/")
        );
    }

    #[test]
    fn rejects_non_http() {
        assert_eq!(canonical_url("arXiv:2512.23185v1"), None);
        assert_eq!(canonical_url("1"), None);
        assert_eq!(canonical_url("ftp://example.com/x"), None);
        assert!(!is_absolute_http("arXiv:2512.23185v1"));
        assert!(is_absolute_http("https://arxiv.org/abs/2512.23185"));
    }

    #[test]
    fn is_idempotent() {
        for raw in [
            "https://a.com/x/?b=2&a=1&utm_x=3#f",
            "http://A.com",
            "https://a.com/%E4%B8%AD?q=%20",
        ] {
            let once = canonical_url(raw).unwrap();
            assert_eq!(canonical_url(&once).unwrap(), once);
        }
    }
}
