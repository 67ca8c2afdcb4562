//! What a written digest says, read back from its JSON.
#![allow(dead_code)]

use std::path::Path;

/// How many cards of the digest JSON at `path` are marked as extractive fallbacks.
pub fn fallback_cards(path: &Path) -> usize {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["cards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["fallback"] == true)
        .count()
}
