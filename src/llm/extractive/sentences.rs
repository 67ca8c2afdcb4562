//! Sentences: article bodies in, the topic's usable sentences out (URLs stripped, boilerplate and
//! fragments dropped, syndicated repeats kept once), plus the joiner that turns picked sentences
//! back into one paragraph.

use super::*;

pub(super) const SENTENCE_MIN_CHARS: usize = 8;
pub(super) const SENTENCE_MAX_CHARS: usize = 300;

pub(super) fn is_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?')
}

pub(super) fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '」' | '』' | ')' | '）' | '】' | '》'
    )
}

/// Abbreviations whose period does not end a sentence.
#[rustfmt::skip]
pub(super) const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "vs", "mr", "mrs", "ms", "dr", "prof", "inc", "ltd", "co", "corp", "jr", "sr", "st", "no",
    "fig", "approx",
];

/// Splits text into sentences at 。！？!? and at a period that really ends a sentence (followed by
/// a space and a non-lowercase letter, or glued to a capital or Han character as scraped text
/// often is). Decimals, initials (U.S.) and common abbreviations stay inside their sentence.
pub(crate) fn split_sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut sentences = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        let trimmed = current.trim();
        if !trimmed.is_empty() {
            sentences.push(trimmed.to_string());
        }
        current.clear();
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' || c == '\r' {
            flush(&mut current);
            i += 1;
            continue;
        }
        current.push(c);
        if c.is_lowercase() && glued_starter_at(&chars, i + 1) {
            // "…Living Alongside YouThe core of…": a heading glued to the next sentence.
            flush(&mut current);
            i += 1;
            continue;
        }
        let ends = if is_terminator(c) {
            true
        } else {
            c == '.' && period_ends_sentence(&chars, i)
        };
        i += 1;
        if ends {
            while i < chars.len() && (is_terminator(chars[i]) || is_closer(chars[i])) {
                current.push(chars[i]);
                i += 1;
            }
            flush(&mut current);
        }
    }
    flush(&mut current);
    sentences
}

/// Words that start sentences and are never the tail of a CamelCase name, so "YouThe" or
/// "BegunAfter" in scraped text is two sentences glued together.
#[rustfmt::skip]
pub(super) const GLUED_STARTERS: &[&str] = &[
    "The", "This", "These", "That", "Its", "After", "With", "For", "According", "However", "Meanwhile", "Our",
    "They", "How", "What", "Why", "When", "Where", "Here", "Today", "Their", "Those", "While",
];

/// Does a glued sentence starter (see `GLUED_STARTERS`) begin at `at`, right after a lowercase letter?
pub(super) fn glued_starter_at(chars: &[char], at: usize) -> bool {
    if at == 0 || !chars.get(at).is_some_and(|c| c.is_ascii_uppercase()) {
        return false;
    }
    let end = (at..chars.len())
        .find(|&j| !chars[j].is_ascii_alphabetic())
        .unwrap_or(chars.len());
    let word: String = chars[at..end].iter().collect();
    let before = (0..at)
        .rev()
        .take_while(|&j| chars[j].is_ascii_alphabetic())
        .count();
    before >= 2 && GLUED_STARTERS.contains(&word.as_str())
}

/// The glued starter inside a token ("YouThe" → "The"), if any.
pub(super) fn glued_sentence_start(token: &str) -> Option<usize> {
    let chars: Vec<char> = token.chars().collect();
    (1..chars.len()).find(|&i| chars[i - 1].is_lowercase() && glued_starter_at(&chars, i))
}

pub(super) fn period_ends_sentence(chars: &[char], at: usize) -> bool {
    let Some(&next) = chars.get(at + 1) else {
        return true;
    };
    let mut start = at;
    while start > 0 && (chars[start - 1].is_ascii_alphanumeric() || chars[start - 1] == '.') {
        start -= 1;
    }
    let word: String = chars[start..at].iter().collect::<String>().to_lowercase();
    let last_segment = word.rsplit('.').next().unwrap_or("");
    let prev = at.checked_sub(1).map(|p| chars[p]);
    if next.is_whitespace() {
        if last_segment.chars().count() == 1
            && last_segment.chars().all(|c| c.is_ascii_alphabetic())
        {
            return false; // an initial: U.S., J. Smith
        }
        if ABBREVIATIONS.contains(&word.as_str()) {
            return false;
        }
        let following = chars[at + 1..].iter().find(|c| !c.is_whitespace());
        return !following.is_some_and(|c| c.is_ascii_lowercase());
    }
    let prev_is_lower = prev.is_some_and(|p| p.is_ascii_lowercase());
    if next.is_ascii_uppercase() {
        // "evaluation.The latest": scraped text that lost the space after a period.
        return prev_is_lower && last_segment.chars().count() >= 2;
    }
    if is_han(next) {
        return prev.is_some_and(|p| p.is_alphabetic() && !is_han(p));
    }
    false
}

