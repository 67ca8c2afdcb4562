//! The headline: the topic's article titles in, one title in the target's script family out,
//! cut at a word or clause boundary within the card's title bounds.

use super::*;
use crate::llm::schema::title_char_limit;

/// The best article's title in the target's script family (articles come best-first), trimmed.
pub(super) fn choose_title(articles: &[BlockArticle], language: Language) -> String {
    let fits = |a: &&BlockArticle| {
        !a.title.trim().is_empty()
            && if language.is_chinese() {
                has_han(&a.title)
            } else {
                !has_han(&a.title)
            }
    };
    let chosen = articles
        .iter()
        .find(fits)
        .or_else(|| articles.iter().find(|a| !a.title.trim().is_empty()))
        .map(|a| a.title.as_str())
        .or_else(|| articles.first().map(|a| a.outlet.as_str()))
        .unwrap_or("");
    trim_title(chosen)
}

/// At most 40 characters for a title with Han characters, 90 otherwise, cut at a word or clause
/// boundary when one is near the limit.
pub(super) fn trim_title(title: &str) -> String {
    let collapsed = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = collapsed.chars().collect();
    let limit = title_char_limit(&collapsed);
    if chars.len() <= limit {
        return collapsed;
    }
    let is_clause_break = |c: char| {
        matches!(
            c,
            '，' | '、'
                | '：'
                | '｜'
                | '|'
                | '—'
                | ','
                | ':'
                | '；'
                | ';'
                | '!'
                | '?'
                | '！'
                | '？'
        )
    };
    let is_break = |c: char| c == ' ' || is_clause_break(c);
    // Prefer ending a clause, then a word, in the second half of the allowance; else hard cut.
    let last_in_allowance = |accept: &dyn Fn(char) -> bool| {
        (limit / 2..=limit)
            .rev()
            .find(|&i| i < chars.len() && accept(chars[i]))
    };
    let cut = last_in_allowance(&is_clause_break)
        .or_else(|| last_in_allowance(&is_break))
        .unwrap_or(limit);
    let mut trimmed: String = chars[..cut].iter().collect();
    while trimmed.ends_with(|c: char| c.is_whitespace() || is_break(c) || c == '-') {
        trimmed.pop();
    }
    trimmed
}
