//! Steering a model to the digest's Chinese script. In: the server's vocabulary (each token's
//! text, read once through llama.cpp's `/detokenize`) and the target script (zh-Hant or zh-Hans);
//! out: the `logit_bias` that keeps the other script's tokens out of the answer and favours their
//! counterparts in the target script.
//!
//! Why a bias and not the prompt or the grammar: Qwen2.5-Coder-1.5B writes Simplified characters
//! in a 繁體中文 card whatever the prompt says (8 of the 10 繁體中文 eval cards needed
//! `script_converted`). Measured on llama-server with that model, three eval fixtures, answers
//! otherwise as the card stage asks for them (2026-12-06):
//! - no bias: 28 % of the Han characters Simplified-only (317 of 1,089), ~11 tokens/s;
//! - a grammar without the 500 most frequent Simplified-only characters: Traditional, but ~3.4
//!   tokens/s (the grammar checks every candidate token against a long character class);
//! - only the 2,535 single-character tokens of Simplified-only characters banned: no better
//!   (303 of 1,284): the model took multi-character tokens (发布, 数据, 机器人);
//! - every token holding a Simplified-only character banned (12,168 of the 151,643): none left,
//!   speed unchanged, but English where the model did not know the Traditional word ("深圳星步
//!   robotics推出Strider-H1人形 robot");
//! - that, with each banned token's counterpart (its text in the target script, when that is a
//!   token too: 1,150 of them) favoured by +3: "星步機器人發表Strider-H1人形機器人，定價9.9萬人民幣"
//!   — 3 Simplified-only characters in 1,333, from byte-level tokens. +5 wrote "新臺幣" into a card
//!   whose articles name no Taiwan dollar, so +3.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::model::Language;
use crate::text::{to_script, wrong_script_chars};

/// The bias of a token that holds a character of the other script: never sampled while another
/// token is allowed (a grammar that leaves only that token still gets it).
pub const BANNED: i32 = -100;
/// The bias of a banned token's counterpart in the target script (see the module doc for +5).
pub const COUNTERPART: i32 = 3;

/// Ids read per `/detokenize` call.
const CHUNK: usize = 4096;
/// Written between the ids of one call, so the answer splits back into one text per id. A token
/// whose own text holds it makes the count come out wrong: that chunk is then read in halves.
const SEPARATOR: char = '\u{1f}';

/// The bias that steers a model with this vocabulary (`pieces[id]` = the token's text) to
/// `target`'s script: every token with a character of the other script banned, and each banned
/// token's counterpart favoured. Empty for English.
pub fn script_bias(pieces: &[String], target: Language) -> BTreeMap<u32, i32> {
    let mut bias = BTreeMap::new();
    if !target.is_chinese() {
        return bias;
    }
    for (id, piece) in pieces.iter().enumerate() {
        if !wrong_script_chars(piece, target).is_empty() {
            bias.insert(id as u32, BANNED);
        }
    }
    let id_of: HashMap<&str, u32> = pieces
        .iter()
        .enumerate()
        .map(|(id, piece)| (piece.as_str(), id as u32))
        .collect();
    let banned: Vec<u32> = bias.keys().copied().collect();
    for id in banned {
        let counterpart = to_script(&pieces[id as usize], target);
        if let Some(&twin) = id_of.get(counterpart.as_str()) {
            bias.entry(twin).or_insert(COUNTERPART);
        }
    }
    bias
}

/// `bias` as the request body's `logit_bias` (token ids as strings, as OpenAI's API has them).
pub fn logit_bias_json(bias: &BTreeMap<u32, i32>) -> Value {
    Value::Object(
        bias.iter()
            .map(|(id, b)| (id.to_string(), json!(b)))
            .collect(),
    )
}

/// Why the vocabulary could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VocabularyError {
    /// No answer at all (refused, timed out): the chat request that follows fails the same way
    /// and says what to do.
    Unreachable(String),
    /// The server answered, but not as llama.cpp's does.
    Unreadable(String),
}

impl std::fmt::Display for VocabularyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VocabularyError::Unreachable(reason) | VocabularyError::Unreadable(reason) => {
                f.write_str(reason)
            }
        }
    }
}

impl From<String> for VocabularyError {
    fn from(reason: String) -> Self {
        VocabularyError::Unreadable(reason)
    }
}

impl From<&str> for VocabularyError {
    fn from(reason: &str) -> Self {
        VocabularyError::Unreadable(reason.to_string())
    }
}

