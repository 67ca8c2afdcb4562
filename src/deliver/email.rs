//! Email through lettre. In: an email target and a `Deliverable`; out: one message to every
//! recipient — for a digest, multipart/alternative with the Markdown as the text part and the
//! self-contained HTML page newsdesk rendered as the HTML part; for a failed night, a short
//! plain-text notice. Headers with non-ASCII text (a CJK subject, a sender's name) are encoded
//! by lettre (RFC 2047); bodies are UTF-8. The SMTP URL decides the transport: `smtp://` plain,
//! `smtp://…?tls=required` STARTTLS, `smtps://` implicit TLS (lettre's `from_url`).

use backon::Retryable;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::{Value, json};

use super::{Body, Deliverable, Options};
use crate::config::deliver::{Endpoint, Target};

/// What the mail will be, for the dry run and the receipt's content hash (never the SMTP URL).
pub(super) fn describe(target: &Target, d: &Deliverable) -> Value {
    let (from, to) = match &target.endpoint {
        Endpoint::Email { from, to, .. } => (from.clone(), to.clone()),
        _ => (String::new(), Vec::new()),
    };
    let (text, html_bytes) = match &d.body {
        Body::Digest { markdown, html, .. } => (markdown.clone(), html.len()),
        Body::Notice { what, look } => (format!("{what}\n\n{look}\n"), 0),
    };
    json!({
        "from": from,
        "to": to,
        "subject": d.subject(),
        "text": text,
        "html_bytes": html_bytes,
    })
}

fn build(target: &Target, d: &Deliverable) -> Result<Message, String> {
    let Endpoint::Email { from, to, .. } = &target.endpoint else {
        return Err("not an email target".into());
    };
    let mailbox = |s: &str| {
        s.parse::<Mailbox>()
            .map_err(|e| format!("\"{s}\" is not an email address: {e}"))
    };
    let mut builder = Message::builder()
        .from(mailbox(from)?)
        .subject(d.subject())
        // The same id on a resend lets a mail server or client fold a duplicate.
        .message_id(Some(format!("<{}.{}@newsdesk>", d.receipt_id, target.name)));
    for addr in to {
        builder = builder.to(mailbox(addr)?);
    }
    let message = match &d.body {
        Body::Digest { markdown, html, .. } => builder.multipart(
            MultiPart::alternative_plain_html(markdown.clone(), html.clone()),
        ),
        Body::Notice { what, look } => {
            builder.singlepart(SinglePart::plain(format!("{what}\n\n{look}\n")))
        }
    };
    message.map_err(|e| format!("cannot build the email: {e}"))
}

pub(super) async fn send(
    target: &Target,
    d: &Deliverable,
    options: &Options,
) -> Result<(), String> {
    let Endpoint::Email { smtp_url, .. } = &target.endpoint else {
        return Err("not an email target".into());
    };
    let message = build(target, d)?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url.expose())
        .map_err(|e| format!("the SMTP URL in {} cannot be used: {e}", smtp_url.var))?
        .timeout(Some(target.timeout))
        .build();
    // The whole exchange is bounded too: lettre's timeout covers each read and write only.
    let bound = target.timeout * 2;
    (|| async {
        match tokio::time::timeout(bound, transport.send(message.clone())).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err((
                !(e.is_permanent() || e.is_client() || e.is_tls()),
                format!("SMTP: {e}"),
            )),
            Err(_) => Err((
                true,
                format!("SMTP: no answer within {} s", bound.as_secs()),
            )),
        }
    })
    .retry(options.backoff(target))
    .sleep(tokio::time::sleep)
    .when(|(retryable, _)| *retryable)
    .notify(|(_, reason), delay| {
        let reason = super::scrub(reason, target);
        tracing::warn!(target = %target.name, %reason, ?delay, "email failed; retrying")
    })
    .await
    .map_err(|(_, reason)| reason)
}
