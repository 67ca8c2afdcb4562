//! The sentence splitter. In: a text (Chinese, English or both mixed, often scraped); out: its
//! sentences, either as lossless spans (`spans`: every character kept, so they concatenate back
//! to the text) or trimmed and non-empty (`split`). A sentence ends at 。！？ anywhere, at `!` or
//! `?` not glued to a following Latin letter or digit, at a line break, at a period that really
//! ends a sentence (not a decimal, an initial like U.S., or an abbreviation like e.g.), and where
//! scraping glued a heading to the next sentence ("…Alongside YouThe core…").

use super::script::is_han;

/// Sentence-final punctuation (a Latin `.` is judged separately: see `period_ends_sentence`).
pub fn is_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?')
}

/// Closing quotes and brackets that belong to the sentence they follow.
pub fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '」' | '』' | ')' | '）' | '】' | '》'
    )
}

/// Abbreviations whose period does not end a sentence.
#[rustfmt::skip]
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "vs", "mr", "mrs", "ms", "dr", "prof", "inc", "ltd", "co", "corp", "jr", "sr", "st", "no",
    "fig", "approx",
];

/// Words that start sentences and are never the tail of a CamelCase name, so "YouThe" or
/// "BegunAfter" in scraped text is two sentences glued together.
#[rustfmt::skip]
const GLUED_STARTERS: &[&str] = &[
    "The", "This", "These", "That", "Its", "After", "With", "For", "According", "However", "Meanwhile", "Our",
    "They", "How", "What", "Why", "When", "Where", "Here", "Today", "Their", "Those", "While",
];

/// Does a glued sentence starter (see `GLUED_STARTERS`) begin at `at`, right after a lowercase letter?
fn glued_starter_at(chars: &[char], at: usize) -> bool {
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

/// The char index of a glued sentence starter inside a token ("YouThe" → 3), if any.
pub fn glued_sentence_start(token: &str) -> Option<usize> {
    let chars: Vec<char> = token.chars().collect();
    (1..chars.len()).find(|&i| chars[i - 1].is_lowercase() && glued_starter_at(&chars, i))
}

fn period_ends_sentence(chars: &[char], at: usize) -> bool {
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

/// Does the character at `at` end a sentence? A Latin `!`/`?` glued to a Latin letter or digit
/// ("Yahoo!Japan", "fast!Really") is part of a name or a typo more often than an ending.
fn ends_sentence(chars: &[char], at: usize) -> bool {
    match chars[at] {
        '!' | '?' => !chars.get(at + 1).is_some_and(char::is_ascii_alphanumeric),
        '.' => period_ends_sentence(chars, at),
        c => is_terminator(c),
    }
}

/// The sentences of `text` as spans that keep every character (whitespace and line breaks stay
/// at the end of the sentence they follow): `spans(t).concat() == t`.
pub fn spans(text: &str) -> Vec<&str> {
    let indexed: Vec<(usize, char)> = text.char_indices().collect();
    let chars: Vec<char> = indexed.iter().map(|&(_, c)| c).collect();
    let byte_at = |i: usize| indexed.get(i).map_or(text.len(), |&(b, _)| b);
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let cut = if c == '\n' || c == '\r' || (c.is_lowercase() && glued_starter_at(&chars, i + 1))
        {
            Some(i + 1)
        } else if ends_sentence(&chars, i) {
            let mut j = i + 1;
            while j < chars.len() && (is_terminator(chars[j]) || is_closer(chars[j])) {
                j += 1;
            }
            Some(j)
        } else {
            None
        };
        match cut {
            Some(end) => {
                let end_byte = byte_at(end);
                out.push(&text[start..end_byte]);
                start = end_byte;
                i = end;
            }
            None => i += 1,
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The sentences of `text`, trimmed, empty ones dropped.
pub fn split(text: &str) -> Vec<String> {
    spans(text)
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `text` cut after its last sentence end within `max` characters; `None` when not even the
/// first sentence fits.
pub fn cut_at_sentence(text: &str, max: usize) -> Option<String> {
    let mut end = None;
    for (count, (at, c)) in text.char_indices().enumerate() {
        if count >= max {
            break;
        }
        if matches!(c, '。' | '！' | '？' | '.' | '!' | '?') {
            let next = at + c.len_utf8();
            // "3.5" and "e.g." are no sentence ends: a Latin stop must be followed by a space.
            let ends = c.len_utf8() > 1 || text[next..].starts_with(char::is_whitespace);
            if ends {
                end = Some(next);
            }
        }
    }
    end.map(|e| text[..e].trim_end().to_string())
}

/// `text` cut after its last sentence end within `max` characters, else before its last clause
/// boundary (，；, ;) within them, when that keeps at least half of `max`; `None` otherwise.
pub fn cut_at_sentence_or_clause(text: &str, max: usize) -> Option<String> {
    if let Some(cut) = cut_at_sentence(text, max) {
        return Some(cut);
    }
    let within: String = text.chars().take(max).collect();
    let at = ["，", "；", ", ", "; "]
        .iter()
        .filter_map(|boundary| within.rfind(boundary))
        .max()?;
    let head = within[..at].trim_end();
    (head.chars().count() * 2 >= max).then(|| head.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_mixed_chinese_and_english_sentences() {
        let text = "OpenAI released GPT-5 today. It scores 90.2% on the U.S. bar exam! 阿里开源了Qwen-Image-2512。\
                    该模型排名第一？他说：“模型很强。”然后离开了。The evaluation framework shipped.The next release, \
                    e.g. version 2, follows";
        assert_eq!(
            split(text),
            vec![
                "OpenAI released GPT-5 today.",
                "It scores 90.2% on the U.S. bar exam!",
                "阿里开源了Qwen-Image-2512。",
                "该模型排名第一？",
                "他说：“模型很强。”",
                "然后离开了。",
                "The evaluation framework shipped.",
                "The next release, e.g. version 2, follows",
            ]
        );
    }

    #[test]
    fn spans_keep_every_character_and_versions_intact() {
        let text = "GPT-5.2 ships today. It is fast!Really? 阿里开源了。模型很强 tail";
        let parts = spans(text);
        assert_eq!(parts.concat(), text);
        assert_eq!(parts[0], "GPT-5.2 ships today.");
        assert_eq!(parts.len(), 4, "no split inside `fast!Really`: {parts:?}");
    }

    #[test]
    fn line_breaks_and_glued_headings_end_sentences() {
        let text = "Living Alongside YouThe core idea\nsecond line\r\nthird";
        assert_eq!(
            split(text),
            [
                "Living Alongside You",
                "The core idea",
                "second line",
                "third"
            ]
        );
        assert_eq!(spans(text).concat(), text);
        assert_eq!(glued_sentence_start("YouThe"), Some(3));
        assert_eq!(glued_sentence_start("OpenThe"), Some(4));
        assert_eq!(glued_sentence_start("TheWay"), None);
    }
}
