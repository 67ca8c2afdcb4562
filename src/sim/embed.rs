//! `POST /v1/embeddings`. In: `input` as a string or an array of strings; out: one deterministic,
//! L2-normalised vector per input, built by hashing the text's character 2- and 3-grams into
//! `dim` signed buckets. Texts that share many character runs get a high cosine, so clustering
//! tests see similar stories as similar; Chinese is folded to one script first so 開源 and 开源
//! are the same text. No language rules beyond that: it is a fixture, not a model.

use serde_json::{Value, json};

use crate::llm::budget::count_tokens;
use crate::model::Language;
use crate::text::to_script;

/// The inputs of an embeddings body, or why it cannot be answered.
pub(super) fn inputs(body: &Value) -> Result<Vec<String>, String> {
    if let Some(format) = body.get("encoding_format").and_then(Value::as_str)
        && format != "float"
    {
        return Err(format!(
            "encoding_format \"{format}\" is not supported by llm-sim (use \"float\")"
        ));
    }
    match body.get("input") {
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "input must be a string or an array of strings".to_string())
            })
            .collect(),
        _ => Err("input must be a string or a non-empty array of strings".into()),
    }
}

/// The vector for one text.
pub fn embed(text: &str, dim: usize) -> Vec<f32> {
    let folded: String = to_script(text, Language::ZhHans).to_lowercase();
    let chars: Vec<char> = folded
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    let mut vector = vec![0f32; dim];
    for n in [2, 3] {
        for gram in chars.windows(n) {
            if gram.iter().all(|c| *c == ' ') {
                continue;
            }
            let s: String = gram.iter().collect();
            let hash = blake3::hash(s.as_bytes());
            let bytes = hash.as_bytes();
            let bucket = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) % dim as u64;
            let sign = if bytes[8] & 1 == 0 { 1.0 } else { -1.0 };
            vector[bucket as usize] += sign;
        }
    }
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    vector
}

/// The whole response body for `texts`.
pub(super) fn response(texts: &[String], model: &str, dim: usize) -> (Value, u64) {
    let data: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"object": "embedding", "index": i, "embedding": embed(t, dim)}))
        .collect();
    let tokens: u64 = texts.iter().map(|t| count_tokens(t) as u64).sum();
    (
        json!({
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}
        }),
        tokens,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn similar_texts_are_closer_than_unrelated_ones_and_scripts_fold() {
        let a = embed(
            "NVIDIA releases open autonomous driving model Alpamayo",
            256,
        );
        let b = embed("NVIDIA open-sources Alpamayo, a driving model", 256);
        let c = embed("Bakery chain raises bread prices in winter", 256);
        assert!(
            cosine(&a, &b) > cosine(&a, &c) + 0.2,
            "{} vs {}",
            cosine(&a, &b),
            cosine(&a, &c)
        );
        let hant = embed("阿里開源圖像生成模型", 256);
        let hans = embed("阿里开源图像生成模型", 256);
        assert!((cosine(&hant, &hans) - 1.0).abs() < 1e-5);
        assert_eq!(embed("same", 64), embed("same", 64));
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
    }

    #[test]
    fn inputs_accept_strings_and_arrays_only() {
        assert_eq!(inputs(&json!({"input": "x"})).unwrap(), vec!["x"]);
        assert_eq!(inputs(&json!({"input": ["a", "b"]})).unwrap().len(), 2);
        assert!(inputs(&json!({"input": [[1, 2]]})).is_err());
        assert!(inputs(&json!({"input": "x", "encoding_format": "base64"})).is_err());
    }
}
