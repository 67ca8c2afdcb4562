//! HTTP fetching for feed sources and article pages. In: a URL, the HTTP options and the
//! validators of the last fetch (ETag / Last-Modified); out: the body as raw bytes with its
//! Content-Type and new validators, `NotModified` on a 304, or an error saying in plain words
//! what went wrong. Retries (backon, exponential with jitter) only 5xx, 429 and timeouts; waits
//! its turn per host (governor keyed limiter) before every attempt; follows at most
//! `max_redirects` redirects; never reads a body past `max_body_bytes`.

use std::num::NonZeroU32;
use std::sync::Arc;

use backon::{ExponentialBuilder, Retryable};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use reqwest::Client;
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use serde::{Deserialize, Serialize};

use super::{CollectError, HttpOptions};

/// What makes the next GET of a URL conditional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A successful fetch.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    Body {
        bytes: Vec<u8>,
        content_type: Option<String>,
        /// Where the body came from after redirects (relative links resolve against it).
        final_url: String,
        validators: Validators,
    },
    /// 304: the copy from the last fetch is still current.
    NotModified,
}

/// The shared HTTP machinery of one collect call: the connection pool and the per-host turns.
#[derive(Clone)]
pub struct Fetcher {
    client: Client,
    hosts: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    options: HttpOptions,
}

