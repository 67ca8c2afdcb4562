//! zh-Hant conversion on realistic digests: the seeds in ../shared/seeds (skipped when absent) —
//! 000, a Traditional daily digest (mostly already in script), and 001/004, Simplified speedread
//! digests (what a model writing Simplified for a 繁體 digest hands the renderer). Converted
//! field by field, as the view model does (one call per paragraph), and as one document.
//! Run with `cargo bench --bench script`; prints the median of several runs and chars/s.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use newsdesk::model::Language;
use newsdesk::text::to_script;

const RUNS: usize = 15;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(mut f: impl FnMut() -> usize) -> Duration {
    median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn report(name: &str, chars: usize, took: Duration) {
    let rate = chars as f64 / took.as_secs_f64() / 1e6;
    println!("{name:<34}{chars:>8} chars: median {took:>10.3?} ({rate:.2} M chars/s)");
}

fn main() {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let read = |prefix: &str| -> Option<String> {
        let entry = std::fs::read_dir(&seeds)
            .ok()?
            .filter_map(Result::ok)
            .find(|e| e.file_name().to_string_lossy().starts_with(prefix))?;
        std::fs::read_to_string(entry.path()).ok()
    };
    let (Some(daily), Some(speed1), Some(speed4)) = (read("000_"), read("001_"), read("004_"))
    else {
        println!("skipped: the seeds are not at {}", seeds.display());
        return;
    };
    // Dictionaries and tables are loaded once per process, outside the timings.
    to_script("预热", Language::ZhHant);
    for (name, text) in [
        ("seed 000 (Traditional daily)", daily),
        (
            "seeds 001+004 (Simplified speedread)",
            format!("{speed1}\n{speed4}"),
        ),
    ] {
        let chars = text.chars().count();
        // The view converts each field on its own: a paragraph or list item per call.
        let fields: Vec<&str> = text.split('\n').filter(|l| !l.trim().is_empty()).collect();
        report(
            &format!("{name}, per field ({} calls)", fields.len()),
            chars,
            time(|| {
                fields
                    .iter()
                    .map(|f| to_script(f, Language::ZhHant).len())
                    .sum()
            }),
        );
        report(
            &format!("{name}, whole document"),
            chars,
            time(|| to_script(&text, Language::ZhHant).len()),
        );
    }
}
