//! Articles → L2-normalised sparse TF-IDF vectors and their pairwise similarities. In: the unique
//! articles being clustered; out: one vector per article (sorted `(term id, weight)` pairs), the
//! vocabulary (so traces can name the terms two articles share) and the similarity matrix.
//! Tokens are CJK character bigrams and lowercased Latin words; model names such as
//! `Qwen-Image-2512` stay whole and weigh most. Never reads anything but the articles: IDF is
//! computed over the input itself.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use crate::model::{Article, Language};
use crate::render::script::{is_han, to_script};

/// Title tokens count this many times a body occurrence: a headline states the story, a body
/// wanders into background.
const TITLE_WEIGHT: f32 = 3.0;
/// At most this many title occurrences of one token count (titles that repeat a word are not
/// more about it).
const TITLE_TF_CAP: f32 = 2.0;
/// Only the body's first characters are read. The lead carries the story; a 40k-character
/// article would otherwise drown its own headline and every other article it is compared with.
const BODY_CHARS: usize = 1500;
/// Weight of the Latin-only cosine for a Chinese/English pair. Such a pair shares no bigrams, so
/// its full cosine is capped by the Chinese side's Latin share; on the fixtures and the corpus the
/// Latin-only cosine of one story told in two languages is 0.35-0.75 and of unrelated pairs under
/// 0.2, so half of it lands on the same scale as a same-language cosine.
const CROSS_LANGUAGE_WEIGHT: f32 = 0.5;
/// Hyphen/dot-joined model names with a version (`GPT-5.2`, `Qwen-Image-2512`): two articles that
/// name the same one are almost always about the same release.
const MODEL_BOOST: f32 = 3.0;
/// Single letter+digit codes (`V4`, `H200`, `M3`): telling, but shorter and more ambiguous.
const CODE_BOOST: f32 = 1.5;
/// Chinese names mapped to their Latin spelling (an alias token). Cross-language articles share
/// almost no other tokens, so these give an English and a Chinese report of one story a bridge.
const ALIAS_BOOST: f32 = 1.0;

/// What a token is; decides its boost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenKind {
    /// A lowercased Latin (or other alphabetic script) word.
    Word,
    /// A hyphen/dot-joined alphanumeric compound containing a letter and a digit: a model name.
    Model,
    /// A single alphanumeric token with letters and digits (`v4`, `h200`).
    Code,
    /// Two adjacent Han characters.
    Bigram,
    /// The Latin spelling of a Chinese name (`谷歌` → `google`).
    Alias,
}

