//! Suites and fixtures. In: an `evals/*.toml` suite file and the fixture files it names (format in
//! `evals/README.md`); out: typed, validated `Suite`, `CardFixture`, `InsightFixture` and
//! `ClusterCase` values. Every error names the file and field and says what to fix.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Language;

/// What a suite measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Card,
    Insight,
    Cluster,
}

#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{path} is not a valid {what}: {reason} (see evals/README.md for the format)")]
    Parse {
        path: PathBuf,
        what: &'static str,
        reason: String,
    },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

/// One way of producing outputs: the extractive baseline, or a model with its own prompt and
/// parameters through the same cached, limited, retrying stack as `newsdesk run`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub name: String,
    /// `extractive` or `openai` (default: the config's provider.kind).
    #[serde(default)]
    pub provider: Option<String>,
    /// A provider preset (openai, deepseek, qwen, ollama, vllm, llamacpp): what the server can do
    /// (structured-output mode, schema lengths, token encoding) replaces the config's. Its base
    /// URL is used only when neither `base_url` nor OPENAI_BASE_URL names one.
    #[serde(default)]
    pub preset: Option<String>,
    /// The endpoint, when this variant has its own.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The variable holding this variant's API key.
    #[serde(default)]
    pub api_key_env: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub temperature: Option<f32>,
    /// A card.tera (or insight.tera) to use instead of the built-in one, relative to the suite.
    #[serde(default)]
    pub prompt: Option<PathBuf>,
    /// The variant whose blessed results this one is compared with, fixture by fixture (default:
    /// the suite's baseline): a prompt for a local model is judged against that model's blessed
    /// answers, not against the extractive baseline's.
    #[serde(default)]
    pub compare_with: Option<String>,
}

impl Variant {
    /// The variant this one is compared with in `suite`.
    pub fn reference<'s>(&'s self, suite: &'s Suite) -> &'s str {
        self.compare_with.as_deref().unwrap_or(&suite.baseline)
    }
}

/// The gate's settings: minimum means per metric, and the effect the statistics should resolve.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// metric name → the lowest acceptable mean (0-1) over the suite.
    #[serde(default)]
    pub min: std::collections::BTreeMap<String, f64>,
    /// The smallest mean change worth flagging (default 0.02): a regression must be at least this
    /// large *and* its 95 % CI must exclude zero.
    #[serde(default)]
    pub min_effect: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    stage: Stage,
    /// Fixture files or directories (every `*.toml` inside), relative to the suite file.
    #[serde(default)]
    fixtures: Vec<PathBuf>,
    /// Cluster cases (stage = "cluster").
    #[serde(default)]
    cases: Vec<ClusterCaseFile>,
    /// The variant whose blessed results every other variant is compared with.
    #[serde(default = "default_baseline")]
    baseline: String,
    #[serde(default)]
    variants: Vec<Variant>,
    #[serde(default)]
    thresholds: Thresholds,
    /// Ask the LLM judge (`prompts/judge.tera`) for a 1-5 score per output.
    #[serde(default)]
    judge: bool,
}

