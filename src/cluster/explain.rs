//! Why articles are one story, in words. In: a story with its merge traces; out: the lines
//! `newsdesk cluster --explain` prints — the story, its articles, and each merge with its kind,
//! score and shared terms.

use crate::model::{MergeKind, Story};

/// Human-readable explanation lines for `newsdesk cluster --explain`: the story, its articles,
/// and every merge with its kind, score and shared terms.
pub fn explain(story: &Story) -> Vec<String> {
    let mut outlets: Vec<&str> = story.articles.iter().map(|a| a.outlet.as_str()).collect();
    outlets.sort_unstable();
    outlets.dedup();
    let mut lines = vec![format!(
        "story {}: {} article{} from {} outlet{}",
        story.id,
        story.articles.len(),
        if story.articles.len() == 1 { "" } else { "s" },
        outlets.len(),
        if outlets.len() == 1 { "" } else { "s" },
    )];
    for a in &story.articles {
        lines.push(format!(
            "  [{}] {} · tier {} · {} · {}",
            a.id,
            a.outlet,
            a.tier,
            a.published_at.format("%Y-%m-%d %H:%M UTC"),
            a.title
        ));
    }
    let name = |id: &str| match story.articles.iter().find(|a| a.id == id) {
        Some(a) => format!("[{id}] \"{}\"", a.title),
        None => format!("[{id}] (dropped copy)"),
    };
    for m in &story.merges {
        let why = match m.kind {
            MergeKind::SameUrl => "same canonical URL; the copy was dropped".to_string(),
            MergeKind::SameTitle => {
                "same title from the same outlet; the copy was dropped".to_string()
            }
            MergeKind::NearDuplicate => {
                lines.push(format!(
                    "  {} is a near-duplicate of {} (shingle Jaccard ≈ {:.2}): not scored on its \
                     own, it joins the story of its copies",
                    name(&m.right),
                    name(&m.left),
                    m.similarity
                ));
                continue;
            }
            MergeKind::Similar => format!("similar (average similarity {:.2})", m.similarity),
        };
        let mut line = format!("  merged {} + {}: {why}", name(&m.left), name(&m.right));
        if !m.shared_terms.is_empty() {
            line.push_str(&format!("; shared terms: {}", m.shared_terms.join(", ")));
        }
        lines.push(line);
    }
    lines
}
