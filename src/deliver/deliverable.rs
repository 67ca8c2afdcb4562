//! What one night gives its targets. In: a finished run's manifest and the files it wrote, or
//! the error a failed run ended with; out: a `Deliverable` — the digest as published (Markdown,
//! HTML, the parsed JSON) or a short notice of what failed and where to look — and the generic
//! webhook's JSON body. A digest with lint errors becomes a notice: it is never sent.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};

use super::DeliverError;
use crate::config::DigestConfig;
use crate::config::deliver::Event;
use crate::model::Digest;
use crate::run::RunStatus;
use crate::run::manifest::RunManifest;

/// What one night gives its targets.
#[derive(Debug, Clone)]
pub(crate) struct Deliverable {
    /// The receipt key's run part: the run id, or `failed-<date>-<hash of the error>` for a night
    /// that ended before it had one.
    pub receipt_id: String,
    pub event: Event,
    pub date: NaiveDate,
    /// `digest.title`.
    pub title: String,
    /// `ok` | `partial` | `lint_failed` | `failed`.
    pub status: &'static str,
    pub body: Body,
    pub counts: Counts,
    pub lint: LintCounts,
    /// The published page (`digest.site_url` + `/<date>.html`): chat kinds then send the
    /// summary and this link instead of every card.
    pub link: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// The digest as its files hold it.
    Digest {
        digest: Box<Digest>,
        markdown: String,
        html: String,
    },
    /// A failed night: what failed and where to look.
    Notice { what: String, look: String },
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct Counts {
    pub cards: usize,
    pub failed_topics: usize,
    pub articles: usize,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct LintCounts {
    pub errors: usize,
    pub warnings: usize,
}

/// Longest failure reason a notice quotes (the full text is in the log).
const NOTICE_REASON_CHARS: usize = 600;

impl Deliverable {
    /// The digest a finished run wrote, read back from its files (what readers get is exactly
    /// what was published). A digest with lint errors is a failed night: only a notice goes out.
    pub(crate) fn from_files(
        manifest: &RunManifest,
        digest_config: &DigestConfig,
        status: RunStatus,
        lint: LintCounts,
    ) -> Result<Deliverable, DeliverError> {
        let read = |ext: &str| -> Result<String, DeliverError> {
            let output = manifest
                .outputs
                .iter()
                .find(|o| o.path.extension().is_some_and(|e| e == ext))
                .ok_or_else(|| DeliverError::Files {
                    run_id: manifest.run_id.clone(),
                    reason: format!("the manifest records no .{ext} output"),
                })?;
            std::fs::read_to_string(&output.path).map_err(|e| DeliverError::Files {
                run_id: manifest.run_id.clone(),
                reason: format!("cannot read {}: {e}", output.path.display()),
            })
        };
        let markdown_path = manifest
            .outputs
            .iter()
            .find(|o| o.path.extension().is_some_and(|e| e == "md"))
            .map(|o| o.path.display().to_string())
            .unwrap_or_default();
        let (event, status_word) = event_of(status);
        let mut deliverable = Deliverable {
            receipt_id: manifest.run_id.clone(),
            event,
            date: manifest.date,
            title: digest_config.title.clone(),
            status: status_word,
            body: Body::Notice {
                what: String::new(),
                look: String::new(),
            },
            counts: Counts {
                cards: manifest.cards.len(),
                failed_topics: manifest.failed.len(),
                articles: manifest.articles.len(),
            },
            lint,
            link: None,
        };
        if event == Event::Failed {
            deliverable.body = Body::Notice {
                what: format!(
                    "The digest has {} lint error(s), so it was not published.",
                    lint.errors
                ),
                look: format!(
                    "Where to look: `newsdesk lint {markdown_path}`, and `newsdesk runs show {}`.",
                    manifest.run_id
                ),
            };
            return Ok(deliverable);
        }
        let json = read("json")?;
        let digest: Digest = serde_json::from_str(&json).map_err(|e| DeliverError::Files {
            run_id: manifest.run_id.clone(),
            reason: format!("the digest JSON cannot be read: {e}"),
        })?;
        deliverable.counts.articles = digest.article_count;
        deliverable.link = digest_config
            .site_url
            .as_ref()
            .map(|site| format!("{site}/{}.html", manifest.date));
        deliverable.body = Body::Digest {
            digest: Box::new(digest),
            markdown: read("md")?,
            html: read("html")?,
        };
        Ok(deliverable)
    }

    /// A night that ended with an error before publishing anything.
    pub(crate) fn failure(date: NaiveDate, title: &str, reason: &str) -> Deliverable {
        let hash = blake3::hash(reason.as_bytes()).to_hex();
        let mut what: String = reason.chars().take(NOTICE_REASON_CHARS).collect();
        if what.len() < reason.len() {
            what.push('…');
        }
        Deliverable {
            receipt_id: format!("failed-{date}-{}", &hash[..12]),
            event: Event::Failed,
            date,
            title: title.to_string(),
            status: "failed",
            body: Body::Notice {
                what: format!("The run failed and published nothing: {what}"),
                look: "Where to look: the run's log (stderr of `newsdesk run`), and `newsdesk runs list` for the last good run.".into(),
            },
            counts: Counts::default(),
            lint: LintCounts::default(),
            link: None,
        }
    }

    /// The subject line: title and date, then the day's headline or what went wrong.
    pub(crate) fn subject(&self) -> String {
        match &self.body {
            Body::Digest { digest, .. } if !digest.insight.headline.trim().is_empty() => {
                format!(
                    "{} {}: {}",
                    self.title,
                    self.date,
                    digest.insight.headline.trim()
                )
            }
            Body::Digest { .. } => format!("{} {}", self.title, self.date),
            Body::Notice { .. } => format!("{} {}: no digest tonight", self.title, self.date),
        }
    }
}

/// Which event a finished run is, and its status word: a digest with lint errors is a failed
/// night (only a notice goes out).
pub(super) fn event_of(status: RunStatus) -> (Event, &'static str) {
    match status {
        RunStatus::Ok => (Event::Published, "ok"),
        RunStatus::Partial => (Event::Partial, "partial"),
        RunStatus::LintFailed => (Event::Failed, "lint_failed"),
    }
}

/// The generic webhook's JSON (and the context a webhook `template` renders from).
pub(crate) fn webhook_body(d: &Deliverable) -> Value {
    let mut body = json!({
        "event": d.event.name(),
        "run_id": d.receipt_id,
        "date": d.date,
        "status": d.status,
        "title": d.title,
        "subject": d.subject(),
        "counts": d.counts,
        "lint": d.lint,
    });
    if let Some(link) = &d.link {
        body["url"] = link.clone().into();
    }
    match &d.body {
        Body::Digest {
            digest, markdown, ..
        } => {
            body["summary"] = digest.insight.trend_summary.clone().into();
            body["headline"] = digest.insight.headline.clone().into();
            body["markdown"] = markdown.clone().into();
            body["cards"] = digest
                .cards
                .iter()
                .map(|c| {
                    json!({
                        "rank": c.rank,
                        "title": c.card.title,
                        "summary": c.card.summary,
                        "section": c.card.section,
                        "url": c.sources.first().map(|s| s.url.clone()),
                    })
                })
                .collect();
        }
        Body::Notice { what, look } => {
            body["summary"] = what.clone().into();
            body["markdown"] = format!("{what}\n\n{look}\n").into();
            body["notice"] = json!({ "what": what, "look": look });
        }
    }
    body
}
