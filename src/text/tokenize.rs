//! The tokenizer. In: a text and `Options`; out: its tokens in order of appearance — bigrams over
//! runs of Han characters (Chinese has no spaces; bigrams are the usual proxy for words), alias
//! tokens for known Chinese names, lowercased Latin words, and model names such as
//! `Qwen-Image-2512` or `Veo 3.1` kept whole (the strongest signal in AI news). Traditional
//! characters are folded to Simplified first so both scripts of one story share bigrams. Also the
//! Latin-run scanner (with byte offsets) and the plural stemmer other stages build on. How a text
//! writes each word (capitalised or not) is `casing`.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::script::{fold_char_to_simplified, is_han};
use super::stopwords::{Stopwords, is_chinese_stop_bigram, is_english_stopword, is_han_particle};

/// What a token is.
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub kind: TokenKind,
}

/// What the tokenizer keeps and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// English words dropped.
    pub stopwords: Stopwords,
    /// Drop Han bigrams containing a particle (`HAN_PARTICLES`) and the Chinese stop bigrams.
    pub content_bigrams: bool,
    /// Emit `Alias` tokens for known Chinese names (`英伟达` → `nvidia`).
    pub aliases: bool,
    /// Keep hyphen/dot-joined compounds with a digit whole (`Model` tokens, followed by their
    /// alphabetic parts) and read `Veo 3.1` as one name; otherwise every part is its own word.
    pub model_names: bool,
    /// Reduce English words with `stem` (plural and possessive endings).
    pub stem: bool,
}

impl Options {
    /// Telling stories apart: news filler, stop bigrams dropped; aliases and model names on.
    pub const CLUSTER: Options = Options {
        stopwords: Stopwords::News,
        content_bigrams: true,
        aliases: true,
        model_names: true,
        stem: false,
    };
    /// Topic vocabulary for summaries: grammar dropped, every bigram kept, plural-stemmed words,
    /// compounds split into their parts.
    pub const TERMS: Options = Options {
        stopwords: Stopwords::Function,
        content_bigrams: false,
        aliases: false,
        model_names: false,
        stem: true,
    };
}

/// Chinese names of organisations, products and people that English reports spell in Latin
/// (Simplified forms: text is folded to Simplified before matching, so Taiwan's 輝達 is 辉达).
#[rustfmt::skip]
pub const ALIASES: &[(&str, &str)] = &[
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

/// Alias names (as characters) and their Latin spelling, by the name's first character.
type AliasIndex = HashMap<char, Vec<(Vec<char>, &'static str)>>;

/// The alias index, built once: the tokenizer asks per Han character.
fn aliases() -> &'static AliasIndex {
    static ALIAS_INDEX: OnceLock<AliasIndex> = OnceLock::new();
    ALIAS_INDEX.get_or_init(|| {
        let mut index = AliasIndex::new();
        for &(name, latin) in ALIASES {
            let chars: Vec<char> = name.chars().collect();
            index.entry(chars[0]).or_default().push((chars, latin));
        }
        index
    })
}

fn is_connector(c: char) -> bool {
    matches!(c, '-' | '.' | '_' | '\u{2010}' | '\u{2011}' | '\u{2013}')
}

pub(super) fn is_word_char(c: char) -> bool {
    !is_han(c) && c.is_alphanumeric()
}

/// A Latin letter or digit (ASCII, or a Latin-script letter below U+0250: é, ß, ł).
pub fn is_latin_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric() || (c.is_alphabetic() && (c as u32) < 0x0250)
}

/// Lowercase, possessive and plural stripped: "models" and "model" count as one word.
pub fn stem(word: &str) -> String {
    let mut w = word.to_lowercase();
    for suffix in ["'s", "’s"] {
        if let Some(stripped) = w.strip_suffix(suffix) {
            w = stripped.to_string();
        }
    }
    if w.len() > 4 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w.pop();
    }
    w
}

