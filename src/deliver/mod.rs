//! Delivery: the step after the files are written. In: the `[[deliver]]` targets, what the night
//! produced (a published or partial digest read back from its files, or a failure) and the store;
//! out: messages on each target's service, one receipt per (run, target) in the store's
//! `deliveries` tree, and a `DeliveryLine` per target for the run summary. A failed night sends
//! a short notice, never the broken digest; a target that already has a receipt for the run is
//! not sent to again unless forced; a delivery failure never touches the digest files.
//!
//! Parts: `config.rs` (targets and secrets), `deliverable.rs` (the digest or notice of a night),
//! `content.rs` (what a message says), `format.rs`
//! (each service's markup and size split), `http.rs` (sending, signatures, retries), `email.rs`
//! (SMTP through lettre), `receipt.rs` (exactly-once bookkeeping).

mod content;
mod deliverable;
mod email;
mod format;
mod http;
pub(crate) mod receipt;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(crate) use crate::config::deliver::{Event, Kind, Target};
use deliverable::event_of;
pub(crate) use deliverable::{Body, Deliverable, LintCounts, webhook_body};
use receipt::Receipt;

use crate::clock::Clock;
use crate::config::Config;
use crate::progress::Progress;
use crate::run::RunStatus;
use crate::run::RunSummary;
use crate::run::manifest::RunManifest;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub(crate) enum DeliverError {
    #[error("run {run_id}: {reason} (rebuild the files with `newsdesk replay {run_id} --out DIR`)")]
    Files { run_id: String, reason: String },
    #[error("no target named \"{0}\" in [[deliver]] (names: {1})")]
    UnknownTarget(String, String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Manifest(#[from] crate::run::manifest::ManifestError),
}

/// How one target fared, for the run summary and `newsdesk deliver`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DeliveryLine {
    pub target: String,
    pub kind: Kind,
    pub event: Event,
    pub outcome: Outcome,
    /// Messages this attempt sent (a split digest is several).
    pub messages: usize,
    /// Why it failed (secrets removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    Sent,
    /// A receipt says this run already reached this target.
    AlreadySent,
    /// `--dry-run`: shown, not sent.
    DryRun,
    Failed,
}

impl DeliveryLine {
    pub(crate) fn render(&self) -> String {
        let what = match self.outcome {
            Outcome::Sent => format!("sent ({} message(s))", self.messages),
            Outcome::AlreadySent => "already sent (receipt in the store)".into(),
            Outcome::DryRun => format!("dry run: {} message(s) not sent", self.messages),
            Outcome::Failed => format!(
                "FAILED after {} message(s): {}",
                self.messages,
                self.error.as_deref().unwrap_or("unknown error")
            ),
        };
        format!(
            "{} ({}, {}): {what}",
            self.target,
            self.kind.name(),
            self.event.name()
        )
    }
}

/// How delivery behaves: retries and forcing.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Send even when a receipt says it was sent.
    pub force: bool,
    /// Show the messages instead of sending them; nothing is recorded.
    pub dry_run: bool,
    /// The first retry's delay (doubling with jitter, at most 30 s).
    pub min_retry_delay: Duration,
    /// Caps a server's `Retry-After`.
    pub max_retry_after: Duration,
    /// Pauses between the parts of a split digest at the service's documented pace
    /// (`format::pace`); off only in tests.
    pub pace: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            force: false,
            dry_run: false,
            min_retry_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
            pace: true,
        }
    }
}

impl Options {
    /// The retry schedule of one message to `target` (HTTP and SMTP alike): exponential from
    /// `min_retry_delay` with jitter, at most 30 s apart, `max_attempts` in all.
    fn backoff(&self, target: &Target) -> backon::ExponentialBuilder {
        backon::ExponentialBuilder::default()
            .with_min_delay(self.min_retry_delay)
            .with_max_delay(Duration::from_secs(30))
            .with_max_times(target.max_attempts.saturating_sub(1) as usize)
            .with_jitter()
    }
}