impl TokenKind {
    fn boost(self) -> f32 {
        match self {
            TokenKind::Word | TokenKind::Bigram => 1.0,
            TokenKind::Model => MODEL_BOOST,
            TokenKind::Code => CODE_BOOST,
            TokenKind::Alias => ALIAS_BOOST,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub kind: TokenKind,
}

/// A sparse vector: `(term id, weight)` sorted by term id, L2 norm 1 (or empty).
pub type SparseVec = Vec<(u32, f32)>;

/// The vectors of a set of articles and the vocabulary their term ids index.
#[derive(Debug, Clone)]
pub struct Vectors {
    /// Term text by id; ids are assigned in lexicographic order so they do not depend on input
    /// order.
    pub terms: Vec<String>,
    /// One vector per input article, in input order.
    pub docs: Vec<SparseVec>,
    /// The same vectors restricted to Latin-script terms (words, model names, codes, aliases)
    /// and renormalised: what a Chinese and an English report of one story have in common.
    pub latin: Vec<SparseVec>,
    /// Whether each article is written mainly in Chinese.
    pub chinese: Vec<bool>,
}

#[rustfmt::skip]
const ENGLISH_STOPWORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "ai", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each",
    "even", "few", "for", "from", "further", "get", "gets", "had", "has", "have", "having", "he",
    "her", "here", "hers", "him", "his", "how", "however", "i", "if", "in", "into", "is", "it",
    "its", "just", "like", "make", "makes", "may", "me", "might", "more", "most", "much", "must",
    "my", "new", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other",
    "our", "ours", "out", "over", "own", "per", "said", "same", "says", "she", "should", "so",
    "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these",
    "they", "this", "those", "through", "to", "too", "under", "until", "up", "us", "use", "used",
    "uses", "using", "very", "via", "was", "we", "well", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "within", "without", "would", "you", "your",
    "yours", "according", "including", "based", "first", "two", "year", "years", "today", "time",
    "way", "many", "what's", "yet", "still", "already", "around", "across", "among", "since", "let",
    "lets", "let's", "news", "latest", "https", "http", "www", "com", "launch", "launches",
    "launched", "release", "releases", "released", "announce", "announces", "announced", "unveil",
    "unveils", "unveiled", "introduce", "introduces", "introducing", "million", "billion",
    "company", "companies", "user", "users", "feature", "features", "platform", "startup",
    "startups", "raise", "raises", "raised", "funding", "round", "major", "help", "helps", "allow",
    "allows", "enable", "enables", "support", "supports", "global", "world's", "high",
    "level", "end", "full", "fully", "aibase", "reported", "report", "reports", "percent",
];

/// Very common Chinese bigrams that carry no story: function words and news filler.
#[rustfmt::skip]
const CHINESE_STOP_BIGRAMS: &[&str] = &[
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

/// Characters that glue a sentence together; a bigram containing one spans a word boundary more
/// often than it names anything.
#[rustfmt::skip]
const FUNCTION_CHARS: &[char] = &[
    '的', '了', '是', '在', '和', '与', '也', '就', '都', '而', '及', '或', '这', '那', '我', '你',
    '他', '她', '它', '们', '着', '把', '被', '让', '从', '于', '之', '其', '并', '但', '将', '又',
    '很', '吗', '呢', '吧', '啊', '个', '为',
];

/// Chinese names of organisations, products and people that English reports spell in Latin
/// (Simplified forms: text is folded to Simplified before matching, so Taiwan's 輝達 is 辉达).
#[rustfmt::skip]
const ALIASES: &[(&str, &str)] = &[
    ("谷歌", "google"), ("微软", "microsoft"), ("英伟达", "nvidia"), ("苹果", "apple"),
    ("亚马逊", "amazon"), ("特斯拉", "tesla"), ("马斯克", "musk"), ("奥特曼", "altman"),
    ("黄仁勋", "huang"), ("阿里", "alibaba"), ("千问", "qwen"), ("腾讯", "tencent"),
    ("混元", "hunyuan"), ("字节", "bytedance"), ("豆包", "doubao"), ("百度", "baidu"),
    ("文心", "ernie"), ("华为", "huawei"), ("昇腾", "ascend"), ("美团", "meituan"),
    ("小米", "xiaomi"), ("智谱", "zhipu"), ("月之暗面", "moonshot"), ("百川", "baichuan"),
    ("深度求索", "deepseek"), ("英特尔", "intel"), ("高通", "qualcomm"), ("三星", "samsung"),
    ("台积电", "tsmc"), ("商汤", "sensetime"), ("讯飞", "iflytek"), ("快手", "kuaishou"),
    ("可灵", "kling"), ("阶跃星辰", "stepfun"), ("宇树", "unitree"), ("智源", "baai"),
    ("爱诗", "pixverse"), ("生数", "vidu"), ("稀宇", "minimax"), ("脸书", "meta"),
    ("元宇宙", "metaverse"), ("杨立昆", "lecun"), ("辛顿", "hinton"), ("清华", "tsinghua"),
    ("北大", "peking"), ("斯坦福", "stanford"), ("麻省理工", "mit"), ("辉达", "nvidia"),
    ("超微", "amd"), ("联发科", "mediatek"),
];

fn is_connector(c: char) -> bool {
    matches!(c, '-' | '.' | '_' | '\u{2010}' | '\u{2011}' | '\u{2013}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_han(c)
}

/// The word lists as sets, built once: the tokenizer asks per token.
struct Lexicon {
    english_stopwords: HashSet<&'static str>,
    chinese_stop_bigrams: HashSet<[char; 2]>,
    function_chars: HashSet<char>,
    /// Aliases by their first character.
    aliases: HashMap<char, Vec<(Vec<char>, &'static str)>>,
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut aliases: HashMap<char, Vec<(Vec<char>, &'static str)>> = HashMap::new();
        for &(name, latin) in ALIASES {
            let chars: Vec<char> = name.chars().collect();
            aliases.entry(chars[0]).or_default().push((chars, latin));
        }
        Lexicon {
            english_stopwords: ENGLISH_STOPWORDS.iter().copied().collect(),
            chinese_stop_bigrams: CHINESE_STOP_BIGRAMS
                .iter()
                .map(|b| {
                    let mut c = b.chars();
                    [c.next().unwrap_or(' '), c.next().unwrap_or(' ')]
                })
                .collect(),
            function_chars: FUNCTION_CHARS.iter().copied().collect(),
            aliases,
        }
    })
}

fn is_english_stopword(word: &str) -> bool {
    lexicon().english_stopwords.contains(word)
}

/// `7b`, `10x`, `1080p`, `4k`: a number with a unit, not a name.
fn is_quantity(token: &str) -> bool {
    let digits = token.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && token.chars().count() - digits <= 2
}

fn push_word(tokens: &mut Vec<Token>, word: &str, keep_stopwords: bool) {
    let lower = word.to_lowercase();
    let has_digit = lower.chars().any(|c| c.is_ascii_digit());
    let has_letter = lower.chars().any(char::is_alphabetic);
    if !has_letter {
        return; // bare numbers: dates, prices and counts link unrelated stories
    }
    if has_digit && !is_quantity(&lower) {
        tokens.push(Token {
            text: lower,
            kind: TokenKind::Code,
        });
    } else if lower.chars().count() >= 2 && (keep_stopwords || !is_english_stopword(&lower)) {
        tokens.push(Token {
            text: lower,
            kind: TokenKind::Word,
        });
    }
}

fn push_han_run(tokens: &mut Vec<Token>, run: &[char]) {
    let lexicon = lexicon();
    for (i, c) in run.iter().enumerate() {
        for (name, latin) in lexicon.aliases.get(c).into_iter().flatten() {
            if run[i..].starts_with(name) {
                tokens.push(Token {
                    text: (*latin).to_string(),
                    kind: TokenKind::Alias,
                });
            }
        }
    }
    for pair in run.windows(2) {
        let pair = [pair[0], pair[1]];
        if pair.iter().any(|c| lexicon.function_chars.contains(c))
            || lexicon.chinese_stop_bigrams.contains(&pair)
        {
            continue;
        }
        tokens.push(Token {
            text: pair.iter().collect(),
            kind: TokenKind::Bigram,
        });
    }
}

/// A dotted version number (`2.0`, `3.1.4`) after one space at `at`, standing alone (not `2.5%`,
/// not `2.5x`): the version and the index just past it.
fn version_after(chars: &[char], at: usize) -> Option<(String, usize)> {
    if chars.get(at) != Some(&' ') {
        return None;
    }
    let mut end = at + 1;
    let mut dots = 0;
    loop {
        let start = end;
        while end < chars.len() && chars[end].is_ascii_digit() {
            end += 1;
        }
        if end == start {
            return None;
        }
        if chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
            dots += 1;
            end += 1;
        } else {
            break;
        }
    }
    let standalone = chars
        .get(end)
        .is_none_or(|&c| !(is_word_char(c) || c == '%'));
    (dots > 0 && standalone).then(|| (chars[at + 1..end].iter().collect(), end))
}

/// Splits text into clustering tokens: bigrams over runs of Han characters (plus alias tokens for
/// known Chinese names), lowercased words elsewhere. A hyphen/dot-joined compound containing a
/// letter and a digit (`Qwen-Image-2512`, `GPT-5.2`) is one `Model` token, followed by its
/// alphabetic parts as words. Traditional characters are folded to Simplified first so both
/// scripts of one story share bigrams.
pub fn tokenize(text: &str) -> Vec<Token> {
    tokenize_with(text, false)
}

/// `tokenize`, optionally keeping English stopwords (relevance scoring needs "ai").
pub(crate) fn tokenize_with(text: &str, keep_stopwords: bool) -> Vec<Token> {
    let text = if text.chars().any(is_han) {
        to_script(text, Language::ZhHans)
    } else {
        text.to_string()
    };
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_han(c) {
            let start = i;
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            push_han_run(&mut tokens, &chars[start..i]);
        } else if is_word_char(c) {
            let compound_start = i;
            let mut parts: Vec<String> = Vec::new();
            loop {
                let start = i;
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                }
                parts.push(chars[start..i].iter().collect());
                let joined = i + 1 < chars.len() && is_connector(chars[i]);
                if joined && is_word_char(chars[i + 1]) {
                    i += 1;
                } else {
                    break;
                }
            }
            let has_digit = parts.iter().any(|p| p.chars().any(|c| c.is_ascii_digit()));
            let has_letter = parts.iter().any(|p| p.chars().any(char::is_alphabetic));
            let is_model = has_digit && has_letter && parts.len() > 1;
            if !is_model && chars[compound_start].is_uppercase() {
                // `Sparrow-Serve 2.0`, `Veo 3.1`, `MedGemma 1.5`: a capitalised name followed by
                // a dotted version is a model name written with a space.
                if let Some((version, end)) = version_after(&chars, i) {
                    let name: String = chars[compound_start..i]
                        .iter()
                        .map(|&c| if is_connector(c) && c != '.' { '-' } else { c })
                        .collect();
                    tokens.push(Token {
                        text: format!("{}-{version}", name.to_lowercase()),
                        kind: TokenKind::Model,
                    });
                    for part in &parts {
                        push_word(&mut tokens, part, keep_stopwords);
                    }
                    i = end;
                    continue;
                }
            }
            if parts.len() == 1 {
                push_word(&mut tokens, &parts[0], keep_stopwords);
                continue;
            }
            if is_model {
                // Keep dots inside versions (`gpt-5.2` is not `gpt-52`); other joiners → '-'.
                let name: String = chars[compound_start..i]
                    .iter()
                    .map(|&c| if is_connector(c) && c != '.' { '-' } else { c })
                    .collect();
                tokens.push(Token {
                    text: name.to_lowercase(),
                    kind: TokenKind::Model,
                });
            }
            // The parts as plain words too, so `Qwen-Image-2512` still meets a bare "Qwen"; inside
            // a model name the version fragments (`5`, `2512`, `7b`) mean nothing alone.
            for part in parts
                .iter()
                .filter(|p| !is_model || p.chars().all(char::is_alphabetic))
            {
                push_word(&mut tokens, part, keep_stopwords);
            }
        } else {
            i += 1;
        }
    }
    tokens
}

