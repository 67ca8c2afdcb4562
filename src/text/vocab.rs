//! Taiwan vocabulary for zh-Hant digests, around OpenCC's own Taiwan phrase conversion (s2twp:
//! TWPhrases and TWVariants, which cover 文档→文件, 缓存→快取, 支持→支援, 项目→專案, 纳米→奈米 …).
//! In: text in either script; out, through `script::to_script`: the text as a Taiwanese reader
//! expects it. Three short, tested lists, each for one job:
//! - `KEEP_CHARACTER_FORMS`: words s2twp rewrites wrongly for AI news (参数→引數, 发布→釋出,
//!   扩展→擴充套件); they get character conversion only (`convert_except`);
//! - `TAIWAN_TERMS`: what s2twp misses (万亿→兆, 初创公司→新創公司 …), applied after it;
//! - `taiwan_quotes`: 「」 and 『』 for “ ” and ‘ ’.

/// Words OpenCC's Taiwan phrases over-convert in AI news, in both scripts: each keeps its
/// character forms (s2tw) and its meaning. 參數 is a model's parameter, not a function's argument
/// (引數); 發布 is how Taiwanese tech media write "release" (釋出 reads as "set free"); 擴展 is
/// extend, 擴充套件 a browser extension; 文件 is already Taiwan's word for a document (檔案 is a
/// file); 前綴 is what Taiwanese developers call a prefix (字首 is the dictionary's word).
pub const KEEP_CHARACTER_FORMS: &[&str] = &[
    "参数", "參數", "发布", "發布", "發佈", "扩展", "擴展", "文件", "前缀", "前綴",
];

/// (what s2twp leaves, Taiwan term). Applied longest key first after the phrase conversion.
const TAIWAN_TERMS: &[(&str, &str)] = &[
    ("萬億", "兆"),
    ("初創公司", "新創公司"),
    ("初創企業", "新創企業"),
    ("智慧手機", "智慧型手機"),
    ("雲端計算", "雲端運算"),
    ("制程", "製程"),
    // 發佈 and 發布 are one word; a digest writes it one way.
    ("發佈", "發布"),
];

