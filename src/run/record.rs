//! The night's two records, built once from what the steps tallied. In: the plan, the `Night`
//! tally, the digest, the provider's call ledger and what publishing wrote; out: the
//! `RunManifest` (what replay needs) and the `RunSummary` (what the operator reads).

use super::manifest::{self, CallLine, CardLine, OutputFile, RunManifest};
use super::plan::Plan;
use super::steps::Night;
use super::{RunStatus, RunSummary};
use crate::config::ProviderKind;
use crate::lint::LintReport;
use crate::llm::Provider;
use crate::llm::budget::cost_usd;
use crate::llm::cached::{CallRecord, paid_and_cached};
use crate::llm::telemetry::TelemetrySnapshot as Seen;
use crate::model::Digest;

/// The provider calls of the night, priced (cached answers and the extractive baseline cost 0),
/// in the order the manifest lists them: card calls in topic order, then the rest.
pub(super) fn priced_calls(
    plan: &Plan<'_>,
    ledger: &[CallRecord],
    night: &Night<'_>,
) -> Vec<CallLine> {
    let free = plan.model.provider.kind == ProviderKind::Extractive;
    let calls = ledger
        .iter()
        .map(|c| CallLine {
            call: c.clone(),
            cost_usd: if c.cached || free {
                0.0
            } else {
                cost_usd(c.usage, &plan.config.pricing)
            },
        })
        .collect();
    manifest::order_calls(calls, &night.request_keys)
}

/// What replay needs to rebuild the night, and what `runs show|diff` read.
pub(super) fn manifest(
    plan: &Plan<'_>,
    night: &Night<'_>,
    digest: &Digest,
    provider: &dyn Provider,
    calls: Vec<CallLine>,
    seen: &Seen,
    outputs: Vec<OutputFile>,
) -> RunManifest {
    let (start, end) = plan.window;
    RunManifest {
        run_id: digest.generator.run.clone(),
        date: plan.opts.date,
        digest_time: digest.generated_at.clone(),
        window: [start.to_rfc3339(), end.to_rfc3339()],
        started_at: night.started_at.to_rfc3339(),
        generated_at: night.generated_at.to_rfc3339(),
        config_hash: plan.config_hash(),
        config: plan.opts.recorded_config.clone(),
        provider: provider.id().clone(),
        provider_kind: plan.model.provider.kind,
        model: plan.model.settings.model.clone(),
        cache_mode: plan.opts.cache_mode,
        budget_usd: plan.model.limits.budget_usd,
        prompt_hashes: plan.prompts.hashes().clone(),
        template_hashes: plan.template_hashes.clone(),
        articles: night.article_refs.clone(),
        stories: night.stories.clone(),
        topics: night.topics.clone(),
        cards: digest
            .cards
            .iter()
            .map(|c| CardLine {
                topic_id: c.topic_id.clone(),
                title: c.card.title.clone(),
                blake3: blake3::hash(&serde_json::to_vec(&c.card).expect("cards serialize"))
                    .to_hex()
                    .to_string(),
            })
            .collect(),
        calls,
        steps: night.timings.clone(),
        outputs,
        failed: digest.failed.clone(),
        cards_trimmed: night.cards_trimmed,
        cards_repaired: night.cards_repaired,
        card_stats: night.card_stats.clone(),
        fallbacks: seen.fallbacks.clone(),
        day_cards: digest.cards.clone(),
        memory: Some(night.memory.clone()),
    }
}

/// The one-screen report of the night (and `--json`).
pub(super) fn summary(
    plan: &Plan<'_>,
    night: &Night<'_>,
    digest: &Digest,
    calls: &[CallLine],
    seen: Seen,
    lint: &LintReport,
) -> RunSummary {
    let status = if lint.has_errors() {
        RunStatus::LintFailed
    } else if !digest.failed.is_empty() || night.insight_error.is_some() || night.sources_unhealthy
    {
        RunStatus::Partial
    } else {
        RunStatus::Ok
    };
    let (provider_calls, cache_hits) = paid_and_cached(calls.iter().map(|c| &c.call));
    let paid = || calls.iter().filter(|c| !c.call.cached);
    let mut modes: Vec<String> = calls
        .iter()
        .map(|c| c.call.structured_output.clone())
        .collect();
    modes.sort();
    modes.dedup();
    RunSummary {
        run_id: digest.generator.run.clone(),
        date: plan.opts.date,
        status,
        sources: night.sources.clone(),
        articles_collected: night.articles_collected,
        articles_in_window: night.articles_in_window,
        articles_unique: night.articles_unique,
        stories: night.stories.len(),
        off_topic: night.off_topic,
        triaged_out: night.triaged_out,
        beyond_max_topics: night.beyond_max,
        stories_repeated: night.memory.repeated.len(),
        stories_continuing: digest.cards.iter().filter(|c| c.continuing).count(),
        topics: night.topics.len(),
        cards: digest.topic_count,
        failed: digest.failed.clone(),
        insight_error: night.insight_error.clone(),
        provider_calls,
        cache_hits,
        tokens_in: paid().map(|c| c.call.usage.prompt_tokens).sum(),
        tokens_out: paid().map(|c| c.call.usage.completion_tokens).sum(),
        cost_usd: calls.iter().map(|c| c.cost_usd).sum(),
        cards_trimmed: night.cards_trimmed,
        cards_repaired: night.cards_repaired,
        card_stats: night.card_stats.clone(),
        retries: seen.retries,
        rate_limited: seen.rate_limited,
        fallbacks: seen.fallbacks,
        structured_output: modes,
        lint_errors: lint.errors().len(),
        lint_warnings: lint.warnings().len(),
        steps: night.timings.clone(),
        wall_ms: night.started.elapsed().as_millis() as u64,
        output: super::publish::markdown_path(&plan.opts.out_dir, plan.opts.date),
    }
}
