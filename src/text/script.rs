//! Chinese script normalisation and measurement. In: text and a target language; out: the text in
//! the target script (zh-Hant uses Taiwan character forms and phrases, see `vocab`), or the share of Han characters written in
//! the other script. English targets pass through untouched.

use std::sync::OnceLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

use crate::model::Language;

fn converter(config: BuiltinConfig) -> &'static OpenCC {
    static S2TW: OnceLock<OpenCC> = OnceLock::new();
    static S2TWP: OnceLock<OpenCC> = OnceLock::new();
    static T2S: OnceLock<OpenCC> = OnceLock::new();
    static S2T: OnceLock<OpenCC> = OnceLock::new();
    let cell = match config {
        BuiltinConfig::S2tw => &S2TW,
        BuiltinConfig::S2twp => &S2TWP,
        BuiltinConfig::T2s => &T2S,
        BuiltinConfig::S2t => &S2T,
        _ => unreachable!("only the four conversions above are used"),
    };
    cell.get_or_init(|| OpenCC::from_config(config).expect("built-in OpenCC configs are embedded"))
}

/// Converts Chinese text to the target script; English targets are returned unchanged.
pub fn to_script(text: &str, target: Language) -> String {
    match target {
        // OpenCC's Taiwan phrases (s2twp: 文档→文件, 缓存→快取, 支持→支援 …) except for the
        // words they rewrite wrongly in AI news, which keep their character forms only; then the
        // project's table for what OpenCC misses (萬億→兆, 發佈→發布 …) and Taiwan's quotes.
        Language::ZhHant => {
            let converted = super::vocab::convert_except(
                text,
                |part| converter(BuiltinConfig::S2twp).convert(part),
                |part| converter(BuiltinConfig::S2tw).convert(part),
            );
            super::vocab::taiwan_quotes(&super::vocab::taiwan_terms(&converted))
        }
        Language::ZhHans => converter(BuiltinConfig::T2s).convert(text),
        Language::En => text.to_string(),
    }
}

/// A name (a company, a product) in the target script: character forms only, never the Taiwan
/// phrase table `to_script` applies to prose — as prose 智能 is 智慧 in Taiwan, but the company
/// 深衡智能 stays 深衡智能 (the phrase table had made it 深衡智慧, a name no article uses).
/// English targets are returned unchanged.
pub fn name_in_script(name: &str, target: Language) -> String {
    match target {
        Language::ZhHant => converter(BuiltinConfig::S2tw).convert(name),
        Language::ZhHans => converter(BuiltinConfig::T2s).convert(name),
        Language::En => name.to_string(),
    }
}

/// One character's counterpart in each direction, for every Han character of the Basic
/// Multilingual Plane, read off OpenCC's character dictionaries once per process. Phrase-aware
/// conversion (`to_script`) is what output needs; tokens and language leaning only need the same
/// character always folding the same way, and a table lookup costs nothing where a phrase match
/// per character dominated clustering and feed parsing (about 75 % of both at 10k articles).
struct CharTables {
    to_simplified: Vec<char>,
    to_traditional: Vec<char>,
}

/// The BMP Han ranges `is_han` accepts (extension B lies outside the BMP and converts nothing
/// that AI news uses, so it keeps its characters as they are).
const TABLE_RANGES: [(u32, u32); 3] = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)];

fn table_index(c: char) -> Option<usize> {
    let code = c as u32;
    let mut offset = 0usize;
    for (start, end) in TABLE_RANGES {
        if (start..=end).contains(&code) {
            return Some(offset + (code - start) as usize);
        }
        offset += (end - start + 1) as usize;
    }
    None
}

