//! Grounding: numbers and entities of a card checked against the texts of its sources. In: one
//! card's title, text and entities, its sources' texts and the line of its headline; out: warnings.

use super::finding::{Finding, Severity, UNGROUNDED_ENTITY, UNGROUNDED_NUMBER, finding};
use crate::model::Language;
use crate::text::to_script;

/// Grounding warnings for one card: numbers in the card text (e.g. 2512, 3.5, 20%, 1,000, 30億)
/// that appear in none of the sources' texts; entities found in none of them (case-insensitive;
/// also try the source text converted to the card's script via text::to_script).
///
/// Every finding is a warning on 0-based line `index`, the card's headline.
/// Numbers match by value, so `1,000` is grounded by `1000` and `30億` by `3 billion`; integers
/// below 10 without a unit are skipped because sources often spell them as words.
pub fn grounding(
    index: usize,
    card_title: &str,
    card_text: &str,
    entities: &[String],
    source_texts: &[&str],
) -> Vec<Finding> {
    let warn = |rule, message| finding(index, rule, Severity::Warning, message);
    let mut warnings = Vec::new();
    // Every source form below is made on first need only: the sources are whole articles, and
    // reading them all in every form for every card was most of a warm rerun's lint step.
    let mut source_values: Option<Vec<f64>> = None;
    let mut seen: Vec<String> = Vec::new();
    for number in numbers_in(&format!("{card_title}\n{card_text}")) {
        if number.small || seen.contains(&number.text) {
            continue;
        }
        seen.push(number.text.clone());
        let source_values = source_values.get_or_insert_with(|| {
            source_texts
                .iter()
                .flat_map(|t| numbers_in(t))
                .flat_map(|n| n.values)
                .collect()
        });
        let grounded = number
            .values
            .iter()
            .any(|v| source_values.iter().any(|s| same_value(*v, *s)));
        if !grounded {
            warnings.push(warn(
                UNGROUNDED_NUMBER,
                format!(
                    "\"{}\" in card \"{card_title}\" appears in none of its {} source(s)",
                    number.text,
                    source_texts.len()
                ),
            ));
        }
    }

    if entities.is_empty() {
        return warnings;
    }
    let plain: Vec<String> = source_texts.iter().map(|t| match_form(t)).collect();
    // The card may be in either Chinese script whatever its sources were written in, and a short
    // card rarely shows which, so sources are converted to both: each source once, and only
    // when an entity is still unmatched by the sources before it.
    let mut converted: Vec<Option<[String; 2]>> = vec![None; source_texts.len()];
    for entity in entities {
        let needle = match_form(entity);
        if needle.is_empty() || plain.iter().any(|s| s.contains(&needle)) {
            continue;
        }
        let found = source_texts
            .iter()
            .zip(&mut converted)
            .any(|(text, forms)| {
                forms
                    .get_or_insert_with(|| {
                        [
                            match_form(&to_script(text, Language::ZhHant)),
                            match_form(&to_script(text, Language::ZhHans)),
                        ]
                    })
                    .iter()
                    .any(|s| s.contains(&needle))
            });
        if !found {
            warnings.push(warn(
                UNGROUNDED_ENTITY,
                format!(
                    "\"{entity}\" in card \"{card_title}\" is named in none of its {} source(s)",
                    source_texts.len()
                ),
            ));
        }
    }
    warnings
}

/// Text in the form entities are matched in: lowercase, full-width ASCII folded, dash variants
/// unified, whitespace removed (CJK text is spaced inconsistently around Latin words).
pub(super) fn match_form(text: &str) -> String {
    fold_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}') {
                '-'
            } else {
                c
            }
        })
        .flat_map(char::to_lowercase)
        .collect()
}

pub(super) use crate::text::headline::fold_width;

pub(super) struct NumberMention {
    /// As written (after width folding), with its unit: "30億", "20%", "1,000".
    pub(super) text: String,
    /// The bare number, and the scaled value when a scale word follows.
    pub(super) values: Vec<f64>,
    /// An integer below 10 with no decimal, percent or scale.
    pub(super) small: bool,
}

/// Scale words after a number. Longest first, so 百萬 wins over 萬.
pub(super) const SCALES: [(&str, f64); 14] = [
    ("百萬", 1e6),
    ("百万", 1e6),
    ("千萬", 1e7),
    ("千万", 1e7),
    ("萬", 1e4),
    ("万", 1e4),
    ("億", 1e8),
    ("亿", 1e8),
    ("千", 1e3),
    ("trillion", 1e12),
    ("billion", 1e9),
    ("million", 1e6),
    ("thousand", 1e3),
    ("bn", 1e9),
];
/// Single-letter scales only count written right after the digits: "5M", "$2B", "10k".
pub(super) const ATTACHED_SCALES: [(char, f64); 4] =
    [('k', 1e3), ('K', 1e3), ('M', 1e6), ('B', 1e9)];

pub(super) fn numbers_in(text: &str) -> Vec<NumberMention> {
    let chars: Vec<char> = fold_width(text).chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let start = i;
        let mut number = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            number.push(chars[i]);
            i += 1;
        }
        // Thousands groups: a comma followed by exactly three digits.
        while i + 3 < chars.len()
            && chars[i] == ','
            && chars[i + 1..=i + 3].iter().all(char::is_ascii_digit)
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            number.extend(&chars[i + 1..=i + 3]);
            i += 4;
        }
        let mut decimal = false;
        if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
            decimal = true;
            number.push('.');
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                number.push(chars[i]);
                i += 1;
            }
        }
        let Ok(value) = number.parse::<f64>() else {
            continue;
        };
        let mut end = i;
        let mut values = vec![value];
        let mut unit = false;
        let mut j = i;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        let rest: String = chars[j..chars.len().min(j + 8)].iter().collect();
        if rest.starts_with('%') {
            unit = true;
            end = j + 1;
        } else if let Some((word, scale)) = SCALES.iter().find(|(w, _)| {
            rest.to_lowercase().starts_with(w)
                && rest
                    .chars()
                    .nth(w.chars().count())
                    .is_none_or(|c| !c.is_ascii_alphabetic())
        }) {
            unit = true;
            values.push(value * scale);
            end = j + word.chars().count();
        } else if let Some(&(_, scale)) = ATTACHED_SCALES
            .iter()
            .find(|(l, _)| chars.get(i) == Some(l))
            && chars.get(i + 1).is_none_or(|c| !c.is_alphanumeric())
        {
            unit = true;
            values.push(value * scale);
            end = i + 1;
        }
        found.push(NumberMention {
            text: chars[start..end].iter().collect(),
            values,
            small: !decimal && !unit && value < 10.0,
        });
        i = end.max(i);
    }
    found
}

pub(super) fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}
