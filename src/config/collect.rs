//! The `[collect]` and `[triage]` sections: fetch limits, run health, cross-day memory and the
//! optional LLM triage switch. Defaults live on the types (`CollectConfig::default()`).

use super::types::{CollectConfig, TriageConfig};
use super::validate::{Table, Validator};

impl Validator {
    pub(super) fn collect(&mut self, t: &Table) -> CollectConfig {
        const P: &str = "collect";
        let d = CollectConfig::default();
        self.unknown_keys(
            t,
            P,
            &[
                "connect_timeout_s",
                "total_timeout_s",
                "max_body_bytes",
                "max_redirects",
                "max_attempts",
                "retry_min_delay_ms",
                "per_host_interval_ms",
                "concurrency",
                "user_agent",
                "tolerate_failed_sources",
                "memory_days",
                "memory_follow_ups",
            ],
        );
        let int =
            |v: &mut Self, key: &str, default: i64, range| v.integer(t, key, P, default, range);
        CollectConfig {
            connect_timeout_s: int(
                self,
                "connect_timeout_s",
                d.connect_timeout_s as i64,
                1..=600,
            ) as u64,
            total_timeout_s: int(self, "total_timeout_s", d.total_timeout_s as i64, 1..=3600)
                as u64,
            max_body_bytes: int(
                self,
                "max_body_bytes",
                d.max_body_bytes as i64,
                1024..=1 << 30,
            ) as usize,
            max_redirects: int(self, "max_redirects", d.max_redirects as i64, 0..=20) as usize,
            max_attempts: int(self, "max_attempts", d.max_attempts as i64, 1..=10) as u32,
            retry_min_delay_ms: int(
                self,
                "retry_min_delay_ms",
                d.retry_min_delay_ms as i64,
                0..=60_000,
            ) as u64,
            per_host_interval_ms: int(
                self,
                "per_host_interval_ms",
                d.per_host_interval_ms as i64,
                0..=600_000,
            ) as u64,
            concurrency: int(self, "concurrency", d.concurrency as i64, 1..=64) as usize,
            user_agent: self
                .string(t, "user_agent", P, Some(&d.user_agent))
                .unwrap_or(d.user_agent),
            tolerate_failed_sources: int(self, "tolerate_failed_sources", 0, 0..=10_000) as usize,
            memory_days: int(self, "memory_days", d.memory_days as i64, 0..=60) as u32,
            memory_follow_ups: self.boolean(t, "memory_follow_ups", P, d.memory_follow_ups),
        }
    }

    pub(super) fn triage(&mut self, t: &Table) -> TriageConfig {
        const P: &str = "triage";
        let d = TriageConfig::default();
        self.unknown_keys(t, P, &["enabled", "batch_size"]);
        TriageConfig {
            enabled: self.boolean(t, "enabled", P, d.enabled),
            batch_size: self.integer(t, "batch_size", P, d.batch_size as i64, 1..=200) as usize,
        }
    }
}
