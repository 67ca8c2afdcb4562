//! Repetition rules: what a reader is shown twice on one card, or promised and not given. A
//! card's 技術細節 that only restates its headline or summary (a small model copies them; the
//! renderer leaves such details out, so this finds digests rendered elsewhere or by older
//! versions), and a 速覽 item with no one-liner (speedread: the seeds give every item one).
//! Both by the renderer's own rule, `render::fields::restates`.

use super::cards::{Card, Section, SectionKind};
use super::doc::{Doc, bold_field, is_thematic_break};
use super::finding::{Finding, QUICK_READ_LINE, REPEATED_DETAILS, Severity, finding};
use super::inline::strip_urls;
use crate::config::Layout;
use crate::render::fields::restates;
use crate::render::labels::Labels;

/// Cards whose 技術細節 restate their headline or summary.
pub(super) fn check_repeated_details(
    doc: &Doc,
    cards: &[Card],
    labels: &Labels,
    layout: Layout,
    findings: &mut Vec<Finding>,
) {
    for card in cards.iter().filter(|c| !c.one_line) {
        let Some(heading) = doc.headings.iter().find(|h| h.index == card.index) else {
            continue;
        };
        let body: Vec<(usize, &str)> = (card.index + 1..doc.block_end(heading))
            .filter(|&i| !doc.in_code[i])
            .map(|i| (i, doc.lines[i]))
            .collect();
        let Some((index, details)) = field_text(&body, labels.details) else {
            continue;
        };
        let summary = match layout {
            Layout::Daily => field_text(&body, labels.summary).map(|(_, text)| text),
            Layout::Speedread => field_text(&body, labels.overview).map(|(_, text)| text),
            Layout::Brief => lead_paragraph(&body),
        }
        .unwrap_or_default();
        if restates(&details, &[&card.headline, &summary]) {
            findings.push(finding(
                index,
                REPEATED_DETAILS,
                Severity::Warning,
                format!(
                    "{} of \"{}\" only restates its headline or summary; drop the block or give the technical details",
                    labels.details, card.headline
                ),
            ));
        }
    }
}

/// speedread's 速覽 items that stop at their headline (no `：line` after it).
pub(super) fn check_quick_read_lines(
    doc: &Doc,
    sections: &[Section],
    labels: &Labels,
    findings: &mut Vec<Finding>,
) {
    for section in sections.iter().filter(|s| s.kind == SectionKind::QuickRead) {
        for index in section.index + 1..section.end {
            let line = doc.lines[index].trim_start();
            let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) else {
                continue;
            };
            // `**[tag]** **headline**：line` — whatever follows the last bold span.
            let Some(close) = item.rfind("**") else {
                continue;
            };
            let rest = item[close + 2..]
                .trim_start_matches([':', '：', ' '])
                .trim();
            if rest.is_empty() {
                let headline = item[..close].rsplit("**").next().unwrap_or_default();
                findings.push(finding(
                    index,
                    QUICK_READ_LINE,
                    Severity::Warning,
                    format!(
                        "{} item \"{headline}\" has no one-liner; the card needs a short_title line, an impact or a key point",
                        labels.quick_read
                    ),
                ));
            }
        }
    }
}

/// The text of the bold field `name` in a card's body: its inline value (`**name**：text`,
/// `- **name**：text`, `> **name**：text`) and the lines under it up to a blank line or the next
/// field (daily's paragraph under `**name**`, speedread's sentences nested under its theme).
fn field_text(body: &[(usize, &str)], name: &str) -> Option<(usize, String)> {
    let unmarked = |line: &str| -> String {
        let line = line.trim_start().trim_start_matches('>').trim_start();
        line.strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))
            .unwrap_or(line)
            .to_string()
    };
    let position = body.iter().position(|(_, line)| {
        bold_field(&unmarked(line)).is_some_and(|(field, _)| field.starts_with(name))
    })?;
    let (index, line) = body[position];
    let first = unmarked(line);
    let mut text = bold_field(&first).map(|(_, value)| value.to_string())?;
    for (_, line) in &body[position + 1..] {
        let next = unmarked(line);
        if line.trim().is_empty() || is_thematic_break(line) || bold_field(&next).is_some() {
            break;
        }
        text.push('\n');
        text.push_str(&next);
    }
    Some((index, strip_urls(&text)))
}

/// brief's lead: the first plain line of prose under the heading.
fn lead_paragraph(body: &[(usize, &str)]) -> Option<String> {
    body.iter()
        .map(|(_, line)| line.trim())
        .find(|line| !line.is_empty() && !line.starts_with(['*', '`', '#', '>', '[', '-']))
        .map(str::to_string)
}
