//! What lint reports: the rule ids, a finding (rule, severity, 1-based line, message) and the
//! report of one digest. Rules make their findings here, with the line they are about.

use std::collections::BTreeMap;
use std::fmt;

/// The same story twice: same first source, or near-duplicate headlines.
pub const DUPLICATE_STORY: &str = "duplicate-story";
/// A link whose target is not an absolute http(s) URL, or a bare `arXiv:ID`.
pub const BAD_LINK: &str = "bad-link";
/// A `##` section with nothing under it.
pub const EMPTY_SECTION: &str = "empty-section";
/// Stub text such as 同上, 已列於, 生成失败, TODO.
pub const PLACEHOLDER: &str = "placeholder";
/// A news card without its summary, entities, importance or sources.
pub const MISSING_FIELD: &str = "missing-field";
/// Too many characters of the other Chinese script.
pub const WRONG_SCRIPT: &str = "wrong-script";
/// Card text with no Han character in a Chinese digest.
pub const UNTRANSLATED_BODY: &str = "untranslated-body";
/// One link target shared by many stories.
pub const PLACEHOLDER_LINK: &str = "placeholder-link";
/// A file with no digest structure (no layout's sections and cards).
pub const NOT_A_DIGEST: &str = "not-a-digest";
/// A headline with no Han character in a Chinese digest.
pub const UNTRANSLATED_HEADLINE: &str = "untranslated-headline";
/// A number in a card that none of its sources contains (grounding only).
pub const UNGROUNDED_NUMBER: &str = "ungrounded-number";
/// An entity of a card that none of its sources names (grounding only).
pub const UNGROUNDED_ENTITY: &str = "ungrounded-entity";
/// A footer count (topics, more-news stories) that disagrees with what the digest shows.
pub const COUNT_MISMATCH: &str = "count-mismatch";
/// A more-news line with no Han character in a Chinese digest.
pub const UNTRANSLATED_MORE: &str = "untranslated-more";
/// A headline linking to a report in another language while one in the digest's language
/// exists (pipeline only).
pub const HEADLINE_LINK_LANGUAGE: &str = "headline-link-language";
/// One source listed twice under a card (same URL, or a syndicated copy's near-identical title).
pub const DUPLICATE_SOURCE: &str = "duplicate-source";
/// A card's 技術細節 that only restates its headline or summary.
pub const REPEATED_DETAILS: &str = "repeated-details";
/// A speedread 速覽 item with a headline and no one-liner.
pub const QUICK_READ_LINE: &str = "quick-read-line";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The digest must not be published as is.
    Error,
    /// Worth a look; the digest may still be published.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// 1-based line of the digest the finding is about (a card's headline for card rules).
    pub line: usize,
    /// Stable rule id, one of the constants of this module.
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    /// `FILE:LINE: severity[rule]: message`, the form editors and CI logs link to.
    pub fn located(&self, file: &std::path::Path) -> String {
        format!(
            "{}:{}: {}[{}]: {}",
            file.display(),
            self.line,
            self.severity,
            self.rule,
            self.message
        )
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: {}[{}]: {}",
            self.line, self.severity, self.rule, self.message
        )
    }
}

/// Every finding of one digest, sorted by line, then rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LintReport {
    pub findings: Vec<Finding>,
}

impl LintReport {
    pub fn errors(&self) -> Vec<&Finding> {
        self.with_severity(Severity::Error)
    }

    pub fn warnings(&self) -> Vec<&Finding> {
        self.with_severity(Severity::Warning)
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Tells every finding, located in `file`: errors as warnings, warnings as detail (-v).
    pub fn tell(&self, file: &std::path::Path, progress: &dyn crate::progress::Progress) {
        for finding in &self.findings {
            let line = finding.located(file);
            match finding.severity {
                Severity::Error => progress.warn(&line),
                Severity::Warning => progress.detail(&line),
            }
        }
    }

    /// Findings per rule id, for summaries.
    pub fn counts_by_rule(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for finding in &self.findings {
            *counts.entry(finding.rule).or_insert(0) += 1;
        }
        counts
    }

    fn with_severity(&self, severity: Severity) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect()
    }
}

/// A finding at 0-based line `index` (the form the document model counts in).
pub(super) fn finding(
    index: usize,
    rule: &'static str,
    severity: Severity,
    message: String,
) -> Finding {
    Finding {
        line: index + 1,
        rule,
        severity,
        message,
    }
}
