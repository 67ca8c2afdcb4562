//! Language detection. In: a text; out: whether it is Chinese (one threshold for the whole
//! program), which Chinese script it leans to, and the BCP-47-style tag the collect stage stores
//! on an article (`zh-Hans`, `zh-Hant`, `en`, `und`).

use super::script::{is_han, script_evidence};
use crate::model::Language;

/// A text is Chinese when at least this share of its letters (alphabetic characters, Han
/// included) are Han characters.
///
/// Why 20 % and not more: one Han character carries about a word, an English word takes five or
/// six letters, so a text whose letters are 20 % Han already has roughly as many Chinese words as
/// English ones. Chinese AI reporting is full of Latin model and company names
/// (「阿里发布Qwen-Image-2512」 is 40 % Han by letters; a body that lists benchmarks and repos goes
/// lower still), so a higher bar would call real Chinese reports English; an English report
/// quoting a Chinese name or two (「The Qwen team (通义) …」) stays far below it. The collect
/// stage (an article's `lang`) and lint (a digest's language when no label decides) both ask here.
pub const CHINESE_MIN_HAN_SHARE: f64 = 0.2;

/// Share (0.0-1.0) of the letters of `text` that are Han characters; `None` when it has no letters.
pub fn han_share(text: &str) -> Option<f64> {
    let (mut letters, mut han) = (0usize, 0usize);
    for c in text.chars() {
        // Han characters are letters too; asking is_han first spares the slow Unicode lookup
        // for most characters of a Chinese text.
        if is_han(c) {
            letters += 1;
            han += 1;
        } else if c.is_alphabetic() {
            letters += 1;
        }
    }
    (letters > 0).then(|| han as f64 / letters as f64)
}

/// Is `text` written in Chinese (see `CHINESE_MIN_HAN_SHARE`)?
pub fn is_chinese(text: &str) -> bool {
    han_share(text).is_some_and(|share| share >= CHINESE_MIN_HAN_SHARE)
}

/// The Chinese script `text` is written in: the one with more characters only it writes that way
/// (character by character, see `script::script_evidence`). `None` when the two tie (no
/// script-specific character at all, as in 「中文模型」), so each caller states its own default.
pub fn leaning_script(text: &str) -> Option<Language> {
    let (traditional, simplified) = script_evidence(text);
    match traditional.cmp(&simplified) {
        std::cmp::Ordering::Less => Some(Language::ZhHans),
        std::cmp::Ordering::Greater => Some(Language::ZhHant),
        std::cmp::Ordering::Equal => None,
    }
}

/// Language tag of an article from its title and body, from the text itself: feeds' own language
/// tags are often wrong (a zh-CN feed full of English press releases), and they say nothing about
/// script. `zh-Hans` / `zh-Hant` for Chinese (ties
/// go to `zh-Hans`, the script of most mainland feeds), `en` when most letters are Latin, `und`
/// otherwise (no letters, or another script).
pub fn detect_language(title: &str, text: &str) -> &'static str {
    // The first few thousand characters decide as well as the whole body, and a 40k-character
    // body would make this the costliest step of parsing.
    const SAMPLE_CHARS: usize = 4000;
    let sample: String = title
        .chars()
        .chain(['\n'])
        .chain(text.chars())
        .take(SAMPLE_CHARS)
        .collect();
    if han_share(&sample).is_none() {
        return "und";
    }
    if is_chinese(&sample) {
        return match leaning_script(&sample) {
            Some(Language::ZhHant) => "zh-Hant",
            _ => "zh-Hans",
        };
    }
    let letters = sample.chars().filter(|c| c.is_alphabetic()).count();
    let latin = sample.chars().filter(|c| is_latin_letter(*c)).count();
    if latin * 2 > letters { "en" } else { "und" }
}

/// A text reads as Chinese to a Chinese reader when Han characters are at least this share of its
/// letters once names are set aside (`han_share_without_names`).
///
/// Why 50 %: real Chinese reporting sits far above it (the 30 card fixtures' Chinese articles:
/// 0.86 at the lowest, most 0.95–1.0), an English text with a few Chinese names far below (the real
/// model's English cards for Chinese fixtures: 0.0–0.1), so the cut is not sensitive to where in
/// between it sits; 50 % is "most", the words the card stage and lint use in their messages.
pub const TARGET_MIN_HAN_SHARE: f64 = 0.5;