/// Removes URLs, which carry periods and capitals that look like sentences and names.
pub(super) fn strip_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = ["https://", "http://", "www."]
            .iter()
            .filter_map(|p| rest.find(p))
            .min();
        let Some(start) = next else { break };
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let mut end = tail
            .find(|c: char| c.is_whitespace() || is_han(c) || c == '）' || c == '，')
            .unwrap_or(tail.len());
        // A sentence may end right after a URL: its closing punctuation belongs to the sentence.
        while end > 0 && tail[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', '"', '\'']) {
            end -= 1;
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Bylines, share bars and subscription prompts: never summary material.
#[rustfmt::skip]
pub(super) const BOILERPLATE: &[&str] = &[
    "来源：", "來源：", "来源:", "來源:", "发自", "發自", "公众号", "公眾號", "原文链接", "原文連結", "责任编辑", "責任編輯", "版权所有", "版權所有", "转载",
    "轉載", "扫码", "掃碼", "关注我们", "關注我們", "点击阅读", "點擊閱讀", "read more", "share this", "share on", "subscribe to",
    "subscribe now", "sign up", "all rights reserved", "click here", "copy link", "follow us", "cookie",
];

pub(super) fn is_boilerplate(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    BOILERPLATE.iter().any(|b| lower.contains(b))
        || latin_tokens(sentence).iter().any(|t| t.text == "Share")
        || contains_iso_date(sentence)
}

/// Prose writes dates in words ("Jan 5", "1月5日"); an ISO date (2025-12-31) marks a byline or a
/// scraped "related articles" list glued to the body.
pub(super) fn contains_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(10).any(|w| {
        let digits = |range: std::ops::Range<usize>| w[range].iter().all(u8::is_ascii_digit);
        (w.starts_with(b"19") || w.starts_with(b"20"))
            && digits(0..4)
            && w[4] == b'-'
            && digits(5..7)
            && w[7] == b'-'
            && digits(8..10)
    })
}

/// Every usable sentence of the topic: URLs removed, boilerplate and very short or long
/// sentences dropped, exact repeats (syndicated copies) kept once.
pub(super) fn candidate_sentences(articles: &[BlockArticle]) -> Vec<Sentence> {
    let mut seen = BTreeSet::new();
    let mut sentences = Vec::new();
    for (article, a) in articles.iter().enumerate() {
        for text in split_sentences(&strip_urls(&a.text)) {
            let length = text.chars().count();
            if !(SENTENCE_MIN_CHARS..=SENTENCE_MAX_CHARS).contains(&length) || is_boilerplate(&text)
            {
                continue;
            }
            if seen.insert(text.clone()) {
                let han_chars = text.chars().filter(|&c| is_han(c)).count();
                sentences.push(Sentence {
                    text,
                    article,
                    han_chars,
                });
            }
        }
    }
    sentences
}

/// Sentences in the target's script family when there are any: Chinese sentences for a Chinese
/// target, Han-free sentences for English; otherwise everything.
pub(super) fn preferred_pool(sentences: &[Sentence], language: Language) -> Vec<usize> {
    let matches = |s: &Sentence| {
        if language.is_chinese() {
            s.han_chars >= 4
        } else {
            s.han_chars == 0
        }
    };
    let pool: Vec<usize> = (0..sentences.len())
        .filter(|&i| matches(&sentences[i]))
        .collect();
    if pool.is_empty() {
        (0..sentences.len()).collect()
    } else {
        pool
    }
}

/// Joins sentences into one paragraph, closing each with a terminator and spacing Latin text.
pub(super) fn join_sentences<'a>(sentences: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for sentence in sentences {
        let sentence = sentence.trim();
        if sentence.is_empty() {
            continue;
        }
        if !out.is_empty() && !out.ends_with(|c: char| is_cjk_punctuation(c)) {
            out.push(' ');
        }
        out.push_str(sentence);
        let closed = out.ends_with(|c: char| is_terminator(c) || is_closer(c) || c == '.');
        if !closed {
            out.push(if has_han(sentence) { '。' } else { '.' });
        }
    }
    out
}

pub(super) fn is_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '。' | '！' | '？' | '」' | '』' | '）' | '】' | '》' | '”'
    )
}