/// The first `BODY_CHARS` characters of the body, without a leading copy of the title (many
/// feeds repeat the headline as the first line, which would double its weight).
fn body_lead(article: &Article) -> &str {
    let body = article.text.trim_start();
    let body = body.strip_prefix(article.title.trim()).unwrap_or(body);
    match body.char_indices().nth(BODY_CHARS) {
        Some((cut, _)) => &body[..cut],
        None => body,
    }
}

/// Raw (pre-IDF) weight of every term of one article.
fn raw_weights(article: &Article) -> BTreeMap<String, f32> {
    let mut title_tf: BTreeMap<String, (f32, TokenKind)> = BTreeMap::new();
    for token in tokenize(&article.title) {
        title_tf.entry(token.text).or_insert((0.0, token.kind)).0 += 1.0;
    }
    let mut body_tf: BTreeMap<String, (f32, TokenKind)> = BTreeMap::new();
    for token in tokenize(body_lead(article)) {
        body_tf.entry(token.text).or_insert((0.0, token.kind)).0 += 1.0;
    }
    let mut weights = BTreeMap::new();
    for (term, &(tf, kind)) in &title_tf {
        weights.insert(
            term.clone(),
            TITLE_WEIGHT * tf.min(TITLE_TF_CAP) * kind.boost(),
        );
    }
    for (term, &(tf, kind)) in &body_tf {
        // Sublinear: the tenth mention of a word says little the second did not.
        let w = (1.0 + tf.ln()) * kind.boost();
        *weights.entry(term.clone()).or_insert(0.0) += w;
    }
    weights
}