/// Share of the letters of `text` that are Han once names are set aside: a Latin word carrying a
/// capital or a digit (NVIDIA, Qwen-Image-2512, GPT-5, vLLM) is a name a Chinese text keeps as
/// written, so it neither helps nor hurts. `None` when nothing but names is left.
pub fn han_share_without_names(text: &str) -> Option<f64> {
    let (mut letters, mut han) = (0usize, 0usize);
    let mut word = String::new();
    let flush = |word: &mut String, letters: &mut usize| {
        let is_name = word.chars().any(|c| c.is_uppercase() || c.is_ascii_digit());
        if !is_name {
            *letters += word.chars().filter(|c| c.is_alphabetic()).count();
        }
        word.clear();
    };
    for c in text.chars() {
        if is_han(c) {
            flush(&mut word, &mut letters);
            letters += 1;
            han += 1;
        } else if c.is_alphanumeric() || (!word.is_empty() && matches!(c, '-' | '.' | '_')) {
            word.push(c);
        } else {
            flush(&mut word, &mut letters);
        }
    }
    flush(&mut word, &mut letters);
    (letters > 0).then(|| han as f64 / letters as f64)
}

/// Is `text` written in `target`, as a reader of that language would say? Chinese targets: most
/// letters are Han once names are set aside (a text of names alone is not Chinese); English: the
/// text is not Chinese (`is_chinese`). The one rule the card stage checks before it accepts a card,
/// lint applies to a rendered digest and the eval's `language_match` scores.
pub fn written_in(text: &str, target: Language) -> bool {
    if target.is_chinese() {
        han_share_without_names(text).is_some_and(|share| share >= TARGET_MIN_HAN_SHARE)
    } else {
        !is_chinese(text)
    }
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c as u32, 0x00C0..=0x024F if c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_language_and_script() {
        assert_eq!(
            detect_language(
                "阿里开源图像生成模型",
                "这个模型在多个基准上表现优异，开发者可以免费下载。"
            ),
            "zh-Hans"
        );
        assert_eq!(
            detect_language(
                "阿里開源影像生成模型",
                "這個模型在多個基準上表現優異，開發者可以免費下載。"
            ),
            "zh-Hant"
        );
        assert_eq!(
            detect_language(
                "OpenAI ships GPT-5",
                "The model is available to every developer today."
            ),
            "en"
        );
        // English text quoting a Chinese name is still English.
        assert_eq!(
            detect_language(
                "Qwen team",
                "The Qwen team (通义) released a new vision-language model today."
            ),
            "en"
        );
        // Mostly Chinese with English model names is Chinese.
        assert_eq!(
            detect_language(
                "发布Qwen-Image",
                "阿里巴巴通义团队发布了新的图像模型Qwen-Image。"
            ),
            "zh-Hans"
        );
        assert_eq!(detect_language("Новости", "Модель доступна"), "und");
        assert_eq!(detect_language("", "2026 — 100%"), "und");
    }

    #[test]
    fn written_in_sets_names_aside() {
        let zh = Language::ZhHant;
        assert!(written_in("阿里開源 Qwen-Image-2512，NVIDIA 跟進", zh));
        assert!(written_in("新模型支援 agent 工作流程與長文本推理", zh));
        // The real model's answer for a 繁體中文 digest (issue 16's transcript): English throughout.
        assert!(!written_in(
            "Google's new AI model helps search engines understand real-world data",
            zh
        ));
        // Names alone are no Chinese headline.
        assert!(!written_in("NVIDIA Rubin GPU", zh));
        assert!(!written_in("", zh));
        assert!(written_in("OpenAI ships GPT-5 to developers", Language::En));
        assert!(!written_in("OpenAI 向開發者推出 GPT-5 模型", Language::En));
        assert_eq!(han_share_without_names("GPT-5 NVIDIA"), None);
    }

    #[test]
    fn one_threshold_decides_chinese() {
        // 2 Han of 10 letters: exactly at the threshold.
        assert!(is_chinese("模型 abcdefgh"));
        assert!(!is_chinese("模 abcdefghi"));
        assert!(!is_chinese("Open models and data centres, 模型."));
        assert!(!is_chinese("2026 — 100%"));
        assert_eq!(han_share("12 34"), None);
        assert_eq!(leaning_script("國產"), Some(Language::ZhHant));
        assert_eq!(leaning_script("国产"), Some(Language::ZhHans));
        assert_eq!(leaning_script("中文模型"), None);
    }
}
