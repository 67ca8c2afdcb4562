//! Text overlap that works on Chinese. In: two texts; out: ROUGE-L (longest common subsequence)
//! precision/recall/F over tokens where every Han character is a token and every Latin word is
//! one, after folding both texts to one script — word-splitting scorers give 0 on Chinese.

use crate::model::Language;
use crate::text::{is_han, to_script};

/// Tokens for overlap: Han characters one by one, Latin/digit runs lowercased, the rest dropped.
pub fn overlap_tokens(text: &str) -> Vec<String> {
    let folded = to_script(text, Language::ZhHans);
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in folded.chars() {
        if c.is_alphanumeric() && !is_han(c) {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        if is_han(c) {
            tokens.push(c.to_string());
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    tokens
}

fn lcs(a: &[String], b: &[String]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for x in a {
        let mut diagonal = 0;
        for (j, y) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if x == y {
                diagonal + 1
            } else {
                row[j + 1].max(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// ROUGE-L of `candidate` against `reference`: (precision, recall, F1). Empty sides score 0.
pub fn rouge_l(candidate: &str, reference: &str) -> (f64, f64, f64) {
    let (c, r) = (overlap_tokens(candidate), overlap_tokens(reference));
    if c.is_empty() || r.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let common = lcs(&c, &r) as f64;
    let (p, rec) = (common / c.len() as f64, common / r.len() as f64);
    let f = if p + rec > 0.0 {
        2.0 * p * rec / (p + rec)
    } else {
        0.0
    };
    (p, rec, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_scored_by_character_across_scripts() {
        let (_, _, f) = rouge_l("阿里發布新模型", "阿里发布新模型");
        assert!((f - 1.0).abs() < 1e-9);
        let (p, r, _) = rouge_l("阿里发布", "阿里发布新模型");
        assert!((p - 1.0).abs() < 1e-9 && (r - 4.0 / 7.0).abs() < 1e-9);
    }

    #[test]
    fn latin_is_scored_by_word_and_unrelated_text_scores_zero() {
        assert_eq!(
            overlap_tokens("Qwen-Vision 3.2 ships"),
            ["qwen", "vision", "3", "2", "ships"]
        );
        let (_, _, f) = rouge_l("NVIDIA buys AI21 Labs", "Nvidia buys AI21 Labs");
        assert!((f - 1.0).abs() < 1e-9);
        assert_eq!(rouge_l("天气晴朗", "NVIDIA buys AI21").2, 0.0);
        assert_eq!(rouge_l("", "anything").2, 0.0);
    }
}