/// Sends `d` to every target that wants its event, skipping those with a receipt (unless
/// forced); returns one line per target that wanted it.
pub(crate) async fn deliver(
    targets: &[Target],
    d: &Deliverable,
    store: &dyn Store,
    clock: &dyn Clock,
    options: &Options,
    reporter: &dyn Progress,
) -> Result<Vec<DeliveryLine>, DeliverError> {
    let mut lines = Vec::new();
    let wanted: Vec<&Target> = targets.iter().filter(|t| t.wants(d.event)).collect();
    if !wanted.is_empty() && !options.dry_run {
        reporter.step(&format!(
            "delivering the {} event to {} target(s)",
            d.event.name(),
            wanted.len()
        ));
    }
    for target in wanted {
        let line = deliver_one(target, d, store, clock, options, reporter).await?;
        if line.outcome == Outcome::Failed {
            reporter.warn(&format!("delivery to {}", line.render()));
        } else {
            reporter.detail(&format!("delivery to {}", line.render()));
        }
        lines.push(line);
    }
    Ok(lines)
}

async fn deliver_one(
    target: &Target,
    d: &Deliverable,
    store: &dyn Store,
    clock: &dyn Clock,
    options: &Options,
    reporter: &dyn Progress,
) -> Result<DeliveryLine, DeliverError> {
    let line = |outcome, messages, error| DeliveryLine {
        target: target.name.clone(),
        kind: target.kind,
        event: d.event,
        outcome,
        messages,
        error,
    };
    let previous = Receipt::load(store, &d.receipt_id, &target.name)?;
    if previous.as_ref().is_some_and(|r| r.delivered) && !options.force {
        return Ok(line(Outcome::AlreadySent, 0, None));
    }
    let messages = match build_messages(target, d) {
        Ok(messages) => messages,
        Err(reason) => {
            let reason = scrub(&reason, target);
            return Ok(line(Outcome::Failed, 0, Some(reason)));
        }
    };
    if options.dry_run {
        reporter.output(&dry_run_text(target, d, &messages));
        return Ok(line(Outcome::DryRun, messages.len(), None));
    }
    let content_hash = blake3::hash(
        &serde_json::to_vec(&messages.iter().map(|m| &m.body).collect::<Vec<_>>())
            .expect("messages serialize"),
    )
    .to_hex()[..16]
        .to_string();
    // Resume a split message where an interrupted attempt stopped, when the content is the same.
    let start = previous
        .as_ref()
        .filter(|r| !options.force && r.content_hash == content_hash)
        .map_or(0, |r| r.parts_sent.min(messages.len()));
    let mut receipt = Receipt {
        run_id: d.receipt_id.clone(),
        target: target.name.clone(),
        kind: target.kind,
        event: d.event,
        date: d.date,
        content_hash,
        parts_total: messages.len(),
        parts_sent: start,
        delivered: false,
        error: None,
        updated_at: clock.now().to_rfc3339(),
    };
    let mut sent = 0;
    for (part, message) in messages.iter().enumerate().skip(start) {
        if part > start && options.pace {
            tokio::time::sleep(format::pace(target.kind)).await;
        }
        let result = match &message.kind {
            MessageKind::Http => {
                http::post(target, &message.body, part, &d.receipt_id, clock, options).await
            }
            MessageKind::Email => email::send(target, d, options).await,
        };
        if let Err(reason) = result {
            let reason = scrub(&reason, target);
            receipt.error = Some(reason.clone());
            receipt.updated_at = clock.now().to_rfc3339();
            receipt.save(store)?;
            return Ok(line(Outcome::Failed, sent, Some(reason)));
        }
        sent += 1;
        receipt.parts_sent = part + 1;
        receipt.delivered = receipt.parts_sent == receipt.parts_total;
        receipt.updated_at = clock.now().to_rfc3339();
        // After every part, so a crash mid-split resumes after the last part that went out.
        receipt.save(store)?;
    }
    if messages.is_empty() {
        receipt.delivered = true;
        receipt.save(store)?;
    }
    Ok(line(Outcome::Sent, sent, None))
}