/// TF-IDF vectors of `articles`, L2-normalised. IDF is `ln((n + 1) / df)`: a term every article
/// has weighs almost nothing, and two-article inputs still keep shared terms above zero.
pub fn vectorize(articles: &[Article]) -> Vectors {
    let raw: Vec<BTreeMap<String, f32>> = articles.iter().map(raw_weights).collect();
    let mut df: BTreeMap<&str, u32> = BTreeMap::new();
    for doc in &raw {
        for term in doc.keys() {
            *df.entry(term.as_str()).or_insert(0) += 1;
        }
    }
    let terms: Vec<String> = df.keys().map(|t| t.to_string()).collect();
    let ids: BTreeMap<&str, u32> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i as u32))
        .collect();
    let n = articles.len() as f32;
    let docs: Vec<SparseVec> = raw
        .iter()
        .map(|doc| {
            let vec: SparseVec = doc
                .iter()
                .map(|(term, &w)| {
                    let idf = ((n + 1.0) / df[term.as_str()] as f32).ln();
                    (ids[term.as_str()], w * idf)
                })
                .filter(|&(_, w)| w > 0.0)
                .collect();
            normalised(vec) // already sorted: BTreeMap order is lexicographic, and so are the ids
        })
        .collect();
    let latin = docs
        .iter()
        .map(|doc| {
            let kept = doc
                .iter()
                .filter(|&&(t, _)| !terms[t as usize].chars().any(is_han));
            normalised(kept.copied().collect())
        })
        .collect();
    // The collect stage already decided each article's language from its text.
    let chinese = articles.iter().map(|a| a.lang.starts_with("zh")).collect();
    Vectors {
        terms,
        docs,
        latin,
        chinese,
    }
}