/// The server's vocabulary, each token's text by id, read from llama.cpp's own server: its size
/// from `GET {base_url}/models` (`meta.n_vocab`), the texts through `POST {root}/detokenize`.
/// `base_url` is the OpenAI-compatible one (`http://host:port/v1`). `Err` says what the server
/// did not answer.
pub async fn read_vocabulary(
    http: &reqwest::Client,
    base_url: &str,
) -> Result<Vec<String>, VocabularyError> {
    let base = base_url.trim_end_matches('/');
    let root = base.strip_suffix("/v1").unwrap_or(base);
    let models = get_json(http, &format!("{base}/models")).await?;
    let size = models
        .pointer("/data/0/meta/n_vocab")
        .and_then(Value::as_u64)
        .ok_or("its /models answer has no data[0].meta.n_vocab (not llama.cpp's server?)")?
        as u32;
    let tokenized = post_json(
        http,
        &format!("{root}/tokenize"),
        &json!({"content": SEPARATOR.to_string()}),
    )
    .await?;
    let separator = match tokenized.get("tokens").and_then(Value::as_array) {
        Some(ids) if ids.len() == 1 => ids[0].as_u64().ok_or("/tokenize gave no token id")? as u32,
        _ => return Err("/tokenize did not give the separator as one token".into()),
    };
    let mut pieces = Vec::with_capacity(size as usize);
    let ids: Vec<u32> = (0..size).collect();
    for chunk in ids.chunks(CHUNK) {
        read_pieces(http, root, chunk, separator, &mut pieces).await?;
    }
    Ok(pieces)
}

/// Appends the texts of `ids` to `pieces`, in one call when the separator splits the answer back
/// into one text per id, else in halves (down to one id per call).
async fn read_pieces(
    http: &reqwest::Client,
    root: &str,
    ids: &[u32],
    separator: u32,
    pieces: &mut Vec<String>,
) -> Result<(), VocabularyError> {
    let mut stack = vec![ids];
    while let Some(ids) = stack.pop() {
        let tokens: Vec<u32> = if ids.len() == 1 {
            ids.to_vec()
        } else {
            ids.iter().flat_map(|&id| [id, separator]).collect()
        };
        let answer = post_json(
            http,
            &format!("{root}/detokenize"),
            &json!({ "tokens": tokens }),
        )
        .await?;
        let text = answer
            .get("content")
            .and_then(Value::as_str)
            .ok_or("/detokenize gave no content")?;
        if ids.len() == 1 {
            pieces.push(text.to_string());
            continue;
        }
        let parts: Vec<&str> = text.split(SEPARATOR).collect();
        if parts.len() == ids.len() + 1 {
            pieces.extend(parts[..ids.len()].iter().map(|p| p.to_string()));
        } else {
            let (left, right) = ids.split_at(ids.len() / 2);
            // Popped last-in first: the left half is read first, so ids stay in order.
            stack.push(right);
            stack.push(left);
        }
    }
    Ok(())
}

async fn get_json(http: &reqwest::Client, url: &str) -> Result<Value, VocabularyError> {
    answer_json(http.get(url).send().await, url).await
}

async fn post_json(
    http: &reqwest::Client,
    url: &str,
    body: &Value,
) -> Result<Value, VocabularyError> {
    answer_json(http.post(url).json(body).send().await, url).await
}

async fn answer_json(
    sent: Result<reqwest::Response, reqwest::Error>,
    url: &str,
) -> Result<Value, VocabularyError> {
    let response = sent.map_err(|e| VocabularyError::Unreachable(format!("{url}: {e}")))?;
    if !response.status().is_success() {
        let status = response.status().as_u16();
        return Err(format!("{url} answered HTTP {status}").into());
    }
    response
        .json()
        .await
        .map_err(|e| format!("{url} did not answer JSON: {e}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(pieces: &[&str]) -> Vec<String> {
        pieces.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn the_other_scripts_tokens_are_banned_and_their_counterparts_favoured() {
        let pieces = vocabulary(&[
            "发布",
            "發布",
            "机器人",
            "機器人",
            "数据",
            "模型",
            "NVIDIA",
            "开",
        ]);
        let bias = script_bias(&pieces, Language::ZhHant);
        // Simplified-only characters: banned, whatever else the token holds.
        assert_eq!(bias.get(&0), Some(&BANNED));
        assert_eq!(bias.get(&2), Some(&BANNED));
        assert_eq!(bias.get(&4), Some(&BANNED));
        assert_eq!(bias.get(&7), Some(&BANNED));
        // Their counterparts, where the vocabulary has them as tokens.
        assert_eq!(bias.get(&1), Some(&COUNTERPART));
        assert_eq!(bias.get(&3), Some(&COUNTERPART));
        // Characters both scripts share, and Latin names: untouched.
        assert_eq!(bias.get(&5), None);
        assert_eq!(bias.get(&6), None);
        // Simplified Chinese bans the Traditional forms instead.
        let simplified = script_bias(&pieces, Language::ZhHans);
        assert_eq!(simplified.get(&1), Some(&BANNED));
        assert_eq!(simplified.get(&0), Some(&COUNTERPART));
        assert!(script_bias(&pieces, Language::En).is_empty());
    }

    #[test]
    fn the_bias_is_sent_as_openai_spells_it() {
        let bias = BTreeMap::from([(17u32, BANNED), (4, COUNTERPART)]);
        assert_eq!(
            logit_bias_json(&bias),
            json!({"4": COUNTERPART, "17": BANNED})
        );
    }
}
