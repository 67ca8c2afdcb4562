//! The HTML report: one self-contained page. Inline CSS only — no scripts, fonts, images or links
//! to anything outside the file — so it opens offline, from CI artifacts, or in a mail client.
//! Every fixture is one `<section class="fixture" id="fx-ID">`; the browser test counts them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{SuiteRun, baseline_text, delta_text, mcnemar_text, needed_text, verdict_text};
use crate::eval::runner::FixtureResult;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK TC','PingFang TC',sans-serif;margin:2rem;color:#1d1d1f;background:#fafafa}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}h3{font-size:1rem;margin:0 0 .5rem}
table{border-collapse:collapse;margin:.5rem 0;background:#fff}
th,td{border:1px solid #ddd;padding:.25rem .5rem;font-size:.85rem;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
.bar{position:relative;width:160px;height:12px;background:#eee;display:inline-block;vertical-align:middle}
.bar .zero{position:absolute;left:50%;top:0;bottom:0;width:1px;background:#555}
.bar .ci{position:absolute;top:2px;bottom:2px;background:#7aa6d8}
.bar .ci.neg{background:#d87a7a}.bar .ci.pos{background:#7ad88f}
.regression{color:#b00020;font-weight:600}.improved{color:#137333;font-weight:600}
.gate-fail{background:#fde7e9;border:1px solid #b00020;padding:.5rem}.gate-ok{background:#e6f4ea;border:1px solid #137333;padding:.5rem}
.fixture{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1rem;margin:1rem 0}
.outputs{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem}
.output{border-left:3px solid #7aa6d8;padding-left:.75rem;font-size:.85rem}
.output p{margin:.25rem 0}.reference{border-left-color:#999;color:#444}.label{color:#666;font-size:.75rem}
.badge{display:inline-block;border-radius:3px;padding:0 .35rem;margin:.1rem;font-size:.7rem;color:#fff}
.badge.pass{background:#137333}.badge.fail{background:#b00020}
.error{color:#b00020}.changed{background:#fff4ce}
";

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A CI drawn on a -1..+1 scale (score points / 100) around a zero line.
fn ci_bar(m: &crate::eval::compare::MetricComparison) -> String {
    let Some(d) = m.delta else {
        return String::new();
    };
    let pos = |x: f64| ((x.clamp(-1.0, 1.0) + 1.0) * 50.0).clamp(0.0, 100.0);
    let (left, right) = (pos(d.low), pos(d.high));
    let class = if d.high < 0.0 {
        "neg"
    } else if d.low > 0.0 {
        "pos"
    } else {
        ""
    };
    format!(
        "<span class=\"bar\"><span class=\"zero\"></span><span class=\"ci {class}\" style=\"left:{left:.1}%;width:{:.1}%\"></span></span>",
        (right - left).max(0.8)
    )
}

fn badges(result: &FixtureResult, order: &[String]) -> String {
    order
        .iter()
        .filter_map(|name| result.metrics.get(name).map(|v| (name, v)))
        .map(|(name, v)| {
            format!(
                "<span class=\"badge {}\" title=\"{}\">{} {:.0}</span>",
                if v.pass { "pass" } else { "fail" },
                esc(&v.note),
                esc(name),
                v.value * 100.0
            )
        })
        .collect()
}

fn field(label: &str, value: &str) -> String {
    if value.trim().is_empty() {
        String::new()
    } else {
        format!(
            "<p><span class=\"label\">{}</span> {}</p>",
            esc(label),
            esc(value)
        )
    }
}

/// An output's fields, whatever the stage (card, insight, clusters).
fn output_html(output: &serde_json::Value) -> String {
    let Some(map) = output.as_object() else {
        return String::new();
    };
    // Card and insight fields in the order a reader reads them; anything else after.
    const ORDER: &[&str] = &[
        "title",
        "headline",
        "summary",
        "description",
        "trend_summary",
        "details",
        "tech_context",
        "scenarios",
        "outlook",
        "entities",
        "keywords",
        "watchlist",
        "tags",
        "section",
        "importance",
        "insight",
    ];
    let mut fields: Vec<(&String, &serde_json::Value)> = map.iter().collect();
    fields.sort_by_key(|(k, _)| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
    fields
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(" · "),
                other => other.to_string(),
            };
            field(k, &text)
        })
        .collect()
}

fn result_html(title: &str, result: &FixtureResult, order: &[String], changed: bool) -> String {
    let mut out = format!(
        "<div class=\"output{}\"><h3>{}{}</h3><div>{}</div>",
        if changed { " changed" } else { "" },
        esc(title),
        if changed { " (changed)" } else { "" },
        badges(result, order)
    );
    if let Some(error) = &result.error {
        let _ = write!(out, "<p class=\"error\">{}</p>", esc(error));
    }
    if let Some(output) = &result.output {
        out.push_str(&output_html(output));
    }
    out.push_str("</div>");
    out
}

/// The page: the summary of each variant's comparison, what changed against the blessed
/// baseline, then every fixture's outputs side by side.
pub fn html_report(run: &SuiteRun) -> String {
    let blessed: Blessed = run
        .blessed
        .iter()
        .flatten()
        .map(|r| ((r.fixture.as_str(), r.repeat), r))
        .collect();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>eval: {}</title><style>{STYLE}</style></head><body><h1>Eval: {} <small>({} stage, {} fixtures)</small></h1>",
        esc(&run.suite),
        esc(&run.suite),
        esc(&run.stage),
        run.fixtures.len()
    );
    summary_html(&mut out, run);
    changes_html(&mut out, run, &blessed);
    fixtures_html(&mut out, run, &blessed);
    out.push_str("</body></html>\n");
    out
}

/// The blessed results by (fixture, repeat).
type Blessed<'r> = BTreeMap<(&'r str, u32), &'r FixtureResult>;

/// Each variant's gate and its per-metric comparison table.
fn summary_html(out: &mut String, run: &SuiteRun) {
    out.push_str("<h2 id=\"summary\">Summary</h2>");
    for (name, _, c) in &run.variants {
        let (class, gate) = if c.fails() {
            ("gate-fail", "gate: FAIL")
        } else {
            ("gate-ok", "gate: ok")
        };
        let _ = write!(
            out,
            "<h3>{}</h3><p class=\"{class}\">{gate} — baseline: {}</p><table><tr><th>metric</th><th>mean %</th><th>pass %</th><th>baseline %</th><th>Δ [95% CI]</th><th>CI</th><th>lost/gained</th><th>McNemar p</th><th>n@effect</th><th>verdict</th></tr>",
            esc(name),
            esc(&c.baseline)
        );
        for m in &c.metrics {
            metric_row(out, m);
        }
        out.push_str("</table>");
    }
}

fn metric_row(out: &mut String, m: &crate::eval::compare::MetricComparison) {
    let verdict = verdict_text(m);
    let _ = write!(
        out,
        "<tr><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
        esc(&m.metric),
        m.mean * 100.0,
        m.pass_rate * 100.0,
        baseline_text(m),
        delta_text(m),
        ci_bar(m),
        m.lost,
        m.gained,
        mcnemar_text(m),
        needed_text(m),
        if verdict == "improved" {
            "improved"
        } else if verdict.is_empty() {
            ""
        } else {
            "regression"
        },
        verdict
    );
}

/// What changed against the blessed baseline: fixtures whose checks flipped or whose output
/// differs.
fn changes_html(out: &mut String, run: &SuiteRun, blessed: &Blessed) {
    out.push_str("<h2 id=\"changes\">What changed against the baseline</h2>");
    if blessed.is_empty() {
        out.push_str(
            "<p>Nothing is blessed for this suite yet (<code>newsdesk eval --bless</code>).</p>",
        );
        return;
    }
    out.push_str("<table><tr><th>variant</th><th>fixture</th><th>now failing</th><th>now passing</th><th>output</th></tr>");
    let mut any = false;
    for (name, results, _) in &run.variants {
        for r in results {
            let Some(b) = blessed.get(&(r.fixture.as_str(), r.repeat)) else {
                continue;
            };
            any |= change_row(out, name, r, b);
        }
    }
    out.push_str("</table>");
    if !any {
        out.push_str("<p>No output or check differs from the blessed baseline.</p>");
    }
}

/// One fixture's row when its checks flipped or its output changed; whether it had one.
fn change_row(out: &mut String, variant: &str, r: &FixtureResult, b: &FixtureResult) -> bool {
    let flipped = |want: bool| -> Vec<String> {
        r.metrics
            .iter()
            .filter(|(k, v)| v.pass != want && b.metrics.get(*k).is_some_and(|bv| bv.pass == want))
            .map(|(k, _)| esc(k))
            .collect()
    };
    let (lost, gained) = (flipped(true), flipped(false));
    let output_changed = r.output != b.output;
    if lost.is_empty() && gained.is_empty() && !output_changed {
        return false;
    }
    let _ = write!(
        out,
        "<tr><td>{}</td><td><a href=\"#fx-{}\">{}</a></td><td class=\"regression\">{}</td><td class=\"improved\">{}</td><td>{}</td></tr>",
        esc(variant),
        esc(&r.fixture),
        esc(&r.fixture),
        lost.join(", "),
        gained.join(", "),
        if output_changed { "changed" } else { "same" }
    );
    true
}

/// Every fixture: the reference, the blessed output and each variant's, side by side.
fn fixtures_html(out: &mut String, run: &SuiteRun, blessed: &Blessed) {
    out.push_str("<h2 id=\"fixtures\">Fixtures</h2>");
    for fixture in &run.fixtures {
        let _ = write!(
            out,
            "<section class=\"fixture\" id=\"fx-{}\"><h3>{}</h3><div class=\"outputs\">",
            esc(fixture),
            esc(fixture)
        );
        if let Some(reference) = run.references.get(fixture) {
            let _ = write!(
                out,
                "<div class=\"output reference\"><h3>reference</h3>{}</div>",
                output_html(reference)
            );
        }
        if let Some(b) = blessed.get(&(fixture.as_str(), 1)) {
            out.push_str(&result_html(
                &format!("blessed {}", b.variant),
                b,
                &run.metrics,
                false,
            ));
        }
        for (name, results, _) in &run.variants {
            for r in results.iter().filter(|r| &r.fixture == fixture) {
                let changed = blessed
                    .get(&(fixture.as_str(), r.repeat))
                    .is_some_and(|b| b.output != r.output);
                let title = if r.repeat > 1 {
                    format!("{name} (repeat {})", r.repeat)
                } else {
                    name.clone()
                };
                out.push_str(&result_html(&title, r, &run.metrics, changed));
            }
        }
        out.push_str("</div></section>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_nothing_external_is_referenced() {
        let result = FixtureResult {
            suite: "cards".into(),
            variant: "extractive".into(),
            fixture: "f1".into(),
            repeat: 1,
            output: Some(serde_json::json!({"title": "<script>alert(1)</script>"})),
            error: None,
            metrics: Default::default(),
        };
        let comparison = crate::eval::compare::compare(
            "extractive",
            &[],
            std::slice::from_ref(&result),
            None,
            &Default::default(),
            0.02,
        );
        let run = SuiteRun {
            suite: "cards".into(),
            stage: "card".into(),
            metrics: vec![],
            fixtures: vec!["f1".into()],
            variants: vec![("extractive".into(), vec![result], comparison)],
            blessed: None,
            references: Default::default(),
        };
        let page = html_report(&run);
        assert!(!page.contains("<script"), "article text must be escaped");
        assert!(page.contains("&lt;script&gt;"));
        for external in ["http://", "https://", "<link", "@import", "src="] {
            assert!(!page.contains(external), "{external} in the report");
        }
        assert_eq!(page.matches("class=\"fixture\"").count(), 1);
    }
}
