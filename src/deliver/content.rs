//! What a message says, before any service's markup: a digest becomes a header block, one block
//! per card (rank, title, summary, source links) and a footer; a failed night becomes a notice
//! (what failed, where to look). In: a `Deliverable`; out: `Block`s that `format.rs` renders
//! and splits per service. Only text the digest already holds goes out.

use super::{Body, Deliverable};

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Span {
    Text(String),
    Bold(String),
    Link { text: String, url: String },
}

impl Span {
    pub(super) fn text(&self) -> &str {
        match self {
            Span::Text(t) | Span::Bold(t) | Span::Link { text: t, .. } => t,
        }
    }

    /// The same style (and link target) around other text.
    pub(super) fn with_text(&self, text: String) -> Span {
        match self {
            Span::Text(_) => Span::Text(text),
            Span::Bold(_) => Span::Bold(text),
            Span::Link { url, .. } => Span::Link {
                text,
                url: url.clone(),
            },
        }
    }
}

pub(super) type Line = Vec<Span>;

/// Lines that belong together (a card): kept in one message when they fit.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Block(pub Vec<Line>);

/// How many source links a card shows in a chat message.
const LINKS_PER_CARD: usize = 3;

/// The whole digest as blocks, or — when the digest has a published page — the summary, the
/// link and the card titles (as many as the first message holds: `format.rs` keeps only it).
pub(super) fn blocks(d: &Deliverable) -> Vec<Block> {
    let mut header = vec![vec![Span::Bold(d.subject())]];
    match &d.body {
        Body::Notice { what, look } => {
            header.push(vec![Span::Text(what.clone())]);
            header.push(vec![Span::Text(look.clone())]);
            vec![Block(header)]
        }
        Body::Digest { digest, .. } => {
            let summary = digest.insight.trend_summary.trim();
            if !summary.is_empty() {
                header.push(vec![Span::Text(summary.to_string())]);
            }
            if !digest.failed.is_empty() {
                header.push(vec![Span::Text(format!(
                    "({} topic(s) had no card tonight)",
                    digest.failed.len()
                ))]);
            }
            let mut out = vec![Block(header)];
            if let Some(link) = &d.link {
                out.push(Block(vec![vec![Span::Link {
                    text: format!("{} {}", d.title, d.date),
                    url: link.clone(),
                }]]));
                out.extend(digest.cards.iter().map(|card| {
                    Block(vec![vec![Span::Text(format!(
                        "{}. {}",
                        card.rank, card.card.title
                    ))]])
                }));
                return out;
            }
            for card in &digest.cards {
                let mut lines = vec![vec![Span::Bold(format!(
                    "{}. {}",
                    card.rank, card.card.title
                ))]];
                if !card.card.summary.trim().is_empty() {
                    lines.push(vec![Span::Text(card.card.summary.trim().to_string())]);
                }
                let mut links = Vec::new();
                for (i, source) in card.sources.iter().take(LINKS_PER_CARD).enumerate() {
                    if i > 0 {
                        links.push(Span::Text(" · ".into()));
                    }
                    let text = if source.outlet.trim().is_empty() {
                        source.title.clone()
                    } else {
                        source.outlet.clone()
                    };
                    links.push(Span::Link {
                        text,
                        url: source.url.clone(),
                    });
                }
                if !links.is_empty() {
                    lines.push(links);
                }
                out.push(Block(lines));
            }
            out.push(Block(vec![vec![Span::Text(format!(
                "{} topic(s) · {} article(s) · run {}",
                d.counts.cards, d.counts.articles, d.receipt_id
            ))]]));
            out
        }
    }
}
