//! The render stage. In: a finished `Digest`, the configured sections and an optional directory of
//! template overrides; out: the digest as Markdown in the daily layout, or as pretty JSON.
//! Templates render a view model (`view`) with labels resolved, text escaped and in the target
//! script and links checked — never raw cards. It never writes files and never reads the clock.

pub mod labels;
pub mod script;
pub mod view;

use std::path::{Path, PathBuf};

use tera::{Context, Kwargs, State, Tera};

use crate::config::SectionConfig;
use crate::model::Digest;

/// The built-in daily template; `<templates_dir>/daily.md.tera` replaces it when present.
const DAILY_TEMPLATE: &str = include_str!("templates/daily.md.tera");
const DAILY_TEMPLATE_NAME: &str = "daily.md.tera";

#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// Configured sections, in the order they are rendered.
    pub sections: &'a [SectionConfig],
    /// Directory whose `*.tera` files override the embedded templates.
    pub templates_dir: Option<&'a Path>,
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

/// Digest → Markdown in the daily layout. Script normalisation to the digest language happens
/// here (view-model text fields, not URLs).
pub fn render_markdown(digest: &Digest, opts: &RenderOptions) -> Result<String, RenderError> {
    let view = view::build_view(digest, opts.sections)?;
    let (source, origin) = daily_template(opts.templates_dir)?;
    let template_error = |err: tera::Error| RenderError::Template {
        template: origin.clone(),
        message: err.to_string(),
    };

    let mut tera = Tera::new();
    // Markdown is not HTML: escaping is the view model's job, per field and per syntax.
    tera.autoescape_on(Vec::<&str>::new());
    tera.register_filter("yaml_str", |value: &str, _: Kwargs, _: &State| {
        yaml_str(value)
    });
    tera.add_raw_template(DAILY_TEMPLATE_NAME, &source)
        .map_err(template_error)?;
    let context = Context::from_serialize(&view).map_err(template_error)?;
    let rendered = tera
        .render(DAILY_TEMPLATE_NAME, &context)
        .map_err(template_error)?;
    Ok(tidy(&rendered))
}

/// Pretty JSON of the digest, ending in one newline.
pub fn render_json(digest: &Digest) -> Result<String, RenderError> {
    let mut json = serde_json::to_string_pretty(digest)?;
    json.push('\n');
    Ok(json)
}

/// The daily template's source and a name for error messages: the override file when it
/// exists, the embedded default otherwise.
fn daily_template(templates_dir: Option<&Path>) -> Result<(String, String), RenderError> {
    if let Some(dir) = templates_dir {
        let path = dir.join(DAILY_TEMPLATE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(source) => return Ok((source, path.display().to_string())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(RenderError::ReadTemplate { path, source }),
        }
    }
    Ok((
        DAILY_TEMPLATE.to_string(),
        format!("{DAILY_TEMPLATE_NAME} (built-in)"),
    ))
}

/// A YAML double-quoted scalar holding exactly `value`.
pub fn yaml_str(value: &str) -> String {
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