fn char_tables() -> &'static CharTables {
    static TABLES: OnceLock<CharTables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let chars: Vec<char> = TABLE_RANGES
            .iter()
            .flat_map(|&(start, end)| (start..=end).filter_map(char::from_u32))
            .collect();
        // One conversion over every character, each on its own line: no dictionary phrase spans
        // a line break, so each line converts as the lone character it holds.
        let lines: String = chars.iter().flat_map(|&c| [c, '\n']).collect();
        let table = |config: BuiltinConfig| -> Vec<char> {
            let converted = converter(config).convert(&lines);
            let mut out: Vec<char> = chars.clone();
            for (slot, line) in out.iter_mut().zip(converted.split('\n')) {
                let mut it = line.chars();
                if let (Some(c), None) = (it.next(), it.next()) {
                    *slot = c;
                }
            }
            out
        };
        CharTables {
            to_simplified: table(BuiltinConfig::T2s),
            to_traditional: table(BuiltinConfig::S2t),
        }
    })
}

/// `c` in Simplified form, character by character (see `CharTables`).
pub fn fold_char_to_simplified(c: char) -> char {
    table_index(c).map_or(c, |i| char_tables().to_simplified[i])
}

/// `text` with every Han character in Simplified form, character by character: the fold the
/// tokenizer applies so both scripts of one story share terms. Not for output (see `to_script`).
pub fn fold_to_simplified(text: &str) -> String {
    text.chars().map(fold_char_to_simplified).collect()
}

/// How many Han characters of `text` have a Traditional-only form (the Simplified conversion
/// changes them) and how many a Simplified-only form (the Traditional conversion changes them),
/// character by character: the evidence for which script a text leans to.
pub fn script_evidence(text: &str) -> (usize, usize) {
    let tables = char_tables();
    let (mut traditional, mut simplified) = (0, 0);
    for c in text.chars() {
        if let Some(i) = table_index(c) {
            traditional += usize::from(tables.to_simplified[i] != c);
            simplified += usize::from(tables.to_traditional[i] != c);
        }
    }
    (traditional, simplified)
}

/// Is `c` a CJK unified ideograph (the characters that have a script at all)?
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF)
}

/// A character of the two main CJK blocks (URO and extension A, every code point assigned, all
/// letters without case): `is_alphanumeric` and `to_lowercase` answered without the Unicode
/// table searches that dominate hashing Chinese text character by character.
pub fn is_main_block_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF)
}

/// Calls `f` with `c.to_lowercase()`, answering ASCII and main-block Han without a table search.
pub fn for_each_lowercase(c: char, mut f: impl FnMut(char)) {
    if c.is_ascii() {
        f(c.to_ascii_lowercase())
    } else if is_main_block_han(c) {
        f(c)
    } else {
        c.to_lowercase().for_each(f)
    }
}

/// `c.is_alphanumeric()`, answering main-block Han without a table search.
pub fn is_alphanumeric(c: char) -> bool {
    is_main_block_han(c) || c.is_alphanumeric()
}

/// Han characters of `text` that belong to the other script than `target`, in order of appearance.
/// The whole text is converted to the target script with OpenCC's phrase dictionaries and
/// compared position by position: a character counts when the conversion changes it. Converting
/// phrases rather than lone characters matters, because many characters are valid in both
/// scripts in some words only (里 stays 里 in 阿里 but becomes 裏 in 這里).
pub fn wrong_script_chars(text: &str, target: Language) -> Vec<char> {
    let config = match target {
        // Taiwan's character forms (群, 峰, 秘) are what zh-Hant output uses, not OpenCC's
        // generic Traditional variants (羣, 峯, 祕).
        Language::ZhHant => BuiltinConfig::S2tw,
        Language::ZhHans => BuiltinConfig::T2s,
        Language::En => return Vec::new(),
    };
    let converter = converter(config);
    let converted = converter.convert(text);
    if converted.chars().count() == text.chars().count() {
        return text
            .chars()
            .zip(converted.chars())
            .filter(|&(original, new)| is_han(original) && original != new)
            .map(|(original, _)| original)
            .collect();
    }
    // Conversions of these configs keep lengths; if one ever does not, judge character by character.
    let mut buf = [0u8; 4];
    text.chars()
        .filter(|&c| is_han(c))
        .filter(|&c| {
            let converted = converter.convert(c.encode_utf8(&mut buf));
            converted.chars().count() == 1 && !converted.starts_with(c)
        })
        .collect()
}

