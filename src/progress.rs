//! How a stage tells its caller what it is doing, without knowing who listens: the terminal
//! (`report::Reporter`), a test, or nothing. In: step names, details, warnings, counts and a
//! command's result; out: whatever the implementation does with them. Stages take
//! `&dyn Progress`; only the commands pick the terminal.

/// Where a long stage stands, with the counters that explain its pace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageProgress {
    pub done: usize,
    pub total: usize,
    pub cache_hits: usize,
    pub retries: u64,
    /// Answers with HTTP 429.
    pub rate_limited: u64,
}

impl StageProgress {
    pub fn counters(&self) -> String {
        format!(
            "{} cache hit(s) · {} retr{} · {} × 429",
            self.cache_hits,
            self.retries,
            if self.retries == 1 { "y" } else { "ies" },
            self.rate_limited
        )
    }
}

/// What a stage may say while it works.
pub trait Progress: Sync {
    /// A stage starts.
    fn step(&self, message: &str);
    /// Detail for whoever asked for it (-v).
    fn detail(&self, message: &str);
    /// Something the operator should know even though the work went on.
    fn warn(&self, message: &str);
    /// A long stage's progress, with the counters that explain its pace.
    fn stage_progress(&self, what: &str, p: &StageProgress);
    /// The command's result (a report, a JSON document).
    fn output(&self, text: &str);

    /// `done` of `total` items of `what` finished.
    fn progress(&self, what: &str, done: usize, total: usize) {
        self.stage_progress(
            what,
            &StageProgress {
                done,
                total,
                ..StageProgress::default()
            },
        );
    }
}