fn default_baseline() -> String {
    "extractive".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClusterCaseFile {
    name: String,
    /// A feed file or directory of feeds, relative to the suite file.
    inputs: PathBuf,
    /// canonical URL → story id (the shape of fixtures/days/*/stories.json).
    gold: PathBuf,
    /// Skip instead of failing when the inputs are absent (third-party corpora).
    #[serde(default)]
    optional: bool,
}

/// A loaded suite.
#[derive(Debug, Clone)]
pub struct Suite {
    pub path: PathBuf,
    /// The file stem (`cards`): names baselines and reports.
    pub name: String,
    pub stage: Stage,
    pub baseline: String,
    pub variants: Vec<Variant>,
    pub thresholds: Thresholds,
    pub judge: bool,
    pub cards: Vec<CardFixture>,
    pub insights: Vec<InsightFixture>,
    pub clusters: Vec<ClusterCase>,
}

impl Suite {
    pub fn min_effect(&self) -> f64 {
        self.thresholds.min_effect.unwrap_or(0.02)
    }

    /// Fixture ids in suite order.
    pub fn fixture_ids(&self) -> Vec<String> {
        match self.stage {
            Stage::Card => self.cards.iter().map(|f| f.id.clone()).collect(),
            Stage::Insight => self.insights.iter().map(|f| f.id.clone()).collect(),
            Stage::Cluster => self.clusters.iter().map(|c| c.name.clone()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub text: String,
    #[serde(default)]
    pub numbers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureArticle {
    pub id: String,
    pub outlet: String,
    pub title: String,
    pub url: String,
    pub published: chrono::DateTime<chrono::Utc>,
    pub text: String,
}

/// One topic: its articles, what a good card says, and the card a good editor would write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardFixture {
    pub id: String,
    pub language: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub section: String,
    pub importance: String,
    #[serde(default)]
    pub required_entities: Vec<String>,
    #[serde(default)]
    pub facts: Vec<Fact>,
    pub articles: Vec<FixtureArticle>,
    pub reference: crate::model::Card,
}

impl CardFixture {
    pub fn target(&self) -> Language {
        Language::from_tag(&self.language).unwrap_or(Language::En)
    }
}

/// The compact card an insight call receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureCard {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub importance: String,
    pub section: String,
    #[serde(default)]
    pub entities: Vec<String>,
}

/// One day of cards and what a good insight over them names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsightFixture {
    pub id: String,
    pub language: String,
    #[serde(default)]
    pub date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub required_keywords: Vec<String>,
    pub cards: Vec<FixtureCard>,
    pub reference: crate::model::Insight,
}

impl InsightFixture {
    pub fn target(&self) -> Language {
        Language::from_tag(&self.language).unwrap_or(Language::En)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterCase {
    pub name: String,
    pub inputs: PathBuf,
    pub gold: PathBuf,
    pub optional: bool,
}

fn read(path: &Path) -> Result<String, SuiteError> {
    std::fs::read_to_string(path).map_err(|e| SuiteError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn parse<T: serde::de::DeserializeOwned>(path: &Path, what: &'static str) -> Result<T, SuiteError> {
    toml::from_str(&read(path)?).map_err(|e| SuiteError::Parse {
        path: path.to_path_buf(),
        what,
        reason: e.to_string(),
    })
}

/// The fixture files named by `entries`: files as given, directories expanded to their `*.toml`
/// files in name order.
fn fixture_files(base: &Path, entries: &[PathBuf]) -> Result<Vec<PathBuf>, SuiteError> {
    let mut files = Vec::new();
    for entry in entries {
        let path = base.join(entry);
        if path.is_dir() {
            let listing = std::fs::read_dir(&path).map_err(|e| SuiteError::Read {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            let mut found: Vec<PathBuf> = listing
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

fn invalid(path: &Path, reason: String) -> SuiteError {
    SuiteError::Invalid {
        path: path.to_path_buf(),
        reason,
    }
}

/// Every `compare_with` names a variant of the suite.
fn check_compare_with(path: &Path, variants: &[Variant]) -> Result<(), SuiteError> {
    let missing = variants.iter().find_map(|v| {
        v.compare_with
            .as_ref()
            .filter(|c| !variants.iter().any(|o| &o.name == *c))
            .map(|c| (&v.name, c))
    });
    match missing {
        Some((variant, missing)) => Err(invalid(
            path,
            format!("variant {variant}: compare_with = \"{missing}\" names no [[variants]] entry"),
        )),
        None => Ok(()),
    }
}

/// The suite's variants, the extractive baseline first when the suite names no variant of that
/// name; an error when `baseline` names another variant that is not there.
fn variants_with_baseline(path: &Path, file: &SuiteFile) -> Result<Vec<Variant>, SuiteError> {
    let mut variants = file.variants.clone();
    if variants.iter().any(|v| v.name == file.baseline) {
        return Ok(variants);
    }
    if file.baseline != "extractive" {
        return Err(invalid(
            path,
            format!(
                "baseline = \"{}\" names no [[variants]] entry (add one or use \"extractive\")",
                file.baseline
            ),
        ));
    }
    variants.insert(
        0,
        Variant {
            name: "extractive".into(),
            provider: Some("extractive".into()),
            ..Variant::default()
        },
    );
    Ok(variants)
}

/// Loads a suite and its fixtures, checking what the types cannot: unique ids that match file
/// stems, known languages, 1-5 articles, and that the baseline is among the variants (the
/// extractive baseline is added when a suite names no variant of that name).
pub fn load(path: &Path) -> Result<Suite, SuiteError> {
    let file: SuiteFile = parse(path, "eval suite")?;
    let base = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "suite".into());
    let variants = variants_with_baseline(path, &file)?;
    check_compare_with(path, &variants)?;
    let mut suite = Suite {
        path: path.to_path_buf(),
        name,
        stage: file.stage,
        baseline: file.baseline.clone(),
        variants,
        thresholds: file.thresholds.clone(),
        judge: file.judge,
        cards: Vec::new(),
        insights: Vec::new(),
        clusters: Vec::new(),
    };
    let mut seen = std::collections::BTreeSet::new();
    for fixture_path in fixture_files(base, &file.fixtures)? {
        let stem = fixture_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (id, language) = match file.stage {
            Stage::Card => {
                let f: CardFixture = parse(&fixture_path, "card fixture")?;
                if !(1..=5).contains(&f.articles.len()) {
                    return Err(invalid(
                        &fixture_path,
                        format!("has {} articles, expected 1 to 5", f.articles.len()),
                    ));
                }
                let out = (f.id.clone(), f.language.clone());
                suite.cards.push(f);
                out
            }
            Stage::Insight => {
                let f: InsightFixture = parse(&fixture_path, "insight fixture")?;
                let out = (f.id.clone(), f.language.clone());
                suite.insights.push(f);
                out
            }
            Stage::Cluster => {
                return Err(invalid(
                    path,
                    "a cluster suite lists [[cases]], not fixtures".into(),
                ));
            }
        };
        if id != stem {
            return Err(invalid(
                &fixture_path,
                format!("id = \"{id}\" must equal the file name \"{stem}\""),
            ));
        }
        if Language::from_tag(&language).is_none() {
            return Err(invalid(
                &fixture_path,
                format!("language = \"{language}\" is not zh-Hant, zh-Hans or en"),
            ));
        }
        if !seen.insert(id.clone()) {
            return Err(invalid(&fixture_path, format!("id \"{id}\" is used twice")));
        }
    }
    for case in &file.cases {
        suite.clusters.push(ClusterCase {
            name: case.name.clone(),
            inputs: base.join(&case.inputs),
            gold: base.join(&case.gold),
            optional: case.optional,
        });
    }
    if suite.fixture_ids().is_empty() {
        return Err(invalid(path, "names no fixtures".into()));
    }
    Ok(suite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_suites_load() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("evals");
        let cards = load(&root.join("cards.toml")).unwrap();
        assert_eq!(cards.stage, Stage::Card);
        assert!(cards.variants.iter().any(|v| v.name == "extractive"));
        assert!(!cards.cards.is_empty());
        let insight = load(&root.join("insight.toml")).unwrap();
        assert!(!insight.insights.is_empty());
        let clusters = load(&root.join("clusters.toml")).unwrap();
        assert!(!clusters.clusters.is_empty());
    }

    #[test]
    fn a_fixture_whose_id_differs_from_its_file_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("evals/fixtures/cards");
        let any = fixture_files(&src, &[PathBuf::from(".")]).unwrap();
        std::fs::copy(&any[0], dir.path().join("renamed.toml")).unwrap();
        std::fs::write(
            dir.path().join("s.toml"),
            "stage = \"card\"\nfixtures = [\"renamed.toml\"]\n",
        )
        .unwrap();
        let err = load(&dir.path().join("s.toml")).unwrap_err().to_string();
        assert!(
            err.contains("renamed.toml") && err.contains("must equal"),
            "{err}"
        );
    }
}
