//! Structure rules: links that are not absolute http(s), sections with nothing in them, cards
//! without their required fields (per layout), placeholder text where content belongs, and one
//! link standing in for many stories.

use super::cards::{Card, Field, Section};
use super::doc::{Doc, is_thematic_break};
use super::finding::{
    BAD_LINK, EMPTY_SECTION, Finding, MISSING_FIELD, PLACEHOLDER, PLACEHOLDER_LINK, Severity,
    finding,
};
use super::inline::{bare_arxiv_ids, links};
use crate::config::Layout;
use crate::render::labels::Labels;
use crate::text::url::{canonical_url, is_absolute_http};

pub(super) fn check_links(doc: &Doc, findings: &mut Vec<Finding>) {
    for (index, line) in doc.body_lines() {
        for link in links(line) {
            if !is_absolute_http(&link.target) {
                let hint = match link.target.to_ascii_lowercase().strip_prefix("arxiv:") {
                    Some(id) => format!("link the paper as https://arxiv.org/abs/{id}"),
                    None => "link an absolute http(s) URL or drop the link".to_string(),
                };
                findings.push(finding(
                    index,
                    BAD_LINK,
                    Severity::Error,
                    format!(
                        "link target \"{}\" is not an absolute http(s) URL; {hint}",
                        link.target
                    ),
                ));
            }
        }
        for (_, id) in bare_arxiv_ids(line) {
            findings.push(finding(
                index,
                BAD_LINK,
                Severity::Error,
                format!("bare arXiv:{id} is not a link; write https://arxiv.org/abs/{id}"),
            ));
        }
    }
}

pub(super) fn check_empty_sections(doc: &Doc, sections: &[Section], findings: &mut Vec<Finding>) {
    for section in sections {
        let has_content = (section.index + 1..section.end).any(|i| {
            let line = doc.lines[i];
            let is_heading = !doc.in_code[i] && doc.headings.iter().any(|h| h.index == i);
            !line.trim().is_empty() && !is_heading && (doc.in_code[i] || !is_thematic_break(line))
        });
        if !has_content {
            findings.push(finding(
                section.index,
                EMPTY_SECTION,
                Severity::Error,
                format!(
                    "section \"{}\" has no content; drop the heading or fill the section",
                    section.text
                ),
            ));
        }
    }
}

/// Stub words written where content should be. The Latin ones match as whole words, any case.
pub(super) const CJK_PLACEHOLDERS: [&str; 5] = ["同上", "已列於", "已列于", "生成失败", "生成失敗"];
pub(super) const LATIN_PLACEHOLDERS: [&str; 3] = ["todo", "tbd", "lorem ipsum"];

/// 同上 ("as above") is a stub, but the two characters also occur inside ordinary words:
/// 如同上述, 共同上線, 同上海…, 同上市公司, 同上一代相比. These neighbours mark such words.
pub(super) const TONG_SHANG_BEFORE: &str = "如共協协陪偕連连相等";
pub(super) const TONG_SHANG_AFTER: &str = "海市線线升漲涨述傳传架映網网課课場场台臺一年月季期";

pub(super) fn check_placeholders(doc: &Doc, findings: &mut Vec<Finding>) {
    for index in 0..doc.lines.len() {
        let prose = doc.prose(index);
        let mut found: Vec<String> = Vec::new();
        for word in CJK_PLACEHOLDERS {
            let hit = prose.match_indices(word).any(|(at, _)| {
                if word != "同上" {
                    return true;
                }
                let before = prose[..at].chars().next_back();
                let after = prose[at + word.len()..].chars().next();
                !before.is_some_and(|c| TONG_SHANG_BEFORE.contains(c))
                    && !after.is_some_and(|c| TONG_SHANG_AFTER.contains(c))
            });
            if hit {
                found.push(word.to_string());
            }
        }
        let lower = prose.to_lowercase();
        for word in LATIN_PLACEHOLDERS {
            let hit = lower.match_indices(word).any(|(at, _)| {
                let before = lower[..at].chars().next_back();
                let after = lower[at + word.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            });
            if hit {
                found.push(word.to_uppercase());
            }
        }
        if !found.is_empty() {
            findings.push(finding(
                index,
                PLACEHOLDER,
                Severity::Error,
                format!(
                    "placeholder text {} where content belongs; write the content or drop the item",
                    found.join(", ")
                ),
            ));
        }
    }
}

pub(super) fn check_missing_fields(
    cards: &[Card],
    labels: &Labels,
    layout: Layout,
    findings: &mut Vec<Finding>,
) {
    for card in cards.iter().filter(|c| !c.one_line) {
        let missing: Vec<&str> = Field::required(layout)
            .iter()
            .filter(|f| !card.fields.contains(f))
            .map(|f| f.label(labels, layout))
            .collect();
        if !missing.is_empty() {
            findings.push(finding(
                card.index,
                MISSING_FIELD,
                Severity::Error,
                format!(
                    "card \"{}\" lacks {}; every card needs them",
                    card.headline,
                    missing.join(", ")
                ),
            ));
        }
    }
}

/// Distinct stories that may share one link before it is a placeholder: two stories can cite the
/// same roundup, three citing one page means the link stands in for the real sources.
const MAX_STORIES_PER_LINK: usize = 2;

/// One link target shared by many stories (cards and one-line items): a placeholder such as a
/// homepage or `#` standing in for each story's own source.
pub(super) fn check_shared_links(cards: &[Card], findings: &mut Vec<Finding>) {
    let mut users: Vec<(String, Vec<usize>)> = Vec::new();
    for (position, card) in cards.iter().enumerate() {
        let mut seen: Vec<String> = Vec::new();
        for target in &card.links {
            let key = canonical_url(target).unwrap_or_else(|| target.trim().to_string());
            if key.is_empty() || seen.contains(&key) {
                continue;
            }
            seen.push(key.clone());
            match users.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(position),
                None => users.push((key, vec![position])),
            }
        }
    }
    for (key, list) in users {
        if list.len() <= MAX_STORIES_PER_LINK {
            continue;
        }
        let first = &cards[list[0]];
        findings.push(finding(
            first.index,
            PLACEHOLDER_LINK,
            Severity::Error,
            format!(
                "{} stories link the same target {key} (first \"{}\", also lines {}); link each story to its own source",
                list.len(),
                first.headline,
                list[1..]
                    .iter()
                    .map(|&p| (cards[p].index + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
}
