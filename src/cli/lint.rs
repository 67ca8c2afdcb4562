//! `newsdesk lint FILE`: the digest QA rules on a Markdown file.

use std::path::Path;

use anyhow::Context as _;

use super::*;
use crate::config::Layout;
use crate::lint::{self, LintOptions};
use crate::report::Reporter;

/// `newsdesk lint FILE`: the digest QA rules on a Markdown file.
pub fn lint(
    file: &Path,
    layout: Option<Layout>,
    json: bool,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let rollup = layout
        .is_none()
        .then(|| crate::weekly::render::rollup_language(&text))
        .flatten();
    let report = match rollup {
        Some(language) => lint::lint_document(&text, language),
        None => lint::lint_markdown(
            &text,
            &LintOptions {
                language: None,
                layout,
            },
        ),
    };
    if json {
        reporter.output(&serde_json::to_string_pretty(&serde_json::json!({
            "file": file,
            "errors": report.errors().len(),
            "warnings": report.warnings().len(),
            "findings": report.findings,
        }))?);
    } else {
        let mut out = String::new();
        for finding in &report.findings {
            out.push_str(&finding.located(file));
            out.push('\n');
        }
        out.push_str(&format!(
            "{} error(s), {} warning(s)\n",
            report.errors().len(),
            report.warnings().len()
        ));
        reporter.output(&out);
    }
    Ok(if report.has_errors() {
        Exit::Error
    } else {
        Exit::Ok
    })
}
