//! Sentences: article bodies in, the topic's usable sentences out (URLs stripped, boilerplate and
//! fragments dropped, syndicated repeats kept once), plus the joiner that turns picked sentences
//! back into one paragraph.

use super::*;

pub(super) const SENTENCE_MIN_CHARS: usize = 8;
pub(super) const SENTENCE_MAX_CHARS: usize = 300;

// The splitter and its punctuation classes are text/'s: one sentence rule for every stage.
pub(super) use crate::text::sentences::{
    glued_sentence_start, is_closer, is_terminator, split as split_sentences,
};

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
        || latin_runs(sentence).iter().any(|t| t.text == "Share")
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
/// `join_sentences`, stopping before the sentence that would take the text past `max` characters
/// (the field's bound in `schema::CARD_BOUNDS`); a first sentence longer than that alone is cut
/// with an ellipsis, so the card is always within its bounds.
pub(super) fn join_within<'a>(sentences: impl Iterator<Item = &'a str>, max: usize) -> String {
    let mut out = String::new();
    for sentence in sentences {
        let longer = join_sentences([out.as_str(), sentence].into_iter());
        if longer.chars().count() > max {
            if out.is_empty() {
                out = longer.chars().take(max.saturating_sub(1)).collect();
                out.push('…');
            }
            break;
        }
        out = longer;
    }
    out
}

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
