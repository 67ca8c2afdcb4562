//! Rendering the roll-up. In: a finished `WeeklyDigest` and an optional directory of template
//! overrides; out: Markdown, a self-contained HTML page and pretty JSON. Templates render a view
//! model with labels resolved for the language, text in the target script with whitespace
//! collapsed and links checked; Markdown escaping is the `md` filter's job and HTML escaping
//! tera's, so one view serves both. It never writes files and never reads the clock.

use std::path::Path;

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera};

use crate::model::{Language, WeeklyDigest};
use crate::render::escape::{checked_link, escape_markdown};
use crate::render::{RenderError, tidy, yaml_str};
use crate::text::to_script;

const MARKDOWN_TEMPLATE: (&str, &str) =
    ("weekly.md.tera", include_str!("templates/weekly.md.tera"));
const HTML_TEMPLATE: (&str, &str) = (
    "weekly.html.tera",
    include_str!("templates/weekly.html.tera"),
);

/// Front matter lists this many keywords as tags (the daily layout's insight gives 3-6).
const FRONT_MATTER_TAGS: usize = 6;

/// The fixed words of the roll-up in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WeeklyLabels {
    pub title_suffix: &'static str,
    pub overview: &'static str,
    pub outlook: &'static str,
    pub keywords: &'static str,
    pub observations: &'static str,
    pub logic_chain: &'static str,
    pub insight: &'static str,
    pub stories: &'static str,
    /// "{cards} cards · {days} days" under a keyword heading.
    pub theme_counts: &'static str,
    /// Footer: "{days}", "{cards}" and "{themes}" substituted.
    pub footer: &'static str,
    pub list_separator: &'static str,
    pub colon: &'static str,
}

pub const ZH_HANT: WeeklyLabels = WeeklyLabels {
    title_suffix: "每週關鍵詞",
    overview: "本週概覽",
    outlook: "下週關注",
    keywords: "本週關鍵詞",
    observations: "核心觀察",
    logic_chain: "邏輯鏈條",
    insight: "本質洞見",
    stories: "本週報導",
    theme_counts: "{cards} 張卡片 · {days} 天",
    footer: "資料來源：{days} 天的日報、{cards} 張卡片 | 關鍵詞：{themes} 個",
    list_separator: "、",
    colon: "：",
};

pub const ZH_HANS: WeeklyLabels = WeeklyLabels {
    title_suffix: "每周关键词",
    overview: "本周概览",
    outlook: "下周关注",
    keywords: "本周关键词",
    observations: "核心观察",
    logic_chain: "逻辑链条",
    insight: "本质洞见",
    stories: "本周报道",
    theme_counts: "{cards} 张卡片 · {days} 天",
    footer: "数据来源：{days} 天的日报、{cards} 张卡片 | 关键词：{themes} 个",
    list_separator: "、",
    colon: "：",
};

pub const EN: WeeklyLabels = WeeklyLabels {
    title_suffix: "Weekly Keywords",
    overview: "This Week",
    outlook: "Next Week",
    keywords: "Keywords of the Week",
    observations: "Key Observations",
    logic_chain: "Chain of Reasoning",
    insight: "Essential Insight",
    stories: "This Week's Stories",
    theme_counts: "{cards} cards · {days} days",
    footer: "Sources: {cards} cards from {days} daily digests | Keywords: {themes}",
    list_separator: ", ",
    colon: ": ",
};

pub fn labels(language: Language) -> &'static WeeklyLabels {
    match language {
        Language::ZhHant => &ZH_HANT,
        Language::ZhHans => &ZH_HANS,
        Language::En => &EN,
    }
}

#[derive(Debug, Clone, Serialize)]
struct WeeklyView {
    language: &'static str,
    labels: WeeklyLabels,
    week: String,
    title: String,
    date: String,
    headline: String,
    summary: String,
    outlook: String,
    /// Keywords in theme order, for the keyword line and the front matter's summary.
    keywords: Vec<String>,
    /// The first `FRONT_MATTER_TAGS` keywords.
    tags: Vec<String>,
    generator: GeneratorView,
    themes: Vec<ThemeView>,
    footer: String,
}

#[derive(Debug, Clone, Serialize)]
struct GeneratorView {
    provider: String,
    model: String,
    run: String,
}

#[derive(Debug, Clone, Serialize)]
struct ThemeView {
    id: String,
    number: usize,
    keyword: String,
    counts: String,
    observations: Vec<String>,
    logic_chain: Vec<String>,
    insight: String,
    stories: Vec<StoryView>,
}

#[derive(Debug, Clone, Serialize)]
struct StoryView {
    date: String,
    title: String,
    /// Checked absolute http(s) URL, or empty when the card had no usable source.
    url: String,
    outlet: String,
}

