//! What each service is sent. In: a `Deliverable` (a digest or a failure notice); out: the
//! request bodies for one target kind, in the markup its service documents (DEPENDENCIES §12 B),
//! each within the service's size limit. Long digests are split between cards, then between
//! lines of an oversized card, then inside a line only at character boundaries — never inside a
//! character, a tag or an entity: escaping happens after splitting.

use serde_json::{Value, json};

use super::Deliverable;
use super::content::{Block, Line, Span};
use crate::config::deliver::Kind;

/// How a service counts its limit.
#[derive(Debug, Clone, Copy)]
enum Measure {
    /// Unicode scalar values (Discord's 2000 "characters", Slack's `text`).
    Chars,
    /// UTF-16 code units (Telegram counts entities in them; never fewer than chars).
    Utf16,
    /// UTF-8 bytes (WeCom, Feishu's body, DingTalk).
    Bytes,
}

impl Measure {
    fn of(self, s: &str) -> usize {
        match self {
            Measure::Chars => s.chars().count(),
            Measure::Utf16 => s.encode_utf16().count(),
            Measure::Bytes => s.len(),
        }
    }
}

/// A service's size budget for the part of a message that grows with the digest.
#[derive(Debug, Clone, Copy)]
struct Limit {
    measure: Measure,
    max: usize,
}

/// Per kind: what one message may hold. The margins below the documented limits leave room for
/// the fixed JSON around the text (titles, signatures, `msg_type`).
fn limit(kind: Kind) -> Limit {
    let (measure, max) = match kind {
        // `text` is truncated past 40 000 chars, but Slack asks clients to keep a message to
        // 4 000 (always under its 16 KB frame) and longer ones are cut in some clients.
        Kind::Slack => (Measure::Chars, 4_000),
        Kind::Discord => (Measure::Chars, 2_000),
        // 1–4096 characters after entity parsing; the markup counted in UTF-16 is never less.
        Kind::Telegram => (Measure::Utf16, 4_096),
        // Body ≤ 20 KB; the paragraphs are measured as the JSON they become.
        Kind::Feishu => (Measure::Bytes, 18_000),
        // The custom robot's own limit is undocumented (third-party clients assume 20 000
        // bytes); DingTalk's app-robot API documents 15 000 bytes for a message: use that.
        Kind::Dingtalk => (Measure::Bytes, 15_000),
        // markdown.content ≤ 4096 bytes UTF-8.
        Kind::Wecom => (Measure::Bytes, 4_096),
        Kind::Webhook | Kind::Email => (Measure::Bytes, usize::MAX),
    };
    Limit { measure, max }
}

/// The pause between two messages to one target, so a split digest stays inside the service's
/// rate limit instead of relying on 429s — DingTalk throttles a robot for ten minutes once it
/// sends more than 20 messages in a minute.
pub(super) fn pace(kind: Kind) -> std::time::Duration {
    let ms = match kind {
        // About one message a second, short bursts allowed.
        Kind::Slack => 1_000,
        // Per-webhook buckets of a few messages every couple of seconds.
        Kind::Discord => 500,
        // At most 20 messages a minute (Telegram in groups, DingTalk, WeCom).
        Kind::Telegram | Kind::Dingtalk | Kind::Wecom => 3_000,
        // 100 a minute and 5 a second per bot.
        Kind::Feishu => 600,
        Kind::Webhook | Kind::Email => 0,
    };
    std::time::Duration::from_millis(ms)
}

/// The request bodies for `kind`, in sending order (one for webhook; one or more for chat kinds).
/// Email is built by `email.rs`; signatures are added when sending (`http.rs`).
pub(super) fn messages(kind: Kind, deliverable: &Deliverable, blocks: &[Block]) -> Vec<Value> {
    let mut messages = all_messages(kind, deliverable, blocks);
    // With a published page, one message: the summary, the link, the titles that fit.
    if deliverable.link.is_some() {
        messages.truncate(1);
    }
    messages
}

