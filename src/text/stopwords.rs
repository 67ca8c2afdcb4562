//! Stopwords. In: a lowercased English word, a Han character or a Han bigram; out: whether it is a
//! function word (grammar that says nothing about a topic) or, for clustering, news filler (words
//! every AI report uses: "launch", "model", 「发布」). One list per language, in tiers, so each
//! stage picks how much to drop instead of keeping its own list.

use std::collections::HashSet;
use std::sync::OnceLock;

/// How much of the English word lists a tokenizer drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopwords {
    /// Keep every word (relevance scoring needs "ai").
    Keep,
    /// Drop grammar only (`ENGLISH_FUNCTION_WORDS`): for summaries and keywords.
    Function,
    /// Drop grammar and news filler (`ENGLISH_NEWS_FILLER`): for telling stories apart, where a
    /// word every report uses links unrelated stories.
    News,
}

/// English grammar words.
#[rustfmt::skip]
pub const ENGLISH_FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each",
    "even", "few", "for", "from", "further", "had", "has", "have", "having", "he",
    "her", "here", "hers", "him", "his", "how", "however", "i", "if", "in", "into", "is", "it",
    "its", "just", "may", "me", "might", "more", "most", "much", "must",
    "my", "new", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other",
    "our", "ours", "out", "over", "own", "per", "said", "same", "says", "she", "should", "so",
    "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these",
    "they", "this", "those", "through", "to", "too", "under", "until", "up", "us",
    "very", "via", "was", "we", "well", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "within", "without", "would", "you", "your",
    "yours", "what's", "yet", "still", "already", "around", "across", "among", "since", "let",
    "lets", "let's",
];

/// Words nearly every English AI-news report uses: they link unrelated stories.
#[rustfmt::skip]
pub const ENGLISH_NEWS_FILLER: &[&str] = &[
    "ai", "get", "gets", "like", "make", "makes", "use", "used", "uses", "using",
    "according", "including", "based", "first", "two", "year", "years", "today", "time",
    "way", "many", "news", "latest", "https", "http", "www", "com", "launch", "launches",
    "launched", "release", "releases", "released", "announce", "announces", "announced", "unveil",
    "unveils", "unveiled", "introduce", "introduces", "introducing", "million", "billion",
    "company", "companies", "user", "users", "feature", "features", "platform", "startup",
    "startups", "raise", "raises", "raised", "funding", "round", "major", "help", "helps", "allow",
    "allows", "enable", "enables", "support", "supports", "global", "world's", "high",
    "level", "end", "full", "fully", "aibase", "reported", "report", "reports", "percent",
];

/// Very common Chinese bigrams that carry no story: function words and news filler (Simplified
/// forms; tokenizers fold text to Simplified first).
#[rustfmt::skip]
pub const CHINESE_STOP_BIGRAMS: &[&str] = &[
    "我们", "一个", "这个", "可以", "没有", "他们", "进行", "通过", "以及", "因为", "所以", "但是",
    "如果", "已经", "非常", "就是", "这些", "那些", "什么", "自己", "还是", "而且", "不是", "其中",
    "并且", "之后", "目前", "同时", "相关", "表示", "来说", "对于", "其他", "这种", "一些", "可能",
    "需要", "能够", "正在", "以上", "以下", "不同", "一种", "一样", "这样", "怎么", "如何", "然后",
    "只是", "成为", "作为", "认为", "其实", "甚至", "不仅", "还有", "而是", "实现", "提供", "使用",
    "问题", "方面", "情况", "今天", "今年", "时候", "时间", "一下", "直接", "更多", "最新", "一次",
    "人工", "智能", "模型", "大模", "公众", "众号", "关注", "点击", "阅读", "原文", "来源", "编辑",
    "作者", "文章", "转载", "发布", "推出", "亿元", "亿美", "美元", "万元", "公司", "用户", "宣布",
    "正式", "全球", "首个", "上线", "功能", "平台", "技术", "团队",
];