impl Fetcher {
    pub fn new(options: &HttpOptions) -> Result<Fetcher, CollectError> {
        let client = Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.total_timeout)
            .user_agent(options.user_agent.clone())
            .redirect(reqwest::redirect::Policy::limited(options.max_redirects))
            .gzip(true)
            .brotli(true)
            .build()
            .map_err(|err| CollectError::Client {
                reason: err.to_string(),
            })?;
        // One request per host per interval, no bursts: a feed host sees us as one polite reader
        // however many of its feeds are configured.
        let hosts = Quota::with_period(options.per_host_interval).map(|quota| {
            Arc::new(RateLimiter::keyed(
                quota.allow_burst(NonZeroU32::new(1).expect("1 is non-zero")),
            ))
        });
        Ok(Fetcher {
            client,
            hosts,
            options: options.clone(),
        })
    }

    /// GET `url`, conditionally when `prior` has validators, retrying what is worth retrying.
    pub async fn fetch(
        &self,
        url: &str,
        prior: Option<&Validators>,
    ) -> Result<Fetched, CollectError> {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.options.retry_min_delay)
            .with_max_delay(self.options.retry_min_delay * 16)
            .with_max_times(self.options.max_attempts.saturating_sub(1) as usize)
            .with_jitter();
        (|| self.attempt(url, prior))
            .retry(backoff)
            .when(CollectError::is_transient)
            .notify(|err, after| tracing::debug!(%err, ?after, "retrying a feed fetch"))
            .await
    }

    async fn attempt(
        &self,
        url: &str,
        prior: Option<&Validators>,
    ) -> Result<Fetched, CollectError> {
        if let Some(hosts) = &self.hosts {
            let host = ::url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default();
            hosts.until_key_ready(&host).await;
        }
        let mut request = self.client.get(url);
        if let Some(prior) = prior {
            if let Some(etag) = &prior.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(date) = &prior.last_modified {
                request = request.header(IF_MODIFIED_SINCE, date);
            }
        }
        let mut response = request
            .send()
            .await
            .map_err(|err| request_error(url, &err))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED && prior.is_some() {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(CollectError::Http {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        let max_body_bytes = self.options.max_body_bytes;
        let too_large = || CollectError::TooLarge {
            url: url.to_string(),
            max_bytes: max_body_bytes,
        };
        // The declared length lets us refuse early; the streamed count below catches servers
        // that lie or send no length (and compressed bodies, whose declared length is the wire
        // size).
        if response
            .content_length()
            .is_some_and(|len| len > max_body_bytes as u64)
        {
            return Err(too_large());
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE);
        let validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let final_url = response.url().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| request_error(url, &err))?
        {
            if bytes.len() + chunk.len() > max_body_bytes {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body {
            bytes,
            content_type,
            final_url,
            validators,
        })
    }
}

fn request_error(url: &str, err: &reqwest::Error) -> CollectError {
    if err.is_timeout() {
        return CollectError::Timeout {
            url: url.to_string(),
        };
    }
    if err.is_redirect() {
        return CollectError::Redirects {
            url: url.to_string(),
        };
    }
    // reqwest's top-level message ("error sending request") hides the cause; the innermost
    // source ("Connection refused", "dns error") is what a reader can act on.
    let mut reason = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        reason = inner.to_string();
        source = inner.source();
    }
    CollectError::Network {
        url: url.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::time::Duration;

    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    fn options(max_body_bytes: usize) -> HttpOptions {
        HttpOptions {
            total_timeout: Duration::from_secs(5),
            max_body_bytes,
            max_attempts: 1,
            per_host_interval: Duration::ZERO,
            ..HttpOptions::default()
        }
    }

    async fn body_of(fetcher: &Fetcher, url: &str) -> Vec<u8> {
        match fetcher.fetch(url, None).await.unwrap() {
            Fetched::Body { bytes, .. } => bytes,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn sends_user_agent_and_returns_body() {
        let server = MockServer::start().await;
        let agent = HttpOptions::default().user_agent;
        Mock::given(method("GET"))
            .and(path("/feed"))
            .and(header("user-agent", agent.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_string("<rss/>"))
            .mount(&server)
            .await;
        let fetcher = Fetcher::new(&options(1024)).unwrap();
        let body = body_of(&fetcher, &format!("{}/feed", server.uri())).await;
        assert_eq!(body, b"<rss/>");
    }

    #[tokio::test]
    async fn conditional_get_sends_validators_and_understands_304() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(header("if-none-match", "\"v1\""))
            .respond_with(ResponseTemplate::new(304))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("etag", "\"v1\"")
                    .insert_header("last-modified", "Wed, 14 Jan 2026 08:00:00 GMT")
                    .set_body_raw("<rss/>", "application/rss+xml; charset=gbk"),
            )
            .mount(&server)
            .await;
        let fetcher = Fetcher::new(&options(1024)).unwrap();
        let first = fetcher.fetch(&server.uri(), None).await.unwrap();
        let Fetched::Body {
            validators,
            content_type,
            ..
        } = first
        else {
            panic!("{first:?}")
        };
        assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
        assert_eq!(
            validators.last_modified.as_deref(),
            Some("Wed, 14 Jan 2026 08:00:00 GMT")
        );
        assert_eq!(
            content_type.as_deref(),
            Some("application/rss+xml; charset=gbk")
        );
        let second = fetcher
            .fetch(&server.uri(), Some(&validators))
            .await
            .unwrap();
        assert_eq!(second, Fetched::NotModified);
    }

    #[tokio::test]
    async fn follows_redirects_up_to_the_cap() {
        let server = MockServer::start().await;
        for (from, to) in [("/a", "/b"), ("/b", "/c"), ("/c", "/feed")] {
            Mock::given(path(from))
                .respond_with(ResponseTemplate::new(301).insert_header("location", to))
                .mount(&server)
                .await;
        }
        Mock::given(path("/feed"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<rss/>"))
            .mount(&server)
            .await;
        let fetcher = Fetcher::new(&options(1024)).unwrap();
        let Fetched::Body { final_url, .. } = fetcher
            .fetch(&format!("{}/b", server.uri()), None)
            .await
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(final_url, format!("{}/feed", server.uri()));
        let capped = Fetcher::new(&HttpOptions {
            max_redirects: 2,
            ..options(1024)
        })
        .unwrap();
        let err = capped
            .fetch(&format!("{}/a", server.uri()), None)
            .await
            .unwrap_err();
        assert!(matches!(err, CollectError::Redirects { .. }), "{err}");
        assert!(err.to_string().contains("too many redirects"), "{err}");
    }

    #[tokio::test]
    async fn decompresses_gzip_bodies() {
        let server = MockServer::start().await;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(b"<rss>zipped</rss>").unwrap();
        let gz = encoder.finish().unwrap();
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-encoding", "gzip")
                    .set_body_raw(gz, "application/rss+xml"),
            )
            .mount(&server)
            .await;
        let fetcher = Fetcher::new(&options(1024)).unwrap();
        assert_eq!(body_of(&fetcher, &server.uri()).await, b"<rss>zipped</rss>");
        let requests = server.received_requests().await.unwrap();
        let accepted = requests[0]
            .headers
            .get("accept-encoding")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            accepted.contains("gzip") && accepted.contains("br"),
            "{accepted}"
        );
    }

    #[tokio::test]
    async fn retries_5xx_but_not_4xx() {
        let server = MockServer::start().await;
        Mock::given(path("/flaky"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(2)
            .mount(&server)
            .await;
        Mock::given(path("/flaky"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<rss/>"))
            .mount(&server)
            .await;
        Mock::given(path("/gone"))
            .respond_with(ResponseTemplate::new(404))
            .expect(1)
            .mount(&server)
            .await;
        let fetcher = Fetcher::new(&HttpOptions {
            max_attempts: 3,
            retry_min_delay: Duration::from_millis(1),
            ..options(1024)
        })
        .unwrap();
        assert_eq!(
            body_of(&fetcher, &format!("{}/flaky", server.uri())).await,
            b"<rss/>"
        );
        let err = fetcher
            .fetch(&format!("{}/gone", server.uri()), None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, CollectError::Http { status: 404, .. }),
            "{err}"
        );
        assert_eq!(
            server
                .received_requests()
                .await
                .unwrap()
                .iter()
                .filter(|r| r.url.path() == "/flaky")
                .count(),
            3
        );
    }

    #[tokio::test]
    async fn refuses_bodies_over_the_limit() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(2048)))
            .mount(&server)
            .await;
        let fetcher = Fetcher::new(&options(1024)).unwrap();
        let err = fetcher.fetch(&server.uri(), None).await.unwrap_err();
        assert!(
            matches!(
                err,
                CollectError::TooLarge {
                    max_bytes: 1024,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("larger than 1024 bytes"), "{err}");
    }

    #[tokio::test]
    async fn error_status_and_unreachable_host_are_named() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let fetcher = Fetcher::new(&options(1024)).unwrap();
        let err = fetcher.fetch(&server.uri(), None).await.unwrap_err();
        assert!(
            matches!(err, CollectError::Http { status: 404, .. }),
            "{err}"
        );

        // Port 1 on loopback has no listener: the connection is refused at once.
        let err = fetcher
            .fetch("http://127.0.0.1:1/feed", None)
            .await
            .unwrap_err();
        assert!(matches!(err, CollectError::Network { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("could not reach http://127.0.0.1:1/feed"),
            "{err}"
        );
    }
}
