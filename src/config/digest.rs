//! Validation of `[digest]`, `[digest.ranking]`, `[[digest.sections]]` and `[[sources]]`: every problem is recorded
//! with its dotted key, and walking goes on so one run of `newsdesk` lists them all.

use chrono::NaiveTime;

use super::types::{
    DigestConfig, Layout, RankingConfig, SectionConfig, SourceConfig, SourceKind, SourceLocation,
};
use super::validate::{Table, Validator};
use crate::model::{Labels, Language};

/// The keys `[digest]` knows.
const DIGEST_KEYS: &[&str] = &[
    "title",
    "language",
    "layout",
    "timezone",
    "window_hours",
    "cutoff",
    "max_topics",
    "focus_topics",
    "min_topics",
    "out_dir",
    "sections",
    "templates_dir",
    "prompts_dir",
    "site_url",
    "ranking",
];

impl Validator {
    pub(super) fn digest(&mut self, t: &Table, base_dir: &std::path::Path) -> Option<DigestConfig> {
        const P: &str = "digest";
        self.unknown_keys(t, P, DIGEST_KEYS);
        let title = self.string(t, "title", P, Some("AI Daily"));
        let language = self.digest_language(t);
        let layout = self.layout(t);
        let timezone = self.timezone(t);
        let window_hours = self.integer(t, "window_hours", P, 24, 1..=24 * 14) as u32;
        let cutoff = self.cutoff(t);
        let max_topics = self.integer(t, "max_topics", P, 48, 1..=500) as usize;
        let focus_topics = self.integer(t, "focus_topics", P, 6, 0..=50) as usize;
        let min_topics = self.integer(t, "min_topics", P, 5, 0..=500) as usize;
        if min_topics > max_topics {
            self.problem(
                "digest.min_topics",
                format!("{min_topics} is more than max_topics ({max_topics})"),
            );
        }
        let out_dir = self
            .string(t, "out_dir", P, Some("out"))
            .map(|p| base_dir.join(p));
        let templates_dir = self.optional_dir(t, "templates_dir", base_dir);
        let prompts_dir = self.optional_dir(t, "prompts_dir", base_dir);
        let site_url = self.site_url(t);
        let sections = self.sections(t);
        let ranking = self.ranking(t);
        Some(DigestConfig {
            title: title?,
            language: language?,
            layout: layout?,
            timezone: timezone?,
            window_hours,
            cutoff,
            max_topics,
            focus_topics,
            min_topics,
            out_dir: out_dir?,
            sections,
            templates_dir,
            prompts_dir,
            site_url,
            ranking,
        })
    }

    fn digest_language(&mut self, t: &Table) -> Option<Language> {
        self.string(t, "language", "digest", Some("zh-Hant"))
            .and_then(|tag| {
                let lang = Language::from_tag(&tag);
                if lang.is_none() {
                    self.problem(
                        "digest.language",
                        format!("\"{tag}\" is not supported (expected zh-Hant, zh-Hans or en)"),
                    );
                }
                lang
            })
    }

    fn layout(&mut self, t: &Table) -> Option<Layout> {
        self.string(t, "layout", "digest", Some("daily"))
            .and_then(|name| {
                let layout = Layout::from_name(&name);
                if layout.is_none() {
                    self.problem(
                        "digest.layout",
                        format!("\"{name}\" is not a layout (expected daily, speedread or brief)"),
                    );
                }
                layout
            })
    }

    fn timezone(&mut self, t: &Table) -> Option<chrono_tz::Tz> {
        self.string(t, "timezone", "digest", Some("Asia/Taipei"))
            .and_then(|name| {
                let tz = name.parse::<chrono_tz::Tz>().ok();
                if tz.is_none() {
                    self.problem(
                        "digest.timezone",
                        format!("\"{name}\" is not an IANA timezone (e.g. Asia/Taipei, UTC)"),
                    );
                }
                tz
            })
    }

    /// `digest.cutoff`, "HH:MM" (absent: none).
    fn cutoff(&mut self, t: &Table) -> Option<NaiveTime> {
        match t.get("cutoff") {
            None => None,
            Some(toml::Value::String(s)) => {
                let parsed = NaiveTime::parse_from_str(s, "%H:%M").ok();
                if parsed.is_none() {
                    self.problem(
                        "digest.cutoff",
                        format!("\"{s}\" is not a time of day (expected \"HH:MM\")"),
                    );
                }
                parsed
            }
            Some(other) => {
                self.problem(
                    "digest.cutoff",
                    format!("expected a string \"HH:MM\", found {}", other.type_str()),
                );
                None
            }
        }
    }

