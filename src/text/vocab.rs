//! Taiwan vocabulary for zh-Hant digests, applied after character conversion. In: text already in
//! Traditional character forms; out: the same text with mainland IT/AI terms replaced by the ones a
//! Taiwanese reader expects (服務器→伺服器, 數據→資料, 視頻→影片 …) and one form for words written
//! two ways (發佈→發布). A curated table instead of OpenCC's s2twp phrase swaps, which rewrite
//! AI text wrongly (參數→引數, 發布→釋出, 擴展→擴充套件): every entry here was chosen for AI news.

/// (mainland term in Traditional characters, Taiwan term). Applied longest key first, so
/// 數據庫 becomes 資料庫 before 數據 could turn it into 資料庫's wrong cousin.
const TAIWAN_TERMS: &[(&str, &str)] = &[
    ("人工智能", "人工智慧"),
    ("智能手機", "智慧型手機"),
    ("服務器", "伺服器"),
    ("數據庫", "資料庫"),
    ("數據集", "資料集"),
    ("數據中心", "資料中心"),
    ("大數據", "大數據"),
    ("數據", "資料"),
    ("視頻", "影片"),
    ("軟件", "軟體"),
    ("硬件", "硬體"),
    ("互聯網", "網際網路"),
    ("網絡", "網路"),
    ("應用程序", "應用程式"),
    ("小程序", "小程式"),
    ("程序員", "程式設計師"),
    ("程序", "程式"),
    ("代碼", "程式碼"),
    ("編程", "程式設計"),
    ("算法", "演算法"),
    ("顯卡", "顯示卡"),
    ("內存", "記憶體"),
    ("芯片", "晶片"),
    ("硬盤", "硬碟"),
    ("操作系統", "作業系統"),
    ("雲計算", "雲端運算"),
    ("信息", "資訊"),
    ("默認", "預設"),
    ("接口", "介面"),
    ("屏幕", "螢幕"),
    ("博客", "部落格"),
    ("激光", "雷射"),
    ("初創公司", "新創公司"),
    ("發佈", "發布"),
];

/// `text` (Traditional characters) with the Taiwan terms of the table.
pub fn taiwan_terms(text: &str) -> String {
    // Cheap exit: most lines hold none of the table's first characters.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Language;
    use crate::text::to_script;

    /// The terms a Taiwanese reader notices at once, from Simplified and from Traditional text.
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
    }

    /// Where OpenCC's s2twp goes wrong on AI text, this table does not.
    #[test]
    fn s2twp_mistakes_are_not_made() {
        let text = "模型参数规模达720亿，阿里发布新模型，支持扩展上下文。";
        let converted = to_script(text, Language::ZhHant);
        assert_eq!(
            converted,
            "模型參數規模達720億，阿里發布新模型，支持擴展上下文。"
        );
        assert!(!converted.contains("引數") && !converted.contains("釋出"));
        assert!(!converted.contains("擴充套件"));
    }

    /// 發布 and 發佈 are one word; a digest writes it one way.
    #[test]
    fn one_form_of_fabu() {
        for text in ["发布", "發佈", "發布"] {
            assert_eq!(to_script(text, Language::ZhHant), "發布", "{text}");
        }
        // zh-Hans and English digests are untouched by the Taiwan table.
        assert_eq!(to_script("服务器", Language::ZhHans), "服务器");
        assert_eq!(taiwan_terms("no Chinese here"), "no Chinese here");
        assert_eq!(taiwan_terms("大數據"), "大數據");
    }
}