fn all_messages(kind: Kind, deliverable: &Deliverable, blocks: &[Block]) -> Vec<Value> {
    let limit = limit(kind);
    match kind {
        Kind::Webhook | Kind::Email => vec![super::webhook_body(deliverable)],
        Kind::Slack => text_messages(blocks, limit, &slack_line, "\n", "\n\n")
            .into_iter()
            .map(|text| json!({ "text": text }))
            .collect(),
        Kind::Discord => text_messages(blocks, limit, &discord_line, "\n", "\n\n")
            .into_iter()
            // No pings from digest text, whatever it quotes.
            .map(|text| json!({ "content": text, "allowed_mentions": { "parse": [] } }))
            .collect(),
        Kind::Telegram => text_messages(blocks, limit, &telegram_line, "\n", "\n\n")
            .into_iter()
            .map(|text| {
                json!({
                    "text": text,
                    "parse_mode": "HTML",
                    "link_preview_options": { "is_disabled": true }
                })
            })
            .collect(),
        Kind::Dingtalk => text_messages(blocks, limit, &markdown_line, "  \n", "\n\n")
            .into_iter()
            .map(|text| {
                json!({
                    "msgtype": "markdown",
                    "markdown": { "title": deliverable.subject(), "text": text }
                })
            })
            .collect(),
        Kind::Wecom => text_messages(blocks, limit, &markdown_line, "\n", "\n\n")
            .into_iter()
            .map(|text| json!({ "msgtype": "markdown", "markdown": { "content": text } }))
            .collect(),
        Kind::Feishu => feishu_messages(deliverable, blocks, limit),
    }
}

/// The greatest growth of one character when rendered: `&` → `&amp;` (5), a 4-byte scalar (4),
/// two UTF-16 units. Pieces of `max / EXPANSION` characters always fit once rendered.
const EXPANSION: usize = 6;

/// Blocks cut to lines that each fit `limit` on their own once rendered: a long line becomes
/// several lines of whole characters.
fn fitting_lines(block: &Block, limit: Limit, render: &dyn Fn(&Line) -> String) -> Vec<Line> {
    let mut out = Vec::new();
    for line in &block.0 {
        if limit.measure.of(&render(line)) <= limit.max {
            out.push(line.clone());
            continue;
        }
        let piece = (limit.max / EXPANSION).max(1);
        for span in line {
            let text: Vec<char> = span.text().chars().collect();
            for chunk in text.chunks(piece) {
                out.push(vec![span.with_text(chunk.iter().collect())]);
            }
        }
    }
    out
}

