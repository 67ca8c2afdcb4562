//! The weekly roll-up (seed 002's keyword-card shape). In: the store's run manifests of one ISO
//! week and the `<date>.json` digests they wrote; out: a `Rollup` of 10–20 recurring themes, each
//! a keyword card with 核心觀察 (what was observed), 邏輯鏈條 (the chain of the week's stories, in
//! order) and 本質洞見 (what the recurrence shows), plus an overview — rendered to Markdown, HTML
//! and JSON by `render_*`. The cards are written extractively from the week's own cards (no model,
//! so the roll-up of the same runs is the same bytes); it never calls a provider and never reads
//! the network.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, IsoWeek, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use tera::{Context, Tera};

use crate::manifest::RunManifest;
use crate::model::{CardRecord, Digest, Importance, Language};
use crate::render::escape::{Syntax, checked_link};
use crate::render::labels;
use crate::store::{Store, StoreError, Tree};
use crate::text::{sentences, to_script};

/// At most this many themes; fewer when the week has fewer recurring names.
pub const MAX_THEMES: usize = 20;
/// A theme needs this many of the week's cards naming it: a name seen once is not a trend.
const MIN_CARDS_PER_THEME: usize = 2;
/// A candidate theme whose cards are mostly (this share) those of a stronger theme repeats it
/// (Qwen-Vision-3.2 and Alibaba, say) and is left out.
const MAX_OVERLAP: f64 = 0.8;
/// How many co-occurring names the insight line cites.
const COMPANIONS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum WeeklyError {
    #[error("\"{0}\" is not an ISO week; write it as 2026-W03")]
    Week(String),
    #[error(
        "no runs of {week} ({start} to {end}) in the store's runs tree; run `newsdesk run --date D` for the week's days first"
    )]
    NoRuns {
        week: String,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("template {template} failed: {message}")]
    Template { template: String, message: String },
}

/// One ISO week: "2026-W03" and its Monday to Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub year: i32,
    pub number: u32,
}

impl Week {
    pub fn parse(text: &str) -> Result<Week, WeeklyError> {
        let err = || WeeklyError::Week(text.to_string());
        let (year, number) = text.trim().split_once("-W").ok_or_else(err)?;
        let week = Week {
            year: year.parse().map_err(|_| err())?,
            number: number.parse().map_err(|_| err())?,
        };
        NaiveDate::from_isoywd_opt(week.year, week.number, Weekday::Mon).ok_or_else(err)?;
        Ok(week)
    }

    pub fn of(date: NaiveDate) -> Week {
        let iso: IsoWeek = date.iso_week();
        Week {
            year: iso.year(),
            number: iso.week(),
        }
    }

    pub fn start(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.number, Weekday::Mon).expect("checked week")
    }

    pub fn end(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.number, Weekday::Sun).expect("checked week")
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        (self.start()..=self.end()).contains(&date)
    }
}

impl std::fmt::Display for Week {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.number)
    }
}

/// The week's digests: for each day, the digest of its latest run whose JSON output is still
/// readable. Manifests whose outputs moved are skipped (and named in the returned notes).
pub fn load_week(store: &dyn Store, week: Week) -> Result<(Vec<Digest>, Vec<String>), WeeklyError> {
    let mut latest: BTreeMap<NaiveDate, RunManifest> = BTreeMap::new();
    for (_, bytes) in store.scan(Tree::Runs, b"")? {
        let Ok(manifest) = serde_json::from_slice::<RunManifest>(&bytes) else {
            continue;
        };
        if !week.contains(manifest.date) {
            continue;
        }
        let newer = latest.get(&manifest.date).is_none_or(|m| {
            (&m.generated_at, &m.run_id) < (&manifest.generated_at, &manifest.run_id)
        });
        if newer {
            latest.insert(manifest.date, manifest);
        }
    }
    let mut digests = Vec::new();
    let mut notes = Vec::new();
    for manifest in latest.values() {
        let json = manifest
            .outputs
            .iter()
            .map(|o| o.path.clone())
            .find(|p| p.extension().is_some_and(|e| e == "json") && !is_run_file(p));
        let Some(path) = json else {
            notes.push(format!("run {} wrote no digest JSON", manifest.run_id));
            continue;
        };
        match std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Digest>(&t).ok())
        {
            Some(digest) => digests.push(digest),
            None => notes.push(format!(
                "run {}: cannot read its digest {} (moved or deleted?)",
                manifest.run_id,
                path.display()
            )),
        }
    }
    if digests.is_empty() {
        return Err(WeeklyError::NoRuns {
            week: week.to_string(),
            start: week.start(),
            end: week.end(),
        });
    }
    Ok((digests, notes))
}

