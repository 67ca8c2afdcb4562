//! Whether two headlines tell one story. In: headlines; out: the form they are compared in
//! (`normalize_headline`) and why two of them are one story (`same_story`). Lint's
//! duplicate-story rule and the more-news stage use this one rule.

/// Headlines at least this similar (character-bigram Jaccard, after normalising) are one story.
pub const NEAR_DUPLICATE_JACCARD: f64 = 0.8;

/// Why two normalised headlines (`normalize_headline`) tell one story — the same words, or
/// near-duplicates with the same digits — or `None`.
pub fn same_story(a: &str, b: &str) -> Option<String> {
    if !a.is_empty() && a == b {
        return Some("same headline".to_string());
    }
    let similarity = bigram_jaccard(a, b);
    (similarity >= NEAR_DUPLICATE_JACCARD && digits(a) == digits(b))
        .then(|| format!("near-duplicate headline (bigram Jaccard {similarity:.2})"))
}

/// Full-width ASCII forms (Ａ, ９, ％) to their ASCII counterparts.
pub fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        })
        .collect()
}

/// Headline for comparison: bracketed trailing notes dropped (（同上簡列）, (update)), then only
/// letters and digits, lowercased, full-width forms folded.
pub fn normalize_headline(headline: &str) -> String {
    let mut text = headline.trim();
    const PAIRS: [(char, char); 5] = [
        ('（', '）'),
        ('(', ')'),
        ('【', '】'),
        ('[', ']'),
        ('〔', '〕'),
    ];
    while let Some(&(open, _)) = PAIRS.iter().find(|(_, close)| text.ends_with(*close)) {
        match text.rfind(open) {
            Some(at) if at > 0 => text = text[..at].trim_end(),
            _ => break,
        }
    }
    fold_width(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The ASCII digits of `text`, in order: near-duplicates must state the same figures.
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Jaccard similarity of the two texts' character bigrams (0 when both have none).
pub fn bigram_jaccard(a: &str, b: &str) -> f64 {
    fn bigrams(s: &str) -> std::collections::BTreeSet<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let (x, y) = (bigrams(a), bigrams(b));
    let union = x.union(&y).count();
    if union == 0 {
        return 0.0;
    }
    x.intersection(&y).count() as f64 / union as f64
}
