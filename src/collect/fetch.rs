//! HTTP fetching for feed sources. In: a URL and the HTTP options; out: the response body as raw
//! bytes (feed-rs decodes the charset itself), or an error saying what went wrong in plain words.
//! It never retries and never follows a body past `max_body_bytes`.

use reqwest::Client;

use super::{CollectError, HttpOptions};

/// One client per collect call: it holds the connection pool every source shares.
pub fn build_client(http: &HttpOptions) -> Result<Client, CollectError> {
    Client::builder()
        .connect_timeout(http.connect_timeout)
        .timeout(http.total_timeout)
        .user_agent(http.user_agent.clone())
        .gzip(true)
        .build()
        .map_err(|err| CollectError::Client {
            reason: err.to_string(),
        })
}

/// The body of a successful (2xx) GET of `url`.
pub async fn fetch_bytes(
    client: &Client,
    url: &str,
    max_body_bytes: usize,
) -> Result<Vec<u8>, CollectError> {
    let mut response = client
        .get(url)
        .send()
        .await
        .map_err(|err| request_error(url, &err))?;
    let status = response.status();
    if !status.is_success() {
        return Err(CollectError::Http {
            url: url.to_string(),
            status: status.as_u16(),
        });
    }
    // The declared length lets us refuse early; the streamed count below catches servers that
    // lie or send no length (and compressed bodies, whose declared length is the wire size).
    if response
        .content_length()
        .is_some_and(|len| len > max_body_bytes as u64)
    {
        return Err(CollectError::TooLarge {
            url: url.to_string(),
            max_bytes: max_body_bytes,
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| request_error(url, &err))?
    {
        if body.len() + chunk.len() > max_body_bytes {
            return Err(CollectError::TooLarge {
                url: url.to_string(),
                max_bytes: max_body_bytes,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn request_error(url: &str, err: &reqwest::Error) -> CollectError {
    if err.is_timeout() {
        return CollectError::Timeout {
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
    use std::time::Duration;

    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    fn options(max_body_bytes: usize) -> HttpOptions {
        HttpOptions {
            total_timeout: Duration::from_secs(5),
            max_body_bytes,
            ..HttpOptions::default()
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
        let client = build_client(&options(1024)).unwrap();
        let body = fetch_bytes(&client, &format!("{}/feed", server.uri()), 1024)
            .await
            .unwrap();
        assert_eq!(body, b"<rss/>");
    }

    #[tokio::test]
    async fn refuses_bodies_over_the_limit() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(2048)))
            .mount(&server)
            .await;
        let client = build_client(&options(1024)).unwrap();
        let err = fetch_bytes(&client, &server.uri(), 1024).await.unwrap_err();
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
        let client = build_client(&options(1024)).unwrap();
        let err = fetch_bytes(&client, &server.uri(), 1024).await.unwrap_err();
        assert!(
            matches!(err, CollectError::Http { status: 404, .. }),
            "{err}"
        );

        // Port 1 on loopback has no listener: the connection is refused at once.
        let err = fetch_bytes(&client, "http://127.0.0.1:1/feed", 1024)
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