fn is_run_file(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".run.json")
}

/// The roll-up of one week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    /// "2026-W03".
    pub week: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub title: String,
    pub language: Language,
    /// The days of the week that had a digest.
    pub days: Vec<NaiveDate>,
    /// Cards across the week's digests.
    pub cards: usize,
    pub overview: String,
    pub themes: Vec<Theme>,
    /// "extractive": the roll-up is built from the week's cards without a model.
    pub generator: String,
}

/// One keyword card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    pub keyword: String,
    /// 核心觀察: how often and how widely the name came up, and its strongest story.
    pub observation: String,
    /// 邏輯鏈條: the week's stories naming it, in date then rank order.
    pub chain: Vec<ChainLink>,
    /// 本質洞見: what the recurrence shows — companions and weight.
    pub insight: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainLink {
    pub date: NaiveDate,
    pub title: String,
    /// The story's first checked source; empty when it has none.
    pub url: String,
}

/// Groups the week's cards into recurring themes and writes each card from them.
pub fn build(week: Week, digests: &[Digest]) -> Rollup {
    let language = digests.first().map_or(Language::ZhHant, |d| d.language);
    let title = digests
        .first()
        .map_or_else(|| "AI Weekly".to_string(), |d| d.title.clone());
    let cards: Vec<(NaiveDate, &CardRecord)> = digests
        .iter()
        .flat_map(|d| d.cards.iter().map(move |c| (d.date, c)))
        .collect();

    // Name (folded) → the cards naming it, and the name as first written.
    let mut named: BTreeMap<String, (String, BTreeSet<usize>)> = BTreeMap::new();
    for (index, (_, record)) in cards.iter().enumerate() {
        for entity in &record.card.entities {
            let key = fold(entity);
            if key.chars().count() < 2 {
                continue;
            }
            named
                .entry(key)
                .or_insert_with(|| (to_script(entity.trim(), language), BTreeSet::new()))
                .1
                .insert(index);
        }
    }
    let days_of = |set: &BTreeSet<usize>| -> usize {
        set.iter()
            .map(|&i| cards[i].0)
            .collect::<BTreeSet<_>>()
            .len()
    };
    let mut candidates: Vec<(&String, &(String, BTreeSet<usize>))> = named
        .iter()
        .filter(|(_, (_, set))| set.len() >= MIN_CARDS_PER_THEME)
        .collect();
    // Spread over days first (a trend), then volume, then the name for a stable order.
    candidates.sort_by(|a, b| {
        days_of(&b.1.1)
            .cmp(&days_of(&a.1.1))
            .then(b.1.1.len().cmp(&a.1.1.len()))
            .then(a.0.cmp(b.0))
    });
    let mut chosen: Vec<(&String, &BTreeSet<usize>)> = Vec::new();
    for (_, (name, set)) in candidates {
        if chosen.len() == MAX_THEMES {
            break;
        }
        let repeats = chosen.iter().any(|(_, other)| {
            set.intersection(other).count() as f64 >= MAX_OVERLAP * set.len() as f64
        });
        if !repeats {
            chosen.push((name, set));
        }
    }

    let words = Words::of(language);
    let themes: Vec<Theme> = chosen
        .iter()
        .map(|(name, set)| theme(name, set, &cards, &named, language, &words))
        .collect();
    let days: Vec<NaiveDate> = digests
        .iter()
        .map(|d| d.date)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let overview = words
        .overview
        .replace("{week}", &week.to_string())
        .replace("{days}", &days.len().to_string())
        .replace("{cards}", &cards.len().to_string())
        .replace("{themes}", &themes.len().to_string())
        .replace(
            "{top}",
            &themes
                .iter()
                .take(5)
                .map(|t| t.keyword.clone())
                .collect::<Vec<_>>()
                .join(words.separator),
        );
    Rollup {
        week: week.to_string(),
        start: week.start(),
        end: week.end(),
        title,
        language,
        days,
        cards: cards.len(),
        overview,
        themes,
        generator: "extractive".to_string(),
    }
}