/// `7b`, `10x`, `1080p`, `4k`: a number with a unit, not a name.
fn is_quantity(token: &str) -> bool {
    let digits = token.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && token.chars().count() - digits <= 2
}

/// `chars` lowercased into `buf` (cleared first). `str::to_lowercase` for anything but ASCII: it
/// knows context rules (a word-final Σ) a per-character map does not.
pub(super) fn lowercase_into(buf: &mut String, chars: &[char]) {
    buf.clear();
    if chars.iter().all(char::is_ascii) {
        buf.extend(chars.iter().map(char::to_ascii_lowercase));
    } else {
        let word: String = chars.iter().collect();
        buf.push_str(&word.to_lowercase());
    }
}

/// Where tokens are written before they are handed out: one buffer per text, reused for every
/// token, so tokenizing allocates nothing per token (at 100k articles, tens of millions).
struct Emitter<'e, F: FnMut(&str, TokenKind)> {
    scratch: String,
    options: &'e Options,
    emit: F,
}

impl<F: FnMut(&str, TokenKind)> Emitter<'_, F> {
    fn word(&mut self, chars: &[char]) {
        if self.options.stem {
            let word: String = chars.iter().collect();
            self.scratch.clear();
            self.scratch.push_str(&stem(&word));
        } else {
            lowercase_into(&mut self.scratch, chars);
        }
        let lower = self.scratch.as_str();
        let has_digit = lower.chars().any(|c| c.is_ascii_digit());
        let has_letter = lower.chars().any(char::is_alphabetic);
        if !has_letter {
            return; // bare numbers: dates, prices and counts link unrelated stories
        }
        if has_digit && !is_quantity(lower) {
            (self.emit)(lower, TokenKind::Code);
        } else if lower.chars().count() >= 2 && !is_english_stopword(lower, self.options.stopwords)
        {
            (self.emit)(lower, TokenKind::Word);
        }
    }

    fn han_run(&mut self, run: &[char]) {
        if self.options.aliases {
            let index = aliases();
            for (i, c) in run.iter().enumerate() {
                for (name, latin) in index.get(c).into_iter().flatten() {
                    if run[i..].starts_with(name) {
                        (self.emit)(latin, TokenKind::Alias);
                    }
                }
            }
        }
        for pair in run.windows(2) {
            let pair = [pair[0], pair[1]];
            if self.options.content_bigrams
                && (pair.iter().any(|&c| is_han_particle(c)) || is_chinese_stop_bigram(pair))
            {
                continue;
            }
            self.scratch.clear();
            self.scratch.extend(pair);
            (self.emit)(&self.scratch, TokenKind::Bigram);
        }
    }

    /// `chars` as a model name: dots kept inside versions (`gpt-5.2` is not `gpt-52`), other
    /// joiners → '-', lowercased; then `suffix` (a version read after a space) joined by '-'.
    fn model(&mut self, chars: &[char], suffix: &[char]) {
        let mut name: Vec<char> = chars
            .iter()
            .map(|&c| if is_connector(c) && c != '.' { '-' } else { c })
            .collect();
        if !suffix.is_empty() {
            name.push('-');
            name.extend_from_slice(suffix);
        }
        lowercase_into(&mut self.scratch, &name);
        (self.emit)(&self.scratch, TokenKind::Model);
    }
}

/// A dotted version number (`2.0`, `3.1.4`) after one space at `at`, standing alone (not `2.5%`,
/// not `2.5x`): the index just past it (the version is `chars[at + 1..end]`).
fn version_after(chars: &[char], at: usize) -> Option<usize> {
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
    (dots > 0 && standalone).then_some(end)
}

