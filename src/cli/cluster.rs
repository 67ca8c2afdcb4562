//! `newsdesk cluster`: stories from feed files, directories or URLs (or the configured sources),
//! best first, optionally scored against a gold file and explained.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::*;
use crate::cluster::{self, ClusterParams, RankParams};
use crate::collect::{self, CollectContext, HttpOptions};
use crate::config::Config;
use crate::report::Reporter;

#[derive(serde::Serialize)]
struct ClusterJson {
    stories: Vec<StoryJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gold: Option<GoldJson>,
}

#[derive(serde::Serialize)]
struct StoryJson {
    id: String,
    /// 1-based among on-topic stories; off-topic stories come last, unranked.
    #[serde(skip_serializing_if = "Option::is_none")]
    rank: Option<usize>,
    off_topic: bool,
    score: cluster::rank::ScoreParts,
    articles: Vec<ArticleJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    explain: Vec<String>,
}

#[derive(serde::Serialize)]
struct ArticleJson {
    url: String,
    title: String,
    outlet: String,
    published_at: chrono::DateTime<chrono::Utc>,
}

#[derive(serde::Serialize)]
struct PrfJson {
    precision: f64,
    recall: f64,
    f1: f64,
}

#[derive(serde::Serialize)]
struct ScoresJson {
    pairwise: PrfJson,
    bcubed: PrfJson,
    ari: f64,
}

impl From<&cluster::metrics::Scores> for ScoresJson {
    fn from(s: &cluster::metrics::Scores) -> Self {
        let prf = |p: cluster::metrics::Prf| PrfJson {
            precision: p.precision,
            recall: p.recall,
            f1: p.f1,
        };
        ScoresJson {
            pairwise: prf(s.pairwise),
            bcubed: prf(s.bcubed),
            ari: s.ari,
        }
    }
}

#[derive(serde::Serialize)]
struct GoldJson {
    items: usize,
    gold_stories: usize,
    predicted_stories: usize,
    unlabelled: usize,
    missing: usize,
    scores: ScoresJson,
    singletons: ScoresJson,
}

/// What `newsdesk cluster` prints.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    pub json: bool,
    pub explain: bool,
    /// A gold file (`canonical url → story id`) to score the stories against.
    pub gold: Option<PathBuf>,
}

fn read_gold(path: &Path) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read gold file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "gold file {} must be a JSON object of canonical url → story id",
            path.display()
        )
    })
}

/// `newsdesk cluster`: stories from feed files, directories or URLs (or the configured sources),
/// best first, optionally scored against a gold file.
pub async fn cluster(
    inputs: &[String],
    config: Option<&Config>,
    options: &ClusterOptions,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let gold_labels = options.gold.as_deref().map(read_gold).transpose()?;
    let http = config
        .map(|c| HttpOptions::from_config(&c.collect))
        .unwrap_or_default();
    let collected = match (inputs.is_empty(), config) {
        (false, _) => collect::collect_inputs(inputs, &http).await,
        (true, Some(config)) => {
            collect::collect_sources(&config.sources, &CollectContext::new(&http)).await
        }
        (true, None) => anyhow::bail!(
            "no INPUT given and no config loaded: pass feed files, directories or URLs"
        ),
    };
    collect::report_sources(&collected, reporter);
    let failed = collected.failed_sources().count();
    if collected.articles.is_empty() {
        anyhow::bail!(
            "no articles found in {} (every source failed or was empty)",
            inputs.join(", ")
        );
    }
    // Rank every story (no cap) as of the newest article: the order a digest would take, without
    // reading the clock.
    let now = collected
        .articles
        .iter()
        .map(|a| a.published_at)
        .max()
        .unwrap_or_default();
    // Scoring against gold reads the input as it was (exact duplicates are folded into their
    // kept copy), so only then is a copy of it kept beside the stories.
    let inputs_for_gold = gold_labels.is_some().then(|| collected.articles.clone());
    let article_count = collected.articles.len();
    let stories = cluster::cluster(collected.articles, &ClusterParams::default());
    let gold = gold_labels
        .as_ref()
        .zip(inputs_for_gold.as_deref())
        .map(|(labels, inputs)| cluster::metrics::score_against_gold(&stories, inputs, labels));
    let weights = config.map(|c| c.digest.ranking.clone()).unwrap_or_default();
    let ranked = cluster::rank(
        stories,
        &RankParams {
            max_topics: usize::MAX,
            focus_topics: 0,
            now,
            min_relevance: RankParams::DEFAULT_MIN_RELEVANCE,
            weights: weights.clone(),
        },
    );
    let ordered: Vec<(Option<usize>, &crate::model::Story)> = ranked
        .topics
        .iter()
        .map(|t| (Some(t.rank), &t.story))
        .chain(ranked.off_topic.iter().map(|(s, _)| (None, s)))
        .collect();
    let listed = Listed {
        ordered,
        now,
        weights: &weights,
        gold: gold.as_ref(),
        explain: options.explain,
    };
    reporter.output(&if options.json {
        serde_json::to_string_pretty(&listed.json()).expect("cluster output serializes")
    } else {
        listed.text(article_count)
    });
    Ok(if failed > 0 { Exit::Partial } else { Exit::Ok })
}

/// The stories as `newsdesk cluster` lists them: ranked first, off-topic last.
struct Listed<'a> {
    ordered: Vec<(Option<usize>, &'a crate::model::Story)>,
    now: chrono::DateTime<chrono::Utc>,
    weights: &'a crate::config::RankingConfig,
    gold: Option<&'a cluster::metrics::GoldReport>,
    explain: bool,
}

impl Listed<'_> {
    fn json(&self) -> ClusterJson {
        ClusterJson {
            stories: self
                .ordered
                .iter()
                .map(|&(rank, s)| StoryJson {
                    id: s.id.clone(),
                    rank,
                    off_topic: rank.is_none(),
                    score: cluster::rank::score_parts(s, self.now, self.weights),
                    articles: s
                        .articles
                        .iter()
                        .map(|a| ArticleJson {
                            url: a.url.clone(),
                            title: a.title.clone(),
                            outlet: a.outlet.clone(),
                            published_at: a.published_at,
                        })
                        .collect(),
                    explain: if self.explain {
                        cluster::explain(s)
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
            gold: self.gold.map(|g| GoldJson {
                items: g.items,
                gold_stories: g.gold_stories,
                predicted_stories: g.predicted_stories,
                unlabelled: g.unlabelled,
                missing: g.missing,
                scores: (&g.scores).into(),
                singletons: (&g.baseline).into(),
            }),
        }
    }

    fn text(&self, article_count: usize) -> String {
        let mut out = String::new();
        let multi = self
            .ordered
            .iter()
            .filter(|(_, s)| s.articles.len() > 1)
            .count();
        out.push_str(&format!(
            "{} articles → {} stories ({} with more than one article)\n",
            article_count,
            self.ordered.len(),
            multi
        ));
        if let Some(gold) = self.gold {
            for line in gold.render() {
                out.push_str(&line);
                out.push('\n');
            }
        }
        for &(rank, story) in &self.ordered {
            let rank = rank.map_or("off-topic".to_string(), |r| format!("#{r}"));
            out.push_str(&format!(
                "\n{rank} {} ({} article(s))\n",
                story.id,
                story.articles.len()
            ));
            for article in &story.articles {
                out.push_str(&format!(
                    "  - [{}] {} <{}>\n",
                    article.outlet, article.title, article.url
                ));
            }
            if self.explain && story.articles.len() > 1 {
                for line in cluster::explain(story) {
                    out.push_str(&format!("    why: {line}\n"));
                }
            }
        }
        out
    }
}