/// Share (0.0-1.0) of Han characters in `text` written in the other script than `target`.
pub fn wrong_script_ratio(text: &str, target: Language) -> f64 {
    let han = text.chars().filter(|&c| is_han(c)).count();
    if han == 0 {
        return 0.0;
    }
    wrong_script_chars(text, target).len() as f64 / han as f64
}

/// Does `text` contain at least one Han character?
pub fn has_han(text: &str) -> bool {
    text.chars().any(is_han)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_words_where_prose_takes_taiwan_phrases() {
        assert_eq!(to_script("深衡智能", Language::ZhHant), "深衡智慧");
        assert_eq!(name_in_script("深衡智能", Language::ZhHant), "深衡智能");
        assert_eq!(name_in_script("阿里云", Language::ZhHant), "阿里雲");
        assert_eq!(name_in_script("阿里雲", Language::ZhHans), "阿里云");
        assert_eq!(name_in_script("DeepHeng-M2", Language::En), "DeepHeng-M2");
    }

    #[test]
    fn converts_simplified_to_taiwan_traditional() {
        // Taiwan's own word too: 图像 is 影像 in Taiwanese tech writing.
        assert_eq!(
            to_script("阿里开源图像生成模型", Language::ZhHant),
            "阿里開源影像生成模型"
        );
        assert_eq!(to_script("開源模型", Language::ZhHans), "开源模型");
        assert_eq!(
            to_script("open model 开源", Language::En),
            "open model 开源"
        );
    }

    #[test]
    fn character_fold_agrees_with_the_phrase_conversion_on_plain_text() {
        let traditional = "輝達發表新一代晶片，開發者可以免費下載開源模型與資料集";
        assert_eq!(
            fold_to_simplified(traditional),
            to_script(traditional, Language::ZhHans)
        );
        assert_eq!(fold_to_simplified("Qwen-Image 开源"), "Qwen-Image 开源");
        assert_eq!(fold_char_to_simplified('國'), '国');
        assert_eq!(fold_char_to_simplified('a'), 'a');
    }

    #[test]
    fn main_block_han_is_alphanumeric_and_caseless() {
        for code in (0x3400..=0x4DBF).chain(0x4E00..=0x9FFF) {
            let c = char::from_u32(code).unwrap();
            assert!(is_main_block_han(c));
            assert!(c.is_alphanumeric(), "{c:?} has no letter property");
            assert!(c.to_lowercase().eq([c]), "{c:?} has a lower case");
        }
        for c in ['A', 'É', 'İ', 'Σ', '7', '-', '　', '\u{F900}'] {
            let mut fast = Vec::new();
            for_each_lowercase(c, |l| fast.push(l));
            assert_eq!(fast, c.to_lowercase().collect::<Vec<_>>(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn counts_script_specific_characters() {
        // 國 and 產 are Traditional-only forms, 国 and 产 Simplified-only; 智 is both.
        assert_eq!(script_evidence("國產智能"), (2, 0));
        assert_eq!(script_evidence("国产智能"), (0, 2));
        assert_eq!(script_evidence("中文模型 GPT"), (0, 0));
    }

    #[test]
    fn measures_wrong_script_share() {
        assert_eq!(wrong_script_ratio("國產智能體", Language::ZhHant), 0.0);
        // 国 and 产 are Simplified-only forms: 2 of 5 Han characters.
        let ratio = wrong_script_ratio("国产智能體", Language::ZhHant);
        assert!((ratio - 0.4).abs() < 1e-9, "{ratio}");
        assert_eq!(
            wrong_script_chars("国产 L4", Language::ZhHant),
            vec!['国', '产']
        );
        assert!((wrong_script_ratio("開源", Language::ZhHans) - 0.5).abs() < 1e-9);
        // 里 is Traditional too in the name 阿里; only phrase-aware conversion knows that.
        assert_eq!(
            wrong_script_ratio("阿里巴巴與阿里雲", Language::ZhHant),
            0.0
        );
        assert_eq!(wrong_script_ratio("no han at all", Language::ZhHant), 0.0);
    }
}