/// Splits `text` into tokens (see the module doc). With `Options::CLUSTER`, a hyphen/dot-joined
/// compound containing a letter and a digit (`Qwen-Image-2512`, `GPT-5.2`) is one `Model` token,
/// followed by its alphabetic parts as words.
pub fn tokenize(text: &str, options: &Options) -> Vec<Token> {
    let mut tokens = Vec::new();
    for_each_token(text, options, |text, kind| {
        tokens.push(Token {
            text: text.to_string(),
            kind,
        })
    });
    tokens
}

/// `tokenize`, handing each token to `emit` as it is found instead of collecting them: the
/// token's text lives only for the call, and nothing is allocated per token (what clustering
/// needs, which only hashes them).
pub fn for_each_token(text: &str, options: &Options, emit: impl FnMut(&str, TokenKind)) {
    // Folding is per character (`fold_char_to_simplified` leaves every non-Han character as it
    // is), so the whole text folds in the same pass that splits it into characters.
    let chars: Vec<char> = text.chars().map(fold_char_to_simplified).collect();
    let mut out = Emitter {
        scratch: String::new(),
        options,
        emit,
    };
    let is_alphabetic =
        |range: &(usize, usize)| chars[range.0..range.1].iter().all(|c| c.is_alphabetic());
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_han(c) {
            let start = i;
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            out.han_run(&chars[start..i]);
        } else if is_word_char(c) {
            let compound_start = i;
            parts.clear();
            loop {
                let start = i;
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                }
                parts.push((start, i));
                let joined = i + 1 < chars.len() && is_connector(chars[i]);
                if joined && is_word_char(chars[i + 1]) {
                    i += 1;
                } else {
                    break;
                }
            }
            if !options.model_names {
                for &(start, end) in &parts {
                    out.word(&chars[start..end]);
                }
                continue;
            }
            let compound = &chars[compound_start..i];
            let has_digit = compound.iter().any(|c| c.is_ascii_digit());
            let has_letter = compound.iter().any(|c| c.is_alphabetic());
            let is_model = has_digit && has_letter && parts.len() > 1;
            if !is_model && chars[compound_start].is_uppercase() {
                // `Sparrow-Serve 2.0`, `Veo 3.1`, `MedGemma 1.5`: a capitalised name followed by
                // a dotted version is a model name written with a space.
                if let Some(end) = version_after(&chars, i) {
                    out.model(compound, &chars[i + 1..end]);
                    for &(start, end) in &parts {
                        out.word(&chars[start..end]);
                    }
                    i = end;
                    continue;
                }
            }
            if parts.len() == 1 {
                out.word(compound);
                continue;
            }
            if is_model {
                out.model(compound, &[]);
            }
            // The parts as plain words too, so `Qwen-Image-2512` still meets a bare "Qwen"; inside
            // a model name the version fragments (`5`, `2512`, `7b`) mean nothing alone.
            for range in parts.iter().filter(|r| !is_model || is_alphabetic(r)) {
                out.word(&chars[range.0..range.1]);
            }
        } else {
            i += 1;
        }
    }
}

