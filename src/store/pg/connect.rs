//! Reaching the database: a `postgres://` URL whose password never shows (`PgUrl`), and the
//! connection it opens, with TLS through rustls when the `postgres-tls` feature is built and the
//! URL does not disable it. In: the URL text and `PGPASSWORD`; out: a connected client, or a
//! message saying what to check.

use std::time::Duration;

use tokio_postgres::Client;

use crate::store::StoreError;

/// How long a connection attempt may take before the store reports the database unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A `postgres://` URL whose password never leaves this type: `Display` shows it without one.
#[derive(Clone)]
pub struct PgUrl {
    config: tokio_postgres::Config,
    /// The URL as shown in messages and manifests, password removed.
    shown: String,
    /// The password, so a server message quoting it can be scrubbed.
    password: Option<String>,
}

impl std::fmt::Display for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgUrl({})", self.shown)
    }
}

/// Whether `text` names a PostgreSQL store rather than a directory.
pub fn is_pg_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// `text` without the password of its URL userinfo, when it is a URL that has one.
pub fn without_password(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => text.to_string(),
    }
}

impl PgUrl {
    /// Parses `url`; the password comes from the URL or else from `pg_password` (`PGPASSWORD`).
    pub fn parse(url: &str, pg_password: Option<String>) -> Result<PgUrl, StoreError> {
        let shown = without_password(url);
        let mut config: tokio_postgres::Config =
            url.parse()
                .map_err(|e: tokio_postgres::Error| StoreError::Open {
                    path: shown.clone().into(),
                    reason: format!(
                        "not a PostgreSQL URL ({e}); expected postgres://USER@HOST:PORT/DATABASE"
                    ),
                })?;
        if config.get_user().is_none() {
            return Err(StoreError::Open {
                path: shown.into(),
                reason: "the URL names no user; expected postgres://USER@HOST:PORT/DATABASE".into(),
            });
        }
        if config.get_password().is_none() {
            if let Some(password) = pg_password {
                config.password(password);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("newsdesk");
        }
        let password = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .filter(|p| !p.is_empty());
        Ok(PgUrl {
            config,
            shown,
            password,
        })
    }

    /// `reason` with the password (if any) cut out, for messages that may quote the server.
    pub(super) fn scrub(&self, reason: String) -> String {
        match &self.password {
            Some(p) if reason.contains(p.as_str()) => reason.replace(p.as_str(), "***"),
            _ => reason,
        }
    }
}

/// The connection `url` names, its driver spawned on the current runtime; `Err` says why not, in
/// words for the user (the caller scrubs the password).
pub(super) async fn connect(url: &PgUrl) -> Result<Client, String> {
    use tokio_postgres::config::SslMode;
    let config = &url.config;
    #[cfg(feature = "postgres-tls")]
    if config.get_ssl_mode() != SslMode::Disable {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let tls = match tokio_postgres_rustls::MakeRustlsConnect::with_native_certs() {
            Ok((tls, _)) => tls,
            Err(errors) => {
                return Err(format!(
                    "no trusted root certificates could be loaded for TLS ({errors:?})"
                ));
            }
        };
        let (client, connection) = config.connect(tls).await.map_err(describe_connect)?;
        tokio::spawn(connection);
        return Ok(client);
    }
    if config.get_ssl_mode() == SslMode::Require {
        return Err(
            "the URL requires TLS (sslmode=require) but this newsdesk was built without the \
             postgres-tls feature: rebuild with `--features postgres-tls`, or use \
             sslmode=disable on loopback"
                .into(),
        );
    }
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(describe_connect)?;
    tokio::spawn(connection);
    Ok(client)
}

fn describe_connect(e: tokio_postgres::Error) -> String {
    let detail = match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
    };
    format!(
        "cannot connect ({detail}); is the server running and the URL right? The password comes \
         from the URL or PGPASSWORD"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        let url = PgUrl::parse("postgres://team:s3cret@db.example:5432/news", None).unwrap();
        assert_eq!(url.to_string(), "postgres://team@db.example:5432/news");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(
            url.scrub("auth failed for s3cret".into()),
            "auth failed for ***"
        );
        let from_env = PgUrl::parse("postgres://team@db.example/news", Some("pw".into())).unwrap();
        assert_eq!(from_env.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(from_env.to_string(), "postgres://team@db.example/news");
    }

    #[test]
    fn a_url_without_a_user_is_refused_by_name() {
        let err = PgUrl::parse("postgres://db.example/news", None).unwrap_err();
        assert!(err.to_string().contains("names no user"), "{err}");
    }
}