    /// An optional directory key, relative to the config file's directory.
    fn optional_dir(
        &mut self,
        t: &Table,
        key: &str,
        base_dir: &std::path::Path,
    ) -> Option<std::path::PathBuf> {
        t.contains_key(key)
            .then(|| self.string(t, key, "digest", None))
            .flatten()
            .map(|p| base_dir.join(p))
    }

    /// `digest.site_url`, an http(s) URL without its trailing slash (absent: none).
    fn site_url(&mut self, t: &Table) -> Option<String> {
        t.contains_key("site_url")
            .then(|| self.string(t, "site_url", "digest", None))
            .flatten()
            .and_then(|url| {
                if url.starts_with("https://") || url.starts_with("http://") {
                    Some(url.trim_end_matches('/').to_string())
                } else {
                    self.problem(
                        "digest.site_url",
                        format!(
                            "\"{url}\" is not an http(s) URL (e.g. https://news.example.com/ai)"
                        ),
                    );
                    None
                }
            })
    }

    /// `[digest.ranking]` and its `[digest.ranking.boost]` tables; absent keys keep the defaults.
    fn ranking(&mut self, digest: &Table) -> RankingConfig {
        const P: &str = "digest.ranking";
        let defaults = RankingConfig::default();
        let Some(t) = self.sub_table(digest, "ranking", "digest") else {
            return defaults;
        };
        self.unknown_keys(
            t,
            P,
            &[
                "outlets",
                "tier",
                "recency",
                "recency_half_life_hours",
                "size",
                "relevance",
                "boost",
            ],
        );
        const WEIGHT: std::ops::RangeInclusive<f64> = 0.0..=100.0;
        let mut ranking = RankingConfig {
            outlets: self.float(t, "outlets", P, defaults.outlets, WEIGHT),
            tier: self.float(t, "tier", P, defaults.tier, WEIGHT),
            recency: self.float(t, "recency", P, defaults.recency, WEIGHT),
            recency_half_life_hours: self.float(
                t,
                "recency_half_life_hours",
                P,
                defaults.recency_half_life_hours,
                1.0..=24.0 * 30.0,
            ),
            size: self.float(t, "size", P, defaults.size, WEIGHT),
            relevance: self.float(t, "relevance", P, defaults.relevance, WEIGHT),
            ..defaults
        };
        if let Some(boost) = self.sub_table(t, "boost", P) {
            const B: &str = "digest.ranking.boost";
            self.unknown_keys(boost, B, &["sources", "keywords", "entities"]);
            ranking.source_boosts = self.boosts(boost, "sources", B);
            ranking.keyword_boosts = self.boosts(boost, "keywords", B);
            ranking.entity_boosts = self.boosts(boost, "entities", B);
        }
        ranking
    }

    /// A table of name = boost (a number in -100..=100), in key order, empty names refused.
    fn boosts(&mut self, table: &Table, key: &str, prefix: &str) -> Vec<(String, f64)> {
        let Some(t) = self.sub_table(table, key, prefix) else {
            return Vec::new();
        };
        let prefix = format!("{prefix}.{key}");
        let mut boosts = Vec::new();
        for name in t.keys() {
            if name.trim().is_empty() {
                self.problem(&prefix, "an empty name matches nothing; remove it");
                continue;
            }
            let value = self.float(t, name, &prefix, f64::NAN, -100.0..=100.0);
            if !value.is_nan() {
                boosts.push((name.clone(), value));
            }
        }
        boosts
    }