fn theme(
    name: &str,
    set: &BTreeSet<usize>,
    cards: &[(NaiveDate, &CardRecord)],
    named: &BTreeMap<String, (String, BTreeSet<usize>)>,
    language: Language,
    words: &Words,
) -> Theme {
    let mut members: Vec<usize> = set.iter().copied().collect();
    members.sort_by_key(|&i| (cards[i].0, cards[i].1.rank, cards[i].1.topic_id.clone()));
    let days = members
        .iter()
        .map(|&i| cards[i].0)
        .collect::<BTreeSet<_>>()
        .len();
    // The strongest story: highest importance, then best rank, then earliest.
    let lead = members
        .iter()
        .copied()
        .min_by_key(|&i| {
            let importance = match cards[i].1.card.importance {
                Importance::High => 0,
                Importance::Medium => 1,
                Importance::Low => 2,
            };
            (importance, cards[i].1.rank, cards[i].0)
        })
        .expect("a theme has cards");
    let lead_summary = to_script(&cards[lead].1.card.summary, language);
    let first_sentence = sentences::split(&lead_summary)
        .into_iter()
        .next()
        .unwrap_or_default();
    let observation = format!(
        "{}{}",
        words
            .observation
            .replace("{name}", name)
            .replace("{cards}", &members.len().to_string())
            .replace("{days}", &days.to_string()),
        first_sentence.trim()
    );
    let chain = members
        .iter()
        .map(|&i| {
            let (date, record) = cards[i];
            ChainLink {
                date,
                title: crate::render::view::card_headline(record, language),
                url: record
                    .sources
                    .iter()
                    .find_map(|s| checked_link(&s.url))
                    .unwrap_or_default(),
            }
        })
        .collect();
    // Names that share the most of this theme's cards.
    let mut companions: Vec<(usize, &String)> = named
        .values()
        .filter(|(other, _)| fold(other) != fold(name))
        .map(|(other, others)| (others.intersection(set).count(), other))
        .filter(|(shared, _)| *shared > 0)
        .collect();
    companions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let high = members
        .iter()
        .filter(|&&i| cards[i].1.card.importance == Importance::High)
        .count();
    let companions: Vec<String> = companions
        .iter()
        .take(COMPANIONS)
        .map(|(_, n)| (*n).clone())
        .collect();
    let insight = if companions.is_empty() {
        words.insight_alone.replace("{name}", name)
    } else {
        words
            .insight
            .replace("{name}", name)
            .replace("{with}", &companions.join(words.separator))
    } + &words
        .weight
        .replace("{high}", &high.to_string())
        .replace("{cards}", &members.len().to_string());
    Theme {
        keyword: name.to_string(),
        observation,
        chain,
        insight,
    }
}

