//! The reporter: the one way anything below `main.rs` talks to the person at the terminal. In:
//! progress events and the finished run summary; out: progress lines on stderr (redrawn in place
//! on a terminal, milestones only in logs and cron mail) and the one-screen summary on stdout.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::progress::{Progress, StageProgress};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Nothing at all (tests, embedding).
    Silent,
    /// Warnings and the final result only (`-q`, cron).
    Quiet,
    Normal,
    Verbose,
}

pub struct Reporter {
    verbosity: Verbosity,
    tty: bool,
    last_milestone: Mutex<usize>,
    /// The terminal's progress bar of the running stage (terminals only).
    bar: Mutex<Option<ProgressBar>>,
}

impl Reporter {
    pub fn new(verbosity: Verbosity) -> Self {
        Reporter {
            verbosity,
            tty: std::io::stderr().is_terminal(),
            last_milestone: Mutex::new(0),
            bar: Mutex::new(None),
        }
    }

    /// A reporter that prints nothing (tests, `--json`).
    pub fn silent() -> Self {
        Reporter {
            verbosity: Verbosity::Silent,
            tty: false,
            last_milestone: Mutex::new(0),
            bar: Mutex::new(None),
        }
    }
}

/// The stages see the terminal only through this seam.
impl Progress for Reporter {
    /// A stage starts.
    fn step(&self, message: &str) {
        if self.verbosity > Verbosity::Quiet {
            eprintln!("• {message}");
        }
    }

    /// Detail shown with -v.
    fn detail(&self, message: &str) {
        if self.verbosity == Verbosity::Verbose {
            eprintln!("  {message}");
        }
    }

    /// Something the operator should know even when things went on (a failed source, a skipped
    /// topic). Not with -q: cron reads the final result and errors only; the summary still counts
    /// what went wrong.
    fn warn(&self, message: &str) {
        if self.verbosity > Verbosity::Quiet {
            eprintln!("! {message}");
        }
    }

    /// A long stage's progress: an `indicatif` bar with ETA on a terminal's stderr, a line per
    /// quarter in logs and cron mail, nothing with -q.
    fn stage_progress(&self, what: &str, p: &StageProgress) {
        if self.verbosity <= Verbosity::Quiet || p.total == 0 {
            return;
        }
        if self.tty {
            let mut slot = self.bar.lock().expect("reporter mutex");
            let bar = slot.get_or_insert_with(|| {
                let bar = ProgressBar::with_draw_target(
                    Some(p.total as u64),
                    ProgressDrawTarget::stderr(),
                );
                bar.set_style(
                    ProgressStyle::with_template(
                        "  {prefix} [{bar:30}] {pos}/{len} · {msg} · ETA {eta}",
                    )
                    .expect("the template is valid")
                    .progress_chars("=> "),
                );
                bar.set_prefix(what.to_string());
                bar
            });
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
            bar.set_message(p.counters());
            if p.done >= p.total {
                bar.finish();
                *slot = None;
            }
            return;
        }
        // Logs get a line per quarter, not one per card.
        let quarter = p.done * 4 / p.total;
        let mut last = self.last_milestone.lock().expect("reporter mutex");
        if p.done == p.total || quarter > *last {
            *last = if p.done == p.total { 0 } else { quarter };
            eprintln!("  {what}: {}/{} ({})", p.done, p.total, p.counters());
        }
    }

    /// The command's result on stdout: the run summary, a JSON document, lint findings.
    fn output(&self, text: &str) {
        if self.verbosity == Verbosity::Silent {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = stdout.write_all(b"\n");
        }
    }
}