/// A run of Latin letters and digits joined across `-`, `.` and `_` (`Qwen-Image-2512`,
/// `GPT-4.5`), with its byte range in the text it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatinRun<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// The Latin runs of `text` (see `LatinRun`), in order; a joiner counts only between two
/// Latin letters or digits, so a sentence-final period is not part of the run.
pub fn latin_runs(text: &str) -> Vec<LatinRun<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_latin_alnum(chars[i].1) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        while j < chars.len() {
            let c = chars[j].1;
            let joined = matches!(c, '-' | '.' | '_')
                && chars.get(j + 1).is_some_and(|&(_, n)| is_latin_alnum(n))
                && is_latin_alnum(chars[j - 1].1);
            if is_latin_alnum(c) || joined {
                j += 1;
            } else {
                break;
            }
        }
        let byte_start = chars[start].0;
        let byte_end = chars.get(j).map(|&(b, _)| b).unwrap_or(text.len());
        runs.push(LatinRun {
            text: &text[byte_start..byte_end],
            start: byte_start,
            end: byte_end,
        });
        i = j;
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(text: &str) -> Vec<Token> {
        tokenize(text, &Options::CLUSTER)
    }

    fn texts(tokens: &[Token]) -> Vec<&str> {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn keeps_model_names_whole_and_marks_them() {
        let tokens = cluster("Alibaba open-sources Qwen-Image-2512, beating GPT-5.2 and Lumen-7B.");
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
        let tokens = cluster("阿里开源Qwen-Image-2512图像模型");
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
        let hant: Vec<String> = cluster("開源圖像生成")
            .into_iter()
            .map(|t| t.text)
            .collect();
        let hans: Vec<String> = cluster("开源图像生成")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(hant, hans);
    }

    #[test]
    fn capitalised_name_plus_dotted_version_is_a_model_name() {
        let tokens =
            cluster("Sparrow-Serve 2.0 ships; Veo 3.1 too, but revenue grew 2.5% and raises 3.2");
        let model: Vec<&str> = tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Model)
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(model, ["sparrow-serve-2.0", "veo-3.1"]);
        assert!(texts(&tokens).contains(&"sparrow"));
        let hyphenated = cluster("Sparrow-Serve-2.0发布");
        assert_eq!(hyphenated[0].text, "sparrow-serve-2.0");
    }

    #[test]
    fn quantities_and_codes() {
        let tokens = cluster("DeepSeek V4 runs on H200 at 10x speed with 7B params");
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
    fn options_change_what_is_kept() {
        let text = "The AI models of Qwen-Image-2512 launched; 这个模型的开源";
        let keep = Options {
            stopwords: Stopwords::Keep,
            ..Options::CLUSTER
        };
        assert!(texts(&tokenize(text, &keep)).contains(&"ai"));
        assert!(!texts(&cluster(text)).contains(&"ai"));
        let terms = tokenize(text, &Options::TERMS);
        let all = texts(&terms);
        // Grammar goes, news filler stays; plurals are stemmed; compounds split into parts.
        assert!(!all.contains(&"the") && !all.contains(&"of"), "{all:?}");
        assert!(all.contains(&"ai") && all.contains(&"model") && all.contains(&"launched"));
        assert!(all.contains(&"qwen") && all.contains(&"image"), "{all:?}");
        assert!(!all.contains(&"qwen-image-2512"), "{all:?}");
        // Every bigram kept, no aliases.
        assert!(all.contains(&"这个") && all.contains(&"型的") && all.contains(&"模型"));
        assert!(terms.iter().all(|t| t.kind != TokenKind::Alias));
    }

    #[test]
    fn stems_plurals_and_possessives() {
        assert_eq!(stem("Models"), "model");
        assert_eq!(stem("companies"), "company");
        assert_eq!(stem("OpenAI's"), "openai");
        assert_eq!(stem("class"), "class");
        assert_eq!(stem("gas"), "gas");
    }

    #[test]
    fn non_ascii_words_lowercase_as_whole_words() {
        // A per-character map would end "ΟΔΟΣ" in σ; the word's own lowercasing knows it is ς.
        let tokens = cluster("ΟΔΟΣ Éclair Straße");
        assert_eq!(texts(&tokens), ["οδος", "éclair", "straße"]);
        assert_eq!(tokens[0].text, "ΟΔΟΣ".to_lowercase());
    }

    #[test]
    fn latin_runs_join_model_names_and_keep_offsets() {
        let text = "阿里发布Qwen-Image-2512与GPT-4.5. Done";
        let runs = latin_runs(text);
        let names: Vec<&str> = runs.iter().map(|r| r.text).collect();
        assert_eq!(names, ["Qwen-Image-2512", "GPT-4.5", "Done"]);
        for run in &runs {
            assert_eq!(&text[run.start..run.end], run.text);
        }
        assert!(is_latin_alnum('é') && !is_latin_alnum('模') && !is_latin_alnum('-'));
    }
}