fn normalised(mut vec: SparseVec) -> SparseVec {
    let norm = vec.iter().map(|&(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        vec.iter_mut().for_each(|(_, w)| *w /= norm);
    }
    vec
}

/// Cosine of two normalised sparse vectors.
pub fn cosine(a: &SparseVec, b: &SparseVec) -> f32 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

/// All pairwise similarities as a dense row-major `n × n` matrix (diagonal 1): the cosine, or for
/// a Chinese/English pair the larger of the cosine and `CROSS_LANGUAGE_WEIGHT` × the Latin-only
/// cosine. Accumulated term by term over postings lists, which costs the sum of squared document
/// frequencies instead of `n²` vector walks; the order of additions is fixed, so results are
/// bit-for-bit reproducible.
pub fn similarity_matrix(vectors: &Vectors) -> Vec<f32> {
    let n = vectors.docs.len();
    let mut postings: Vec<Vec<(usize, f32)>> = vec![Vec::new(); vectors.terms.len()];
    for (doc, vec) in vectors.docs.iter().enumerate() {
        for &(term, w) in vec {
            postings[term as usize].push((doc, w));
        }
    }
    let mut sim = vec![0.0f32; n * n];
    for list in &postings {
        for (k, &(a, wa)) in list.iter().enumerate() {
            for &(b, wb) in &list[k + 1..] {
                sim[a * n + b] += wa * wb;
            }
        }
    }
    for a in 0..n {
        sim[a * n + a] = 1.0;
        for b in a + 1..n {
            if vectors.chinese[a] != vectors.chinese[b] {
                let cross = CROSS_LANGUAGE_WEIGHT * cosine(&vectors.latin[a], &vectors.latin[b]);
                sim[a * n + b] = sim[a * n + b].max(cross);
            }
            sim[b * n + a] = sim[a * n + b];
        }
    }
    sim
}

/// Terms both vectors carry, strongest (by product of weights) first, at most `limit`.
pub fn shared_terms(vectors: &Vectors, a: usize, b: usize, limit: usize) -> Vec<String> {
    let (va, vb) = (&vectors.docs[a], &vectors.docs[b]);
    let mut shared: Vec<(f32, u32)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < va.len() && j < vb.len() {
        match va[i].0.cmp(&vb[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared.push((va[i].1 * vb[j].1, va[i].0));
                i += 1;
                j += 1;
            }
        }
    }
    shared.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    shared
        .into_iter()
        .take(limit)
        .map(|(_, t)| vectors.terms[t as usize].clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests_support::article;

    fn texts(tokens: &[Token]) -> Vec<&str> {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn keeps_model_names_whole_and_marks_them() {
        let tokens =
            tokenize("Alibaba open-sources Qwen-Image-2512, beating GPT-5.2 and Lumen-7B.");
        let model: Vec<&str> = tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Model)
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(model, ["qwen-image-2512", "gpt-5.2", "lumen-7b"]);
        let all = texts(&tokens);
        assert!(all.contains(&"qwen") && all.contains(&"image") && all.contains(&"alibaba"));
        assert!(all.contains(&"open") && all.contains(&"sources"));
        assert!(!all.contains(&"and"), "stopwords dropped: {all:?}");
        assert!(
            !all.iter().any(|t| *t == "2512" || *t == "5.2"),
            "numbers are not tokens: {all:?}"
        );
    }

    #[test]
    fn cjk_runs_become_bigrams_and_latin_inside_stays_whole() {
        let tokens = tokenize("阿里开源Qwen-Image-2512图像模型");
        let all = texts(&tokens);
        assert!(all.contains(&"qwen-image-2512"), "{all:?}");
        for bigram in ["开源", "图像", "像模"] {
            assert!(all.contains(&bigram), "missing {bigram}: {all:?}");
        }
        assert!(all.contains(&"alibaba"), "alias token for 阿里: {all:?}");
        assert!(!all.contains(&"源q"), "no bigram across scripts: {all:?}");
    }

    #[test]
    fn traditional_and_simplified_share_bigrams() {
        let hant: Vec<String> = tokenize("開源圖像生成")
            .into_iter()
            .map(|t| t.text)
            .collect();
        let hans: Vec<String> = tokenize("开源图像生成")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(hant, hans);
    }

    #[test]
    fn capitalised_name_plus_dotted_version_is_a_model_name() {
        let tokens =
            tokenize("Sparrow-Serve 2.0 ships; Veo 3.1 too, but revenue grew 2.5% and raises 3.2");
        let model: Vec<&str> = tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Model)
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(model, ["sparrow-serve-2.0", "veo-3.1"]);
        assert!(texts(&tokens).contains(&"sparrow"));
        let hyphenated = tokenize("Sparrow-Serve-2.0发布");
        assert_eq!(hyphenated[0].text, "sparrow-serve-2.0");
    }

    #[test]
    fn quantities_and_codes() {
        let tokens = tokenize("DeepSeek V4 runs on H200 at 10x speed with 7B params");
        let code: Vec<&str> = tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Code)
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(code, ["v4", "h200"]);
        let all = texts(&tokens);
        assert!(all.contains(&"10x") && all.contains(&"7b"));
    }

    #[test]
    fn vectors_are_normalised_and_order_free() {
        let a = article(
            "a1",
            "Qwen-Image-2512 released",
            "Alibaba released an image model.",
        );
        let b = article("b2", "Lumen-7B tops benchmark", "A small language model.");
        let ab = vectorize(&[a.clone(), b.clone()]);
        let ba = vectorize(&[b, a]);
        assert_eq!(ab.terms, ba.terms);
        assert_eq!(ab.docs[0], ba.docs[1]);
        for v in &ab.docs {
            let norm: f32 = v.iter().map(|(_, w)| w * w).sum();
            assert!((norm - 1.0).abs() < 1e-5);
            assert!(v.windows(2).all(|p| p[0].0 < p[1].0));
        }
    }

    #[test]
    fn shared_model_name_dominates_similarity() {
        let a = article(
            "a",
            "Qwen-Image-2512 tops image leaderboard",
            "Alibaba's new open model.",
        );
        let b = article(
            "b",
            "Alibaba Qwen-Image-2512 is out",
            "The open model generates images.",
        );
        let c = article(
            "c",
            "Open model for robots is out",
            "A new open model for robots.",
        );
        let v = vectorize(&[a, b, c]);
        let sim = similarity_matrix(&v);
        assert!(sim[1] > sim[2] && sim[1] > sim[5], "{sim:?}");
        assert!((sim[1] - cosine(&v.docs[0], &v.docs[1])).abs() < 1e-5);
        assert_eq!(shared_terms(&v, 0, 1, 1), ["qwen-image-2512"]);
    }

    #[test]
    fn cross_language_pairs_compare_on_latin_terms() {
        let en = article(
            "en",
            "China Telecom's GVC codec compresses video to 0.02%",
            "TeleAI's generative video compression beats H.266 at a fraction of the bandwidth.",
        );
        let zh = article(
            "zh",
            "中国电信发布生成式视频压缩GVC，把视频压缩到0.02%",
            "中国电信人工智能研究院TeleAI提出生成式视频压缩技术，相比H.266大幅节省带宽，\
             在极低码率下仍能还原画面细节，适用于卫星通信和应急场景。",
        );
        let other = article(
            "o",
            "腾讯发布混元翻译模型",
            "腾讯混元团队开源翻译模型，支持三十三种语言互译。",
        );
        let v = vectorize(&[en, zh, other]);
        assert_eq!(v.chinese, [false, true, true]);
        let sim = similarity_matrix(&v);
        let full = cosine(&v.docs[0], &v.docs[1]);
        assert!(
            sim[1] > full,
            "latin-only view lifts the pair: {} vs {full}",
            sim[1]
        );
        assert!(sim[1] > 0.1, "{}", sim[1]);
        let latin = cosine(&v.latin[0], &v.latin[1]);
        assert!((sim[1] - CROSS_LANGUAGE_WEIGHT * latin).abs() < 1e-6);
        assert!(sim[2] < 0.05, "nothing Latin in common: {}", sim[2]);
        assert_eq!(sim[5], sim[7], "symmetric");
    }

    #[test]
    fn long_bodies_are_capped() {
        let long = format!("Lumen-7B {}", "filler words about nothing ".repeat(5000));
        let a = article("a", "Lumen-7B", &long);
        assert!(body_lead(&a).chars().count() <= BODY_CHARS);
    }
}
