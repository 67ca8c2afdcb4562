//! Prompt templates. In: the embedded defaults from `prompts/`, optionally overridden by files of
//! the same name in `digest.prompts_dir`; out: rendered system + user messages, and a blake3 hash
//! per template for the run manifest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::llm::Message;

const EMBEDDED: &[(&str, &str)] = &[
    ("card.tera", include_str!("../../prompts/card.tera")),
    ("insight.tera", include_str!("../../prompts/insight.tera")),
    ("more.tera", include_str!("../../prompts/more.tera")),
    ("triage.tera", include_str!("../../prompts/triage.tera")),
    ("weekly.tera", include_str!("../../prompts/weekly.tera")),
    (
        "weekly_overview.tera",
        include_str!("../../prompts/weekly_overview.tera"),
    ),
];

/// The line separating the system message from the user message in a template.
const USER_MARKER: &str = "<<<USER>>>";

#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("cannot read prompt override {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error(
        "prompt template {name} does not parse: {reason} (fix the file or remove it to use the built-in prompt)"
    )]
    Parse { name: String, reason: String },
    #[error("prompt template {name} failed to render: {reason}")]
    Render { name: String, reason: String },
    #[error(
        "prompt template {name} has no {USER_MARKER} line separating the system and user messages"
    )]
    NoUserMarker { name: String },
}

pub struct Prompts {
    tera: tera::Tera,
    hashes: BTreeMap<String, String>,
}

impl Prompts {
    /// The embedded prompts, each replaced by `<dir>/<name>` when that file exists.
    pub fn load(dir: Option<&Path>) -> Result<Prompts, PromptError> {
        let mut tera = tera::Tera::new();
        let mut hashes = BTreeMap::new();
        for (name, embedded) in EMBEDDED {
            let text = match dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
                Some(path) => std::fs::read_to_string(&path).map_err(|e| PromptError::Read {
                    path,
                    reason: e.to_string(),
                })?,
                None => embedded.to_string(),
            };
            if !text.contains(USER_MARKER) {
                return Err(PromptError::NoUserMarker {
                    name: name.to_string(),
                });
            }
            tera.add_raw_template(name, &text)
                .map_err(|e| PromptError::Parse {
                    name: name.to_string(),
                    reason: e.to_string(),
                })?;
            hashes.insert(
                name.to_string(),
                blake3::hash(text.as_bytes()).to_hex()[..16].to_string(),
            );
        }
        Ok(Prompts { tera, hashes })
    }

    /// Template name → short blake3 of its text.
    pub fn hashes(&self) -> &BTreeMap<String, String> {
        &self.hashes
    }

    /// Renders `name` and splits it into the system and user messages.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<Vec<Message>, PromptError> {
        let text = self
            .tera
            .render(name, context)
            .map_err(|e| PromptError::Render {
                name: name.to_string(),
                reason: e.to_string(),
            })?;
        let (system, user) =
            text.split_once(USER_MARKER)
                .ok_or_else(|| PromptError::NoUserMarker {
                    name: name.to_string(),
                })?;
        Ok(vec![
            Message::system(system.trim()),
            Message::user(user.trim()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_directory_replaces_a_prompt_and_changes_its_hash() {
        let builtin = Prompts::load(None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("card.tera"),
            "Be brief.\n<<<USER>>>\nTopic {{ rank }}",
        )
        .unwrap();
        let overridden = Prompts::load(Some(dir.path())).unwrap();
        assert_ne!(
            builtin.hashes()["card.tera"],
            overridden.hashes()["card.tera"]
        );
        assert_eq!(
            builtin.hashes()["insight.tera"],
            overridden.hashes()["insight.tera"]
        );
        let mut ctx = tera::Context::new();
        ctx.insert("rank", &3);
        let messages = overridden.render("card.tera", &ctx).unwrap();
        assert_eq!(messages[0].content, "Be brief.");
        assert_eq!(messages[1].content, "Topic 3");
    }

    #[test]
    fn broken_override_names_the_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("insight.tera"), "{% if %}\n<<<USER>>>").unwrap();
        let err = Prompts::load(Some(dir.path())).err().expect("must fail");
        assert!(err.to_string().contains("insight.tera"), "{err}");
        std::fs::write(dir.path().join("insight.tera"), "no marker").unwrap();
        assert!(matches!(
            Prompts::load(Some(dir.path())),
            Err(PromptError::NoUserMarker { .. })
        ));
    }
}
