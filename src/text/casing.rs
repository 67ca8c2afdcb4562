//! How a text writes its words. In: body text; out: for each alphabetic word (lowercased, as the
//! tokenizer writes it), how often it is capitalised mid-sentence and how often written in lower
//! case — the evidence that tells names from common words, since English capitalises names.

use std::collections::BTreeMap;

use super::tokenize::{is_word_char, lowercase_into};

/// How one text writes a word: capitalised inside a sentence, or in lower case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordCase {
    /// Written with a capital first letter where a sentence does not begin ("launched Cowork").
    pub capitalised: u32,
    /// Written with a lower-case first letter ("the command line").
    pub lowercase: u32,
}

impl WordCase {
    /// Both counts summed (the same word over several texts).
    pub fn add(&mut self, other: WordCase) {
        self.capitalised += other.capitalised;
        self.lowercase += other.lowercase;
    }

    /// A common noun or verb: written in lower case at least as often as capitalised in
    /// mid-sentence. English capitalises names, so a word the writing keeps in lower case is not
    /// one; a word never seen outside a sentence start or a headline is not known to be common.
    pub fn is_common(self) -> bool {
        self.lowercase > 0 && self.lowercase >= self.capitalised
    }
}

/// Before `at`, skipping blanks and opening quotes or brackets: is this where a sentence, line or
/// list item begins (so a capital says nothing about the word)?
fn starts_sentence(chars: &[char], at: usize) -> bool {
    let mut j = at;
    while j > 0 {
        let c = chars[j - 1];
        if matches!(c, ' ' | '\t') || "\"'“”‘’(（「『《*#-".contains(c) {
            j -= 1;
            continue;
        }
        return ".!?。！？:：;；|\n\r".contains(c);
    }
    true
}

/// The case of every alphabetic word of `text` (keyed lowercased, the way `tokenize` emits
/// `TokenKind::Word`; words with digits are codes or model names and are left out), counted where
/// the case means something: capitals at a sentence start are skipped. Feed it body text, not
/// headlines, which capitalise every word.
pub fn word_cases(text: &str) -> BTreeMap<String, WordCase> {
    let mut cases: BTreeMap<String, WordCase> = BTreeMap::new();
    for_each_word_case(text, |word, case| {
        cases.entry(word.to_string()).or_default().add(case)
    });
    cases
}

/// `word_cases` one occurrence at a time (a word's lowercased text, valid for the call, and how
/// it was written there), allocating nothing per word.
pub fn for_each_word_case(text: &str, mut visit: impl FnMut(&str, WordCase)) {
    let chars: Vec<char> = text.chars().collect();
    let mut lower = String::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_word_char(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_word_char(chars[i]) {
            i += 1;
        }
        let word = &chars[start..i];
        if word.iter().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let case = if word[0].is_uppercase() {
            if starts_sentence(&chars, start) {
                continue;
            }
            WordCase {
                capitalised: 1,
                lowercase: 0,
            }
        } else {
            WordCase {
                capitalised: 0,
                lowercase: 1,
            }
        };
        lowercase_into(&mut lower, word);
        visit(&lower, case);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_cases_tell_names_from_common_words() {
        let cases = word_cases(
            "Anthropic launched Cowork on Monday. Cowork reads a folder, and the folder \
             stays local. \"Users\" like it, as OpenAI's GPT-5 and H200 are left out. 阿里发布Qwen模型",
        );
        let case = |w: &str| cases.get(w).copied().unwrap_or_default();
        assert_eq!(
            case("cowork").capitalised,
            1,
            "the sentence-initial one says nothing"
        );
        assert!(!case("cowork").is_common() && !case("monday").is_common());
        assert!(
            !case("anthropic").is_common(),
            "text start: not counted at all"
        );
        assert_eq!(case("anthropic"), WordCase::default());
        assert_eq!(case("folder").lowercase, 2);
        assert!(case("folder").is_common() && case("launched").is_common());
        assert_eq!(
            case("users"),
            WordCase::default(),
            "after a quote at a sentence start"
        );
        assert_eq!(case("openai").capitalised, 1);
        assert_eq!(
            case("qwen").capitalised,
            1,
            "Latin inside Chinese text is mid-sentence"
        );
        assert!(!cases.keys().any(|w| w.chars().any(|c| c.is_ascii_digit())));
        assert!(
            !WordCase::default().is_common(),
            "unseen words are not known to be common"
        );
    }
}