    pub(super) fn sections(&mut self, t: &Table) -> Vec<SectionConfig> {
        let Some(value) = t.get("sections") else {
            self.problem(
                "digest.sections",
                "missing (expected at least one [[digest.sections]] with id, label and describe)",
            );
            return Vec::new();
        };
        let Some(array) = value.as_array() else {
            self.problem(
                "digest.sections",
                format!(
                    "expected an array of tables ([[digest.sections]]), found {}",
                    value.type_str()
                ),
            );
            return Vec::new();
        };
        if array.is_empty() {
            self.problem("digest.sections", "empty (expected at least one section)");
        }
        let mut sections: Vec<SectionConfig> = Vec::new();
        for (i, item) in array.iter().enumerate() {
            let prefix = format!("digest.sections[{i}]");
            let Some(st) = item.as_table() else {
                self.problem(&prefix, "expected a table with id, label and describe");
                continue;
            };
            self.unknown_keys(st, &prefix, &["id", "label", "describe"]);
            let id = self.string(st, "id", &prefix, None);
            let describe = self.string(st, "describe", &prefix, Some(""));
            let mut label = Labels::new();
            match st.get("label") {
                None => {}
                Some(toml::Value::String(s)) => {
                    for lang in Language::ALL {
                        label.insert(lang.tag().to_string(), s.clone());
                    }
                }
                Some(toml::Value::Table(lt)) => {
                    for (tag, v) in lt {
                        if Language::from_tag(tag).is_none() {
                            self.problem(
                                format!("{prefix}.label.{tag}"),
                                "unknown language (expected zh-Hant, zh-Hans or en)",
                            );
                        } else if let Some(s) = v.as_str() {
                            label.insert(tag.clone(), s.to_string());
                        } else {
                            self.problem(format!("{prefix}.label.{tag}"), "expected a string");
                        }
                    }
                }
                Some(other) => self.problem(
                    format!("{prefix}.label"),
                    format!(
                        "expected a string or a table of language = label, found {}",
                        other.type_str()
                    ),
                ),
            }
            if let Some(id) = id {
                if id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    self.problem(
                        format!("{prefix}.id"),
                        format!("\"{id}\" must be non-empty ASCII letters, digits, - or _"),
                    );
                } else if sections.iter().any(|s| s.id == id) {
                    self.problem(
                        format!("{prefix}.id"),
                        format!("\"{id}\" is used by an earlier section"),
                    );
                } else {
                    sections.push(SectionConfig {
                        id,
                        label,
                        describe: describe.unwrap_or_default(),
                    });
                }
            }
        }
        sections
    }

    pub(super) fn sources(
        &mut self,
        root: &Table,
        base_dir: &std::path::Path,
    ) -> Vec<SourceConfig> {
        let Some(value) = root.get("sources") else {
            return Vec::new();
        };
        let Some(array) = value.as_array() else {
            self.problem(
                "sources",
                format!(
                    "expected an array of tables ([[sources]]), found {}",
                    value.type_str()
                ),
            );
            return Vec::new();
        };
        let mut sources: Vec<SourceConfig> = Vec::new();
        for (i, item) in array.iter().enumerate() {
            let prefix = format!("sources[{i}]");
            let Some(st) = item.as_table() else {
                self.problem(&prefix, "expected a table with name and url");
                continue;
            };
            self.unknown_keys(st, &prefix, &["name", "url", "tier", "full_text", "kind"]);
            let kind = match self.string(st, "kind", &prefix, Some("feed")).as_deref() {
                Some("arxiv") => SourceKind::Arxiv,
                Some("feed") | None => SourceKind::Feed,
                Some(other) => {
                    self.problem(
                        format!("{prefix}.kind"),
                        format!("\"{other}\" is not a source kind (expected feed or arxiv)"),
                    );
                    SourceKind::Feed
                }
            };
            let name = self.string(st, "name", &prefix, None);
            let url = self.string(st, "url", &prefix, None);
            let tier = self.integer(st, "tier", &prefix, 2, 1..=3) as u8;
            let full_text = self.boolean(st, "full_text", &prefix, false);
            let (Some(name), Some(url)) = (name, url) else {
                continue;
            };
            if sources.iter().any(|s| s.name == name) {
                self.problem(
                    format!("{prefix}.name"),
                    format!("\"{name}\" is used by an earlier source"),
                );
                continue;
            }
            let location = if url.starts_with("http://") || url.starts_with("https://") {
                if !crate::text::url::is_absolute_http(&url) {
                    self.problem(
                        format!("{prefix}.url"),
                        format!("\"{url}\" is not a valid http(s) URL"),
                    );
                    continue;
                }
                SourceLocation::Url(url)
            } else if url.contains("://") {
                self.problem(
                    format!("{prefix}.url"),
                    format!("\"{url}\": only http(s) URLs and local paths are supported"),
                );
                continue;
            } else {
                SourceLocation::Path(base_dir.join(url))
            };
            if kind == SourceKind::Arxiv && !matches!(location, SourceLocation::Url(_)) {
                self.problem(
                    format!("{prefix}.url"),
                    "an arxiv source needs an http(s) API query URL (https://export.arxiv.org/api/query?search_query=…)",
                );
                continue;
            }
            sources.push(SourceConfig {
                name,
                location,
                tier,
                full_text,
                kind,
            });
        }
        sources
    }
}
