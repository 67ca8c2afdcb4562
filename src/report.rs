//! The reporter: the one way anything below `main.rs` talks to the person at the terminal. In:
//! progress events and the finished run summary; out: progress lines on stderr (redrawn in place
//! on a terminal, milestones only in logs and cron mail) and the one-screen summary on stdout.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

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
}

impl Reporter {
    pub fn new(verbosity: Verbosity) -> Self {
        Reporter {
            verbosity,
            tty: std::io::stderr().is_terminal(),
            last_milestone: Mutex::new(0),
        }
    }

    /// A reporter that prints nothing (tests, `--json`).
    pub fn silent() -> Self {
        Reporter {
            verbosity: Verbosity::Silent,
            tty: false,
            last_milestone: Mutex::new(0),
        }
    }

    /// A stage starts.
    pub fn step(&self, message: &str) {
        if self.verbosity > Verbosity::Quiet {
            eprintln!("• {message}");
        }
    }

    /// Detail shown with -v.
    pub fn detail(&self, message: &str) {
        if self.verbosity == Verbosity::Verbose {
            eprintln!("  {message}");
        }
    }

    /// Something the operator should know even when things went on (a failed source, a skipped topic).
    pub fn warn(&self, message: &str) {
        if self.verbosity > Verbosity::Silent {
            eprintln!("! {message}");
        }
    }

    /// `done` of `total` items of `what` finished.
    pub fn progress(&self, what: &str, done: usize, total: usize) {
        if self.verbosity <= Verbosity::Quiet || total == 0 {
            return;
        }
        if self.tty {
            eprint!("\r  {what}: {done}/{total}");
            if done == total {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
            return;
        }
        // Logs get a line per quarter, not one per card.
        let quarter = done * 4 / total;
        let mut last = self.last_milestone.lock().expect("reporter mutex");
        if done == total || quarter > *last {
            *last = if done == total { 0 } else { quarter };
            eprintln!("  {what}: {done}/{total}");
        }
    }

    /// The command's result on stdout: the run summary, a JSON document, lint findings.
    pub fn output(&self, text: &str) {
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
