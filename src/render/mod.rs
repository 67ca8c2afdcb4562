//! The render stage. In: a finished `Digest`, the configured sections, the layout and an optional
//! directory of template overrides; out: the digest as Markdown in one of three layouts (daily,
//! speedread, brief), as one self-contained HTML page, or as pretty JSON. Templates render a view
//! model (`view`) with labels resolved, text escaped for the output syntax and in the target
//! script, and links checked — never raw cards. It never writes files and never reads the clock.

pub(crate) mod escape;
pub(crate) mod feed;
pub(crate) mod fields;
pub(crate) mod labels;
pub(crate) mod view;

use std::path::{Path, PathBuf};

use tera::{Context, Kwargs, State, Tera};

pub(crate) use crate::config::Layout;
use crate::config::SectionConfig;
use crate::model::Digest;
use escape::Syntax;

/// The built-in templates, by file name; `<templates_dir>/<name>` replaces one when present.
const TEMPLATES: [(&str, &str); 4] = [
    ("daily.md.tera", include_str!("templates/daily.md.tera")),
    (
        "speedread.md.tera",
        include_str!("templates/speedread.md.tera"),
    ),
    ("brief.md.tera", include_str!("templates/brief.md.tera")),
    (
        "digest.html.tera",
        include_str!("templates/digest.html.tera"),
    ),
];

/// The page's stylesheet, inlined into every HTML digest (no external requests).
pub(crate) const HTML_STYLE: &str = include_str!("templates/digest.css");

#[derive(Debug, Clone, Copy)]
pub(crate) struct RenderOptions<'a> {
    /// Configured sections, in the order they are rendered.
    pub sections: &'a [SectionConfig],
    /// Directory whose `*.tera` files override the embedded templates.
    pub templates_dir: Option<&'a Path>,
    /// The Markdown layout.
    pub layout: Layout,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "cannot read template override {path}: {source}; fix it or remove it to use the built-in template"
    )]
    ReadTemplate {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "template {template} failed: {message}\nfix the template or remove it to use the built-in one"
    )]
    Template { template: String, message: String },
    #[error(
        "digest generated_at {value:?} is not an RFC 3339 timestamp with offset (e.g. 2026-01-01T06:43:15+08:00)"
    )]
    GeneratedAt { value: String },
    #[error(
        "{cards} non-focus card(s) have no section to go in: configure at least one [[digest.sections]]"
    )]
    NoSections { cards: usize },
    #[error("cannot serialise the digest to JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Digest → Markdown in the configured layout. Script normalisation to the digest language
/// happens here (view-model text fields, not URLs).
pub(crate) fn render_markdown(
    digest: &Digest,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let view = view::build_view(digest, opts.sections, Syntax::Markdown)?;
    let name = format!("{}.md.tera", opts.layout.name());
    Ok(tidy(&render_template(&name, &view, opts.templates_dir)?))
}

/// Digest → one self-contained HTML page (inline CSS, no scripts, no external requests), from
/// the same view model as the Markdown.
pub(crate) fn render_html(digest: &Digest, opts: &RenderOptions) -> Result<String, RenderError> {
    let view = view::build_view(digest, opts.sections, Syntax::Html)?;
    let mut context = Context::from_serialize(&view).map_err(|err| RenderError::Template {
        template: "digest.html.tera".to_string(),
        message: err.to_string(),
    })?;
    context.insert("style", HTML_STYLE);
    render_with_context("digest.html.tera", &context, opts.templates_dir)
}

/// Pretty JSON of the digest, ending in one newline. Its shape is `Digest`'s, documented by
/// `json_schema`.
pub(crate) fn render_json(digest: &Digest) -> Result<String, RenderError> {
    let mut json = serde_json::to_string_pretty(digest)?;
    json.push('\n');
    Ok(json)
}

/// The JSON Schema (draft 2020-12) of `<date>.json`, generated from `Digest`'s types, pretty,
/// ending in one newline: what a site generator or a bot can validate a digest against.
pub(crate) fn json_schema() -> String {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(Digest)).expect("schemas serialize");
    schema["title"] = "newsdesk digest".into();
    schema["description"] =
        "One day's digest as newsdesk writes it to <date>.json: cards in rank order with their sources, the editor's insight, counts and provenance."
            .into();
    let mut text = serde_json::to_string_pretty(&schema).expect("schemas serialize");
    text.push('\n');
    text
}

fn render_template(
    name: &str,
    view: &view::DigestView,
    templates_dir: Option<&Path>,
) -> Result<String, RenderError> {
    let context = Context::from_serialize(view).map_err(|err| RenderError::Template {
        template: name.to_string(),
        message: err.to_string(),
    })?;
    render_with_context(name, &context, templates_dir)
}

fn render_with_context(
    name: &str,
    context: &Context,
    templates_dir: Option<&Path>,
) -> Result<String, RenderError> {
    let (source, origin) = template_source(name, templates_dir)?;
    let template_error = |err: tera::Error| RenderError::Template {
        template: origin.clone(),
        message: err.to_string(),
    };
    let mut tera = Tera::new();
    // Escaping is the view model's job, per field and per syntax (Markdown is not HTML).
    tera.autoescape_on(Vec::<&str>::new());
    tera.register_filter("yaml_str", |value: &str, _: Kwargs, _: &State| {
        yaml_str(value)
    });
    tera.add_raw_template(name, &source)
        .map_err(template_error)?;
    tera.render(name, context).map_err(template_error)
}

/// A template's source and a name for error messages: the override file when it exists, the
/// embedded default otherwise.
fn template_source(
    name: &str,
    templates_dir: Option<&Path>,
) -> Result<(String, String), RenderError> {
    if let Some(dir) = templates_dir {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(source) => return Ok((source, path.display().to_string())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(RenderError::ReadTemplate { path, source }),
        }
    }
    let builtin = TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, source)| source.to_string())
        .unwrap_or_default();
    Ok((builtin, format!("{name} (built-in)")))
}

/// A YAML double-quoted scalar holding exactly `value`.
pub(crate) fn yaml_str(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // YAML treats these as line breaks or forbids them raw.
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whitespace guarantees that hold whatever template produced `markdown`: no trailing
/// whitespace except a two-space hard break before a non-blank line, at most one blank line in a
/// row, no leading blank lines, exactly one final newline.
pub(crate) fn tidy(markdown: &str) -> String {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = String::with_capacity(markdown.len());
    let mut blank_run = 0usize;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            blank_run += 1;
            continue;
        }
        if blank_run > 0 && !out.is_empty() {
            out.push('\n');
        }
        blank_run = 0;
        out.push_str(trimmed);
        let next_is_text = lines.get(i + 1).is_some_and(|next| !next.trim().is_empty());
        if line.ends_with("  ") && next_is_text {
            out.push_str("  ");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