/// Greedy packing: whole blocks while they fit, an oversized block line by line. Returns the
/// messages as groups of rendered blocks, each block its rendered lines.
fn pack(
    blocks: &[Block],
    limit: Limit,
    render: &dyn Fn(&Line) -> String,
    line_sep: &str,
    block_sep: &str,
) -> Vec<Vec<Vec<String>>> {
    let size = |s: &str| limit.measure.of(s);
    let mut messages: Vec<Vec<Vec<String>>> = Vec::new();
    let mut current: Vec<Vec<String>> = Vec::new();
    let mut used = 0usize;
    for block in blocks {
        let lines: Vec<String> = fitting_lines(block, limit, render)
            .iter()
            .map(render)
            .collect();
        let block_size = lines.iter().map(|l| size(l)).sum::<usize>()
            + size(line_sep) * lines.len().saturating_sub(1);
        let joined_cost = if current.is_empty() {
            0
        } else {
            size(block_sep)
        };
        if used + joined_cost + block_size <= limit.max {
            used += joined_cost + block_size;
            current.push(lines);
            continue;
        }
        if block_size <= limit.max {
            // Starts a new message whole rather than straddling two.
            if !current.is_empty() {
                messages.push(std::mem::take(&mut current));
            }
            used = block_size;
            current.push(lines);
            continue;
        }
        // Larger than a whole message: its lines fill this message and the next ones.
        let mut part: Vec<String> = Vec::new();
        for line in lines {
            let cost = if part.is_empty() {
                if current.is_empty() {
                    0
                } else {
                    size(block_sep)
                }
            } else {
                size(line_sep)
            } + size(&line);
            if used + cost > limit.max {
                if !part.is_empty() {
                    current.push(std::mem::take(&mut part));
                }
                messages.push(std::mem::take(&mut current));
                used = size(&line);
            } else {
                used += cost;
            }
            part.push(line);
        }
        if !part.is_empty() {
            current.push(part);
        }
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

fn text_messages(
    blocks: &[Block],
    limit: Limit,
    render: &dyn Fn(&Line) -> String,
    line_sep: &str,
    block_sep: &str,
) -> Vec<String> {
    pack(blocks, limit, render, line_sep, block_sep)
        .into_iter()
        .map(|message| {
            message
                .iter()
                .map(|block| block.join(line_sep))
                .collect::<Vec<_>>()
                .join(block_sep)
        })
        .collect()
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Slack mrkdwn: `&`, `<`, `>` escaped; `*bold*`; `<url|text>`.
fn slack_line(line: &Line) -> String {
    line.iter()
        .map(|span| match span {
            Span::Text(t) => escape_html(t),
            Span::Bold(t) => format!("*{}*", escape_html(t)),
            Span::Link { text, url } => {
                format!(
                    "<{}|{}>",
                    escape_html(url),
                    escape_html(&text.replace('|', "/"))
                )
            }
        })
        .collect()
}

/// Discord markdown: markdown characters escaped; links wrapped in `<>` so no embed unfurls.
fn discord_line(line: &Line) -> String {
    fn escape(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if matches!(
                c,
                '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' | '#' | '>'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }
    line.iter()
        .map(|span| match span {
            Span::Text(t) => escape(t),
            Span::Bold(t) => format!("**{}**", escape(t)),
            Span::Link { text, url } => format!("[{}](<{url}>)", escape(text)),
        })
        .collect()
}

/// Telegram HTML: only `<b>` and `<a>`; `&`, `<`, `>` (and `"` in attributes) escaped.
fn telegram_line(line: &Line) -> String {
    line.iter()
        .map(|span| match span {
            Span::Text(t) => escape_html(t),
            Span::Bold(t) => format!("<b>{}</b>", escape_html(t)),
            Span::Link { text, url } => format!(
                "<a href=\"{}\">{}</a>",
                escape_html(url).replace('"', "&quot;"),
                escape_html(text)
            ),
        })
        .collect()
}

/// The markdown DingTalk and WeCom render: `**bold**`, `[text](url)`.
fn markdown_line(line: &Line) -> String {
    line.iter()
        .map(|span| match span {
            Span::Text(t) => t.replace(['[', ']'], ""),
            Span::Bold(t) => format!("**{}**", t.replace('*', "")),
            Span::Link { text, url } => {
                format!(
                    "[{}]({})",
                    text.replace(['[', ']'], ""),
                    url.replace(')', "%29")
                )
            }
        })
        .collect()
}

/// One Feishu `post` paragraph as JSON text (what the packer measures).
fn feishu_line(line: &Line) -> String {
    let tags: Vec<Value> = line
        .iter()
        .map(|span| match span {
            Span::Text(t) => json!({ "tag": "text", "text": t }),
            Span::Bold(t) => json!({ "tag": "text", "text": t, "style": ["bold"] }),
            Span::Link { text, url } => json!({ "tag": "a", "text": text, "href": url }),
        })
        .collect();
    Value::Array(tags).to_string()
}

/// Feishu rich text: `{"msg_type":"post","content":{"post":{"zh_cn":{"title","content"}}}}`,
/// blocks separated by an empty paragraph.
fn feishu_messages(deliverable: &Deliverable, blocks: &[Block], limit: Limit) -> Vec<Value> {
    let empty = json!([{ "tag": "text", "text": "" }]).to_string();
    pack(blocks, limit, &feishu_line, ",", &format!(",{empty},"))
        .into_iter()
        .map(|message| {
            let mut paragraphs: Vec<Value> = Vec::new();
            for (i, block) in message.iter().enumerate() {
                if i > 0 {
                    paragraphs.push(serde_json::from_str(&empty).expect("valid JSON"));
                }
                for line in block {
                    paragraphs.push(serde_json::from_str(line).expect("rendered as JSON"));
                }
            }
            json!({
                "msg_type": "post",
                "content": { "post": { "zh_cn": {
                    "title": deliverable.subject(),
                    "content": paragraphs
                } } }
            })
        })
        .collect()
}

#[cfg(test)]
pub(super) fn test_limit(kind: Kind) -> (usize, fn(&str) -> usize) {
    let l = limit(kind);
    let f: fn(&str) -> usize = match l.measure {
        Measure::Chars => |s| s.chars().count(),
        Measure::Utf16 => |s| s.encode_utf16().count(),
        Measure::Bytes => |s| s.len(),
    };
    (l.max, f)
}
