//! Copies of real articles that tell other stories with the same statistics, for the scale bench
//! (`benches/cluster_scale.rs`) and its test (`tests/scale_corpus.rs`). In: an article and a copy
//! number k; out: copy k of it (k = 0 is the article itself).
//!
//! A copy must differ where the clustering looks: in its words (vectors, blocking) and in its
//! character runs (near-duplicate shingles are 5 characters across word boundaries). Every Han
//! character except the particles is shifted by k·7919 within the CJK block (a bijection per copy:
//! bigram frequencies survive, bigrams are new). Every Latin word of three or more letters that
//! is not an English function word is spelled in a letter substitution of its own per copy (so
//! "transformer" keeps no 5-letter run another copy has) and gets the suffix `x<k>` (so no two
//! copies share a word by chance). Function words stay, as real text keeps them; short tokens
//! (`ai`, `v4`, `3d`) and numbers are shared by all copies, as common vocabulary is. URLs get
//! `?copy=k`, and publication times move k·37 minutes, so all copies overlap in time and the
//! window blocks nothing.

use newsdesk::model::Article;
use newsdesk::text::is_han;
use newsdesk::text::stopwords::{ENGLISH_FUNCTION_WORDS, is_han_particle};

/// SplitMix64: the one deterministic source of choices, so a size is the same corpus on every
/// run and machine.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn shift_han(c: char, k: u32) -> char {
    if k == 0 || !is_han(c) || is_han_particle(c) || !(0x4E00..=0x9FFF).contains(&(c as u32)) {
        return c;
    }
    let range = 0x9FFF - 0x4E00 + 1;
    let mut shifted = 0x4E00 + (c as u32 - 0x4E00 + k * 7919) % range;
    // Keep particles where they are: a shifted character never lands on one.
    while is_han_particle(char::from_u32(shifted).unwrap_or('一')) {
        shifted = 0x4E00 + (shifted - 0x4E00 + 1) % range;
    }
    char::from_u32(shifted).unwrap_or(c)
}

/// Copy `k`'s letter substitution: a permutation of a..z drawn from `k` (Fisher–Yates).
fn alphabet(k: u32) -> [u8; 26] {
    let mut letters: [u8; 26] = std::array::from_fn(|i| b'a' + i as u8);
    for i in (1..26).rev() {
        let j = (mix(u64::from(k) << 8 | i as u64) % (i as u64 + 1)) as usize;
        letters.swap(i, j);
    }
    letters
}

/// Copy `k` of `text` (see the module doc).
pub fn mutate(text: &str, k: u32) -> String {
    if k == 0 {
        return text.to_string();
    }
    let letters = alphabet(k);
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.len() >= 3 && !ENGLISH_FUNCTION_WORDS.contains(&word.to_lowercase().as_str()) {
            out.extend(word.bytes().map(|b| {
                let substituted = letters[(b.to_ascii_lowercase() - b'a') as usize];
                if b.is_ascii_uppercase() {
                    substituted.to_ascii_uppercase() as char
                } else {
                    substituted as char
                }
            }));
            out.push_str(&format!("x{k}"));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        out.push(shift_han(c, k));
    }
    flush(&mut word, &mut out);
    out
}

/// Copy `k` of `article`, its body cut to `body_chars` (see the module doc).
pub fn copy(article: &Article, k: u32, body_chars: usize) -> Article {
    let body: String = article.text.chars().take(body_chars).collect();
    let url = if k == 0 {
        article.url.clone()
    } else if article.url.contains('?') {
        format!("{}&copy={k}", article.url)
    } else {
        format!("{}?copy={k}", article.url)
    };
    Article {
        id: format!("{}#{k}", article.id),
        url,
        title: mutate(&article.title, k),
        text: mutate(&body, k),
        published_at: article.published_at + chrono::Duration::minutes(37 * i64::from(k)),
        ..article.clone()
    }
}
