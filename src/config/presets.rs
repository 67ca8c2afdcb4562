//! Provider presets: one table, one row per OpenAI-compatible endpoint family. A preset fills the
//! `[provider]` keys a config leaves out; explicit keys always win. Each row states what the
//! server is known to do, because that decides how the run talks to it:
//! - `structured_output`: the mode the run starts in (the fallback chain steps down from it);
//! - `json_object_schema`: whether `{"type":"json_object","schema":{…}}` grammar-constrains the
//!   output (llama.cpp-based servers) — sent only where the server is known to take it;
//! - `reasoning`: whether its usual models emit `<think>…</think>` before the answer;
//! - `string_lengths`: whether the server turns the schema into a grammar that honours string
//!   keywords — `minLength`/`maxLength`, `pattern`, `enum` (llama.cpp's converter does, with an
//!   explicit `"type": "string"`; OpenAI strict mode does not list lengths and rejects what it does
//!   not support). Where it does, a model's prose is also held to the digest's language by a
//!   pattern and its entities to the articles' names (`llm::bounds::with_language_patterns`);
//!   elsewhere all of it is enforced locally only;
//! - `script_bias`: whether the server takes `logit_bias` and shows its vocabulary through
//!   `/tokenize` and `/detokenize` (llama.cpp's own server): a Chinese digest's answers are then
//!   steered to its script by biasing the vocabulary's tokens of the other script
//!   (`llm::script_bias`); elsewhere the script is converted locally;
//! - `token_encoding`: the tiktoken encoding used for estimates. Local models have smaller
//!   vocabularies than o200k_base, so cl100k_base (which counts Chinese text higher) errs on the
//!   safe side for them.

use super::types::{StructuredOutput, TokenEncoding};

pub struct Preset {
    pub name: &'static str,
    pub base_url: &'static str,
    pub model: &'static str,
    pub api_key_env: &'static str,
    /// Local servers usually run without a key.
    pub key_required: bool,
    pub structured_output: StructuredOutput,
    pub json_object_schema: bool,
    pub reasoning: bool,
    pub string_lengths: bool,
    pub script_bias: bool,
    pub token_encoding: TokenEncoding,
}

use StructuredOutput::{JsonObject, JsonSchema};
use TokenEncoding::{Cl100kBase, O200kBase};

#[rustfmt::skip]
pub const PRESETS: &[Preset] = &[
    // name        base_url                                              model                       api_key_env          key    mode        schema+obj reasoning lengths bias   encoding
    row("openai",   "https://api.openai.com/v1",                          "gpt-4o-mini",              "OPENAI_API_KEY",    true,  JsonSchema, false,     false,    false,  false, O200kBase),
    // DeepSeek takes only json_object, and the prompt must say "json"; deepseek-reasoner thinks.
    row("deepseek", "https://api.deepseek.com/v1",                        "deepseek-chat",            "DEEPSEEK_API_KEY",  true,  JsonObject, false,     false,    false,  false, O200kBase),
    // DashScope: json_schema only on some qwen-plus models; Qwen3 models think by default.
    row("qwen",     "https://dashscope.aliyuncs.com/compatible-mode/v1",  "qwen-plus",                "DASHSCOPE_API_KEY", true,  JsonObject, false,     true,     false,  false, O200kBase),
    // Ollama ≥ 0.5 grammar-constrains json_schema with llama.cpp's converter (lengths included);
    // qwen3/deepseek-r1 tags think.
    row("ollama",   "http://127.0.0.1:11434/v1",                          "qwen2.5:7b",               "OLLAMA_API_KEY",    false, JsonSchema, false,     true,     true,   false, Cl100kBase),
    // vLLM's guided decoding backends differ in what they honour: lengths not audited, so local.
    row("vllm",     "http://127.0.0.1:8000/v1",                           "Qwen/Qwen2.5-7B-Instruct", "VLLM_API_KEY",      false, JsonSchema, false,     true,     false,  false, Cl100kBase),
    // llama.cpp-based servers: some reject json_schema (llama-cpp-python answers HTTP 500), all
    // of them constrain json_object to a `schema` sent beside it, string lengths included;
    // llama-server takes `logit_bias` and has /tokenize and /detokenize.
    row("llamacpp", "http://127.0.0.1:8080/v1",                           "default",                  "LLAMACPP_API_KEY",  false, JsonSchema, true,      false,    true,   true,  Cl100kBase),
];

#[allow(clippy::too_many_arguments)]
const fn row(
    name: &'static str,
    base_url: &'static str,
    model: &'static str,
    api_key_env: &'static str,
    key_required: bool,
    structured_output: StructuredOutput,
    json_object_schema: bool,
    reasoning: bool,
    string_lengths: bool,
    script_bias: bool,
    token_encoding: TokenEncoding,
) -> Preset {
    Preset {
        name,
        base_url,
        model,
        api_key_env,
        key_required,
        structured_output,
        json_object_schema,
        reasoning,
        string_lengths,
        script_bias,
        token_encoding,
    }
}

pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// The preset names, for error messages and docs.
pub(super) fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}
