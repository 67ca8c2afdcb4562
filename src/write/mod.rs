//! The writing stages. In: ranked topics; out: one validated card per topic (`card`), then the
//! editor's insight over the finished cards (`insight`), and one line for each story past
//! `max_topics` (`more`). Prompts come from `prompts`; every model reply is checked locally
//! (`check`), repaired locally where no model is needed and re-asked about only its failing
//! fields otherwise; sources are attached from the topic's
//! own articles and never taken from a model.

pub mod card;
pub mod check;
pub mod insight;
pub mod more;
pub mod prompts;
pub mod sources;

use crate::config::{ProviderConfig, ProviderKind, SectionConfig, StructuredOutput};
use crate::llm::blocks::BlockSection;
use crate::llm::schema::{Bound, field_list, with_language_patterns, without_string_lengths};
use crate::llm::{ChatRequest, LlmError, Message, Namespace, Provider, ResponseFormat};
use crate::model::Language;
use check::LocalRepair;
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
    /// Counts tokens as the provider's model does (near enough): trimming aims at its window.
    pub estimator: crate::llm::budget::Estimator,
    /// Targeted re-asks per card or insight before giving up (`limits.max_repairs`).
    pub max_repairs: u32,
    /// What a topic whose card stays invalid gets.
    pub fallback: crate::config::CardFallback,
    /// Story id → what an earlier digest said (cross-day memory): those topics' cards are told
    /// as follow-ups and marked continuing.
    pub previously: &'a std::collections::BTreeMap<String, crate::model::Previously>,
}

impl<'a> Writer<'a> {
    /// A request of this writer's: the settings' request, steered to the digest's Chinese script
    /// where the provider can (`provider.script_bias`; the extractive baseline writes nothing).
    pub(crate) fn request(
        &self,
        namespace: Namespace,
        messages: Vec<Message>,
        schema_name: &str,
        schema: &serde_json::Value,
    ) -> ChatRequest {
        let steer = self.settings.script_bias && self.settings.translates;
        ChatRequest {
            steer_script: (steer && self.language.is_chinese()).then_some(self.language),
            ..self
                .settings
                .request(namespace, messages, schema_name, schema)
        }
    }

    /// The writer for `config`'s digest: its language, sections, input budget, re-asks and
    /// fallback, counting tokens as `config.provider`'s model does. The one place a `Writer` is
    /// made from a config (run, weekly and eval), so their prompts and cache keys agree.
    pub fn new(
        config: &'a crate::config::Config,
        prompts: &'a Prompts,
        provider: &'a dyn Provider,
        settings: &'a CallSettings,
        previously: &'a std::collections::BTreeMap<String, crate::model::Previously>,
    ) -> Self {
        Writer {
            prompts,
            provider,
            settings,
            language: config.digest.language,
            sections: &config.digest.sections,
            max_input_tokens: config.limits.max_input_tokens_per_card,
            estimator: crate::llm::budget::Estimator::new(config.provider.token_encoding),
            max_repairs: config.limits.max_repairs,
            fallback: config.provider.fallback,
            previously,
        }
    }

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