/// Target script, whitespace collapsed to single spaces.
fn plain(text: &str, language: Language) -> String {
    to_script(text, language)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn build_view(digest: &WeeklyDigest) -> WeeklyView {
    let language = digest.language;
    let labels = *labels(language);
    let p = |text: &str| plain(text, language);
    let themes: Vec<ThemeView> = digest
        .themes
        .iter()
        .enumerate()
        .map(|(i, theme)| ThemeView {
            id: theme.id.clone(),
            number: i + 1,
            keyword: p(&theme.card.keyword),
            counts: labels
                .theme_counts
                .replace("{cards}", &theme.cards.len().to_string())
                .replace("{days}", &theme.days.to_string()),
            observations: theme.card.observations.iter().map(|o| p(o)).collect(),
            logic_chain: theme.card.logic_chain.iter().map(|o| p(o)).collect(),
            insight: p(&theme.card.insight),
            stories: theme
                .cards
                .iter()
                .map(|card| {
                    let source = card.source.as_ref();
                    StoryView {
                        date: card.date.to_string(),
                        title: p(&card.title),
                        url: source
                            .and_then(|s| checked_link(&s.url))
                            .unwrap_or_default(),
                        outlet: source.map(|s| p(&s.outlet)).unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();
    let keywords: Vec<String> = themes.iter().map(|t| t.keyword.clone()).collect();
    let headline = p(&digest.overview.headline);
    WeeklyView {
        language: language.tag(),
        labels,
        week: digest.week.clone(),
        title: format!(
            "{} {} — {}",
            p(&digest.title),
            labels.title_suffix,
            digest.week
        ),
        date: digest.generated_at.clone(),
        headline,
        summary: p(&digest.overview.summary),
        outlook: p(&digest.overview.outlook),
        tags: keywords.iter().take(FRONT_MATTER_TAGS).cloned().collect(),
        keywords,
        generator: GeneratorView {
            provider: digest.generator.provider.clone(),
            model: digest.generator.model.clone(),
            run: digest.generator.run.clone(),
        },
        footer: labels
            .footer
            .replace("{days}", &digest.runs.len().to_string())
            .replace("{cards}", &digest.card_count.to_string())
            .replace("{themes}", &digest.themes.len().to_string()),
        themes,
    }
}

/// The template's source and a name for error messages: `<dir>/<name>` when it exists, the
/// embedded default otherwise.
fn template_source(
    dir: Option<&Path>,
    (name, embedded): (&str, &str),
) -> Result<(String, String), RenderError> {
    if let Some(dir) = dir {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(source) => return Ok((source, path.display().to_string())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(RenderError::ReadTemplate { path, source }),
        }
    }
    Ok((embedded.to_string(), format!("{name} (built-in)")))
}

fn render_with(
    digest: &WeeklyDigest,
    templates_dir: Option<&Path>,
    template: (&str, &str),
    html: bool,
) -> Result<String, RenderError> {
    let (source, origin) = template_source(templates_dir, template)?;
    let template_error = |err: tera::Error| RenderError::Template {
        template: origin.clone(),
        message: err.to_string(),
    };
    let mut tera = Tera::new();
    if html {
        tera.autoescape_on(vec![".html.tera"]);
    } else {
        tera.autoescape_on(Vec::<&str>::new());
    }
    tera.register_filter("yaml_str", |value: &str, _: Kwargs, _: &State| {
        yaml_str(value)
    });
    tera.register_filter("md", |value: &str, _: Kwargs, _: &State| {
        escape_markdown(value)
    });
    tera.add_raw_template(template.0, &source)
        .map_err(template_error)?;
    let context = Context::from_serialize(&build_view(digest)).map_err(template_error)?;
    let rendered = tera.render(template.0, &context).map_err(template_error)?;
    Ok(tidy(&rendered))
}

/// The roll-up as Markdown (Hugo front matter, one `##` section per keyword card).
pub fn render_markdown(
    digest: &WeeklyDigest,
    templates_dir: Option<&Path>,
) -> Result<String, RenderError> {
    render_with(digest, templates_dir, MARKDOWN_TEMPLATE, false)
}

/// The roll-up as one self-contained HTML page (inline CSS, no external requests).
pub fn render_html(
    digest: &WeeklyDigest,
    templates_dir: Option<&Path>,
) -> Result<String, RenderError> {
    render_with(digest, templates_dir, HTML_TEMPLATE, true)
}

/// Pretty JSON of the roll-up, ending in one newline.
pub fn render_json(digest: &WeeklyDigest) -> Result<String, RenderError> {
    let mut json = serde_json::to_string_pretty(digest)?;
    json.push('\n');
    Ok(json)
}

/// The language of a rendered roll-up, when `markdown` is one: its overview heading and the
/// keyword cards' observation label in one language. `newsdesk lint` uses it to check a roll-up
/// with the rules that hold for any document instead of refusing it as no digest.
pub fn rollup_language(markdown: &str) -> Option<Language> {
    Language::ALL.into_iter().find(|&language| {
        let labels = labels(language);
        markdown.contains(&format!("\n## {}\n", labels.overview))
            && markdown.contains(labels.observations)
    })
}
