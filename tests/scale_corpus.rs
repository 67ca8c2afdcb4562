//! The scale bench's distinct copies (`benches/support/synthetic.rs`) must be distinct stories to
//! the clustering: an article and its copies are never near-duplicates.
//! Otherwise the bench's "distinct" figures measure folded copies (an earlier generator only
//! suffixed words, so copies kept most 5-character runs and a sixth of them folded as
//! near-duplicates). And the bench's way of reading — feeds streamed a few files at a time into a
//! `Clusterer` — must give the stories `cluster` gives on the whole input.

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

use std::collections::BTreeSet;

use newsdesk::cluster::{self, ClusterParams, Clusterer};
use newsdesk::collect::{HttpOptions, collect_inputs, collect_inputs_in_batches};
use newsdesk::model::{Article, MergeKind};

async fn fixture_day() -> Vec<Article> {
    collect_inputs(
        &["fixtures/days/2026-01-05".to_string()],
        &HttpOptions::default(),
    )
    .await
    .articles
}

#[tokio::test]
async fn distinct_copies_of_a_day_are_distinct_stories() {
    let day = fixture_day().await;
    assert!(day.len() >= 20, "the fixture day has its articles");
    let alone = cluster::cluster(day.clone(), &ClusterParams::default());

    // Copies 11 and 12 as well: an earlier generator's suffixes `x11`, `x12` shared their `x1`.
    let copies = [0, 1, 11, 12];
    let articles: Vec<_> = copies
        .iter()
        .flat_map(|&k| day.iter().map(move |a| synthetic::copy(a, k, 6000)))
        .collect();
    let stories = cluster::cluster(articles, &ClusterParams::default());
    let copy_of = |id: &str| id.rsplit('#').next().unwrap().to_string();
    let near_duplicates = |stories: &[newsdesk::model::Story]| -> Vec<(String, String)> {
        stories
            .iter()
            .flat_map(|s| &s.merges)
            .filter(|m| m.kind == MergeKind::NearDuplicate)
            .map(|m| (m.left.clone(), m.right.clone()))
            .collect()
    };
    let folded = near_duplicates(&stories);
    for (left, right) in &folded {
        assert_eq!(
            copy_of(left),
            copy_of(right),
            "copies folded as near-duplicates: {left} ~ {right}"
        );
    }
    // Each copy folds exactly the near-duplicates the day itself has (its one syndicated re-post).
    let in_day = near_duplicates(&alone).len();
    assert!(in_day >= 1, "the fixture day has a syndicated copy");
    assert_eq!(folded.len(), copies.len() * in_day);
    // Copies share numbers and short tokens ("1080p"), as distinct real stories do, so a short
    // article may join its copy as similar; almost every story stays within one copy.
    let mixed = stories
        .iter()
        .filter(|s| {
            let first = copy_of(&s.articles[0].id);
            s.articles.iter().any(|a| copy_of(&a.id) != first)
        })
        .count();
    assert!(
        mixed * 10 <= alone.len(),
        "{mixed} of {} stories mix copies",
        stories.len()
    );
}

/// 5-character runs of a text's lowercased letters and digits, as near-duplicate detection reads
/// it (`cluster::dedupe::signature`).
fn runs(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    chars.windows(5).map(|w| w.iter().collect()).collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    a.intersection(b).count() as f64 / a.union(b).count().max(1) as f64
}

#[tokio::test]
async fn copies_share_few_character_runs() {
    let day = fixture_day().await;
    for article in day.iter().filter(|a| a.text.len() > 400) {
        let text = |k| {
            let copy = synthetic::copy(article, k, 6000);
            runs(&format!("{}{}", copy.title, copy.text))
        };
        for (j, k) in [(0, 1), (1, 2), (11, 12), (12, 21)] {
            let shared = jaccard(&text(j), &text(k));
            // Unrelated texts of one language share about 0.1 (function words, numbers).
            assert!(
                shared < 0.25,
                "copies {j} and {k} of {} share {shared:.2} of their runs",
                article.id
            );
        }
    }
}

#[test]
fn a_copy_keeps_no_long_word_or_five_letter_run_of_the_original() {
    let text = "Researchers released a transformer model, Lumen-7B, that runs 3x faster.";
    let copy = synthetic::mutate(text, 1);
    assert_ne!(
        synthetic::mutate(text, 2),
        copy,
        "every copy spells its own way"
    );
    for word in [
        "Researchers",
        "released",
        "transformer",
        "model",
        "Lumen",
        "runs",
        "faster",
    ] {
        assert!(!copy.contains(&word[..3]), "{word} survives in {copy}");
    }
    // Function words, short tokens and numbers are what copies share.
    for shared in [" a ", "that ", "-7B", "3x"] {
        assert!(copy.contains(shared), "{shared:?} is shared: {copy}");
    }
    assert_eq!(synthetic::mutate(text, 0), text);
}

#[tokio::test]
async fn feeds_streamed_a_file_at_a_time_cluster_as_the_whole_day() {
    let day = vec!["fixtures/days/2026-01-05".to_string()];
    let whole = cluster::cluster(fixture_day().await, &ClusterParams::default());
    let mut expected: Vec<Vec<String>> = whole
        .iter()
        .map(|s| {
            let mut ids: Vec<String> = s.articles.iter().map(|a| a.id.clone()).collect();
            ids.sort();
            ids
        })
        .collect();
    expected.sort();
    assert!(
        expected.iter().any(|s| s.len() > 1),
        "the day has multi-article stories"
    );

    let mut clusterer = Clusterer::new(&ClusterParams::default());
    let mut ids: Vec<String> = Vec::new();
    let mut batches = 0;
    collect_inputs_in_batches(&day, &HttpOptions::default(), 1, |batch| {
        assert!(batch.reports.len() <= 1, "one feed file per batch");
        clusterer.add(&batch.articles);
        ids.extend(batch.articles.into_iter().map(|a| a.id));
        batches += 1;
    })
    .await;
    assert!(
        batches >= 5,
        "{batches} batches: the day's feeds one by one"
    );
    let mut streamed: Vec<Vec<String>> = clusterer
        .finish()
        .into_iter()
        .map(|g| {
            let mut members: Vec<String> = g.articles.iter().map(|&i| ids[i].clone()).collect();
            members.sort();
            members
        })
        .collect();
    streamed.sort();
    assert_eq!(streamed, expected);
}