    /// The schema a request carries: for a digest written by a model through a server whose
    /// grammar constrains strings (`provider.string_lengths`), every prose field of `prose` is
    /// held to the digest's language (`with_language_patterns`); otherwise `schema` as it is.
    /// Prompts and the local validator keep using `schema`.
    pub(crate) fn schema_to_send(
        &self,
        schema: &serde_json::Value,
        bounds: &[Bound],
        prose: &[&str],
    ) -> serde_json::Value {
        if self.settings.grammar_holds_model_strings() {
            with_language_patterns(schema.clone(), bounds, prose, self.language)
        } else {
            schema.clone()
        }
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
    /// Send `minLength`/`maxLength` in the schema (servers that honour them; see `presets.rs`).
    pub string_lengths: bool,
    /// The provider steers a Chinese answer to the digest's script (`provider.script_bias`).
    pub script_bias: bool,
    /// The writer is a model that can write in the digest's language (not the extractive
    /// baseline, which copies its sources' sentences and cannot translate).
    pub translates: bool,
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
            string_lengths: provider.string_lengths,
            script_bias: provider.script_bias,
            translates: provider.kind != ProviderKind::Extractive,
        }
    }

    pub(crate) fn request(
        &self,
        namespace: Namespace,
        messages: Vec<Message>,
        schema_name: &str,
        schema: &serde_json::Value,
    ) -> ChatRequest {
        let sent = if self.string_lengths {
            schema.clone()
        } else {
            without_string_lengths(schema)
        };
        let response_format = match self.structured_output {
            StructuredOutput::JsonSchema => ResponseFormat::JsonSchema {
                name: schema_name.to_string(),
                schema: sent.clone(),
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
            schema: Some(sent),
            ..ChatRequest::new(namespace, self.model.clone(), messages, response_format)
        }
    }

    /// The server turns the schema into a grammar that honours string keywords and the writer
    /// is a model: the schema sent may then hold prose to the digest's language and entities to
    /// the articles' names (the extractive baseline is asked nothing a grammar could shape).
    pub(crate) fn grammar_holds_model_strings(&self) -> bool {
        self.string_lengths && self.translates
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

/// The outcome of asking for one structured object with up to `max_repairs` targeted re-asks.
pub enum Asked<T> {
    Valid {
        value: T,
        /// Re-asks it took (0: the first answer was accepted).
        reasks: u32,
        /// What was repaired locally in the accepted answer.
        local: Vec<LocalRepair>,
    },
    /// The provider answered but the answer stayed invalid after every re-ask.
    Invalid { reason: String, reasks: u32 },
    /// The provider did not answer (error, budget, replay miss).
    Failed { error: LlmError },
}

/// A check's verdict on one reply: the value and its local repairs, or the problems to re-ask
/// about, each "/field: what to change".
pub type Verdict<T> = Result<(T, Vec<LocalRepair>), Vec<String>>;

/// Sends `request` and checks the reply; on failure re-asks up to `max_repairs` times with a
/// message naming only the failing fields and the checker's reasons, asking for the whole object
/// back (grammar-constrained servers return whole objects anyway, and a partial answer would need
/// a merge the model cannot see).
pub async fn ask_checked<T>(
    provider: &dyn Provider,
    mut request: ChatRequest,
    max_repairs: u32,
    check: impl Fn(&str) -> Verdict<T>,
) -> Asked<T> {
    let mut reasks = 0;
    let mut last_problems: Vec<String> = Vec::new();
    loop {
        let answer = match provider.chat(&request).await {
            Ok(resp) => resp,
            // A re-ask that cannot be sent (its conversation outgrew the context window, the
            // budget ran out) leaves the model's last answer invalid, not the provider failed:
            // the fallback still applies. A provider that is gone stays a failure.
            Err(error) if reasks > 0 && !error.is_fatal() => {
                return Asked::Invalid {
                    reason: format!(
                        "still invalid after {} re-ask(s): {}; the next re-ask could not be sent: {error}",
                        reasks - 1,
                        last_problems.join("; ")
                    ),
                    reasks: reasks - 1,
                };
            }
            Err(error) => return Asked::Failed { error },
        };
        let problems = match check(&answer.content) {
            Ok((value, local)) => {
                return Asked::Valid {
                    value,
                    reasks,
                    local,
                };
            }
            Err(problems) => problems,
        };
        if reasks >= max_repairs {
            return Asked::Invalid {
                reason: format!(
                    "still invalid after {reasks} re-ask(s): {}",
                    problems.join("; ")
                ),
                reasks,
            };
        }
        reasks += 1;
        // Each re-ask samples with its own seed: with the first seed a 1.5B model at temperature
        // 0.2 gave the same invalid answer again (issue 16's eval, 5 of 6 re-asks).
        request.seed = request.seed.map(|seed| seed + 1);
        // A cut-off answer is most often a loop repeating one sentence to `max_tokens`; sent
        // back, it invites the loop again, and it has no field to correct: it is asked afresh.
        if !answer.ran_out_of_tokens() {
            request.messages.push(Message::assistant(answer.content));
            request
                .messages
                .push(Message::user(repair_message(&problems)));
        }
        last_problems = problems;
    }
}

/// The targeted re-ask: only the failing fields, each with the checker's reason.
pub fn repair_message(problems: &[String]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("- {p}")).collect();
    format!(
        "Your reply needs these changes:\n{}\nChange only these fields, keep every other field as it was, and reply with the whole corrected json object only.",
        lines.join("\n")
    )
}

/// Asks once and re-asks once with the validator's message: the stages that have no local
/// repairs and whose bounds are loose (triage, the weekly roll-up).
pub async fn ask_validated<T>(
    provider: &dyn Provider,
    request: ChatRequest,
    validate: impl Fn(&str) -> Result<T, String>,
) -> Asked<T> {
    ask_checked(provider, request, 1, plain_check(validate)).await
}

/// `validate` as a checker with no local repairs, for objects that have none (the insight).
pub fn plain_check<T>(validate: impl Fn(&str) -> Result<T, String>) -> impl Fn(&str) -> Verdict<T> {
    move |content| {
        validate(content)
            .map(|value| (value, Vec::new()))
            .map_err(|problems| problems.split("; ").map(str::to_string).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::testing::{Fake, ok, request, response};
    use crate::llm::{Role, Usage};

    fn cut_off(content: &str) -> Result<crate::llm::ChatResponse, crate::llm::LlmError> {
        let mut answer = response(content, Usage::default());
        answer.raw = Some(serde_json::json!({"choices": [{"finish_reason": "length"}]}));
        Ok(answer)
    }

    fn needs_ok(content: &str) -> Result<String, String> {
        if content == "{\"ok\":true}" {
            Ok(content.to_string())
        } else {
            Err("/ok: missing".to_string())
        }
    }

    #[tokio::test]
    async fn each_re_ask_has_its_own_seed_and_a_cut_off_answer_is_asked_afresh() {
        let fake = Fake::scripted(vec![
            ok("{\"ok\":false}"),
            cut_off("{\"summary\":\"loop. loop. loop."),
            ok("{\"ok\":true}"),
        ]);
        let mut first = request("write the card", 100);
        first.seed = Some(7);
        let asked = ask_checked(&fake, first, 2, plain_check(needs_ok)).await;
        assert!(matches!(asked, Asked::Valid { reasks: 2, .. }));
        let sent = fake.requests();
        let seeds: Vec<Option<i64>> = sent.iter().map(|r| r.seed).collect();
        assert_eq!(seeds, vec![Some(7), Some(8), Some(9)]);
        // The first re-ask carries the invalid answer and the targeted message...
        assert_eq!(sent[1].messages.len(), 4);
        assert_eq!(sent[1].messages[2].role, Role::Assistant);
        assert!(sent[1].messages[3].content.contains("/ok: missing"));
        // ...the cut-off answer is not sent back: the conversation stays as it was.
        assert_eq!(sent[2].messages.len(), 4);
        assert!(!sent[2].messages.iter().any(|m| m.content.contains("loop.")));
    }
}
