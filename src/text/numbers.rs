//! Numbers in text, normalised so the same quantity matches however it is written. In: any text;
//! out: the values it states (`72B` = `720亿` = `72 billion` = 7.2e10, `15%` is a percentage). Digits
//! glued to a name (H300, Qwen-Image-2512, GPT-4.5) are part of the name, not a number.

/// One stated quantity: its value after the unit multiplier, and whether it was a percentage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub percent: bool,
}

impl Quantity {
    /// Equal up to rounding noise (0.1 % relative): `1.4 billion` and `14亿` are the same.
    pub fn same_as(&self, other: &Quantity) -> bool {
        self.percent == other.percent
            && (self.value - other.value).abs() <= 1e-3 * self.value.abs().max(other.value.abs())
    }
}

/// Unit words and suffixes with their multipliers, longest first so `billion` wins over `b`.
const UNITS: &[(&str, f64)] = &[
    ("trillion", 1e12),
    ("billion", 1e9),
    ("million", 1e6),
    ("thousand", 1e3),
    ("bn", 1e9),
    ("万亿", 1e12),
    ("萬億", 1e12),
    // Taiwan's 兆 is a trillion (the zh-Hant conversion writes 萬億 as 兆).
    ("兆", 1e12),
    ("亿", 1e8),
    ("億", 1e8),
    ("万", 1e4),
    ("萬", 1e4),
    ("千", 1e3),
    ("t", 1e12),
    ("b", 1e9),
    ("m", 1e6),
    ("k", 1e3),
];

/// Every quantity stated in `text`, in order.
pub fn quantities(text: &str) -> Vec<Quantity> {
    quantity_spans(text).into_iter().map(|(_, q)| q).collect()
}

/// Every quantity stated in `text`, in order, with where it is written (a char range).
fn quantity_spans(text: &str) -> Vec<(std::ops::Range<usize>, Quantity)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || glued_to_name(&chars, i) {
            // Skip the whole run so the tail of "H300" is not read as 300.
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            i += usize::from(i < chars.len() && !chars[i].is_ascii_alphanumeric());
            continue;
        }
        let start = i;
        let mut digits = String::new();
        while i < chars.len() {
            let c = chars[i];
            let next_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if c.is_ascii_digit() {
                digits.push(c);
            } else if c == '.' && next_digit && !digits.contains('.') {
                digits.push('.');
            } else if c == ',' && next_digit && chars[start..i].iter().any(char::is_ascii_digit) {
                // Thousands separator: "10,000".
            } else {
                break;
            }
            i += 1;
        }
        let Ok(mut value) = digits.parse::<f64>() else {
            continue;
        };
        let mut j = i;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        let mut percent = false;
        if j < chars.len() && (chars[j] == '%' || chars[j] == '％') {
            percent = true;
            i = j + 1;
        } else if let Some((len, multiplier)) = unit_at(&chars, j) {
            value *= multiplier;
            i = j + len;
        }
        out.push((start..i, Quantity { value, percent }));
    }
    out
}

/// A digit that continues an identifier: preceded by a letter, or by `-`/`.`/`_` right after one.
fn glued_to_name(chars: &[char], at: usize) -> bool {
    let Some(&prev) = at.checked_sub(1).and_then(|p| chars.get(p)) else {
        return false;
    };
    if prev.is_ascii_alphabetic() {
        return true;
    }
    matches!(prev, '-' | '_' | '.')
        && at
            .checked_sub(2)
            .and_then(|p| chars.get(p))
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The unit starting at `at`: (length in chars, multiplier). A Latin unit must end at a word
/// boundary, so "5 models" is 5, not 5 million.
fn unit_at(chars: &[char], at: usize) -> Option<(usize, f64)> {
    for &(unit, multiplier) in UNITS {
        let len = unit.chars().count();
        if at + len > chars.len() {
            continue;
        }
        let candidate: String = chars[at..at + len]
            .iter()
            .collect::<String>()
            .to_lowercase();
        if candidate != unit {
            continue;
        }
        let latin = unit.chars().all(|c| c.is_ascii_alphabetic());
        if latin
            && chars
                .get(at + len)
                .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        // A bare one-letter unit only right after the digits ("72B"), never after a space
        // ("3 m" is more often a word than a million).
        if latin && len == 1 && at > 0 && chars[at - 1] == ' ' {
            continue;
        }
        return Some((len, multiplier));
    }
    None
}

/// Every quantity `sources` state: what a card's quantities are grounded against. Read once when
/// many texts are checked against the same sources.
pub fn stated_in<'a>(sources: impl IntoIterator<Item = &'a str>) -> Vec<Quantity> {
    sources.into_iter().flat_map(quantities).collect()
}

/// The quantities of `card_text` that are none of `known`, with where each is written.
fn unknown_spans(card_text: &str, known: &[Quantity]) -> Vec<(std::ops::Range<usize>, Quantity)> {
    quantity_spans(card_text)
        .into_iter()
        .filter(|(_, q)| !known.iter().any(|k| k.same_as(q)))
        .collect()
}

/// The quantities of `card_text` that are none of `known` (`stated_in`), as `card_text` writes
/// them ("2026", "72B", "15%").
pub fn ungrounded_written(card_text: &str, known: &[Quantity]) -> Vec<String> {
    let chars: Vec<char> = card_text.chars().collect();
    unknown_spans(card_text, known)
        .into_iter()
        .map(|(span, _)| chars[span].iter().collect::<String>().trim().to_string())
        .collect()
}

/// The quantities of `card_text` that appear in none of `sources`.
pub fn ungrounded(card_text: &str, sources: &[&str]) -> Vec<Quantity> {
    unknown_spans(card_text, &stated_in(sources.iter().copied()))
        .into_iter()
        .map(|(_, q)| q)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<f64> {
        quantities(text).iter().map(|q| q.value).collect()
    }

    #[test]
    fn units_in_every_script_normalise_to_one_value() {
        assert_eq!(values("72B"), vec![72e9]);
        assert_eq!(values("720亿参数"), vec![72e9]);
        assert_eq!(values("720億參數"), vec![72e9]);
        assert_eq!(values("72 billion parameters"), vec![72e9]);
        assert_eq!(values("$1.4 million"), vec![1.4e6]);
        assert_eq!(values("3万 users, 10,000 tests"), vec![3e4, 1e4]);
        assert_eq!(values("4.5兆 token"), values("4.5 trillion tokens"));
        assert!(quantities("15%")[0].percent);
        assert!(quantities("15 %")[0].percent);
    }

    #[test]
    fn digits_inside_names_are_not_numbers() {
        assert!(values("NVIDIA Helix H300 and Qwen-Image-2512, GPT-4.5").is_empty());
        assert_eq!(values("5 models"), vec![5.0]);
        assert_eq!(values("Qwen-Vision 3.2"), vec![3.2]);
    }

    #[test]
    fn grounding_passes_restatements_and_flags_inventions() {
        let sources = ["The model has 72 billion parameters and scored 88.5% on the test."];
        assert!(ungrounded("参数量 720亿，得分 88.5%", &sources).is_empty());
        let invented = ungrounded("参数量 720亿，融资 3亿美元", &sources);
        assert_eq!(invented.len(), 1, "{invented:?}");
        assert_eq!(invented[0].value, 3e8);
        // A percentage is not the same quantity as a plain number.
        assert_eq!(ungrounded("88.5", &sources).len(), 1);
    }
}