/// Han particles that glue a sentence together (的, 了, 是 …): a bigram containing one spans a
/// word boundary more often than it names anything. Both scripts' forms.
#[rustfmt::skip]
pub const HAN_PARTICLES: &[char] = &[
    '的', '了', '是', '在', '和', '与', '與', '也', '就', '都', '而', '及', '或', '这', '這', '那',
    '我', '你', '他', '她', '它', '们', '們', '着', '著', '把', '被', '让', '讓', '从', '從', '于',
    '於', '之', '其', '并', '並', '但', '将', '將', '又', '很', '吗', '嗎', '呢', '吧', '啊', '个',
    '個', '为', '為',
];

/// Further Han characters that rarely begin or end a term although they occur inside words
/// (中 in 中国, 一 in 统一, 时 in 实时): a term's edges are checked against these and the
/// particles, a bigram only against the particles. Both scripts' forms.
#[rustfmt::skip]
pub const HAN_WEAK_EDGES: &[char] = &[
    '对', '對', '以', '上', '中', '等', '一', '不', '有', '此', '向', '到', '给', '給', '过', '過',
    '还', '還', '更', '最', '已', '会', '會', '能', '可', '要', '说', '說', '地', '得', '即', '若',
    '如', '该', '該', '每', '各', '自', '至', '后', '後', '前', '时', '時', '年', '月', '日', '来',
    '來', '去',
];

struct Sets {
    function: HashSet<&'static str>,
    filler: HashSet<&'static str>,
    stop_bigrams: HashSet<[char; 2]>,
    particles: HashSet<char>,
    weak_edges: HashSet<char>,
}

fn sets() -> &'static Sets {
    static SETS: OnceLock<Sets> = OnceLock::new();
    SETS.get_or_init(|| Sets {
        function: ENGLISH_FUNCTION_WORDS.iter().copied().collect(),
        filler: ENGLISH_NEWS_FILLER.iter().copied().collect(),
        stop_bigrams: CHINESE_STOP_BIGRAMS
            .iter()
            .map(|b| {
                let mut c = b.chars();
                [c.next().unwrap_or(' '), c.next().unwrap_or(' ')]
            })
            .collect(),
        particles: HAN_PARTICLES.iter().copied().collect(),
        weak_edges: HAN_WEAK_EDGES.iter().copied().collect(),
    })
}

/// Is the lowercased English `word` dropped at level `level`?
pub fn is_english_stopword(word: &str, level: Stopwords) -> bool {
    match level {
        Stopwords::Keep => false,
        Stopwords::Function => sets().function.contains(word),
        Stopwords::News => sets().function.contains(word) || sets().filler.contains(word),
    }
}

/// Is `c` a Han particle (`HAN_PARTICLES`)?
pub fn is_han_particle(c: char) -> bool {
    sets().particles.contains(&c)
}

/// Does `c` rarely begin or end a Han term (a particle or one of `HAN_WEAK_EDGES`)?
pub fn is_han_term_edge(c: char) -> bool {
    is_han_particle(c) || sets().weak_edges.contains(&c)
}

/// Is the Simplified bigram `pair` one of `CHINESE_STOP_BIGRAMS`?
pub fn is_chinese_stop_bigram(pair: [char; 2]) -> bool {
    sets().stop_bigrams.contains(&pair)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_nest() {
        assert!(is_english_stopword("the", Stopwords::Function));
        assert!(is_english_stopword("the", Stopwords::News));
        assert!(!is_english_stopword("the", Stopwords::Keep));
        assert!(is_english_stopword("launch", Stopwords::News));
        assert!(!is_english_stopword("launch", Stopwords::Function));
        assert!(!is_english_stopword("qwen", Stopwords::News));
        for w in ENGLISH_NEWS_FILLER {
            assert!(
                !ENGLISH_FUNCTION_WORDS.contains(w),
                "{w} listed twice across the tiers"
            );
        }
    }

    #[test]
    fn han_classes() {
        assert!(is_han_particle('的') && is_han_particle('們'));
        assert!(!is_han_particle('中') && is_han_term_edge('中'));
        assert!(!is_han_term_edge('模'));
        assert!(is_chinese_stop_bigram(['模', '型']));
        assert!(!is_chinese_stop_bigram(['开', '源']));
    }
}