enum MessageKind {
    Http,
    Email,
}

struct Message {
    kind: MessageKind,
    /// The JSON body (email: a description of the mail, for the dry run and the content hash).
    body: Value,
}

fn build_messages(target: &Target, d: &Deliverable) -> Result<Vec<Message>, String> {
    if target.kind == Kind::Email {
        return Ok(vec![Message {
            kind: MessageKind::Email,
            body: email::describe(target, d),
        }]);
    }
    if let Some(template) = &target.template {
        return Ok(vec![Message {
            kind: MessageKind::Http,
            body: render_template(template, d)?,
        }]);
    }
    let blocks = content::blocks(d);
    Ok(format::messages(target.kind, d, &blocks)
        .into_iter()
        .map(|body| Message {
            kind: MessageKind::Http,
            body,
        })
        .collect())
}

/// A webhook `template`: tera over the webhook body (plus the digest itself); must yield JSON.
fn render_template(path: &Path, d: &Deliverable) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read template {}: {e}", path.display()))?;
    let mut context_value = webhook_body(d);
    if let Body::Digest { digest, .. } = &d.body {
        context_value["digest"] = serde_json::to_value(digest).expect("digests serialize");
    }
    let context = tera::Context::from_serialize(&context_value)
        .map_err(|e| format!("template context: {e}"))?;
    let rendered = tera::Tera::one_off(&text, &context, false)
        .map_err(|e| format!("template {}: {e:?}", path.display()))?;
    serde_json::from_str(&rendered).map_err(|e| {
        format!(
            "template {} did not render JSON ({e}); the body must be a JSON document",
            path.display()
        )
    })
}

fn dry_run_text(target: &Target, d: &Deliverable, messages: &[Message]) -> String {
    let mut out = format!(
        "{} ({}), {} event, run {}: {} message(s)\n",
        target.name,
        target.kind.name(),
        d.event.name(),
        d.receipt_id,
        messages.len()
    );
    for (i, message) in messages.iter().enumerate() {
        out.push_str(&format!(
            "--- message {}/{}\n{}\n",
            i + 1,
            messages.len(),
            serde_json::to_string_pretty(&message.body).expect("JSON serializes")
        ));
    }
    out
}

/// Removes every secret of `target` from `text` (error messages from HTTP and SMTP libraries may
/// quote a URL or a server's echo of one).
pub(crate) fn scrub(text: &str, target: &Target) -> String {
    let mut out = text.to_string();
    for secret in target.secrets() {
        out = out.replace(&secret, "[redacted]");
    }
    out
}

/// The delivery step of `newsdesk run`: after the files are written, or after the run failed.
/// Returns the lines for the summary (none when no target wants tonight's event).
pub(crate) async fn after_run(
    config: &Config,
    date: NaiveDate,
    outcome: Result<&RunSummary, &str>,
    store: &dyn Store,
    clock: &dyn Clock,
    reporter: &dyn Progress,
) -> Vec<DeliveryLine> {
    let (targets, title) = (&config.deliver, &config.digest.title);
    if targets.is_empty() {
        return Vec::new();
    }
    let event = outcome.map_or(Event::Failed, |summary| event_of(summary.status).0);
    if let Ok(summary) = outcome
        && let Err(e) = receipt::save_event(store, &summary.run_id, event)
    {
        return failed_lines(targets, event, &e.to_string());
    }
    if !targets.iter().any(|t| t.wants(event)) {
        return Vec::new();
    }
    let deliverable = match outcome {
        Ok(summary) => {
            let manifest = match RunManifest::load(store, &summary.run_id) {
                Ok(m) => m,
                Err(e) => return failed_lines(targets, event, &e.to_string()),
            };
            let lint = LintCounts {
                errors: summary.lint_errors,
                warnings: summary.lint_warnings,
            };
            match Deliverable::from_files(&manifest, &config.digest, summary.status, lint) {
                Ok(d) => d,
                Err(e) => return failed_lines(targets, event, &e.to_string()),
            }
        }
        Err(reason) => Deliverable::failure(date, title, reason),
    };
    match deliver(
        targets,
        &deliverable,
        store,
        clock,
        &Options::default(),
        reporter,
    )
    .await
    {
        Ok(lines) => lines,
        Err(e) => failed_lines(targets, deliverable.event, &e.to_string()),
    }
}

