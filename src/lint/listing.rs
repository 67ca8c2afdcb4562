//! What the reader is promised by the lists of a digest: the footer's counts agree with the
//! stories shown, the more-news lines are in the digest's language, a card lists each source
//! once, and (pipeline only: it knows every source's title) a headline opens the report in the
//! digest's language when one exists.

use super::cards::Card;
use super::doc::{Doc, bold_field};
use super::finding::{
    COUNT_MISMATCH, DUPLICATE_SOURCE, Finding, HEADLINE_LINK_LANGUAGE, Severity, UNTRANSLATED_MORE,
    finding,
};
use super::inline::links;
use super::language::untranslated_severity;
use crate::model::{CardRecord, Language};
use crate::render::escape::checked_link;
use crate::render::labels::Labels;
use crate::text::has_han;
use crate::write::sources::{near_identical_titles, title_in_language};

/// The numbers of the footer's counts line ("資料來源：N 篇文章 | 分析主題：M 個 | 更多動態：K 則")
/// against the cards and more-news items the document shows.
pub(super) fn check_counts(
    doc: &Doc,
    cards: &[Card],
    labels: &Labels,
    findings: &mut Vec<Finding>,
) {
    let Some((index, line)) = doc
        .body_lines()
        .find(|(_, line)| template_numbers(labels.footer_counts, line.trim_matches('*')).is_some())
    else {
        return;
    };
    let line = line.trim_matches('*');
    let Some((counts, rest)) = template_numbers(labels.footer_counts, line) else {
        return;
    };
    let shown_cards = cards.iter().filter(|c| !c.one_line).count();
    let shown_more = cards.iter().filter(|c| c.one_line).count();
    if let Some(&topics) = counts.get(1)
        && topics != shown_cards
    {
        findings.push(finding(
            index,
            COUNT_MISMATCH,
            Severity::Error,
            format!("the footer counts {topics} topics but the digest shows {shown_cards} cards"),
        ));
    }
    let more = template_numbers(labels.footer_more, rest)
        .and_then(|(n, _)| n.first().copied())
        .unwrap_or(0);
    if more != shown_more {
        findings.push(finding(
            index,
            COUNT_MISMATCH,
            Severity::Error,
            format!("the footer counts {more} more-news stories but the digest lists {shown_more}"),
        ));
    }
}

/// Reads `text` as `template` ("A{x}B{y}C"): the numbers in place of the placeholders and the
/// rest of `text` after the template's last literal; `None` when the literals do not match.
fn template_numbers<'t>(template: &str, text: &'t str) -> Option<(Vec<usize>, &'t str)> {
    let mut rest = text;
    let mut numbers = Vec::new();
    let mut parts = template.split('{');
    let first = parts.next()?;
    rest = rest.strip_prefix(first)?;
    for part in parts {
        let (_, literal) = part.split_once('}')?;
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        numbers.push(rest[..digits].parse().ok()?);
        rest = rest[digits..].strip_prefix(literal)?;
    }
    Some((numbers, rest))
}

/// More-news lines with no Chinese characters in a Chinese digest: the gloss was not written (or
/// not translated). A warning from the extractive baseline, which keeps the titles; an error
/// from a model.
pub(super) fn check_more_language(doc: &Doc, cards: &[Card], findings: &mut Vec<Finding>) {
    let (severity, hint) = untranslated_severity(
        doc,
        "expected from the extractive provider, which keeps the source title",
        "the more-news stage must write it in the digest's language",
    );
    for item in cards.iter().filter(|c| c.one_line && !has_han(&c.headline)) {
        findings.push(finding(
            item.index,
            UNTRANSLATED_MORE,
            severity,
            format!(
                "more-news line \"{}\" has no Chinese characters; {hint}",
                item.headline
            ),
        ));
    }
}

/// A card's sources field listing one source twice: the same URL, or near-identical titles
/// (a syndicated copy the renderer should have folded into "also: outlet").
pub(super) fn check_duplicate_sources(
    doc: &Doc,
    cards: &[Card],
    labels: &Labels,
    findings: &mut Vec<Finding>,
) {
    for card in cards.iter().filter(|c| !c.one_line) {
        let end = doc
            .headings
            .iter()
            .find(|h| h.index > card.index && h.level <= 3)
            .map_or(doc.lines.len(), |h| h.index);
        for index in card.index + 1..end {
            let line = doc.lines[index];
            if doc.in_code[index]
                || !bold_field(line).is_some_and(|(name, _)| name.starts_with(labels.sources))
            {
                continue;
            }
            let listed: Vec<(String, String)> = links(line)
                .into_iter()
                .map(|l| {
                    let whole = &line[l.start..l.end];
                    let text = whole[1..whole.find("](").unwrap_or(1)].to_string();
                    (text, l.target)
                })
                .collect();
            for (i, (text, target)) in listed.iter().enumerate() {
                let earlier = listed[..i].iter().find(|(t, u)| {
                    u == target
                        || (t != labels.paper
                            && text != labels.paper
                            && near_identical_titles(t, text))
                });
                if let Some((first, _)) = earlier {
                    findings.push(finding(
                        index,
                        DUPLICATE_SOURCE,
                        Severity::Error,
                        format!(
                            "card \"{}\" lists one source twice (\"{first}\" and \"{text}\" at {target}); list a syndicated copy once, with its outlet after \"{}\"",
                            card.headline, labels.also
                        ),
                    ));
                }
            }
        }
    }
}

/// A headline whose link opens a report in another language while one in the digest's language
/// exists among the card's sources. `shown` is each rendered card (headline line and the target
/// its headline links to: brief's heading, speedread's 閱讀原文, daily's first source).
pub(super) fn check_headline_links(
    records: &[(&CardRecord, &Card)],
    language: Language,
    findings: &mut Vec<Finding>,
) {
    for (record, card) in records {
        let Some(target) = &card.first_source else {
            continue;
        };
        let Some(linked) = record
            .sources
            .iter()
            .find(|s| checked_link(&s.url).as_deref() == Some(target.as_str()))
        else {
            continue;
        };
        if title_in_language(&linked.title, language) {
            continue;
        }
        if let Some(better) = record
            .sources
            .iter()
            .find(|s| checked_link(&s.url).is_some() && title_in_language(&s.title, language))
        {
            findings.push(finding(
                card.index,
                HEADLINE_LINK_LANGUAGE,
                Severity::Error,
                format!(
                    "headline \"{}\" links to \"{}\", not in {language}, while \"{}\" ({}) is",
                    card.headline, linked.title, better.title, better.url
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_read_their_numbers() {
        let template = "資料來源：{articles} 篇文章 | 分析主題：{topics} 個";
        assert_eq!(
            template_numbers(
                template,
                "資料來源：60 篇文章 | 分析主題：30 個 | 更多動態：6 則"
            ),
            Some((vec![60, 30], " | 更多動態：6 則"))
        );
        assert_eq!(
            template_numbers(" | 更多動態：{more} 則", " | 更多動態：6 則"),
            Some((vec![6], ""))
        );
        assert_eq!(template_numbers(template, "資料來源：many 篇文章"), None);
        assert_eq!(template_numbers(template, "Sources: 6 articles"), None);
    }
}
