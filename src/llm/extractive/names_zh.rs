//! Chinese organisation names: the topic's articles in, names such as 澜芯半导体, 慈安醫院 or
//! 國家資料治理委員會 out (a Han run ending in an organisation suffix that recurs across the
//! texts), in the articles' own script, most frequent first. Never a name the articles lack.

use super::*;

/// Endings of Chinese organisation names (Simplified; texts are folded before matching).
const ORG_SUFFIXES: &[&str] = &[
    "半导体",
    "委员会",
    "实验室",
    "研究院",
    "研究所",
    "交通局",
    "卫健委",
    "公司",
    "集团",
    "科技",
    "智能",
    "大学",
    "医院",
    "基金",
    "资本",
    "银行",
    "电子",
    "医疗",
    "数据",
    "资料",
    "云端",
    "社区",
    "学院",
    "协会",
];
/// A name is at most this many characters before its suffix…
const ORG_PREFIX_MAX: usize = 8;
/// …and the full name must occur at least this often across titles and bodies.
const ORG_MIN_COUNT: usize = 2;

/// Chinese organisation names: a Han run ending in an organisation suffix (澜芯半导体, 慈安医院,
/// 国家资料治理委员会), as long as the longest prefix that recurs as often as the shortest one.
/// Returned in the articles' script, most frequent first.
pub(super) fn chinese_names(articles: &[BlockArticle]) -> Vec<String> {
    let original: String = articles
        .iter()
        .flat_map(|a| [a.title.as_str(), a.text.as_str()])
        .collect::<Vec<_>>()
        .join("\n");
    let folded = to_script(&original, Language::ZhHans);
    let chars: Vec<char> = folded.chars().collect();
    let original_chars: Vec<char> = original.chars().collect();
    // Folding keeps lengths for these conversions; if it ever does not, show Simplified forms.
    let same_length = chars.len() == original_chars.len();
    let count =
        |needle: &[char]| -> usize { chars.windows(needle.len()).filter(|w| *w == needle).count() };
    let mut found: BTreeMap<String, (usize, usize, String)> = BTreeMap::new(); // name → (count, first, shown)
    for suffix in ORG_SUFFIXES {
        let suffix: Vec<char> = suffix.chars().collect();
        for end in
            (suffix.len()..=chars.len()).filter(|&e| chars[e - suffix.len()..e] == suffix[..])
        {
            let start_of_suffix = end - suffix.len();
            let mut best: Option<usize> = None;
            let mut shortest_count = 0;
            for len in 2..=ORG_PREFIX_MAX {
                let Some(start) = start_of_suffix.checked_sub(len) else {
                    break;
                };
                let prefix = &chars[start..start_of_suffix];
                if !prefix.iter().all(|&c| is_han(c)) || is_han_term_edge(prefix[0]) {
                    if prefix.iter().all(|&c| is_han(c)) {
                        continue;
                    }
                    break;
                }
                let n = count(&chars[start..end]);
                if len == 2 {
                    shortest_count = n;
                }
                if n >= ORG_MIN_COUNT && n >= shortest_count {
                    best = Some(start);
                }
            }
            if let Some(start) = best {
                let name: String = chars[start..end].iter().collect();
                let shown: String = if same_length {
                    original_chars[start..end].iter().collect()
                } else {
                    name.clone()
                };
                let n = count(&chars[start..end]);
                found.entry(name).or_insert((n, start, shown));
            }
        }
    }
    // A name inside a longer found name is part of it (科技 names inside 委员会 names).
    let names: Vec<(String, (usize, usize, String))> = found.clone().into_iter().collect();
    let mut kept: Vec<(usize, usize, String)> = names
        .iter()
        .filter(|(name, _)| {
            !names
                .iter()
                .any(|(other, _)| other != name && other.contains(name.as_str()))
        })
        .map(|(_, v)| v.clone())
        .collect();
    kept.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    kept.into_iter().map(|(_, _, shown)| shown).collect()
}
