//! The writing stages. In: ranked topics; out: one validated card per topic (`card`), then the
//! editor's insight over the finished cards (`insight`), and one line for each story past
//! `max_topics` (`more`). Prompts come from `prompts`; every model
//! reply is validated locally and repaired at most once; sources are attached from the topic's
//! own articles and never taken from a model.

pub mod card;
pub mod insight;
pub mod more;
pub mod prompts;

use crate::config::{ProviderConfig, ProviderKind, SectionConfig, StructuredOutput};
use crate::llm::blocks::BlockSection;
use crate::llm::schema::field_list;
use crate::llm::{ChatRequest, LlmError, Message, Namespace, Provider, ResponseFormat};
use crate::model::Language;
use prompts::Prompts;

/// Everything the writing stages share: prompts, the provider stack, model settings, the target
/// language and the configured sections. `card.rs` and `insight.rs` add one stage each.
pub struct Writer<'a> {
    pub prompts: &'a Prompts,
    pub provider: &'a dyn Provider,
    pub settings: &'a CallSettings,
    pub language: Language,
    pub sections: &'a [SectionConfig],
    /// Article text per card is trimmed to this many tokens.
    pub max_input_tokens: usize,
    /// Story id → what an earlier digest said (cross-day memory): those topics' cards are told
    /// as follow-ups and marked continuing.
    pub previously: &'a std::collections::BTreeMap<String, crate::collect::memory::Previously>,
}

impl<'a> Writer<'a> {
    /// The writer a run's settings make, from the validated config.
    pub fn new(
        config: &'a crate::config::Config,
        prompts: &'a Prompts,
        provider: &'a dyn Provider,
        settings: &'a CallSettings,
        previously: &'a std::collections::BTreeMap<String, crate::collect::memory::Previously>,
    ) -> Self {
        Writer {
            prompts,
            provider,
            settings,
            language: config.digest.language,
            sections: &config.digest.sections,
            max_input_tokens: config.limits.max_input_tokens_per_card,
            previously,
        }
    }
}

impl Writer<'_> {
    /// The sections as prompts show them, labelled in the target language.
    pub(crate) fn block_sections(&self) -> Vec<BlockSection> {
        self.sections
            .iter()
            .map(|s| BlockSection {
                id: s.id.clone(),
                label: s.label_for(self.language).to_string(),
                describe: s.describe.clone(),
            })
            .collect()
    }

    /// The template variables every prompt gets (see prompts/README.md).
    pub(crate) fn prompt_context(&self, schema: &serde_json::Value) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("language", self.language.tag());
        ctx.insert("language_name", language_name(self.language));
        ctx.insert("fields", &field_list(schema));
        ctx.insert("structured_output", self.settings.mode_name());
        ctx.insert(
            "schema_json",
            &serde_json::to_string_pretty(schema).expect("schemas serialize"),
        );
        ctx
    }
}

/// The model settings every writing call shares.
#[derive(Debug, Clone)]
pub struct CallSettings {
    pub model: String,
    pub structured_output: StructuredOutput,
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
    pub seed: Option<i64>,
    pub max_output_tokens: u32,
}

impl CallSettings {
    /// The settings a run's calls use with `provider` (its kind already resolved).
    pub fn for_provider(provider: &ProviderConfig) -> CallSettings {
        // The extractive baseline has no model; naming one would tie its cache entries to
        // whatever model the config happens to name for the real provider.
        let model = if provider.kind == ProviderKind::Extractive {
            "extractive".to_string()
        } else {
            provider.model.clone()
        };
        CallSettings {
            model,
            structured_output: provider.structured_output,
            temperature: Some(provider.temperature),
            top_p: provider.top_p,
            seed: provider.seed,
            max_output_tokens: provider.max_output_tokens,
        }
    }

    pub(crate) fn request(
        &self,
        namespace: Namespace,
        messages: Vec<Message>,
        schema_name: &str,
        schema: &serde_json::Value,
    ) -> ChatRequest {
        let response_format = match self.structured_output {
            StructuredOutput::JsonSchema => ResponseFormat::JsonSchema {
                name: schema_name.to_string(),
                schema: schema.clone(),
            },
            StructuredOutput::JsonObject => ResponseFormat::JsonObject,
            StructuredOutput::Prompt => ResponseFormat::Prompt,
        };
        ChatRequest {
            temperature: self.temperature,
            top_p: self.top_p,
            max_tokens: Some(self.max_output_tokens),
            seed: self.seed,
            // Carried whatever the mode, so the fallback layer can still send it where a server
            // takes `schema` beside json_object.
            schema: Some(schema.clone()),
            ..ChatRequest::new(namespace, self.model.clone(), messages, response_format)
        }
    }

    pub fn mode_name(&self) -> &'static str {
        self.structured_output.name()
    }
}

/// The language as prompts name it.
pub fn language_name(language: Language) -> &'static str {
    match language {
        Language::ZhHant => "Traditional Chinese as used in Taiwan (繁體中文)",
        Language::ZhHans => "Simplified Chinese (简体中文)",
        Language::En => "English",
    }
}

/// The outcome of asking for one structured object with one repair chance.
pub enum Asked<T> {
    Valid {
        value: T,
        repaired: bool,
    },
    /// The provider answered but the answer stayed invalid after the repair re-ask.
    Invalid {
        reason: String,
    },
    /// The provider did not answer (error, budget, replay miss).
    Failed {
        error: LlmError,
    },
}

/// Sends `request`, validates the reply, and on failure re-asks once with the validator's message
/// appended to the conversation.
pub async fn ask_validated<T>(
    provider: &dyn Provider,
    mut request: ChatRequest,
    validate: impl Fn(&str) -> Result<T, String>,
) -> Asked<T> {
    let first = match provider.chat(&request).await {
        Ok(resp) => resp,
        Err(error) => return Asked::Failed { error },
    };
    let problem = match validate(&first.content) {
        Ok(value) => {
            return Asked::Valid {
                value,
                repaired: false,
            };
        }
        Err(problem) => problem,
    };
    request.messages.push(Message::assistant(first.content));
    request.messages.push(Message::user(format!(
        "Your reply did not pass validation: {problem}\nReply again with the corrected json object only, keeping every field."
    )));
    let second = match provider.chat(&request).await {
        Ok(resp) => resp,
        Err(error) => return Asked::Failed { error },
    };
    match validate(&second.content) {
        Ok(value) => Asked::Valid {
            value,
            repaired: true,
        },
        Err(problem) => Asked::Invalid {
            reason: format!("still invalid after one repair: {problem}"),
        },
    }
}