/// A name in the form names are compared in: lowercase, no whitespace, one script.
fn fold(name: &str) -> String {
    to_script(name, Language::ZhHans)
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The sentence frames of the roll-up, per language.
struct Words {
    overview: &'static str,
    observation: &'static str,
    insight: &'static str,
    insight_alone: &'static str,
    weight: &'static str,
    separator: &'static str,
}

impl Words {
    fn of(language: Language) -> Words {
        match language {
            Language::ZhHant => Words {
                overview: "{week} 共 {days} 天、{cards} 張卡片，歸納為 {themes} 個反覆出現的主題；最受關注的是 {top}。",
                observation: "{name} 本週出現在 {cards} 則報導、{days} 天之中。",
                insight: "{name} 常與 {with} 一同出現，顯示這些動態彼此牽動。",
                insight_alone: "{name} 本週自成一條主線。",
                weight: "其中 {high} / {cards} 則被評為高重要性。",
                separator: "、",
            },
            Language::ZhHans => Words {
                overview: "{week} 共 {days} 天、{cards} 张卡片，归纳为 {themes} 个反复出现的主题；最受关注的是 {top}。",
                observation: "{name} 本周出现在 {cards} 则报道、{days} 天之中。",
                insight: "{name} 常与 {with} 一同出现，显示这些动态彼此牵动。",
                insight_alone: "{name} 本周自成一条主线。",
                weight: "其中 {high} / {cards} 则被评为高重要性。",
                separator: "、",
            },
            Language::En => Words {
                overview: "{week}: {days} day(s), {cards} cards, {themes} recurring themes; the most followed: {top}.",
                observation: "{name} came up in {cards} stories on {days} day(s) this week. ",
                insight: "{name} appeared most often with {with}: these stories move together. ",
                insight_alone: "{name} ran as a thread of its own this week. ",
                weight: "{high} of {cards} were rated high importance.",
                separator: ", ",
            },
        }
    }
}

/// Markdown, HTML and JSON of the roll-up, from the embedded weekly templates.
pub fn render(rollup: &Rollup) -> Result<(String, String, String), WeeklyError> {
    let markdown = render_with(rollup, Syntax::Markdown, "weekly.md.tera", WEEKLY_MD)?;
    let html = render_with(rollup, Syntax::Html, "weekly.html.tera", WEEKLY_HTML)?;
    let mut json = serde_json::to_string_pretty(rollup).expect("roll-ups serialize");
    json.push('\n');
    Ok((markdown, html, json))
}

const WEEKLY_MD: &str = include_str!("render/templates/weekly.md.tera");
const WEEKLY_HTML: &str = include_str!("render/templates/weekly.html.tera");

/// The roll-up escaped for one syntax, for the templates.
#[derive(Serialize)]
struct RollupView {
    week: String,
    title: String,
    language: &'static str,
    range: String,
    overview: String,
    themes: Vec<ThemeView>,
    labels: labels::Labels,
    generator: String,
    style: &'static str,
}

#[derive(Serialize)]
struct ThemeView {
    anchor: String,
    keyword: String,
    observation: String,
    insight: String,
    chain: Vec<ChainView>,
}

#[derive(Serialize)]
struct ChainView {
    date: String,
    title: String,
    url: String,
}

fn render_with(
    rollup: &Rollup,
    syntax: Syntax,
    name: &str,
    source: &str,
) -> Result<String, WeeklyError> {
    let esc = |t: &str| syntax.escape(&t.split_whitespace().collect::<Vec<_>>().join(" "));
    let url = |u: &str| match syntax {
        Syntax::Markdown => u.to_string(),
        Syntax::Html => syntax.escape(u),
    };
    let view = RollupView {
        week: rollup.week.clone(),
        title: esc(&format!("{} — {}", rollup.title, rollup.week)),
        language: rollup.language.tag(),
        range: format!("{} – {}", rollup.start, rollup.end),
        overview: esc(&rollup.overview),
        themes: rollup
            .themes
            .iter()
            .enumerate()
            .map(|(i, t)| ThemeView {
                anchor: format!("theme-{}", i + 1),
                keyword: esc(&t.keyword),
                observation: esc(&t.observation),
                insight: esc(&t.insight),
                chain: t
                    .chain
                    .iter()
                    .map(|c| ChainView {
                        date: c.date.format("%m/%d").to_string(),
                        title: esc(&c.title),
                        url: url(&c.url),
                    })
                    .collect(),
            })
            .collect(),
        labels: *labels::labels(rollup.language),
        generator: rollup.generator.clone(),
        style: crate::render::HTML_STYLE,
    };
    let error = |e: tera::Error| WeeklyError::Template {
        template: name.to_string(),
        message: e.to_string(),
    };
    let mut tera = Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    tera.register_filter(
        "yaml_str",
        |value: &str, _: tera::Kwargs, _: &tera::State| crate::render::yaml_str(value),
    );
    tera.add_raw_template(name, source).map_err(error)?;
    let context = Context::from_serialize(&view).map_err(error)?;
    tera.render(name, &context).map_err(error)
}

/// Where the roll-up's files go: `<out>/<week>.md`, `.html`, `.json`.
pub fn output_paths(out_dir: &Path, week: Week) -> [PathBuf; 3] {
    ["md", "html", "json"].map(|ext| out_dir.join(format!("{week}.{ext}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_parse_and_span_monday_to_sunday() {
        let week = Week::parse("2026-W02").unwrap();
        assert_eq!(week.start(), NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        assert_eq!(week.end(), NaiveDate::from_ymd_opt(2026, 1, 11).unwrap());
        assert_eq!(week.to_string(), "2026-W02");
        assert_eq!(
            Week::of(NaiveDate::from_ymd_opt(2026, 1, 11).unwrap()),
            week
        );
        assert!(Week::parse("2026-03").is_err());
        assert!(Week::parse("2026-W54").is_err());
    }
}