/// `text` converted by `phrases`, except the words of `KEEP_CHARACTER_FORMS`, which `characters`
/// converts on their own: the text is cut around each kept word (longest first at a position).
pub fn convert_except(
    text: &str,
    phrases: impl Fn(&str) -> String,
    characters: impl Fn(&str) -> String,
) -> String {
    // Cheap exit: most texts hold none of the kept words.
    if !KEEP_CHARACTER_FORMS.iter().any(|w| text.contains(w)) {
        return phrases(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut pending = 0usize;
    let mut at = 0usize;
    while at < text.len() {
        let rest = &text[at..];
        let kept = KEEP_CHARACTER_FORMS
            .iter()
            .filter(|w| rest.starts_with(*w))
            .max_by_key(|w| w.len());
        match kept {
            Some(word) => {
                out.push_str(&phrases(&text[pending..at]));
                out.push_str(&characters(word));
                at += word.len();
                pending = at;
            }
            None => at += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    out.push_str(&phrases(&text[pending..]));
    out
}

/// `text` (Traditional characters) with the Taiwan terms of the table.
pub fn taiwan_terms(text: &str) -> String {
    // Cheap exit: most lines hold none of the table's keys.
    if !TAIWAN_TERMS.iter().any(|(from, _)| text.contains(from)) {
        return text.to_string();
    }
    let mut keys: Vec<&(&str, &str)> = TAIWAN_TERMS.iter().collect();
    keys.sort_by_key(|(from, _)| std::cmp::Reverse(from.chars().count()));
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    'outer: while let Some(c) = rest.chars().next() {
        for (from, to) in &keys {
            if let Some(after) = rest.strip_prefix(from) {
                out.push_str(to);
                rest = after;
                continue 'outer;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Taiwan's quotation marks: “ ” become 「 」, and ‘ ’ become 『 』 where they quote Chinese
/// (a ’ in English text is an apostrophe, so single quotes change only as a pair around Han).
pub fn taiwan_quotes(text: &str) -> String {
    if !text.contains(['“', '”', '‘']) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '“' => out.push('「'),
            '”' => out.push('」'),
            '‘' => {
                let close = chars[i + 1..].iter().position(|&c| c == '’' || c == '‘');
                match close {
                    Some(len)
                        if chars[i + 1 + len] == '’'
                            && chars[i + 1..i + 1 + len].iter().any(|&c| super::is_han(c)) =>
                    {
                        out.push('『');
                        out.extend(&chars[i + 1..i + 1 + len]);
                        out.push('』');
                        i += len + 2;
                        continue;
                    }
                    _ => out.push('‘'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Language;
    use crate::text::to_script;

    /// Every mainland term the reader review found in a zh-Hant digest (issue 17), from
    /// Simplified and from Traditional characters, as a Taiwanese reader writes it.
    #[test]
    fn zh_hant_uses_taiwan_terms_for_every_term_the_review_found() {
        for (mainland, taiwan) in [
            ("上下文窗口扩展至128K", "上下文視窗擴展至128K"),
            ("動態分辨率視覺編碼器", "動態解析度視覺編碼器"),
            ("可以直接读取扫描文档", "可以直接讀取掃描文件"),
            ("該項目在GitHub上", "該專案在GitHub上"),
            ("前缀缓存", "前綴快取"),
            ("支持可视化编排", "支援視覺化編排"),
            ("3納米製程", "3奈米製程"),
            ("3纳米制程", "3奈米製程"),
            ("约2万亿tokens", "約2兆tokens"),
            ("深圳发放第二批“算力券”", "深圳發放第二批「算力券」"),
            ("所谓‘主权AI’", "所謂『主權AI』"),
        ] {
            assert_eq!(to_script(mainland, Language::ZhHant), taiwan, "{mainland}");
        }
    }

    /// The IT terms a Taiwanese reader notices at once, from Simplified and from Traditional text.
    #[test]
    fn zh_hant_uses_taiwan_it_terms() {
        assert_eq!(
            to_script(
                "服务器、数据、视频、软件、网络、程序、显卡、内存、芯片、数据中心",
                Language::ZhHant
            ),
            "伺服器、資料、影片、軟體、網路、程式、顯示卡、記憶體、晶片、資料中心"
        );
        assert_eq!(
            to_script("服務器與數據庫，視頻平台", Language::ZhHant),
            "伺服器與資料庫，影片平臺"
        );
        assert_eq!(
            to_script("初创公司推出智能手机，云计算", Language::ZhHant),
            "新創公司推出智慧型手機，雲端運算"
        );
    }

    /// Where OpenCC's Taiwan phrases go wrong on AI text, the kept words keep their meaning.
    #[test]
    fn s2twp_mistakes_are_not_made() {
        let text = "模型参数规模达720亿，阿里发布新模型，支持扩展上下文，并上传技术文件。";
        let converted = to_script(text, Language::ZhHant);
        assert_eq!(
            converted,
            "模型參數規模達720億，阿里發布新模型，支援擴展上下文，並上傳技術文件。"
        );
        for wrong in ["引數", "釋出", "擴充套件", "檔案"] {
            assert!(!converted.contains(wrong), "{wrong} in {converted}");
        }
        // The same words written in Traditional characters stay too.
        assert_eq!(
            to_script("參數、發布、擴展、文件", Language::ZhHant),
            "參數、發布、擴展、文件"
        );
    }

    /// 發布 and 發佈 are one word; a digest writes it one way.
    #[test]
    fn one_form_of_fabu() {
        for text in ["发布", "發佈", "發布"] {
            assert_eq!(to_script(text, Language::ZhHant), "發布", "{text}");
        }
        // zh-Hans and English digests are untouched by the Taiwan lists.
        assert_eq!(to_script("服务器“引号”", Language::ZhHans), "服务器“引号”");
        assert_eq!(taiwan_terms("no Chinese here"), "no Chinese here");
        assert_eq!(taiwan_terms("大數據"), "大數據");
    }

    #[test]
    fn single_quotes_change_only_around_chinese() {
        assert_eq!(taiwan_quotes("Alibaba’s model"), "Alibaba’s model");
        assert_eq!(taiwan_quotes("‘open’ weights"), "‘open’ weights");
        assert_eq!(
            taiwan_quotes("他說‘開源’與“閉源”"),
            "他說『開源』與「閉源」"
        );
        assert_eq!(taiwan_quotes("未閉合‘引號"), "未閉合‘引號");
    }

    #[test]
    fn kept_words_are_cut_out_longest_first() {
        let upper = |s: &str| s.to_uppercase();
        let marked = |s: &str| format!("<{s}>");
        assert_eq!(convert_except("ab參數cd", upper, marked), "AB<參數>CD");
        assert_eq!(convert_except("發佈發布", upper, marked), "<發佈><發布>");
        assert_eq!(convert_except("none", upper, marked), "NONE");
    }
}