/// Whether a target was not reached (the run then exits 3).
pub(crate) fn any_failed(lines: &[DeliveryLine]) -> bool {
    lines.iter().any(|l| l.outcome == Outcome::Failed)
}

/// One failed line per target that wanted `event`, when delivery could not even start.
fn failed_lines(targets: &[Target], event: Event, reason: &str) -> Vec<DeliveryLine> {
    targets
        .iter()
        .filter(|t| t.wants(event))
        .map(|t| DeliveryLine {
            target: t.name.clone(),
            kind: t.kind,
            event,
            outcome: Outcome::Failed,
            messages: 0,
            error: Some(scrub(reason, t)),
        })
        .collect()
}

/// `newsdesk deliver RUN_ID`: the recorded run's digest (or notice) to its targets. The event
/// is re-derived from the files: lint errors → failed, failed topics or a missing insight →
/// partial, else published.
pub(crate) async fn deliver_recorded(
    config: &Config,
    run_id: &str,
    only: Option<&str>,
    store: &dyn Store,
    clock: &dyn Clock,
    options: &Options,
    reporter: &dyn Progress,
) -> Result<Vec<DeliveryLine>, DeliverError> {
    let targets = &config.deliver;
    let chosen: Vec<Target> = match only {
        Some(name) => vec![
            targets
                .iter()
                .find(|t| t.name == name)
                .cloned()
                .ok_or_else(|| {
                    DeliverError::UnknownTarget(
                        name.to_string(),
                        targets
                            .iter()
                            .map(|t| t.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                })?,
        ],
        None => targets.to_vec(),
    };
    let manifest = RunManifest::load(store, run_id)?;
    let markdown = manifest
        .outputs
        .iter()
        .find(|o| o.path.extension().is_some_and(|e| e == "md"))
        .map(|o| std::fs::read_to_string(&o.path))
        .transpose()
        .map_err(|e| DeliverError::Files {
            run_id: run_id.to_string(),
            reason: format!("cannot read the digest: {e}"),
        })?
        .unwrap_or_default();
    let report = crate::lint::lint_markdown(&markdown, &crate::lint::LintOptions::default());
    let lint = LintCounts {
        errors: report.errors().len(),
        warnings: report.warnings().len(),
    };
    let status = if lint.errors > 0 {
        RunStatus::LintFailed
    } else if !manifest.failed.is_empty() {
        RunStatus::Partial
    } else {
        RunStatus::Ok
    };
    let mut d = Deliverable::from_files(&manifest, &config.digest, status, lint)?;
    // What the run decided wins (dead sources made it partial: the manifest does not say so);
    // for a run from before delivery existed, a missing editor's insight still marks it partial.
    let recorded = receipt::load_event(store, run_id)?;
    let insight_missing = matches!(&d.body, Body::Digest { digest, .. }
        if digest.insight.headline.trim().is_empty());
    if d.event == Event::Published
        && (recorded == Some(Event::Partial) || recorded.is_none() && insight_missing)
    {
        d.event = Event::Partial;
        d.status = "partial";
    }
    deliver(&chosen, &d, store, clock, options, reporter).await
}
