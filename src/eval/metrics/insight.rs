//! The insight metrics: one editor insight (or none) and its fixture in, every metric of
//! `INSIGHT_METRICS` out.

use super::rouge::rouge_l;
use super::{
    INSIGHT_METRICS, Metrics, language_match, metric, names_phrase, note_list, script_purity, share,
};
use crate::eval::suite::InsightFixture;
use crate::model::Insight;

fn insight_text(insight: &Insight) -> String {
    let mut parts = vec![
        insight.headline.clone(),
        insight.description.clone(),
        insight.trend_summary.clone(),
        insight.tech_context.clone(),
        insight.outlook.clone(),
    ];
    parts.extend(insight.tags.iter().cloned());
    parts.extend(insight.watchlist.iter().cloned());
    parts.extend(insight.keywords.iter().cloned());
    parts.join("\n")
}

/// Every metric for one insight (`None`: no valid insight — every metric fails).
pub fn insight_metrics(insight: Option<&Insight>, fixture: &InsightFixture) -> Metrics {
    let Some(insight) = insight else {
        return INSIGHT_METRICS
            .iter()
            .map(|name| (name.to_string(), metric(0.0, false, "no valid insight")))
            .collect();
    };
    let target = fixture.target();
    let text = insight_text(insight);
    let mut m = Metrics::new();
    m.insert("schema_valid".into(), metric(1.0, true, ""));
    m.insert(
        "language_match".into(),
        language_match(&insight.headline, &text, target),
    );
    m.insert(
        "script_purity".into(),
        script_purity(&insight.headline, &text, target),
    );
    let missing: Vec<&str> = fixture
        .themes
        .iter()
        .filter(|t| !names_phrase(&text, t))
        .map(String::as_str)
        .collect();
    let theme_share = share(fixture.themes.len() - missing.len(), fixture.themes.len());
    m.insert(
        "theme_recall".into(),
        metric(
            theme_share,
            theme_share >= 0.5,
            note_list("not named", &missing),
        ),
    );
    let missing: Vec<&str> = fixture
        .required_keywords
        .iter()
        .filter(|k| !names_phrase(&text, k))
        .map(String::as_str)
        .collect();
    m.insert(
        "keyword_recall".into(),
        metric(
            share(
                fixture.required_keywords.len() - missing.len(),
                fixture.required_keywords.len(),
            ),
            missing.is_empty(),
            note_list("missing", &missing),
        ),
    );
    let ids: std::collections::BTreeSet<&str> =
        fixture.cards.iter().map(|c| c.id.as_str()).collect();
    let refs: Vec<&str> = insight
        .further_reading
        .iter()
        .map(|f| f.card.as_str())
        .chain(insight.quick_read.iter().map(|q| q.card.as_str()))
        .collect();
    let bad: Vec<&str> = refs.iter().copied().filter(|r| !ids.contains(r)).collect();
    m.insert(
        "card_refs_valid".into(),
        metric(
            share(refs.len() - bad.len(), refs.len()),
            bad.is_empty(),
            note_list("unknown card ids", &bad),
        ),
    );
    let reference = format!(
        "{}\n{}\n{}",
        fixture.reference.headline, fixture.reference.trend_summary, fixture.reference.outlook
    );
    let candidate = format!(
        "{}\n{}\n{}",
        insight.headline, insight.trend_summary, insight.outlook
    );
    let f = rouge_l(&candidate, &reference).2;
    m.insert("rouge_l".into(), metric(f, f >= 0.15, ""));
    m
}
