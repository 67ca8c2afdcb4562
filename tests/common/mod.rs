//! Helpers shared by the integration tests. Each test binary compiles this module on its own and
//! uses a subset of it, hence the `dead_code` allowance in the parts.
//!
//! Index of `tests/` (unit tests live beside their code, `src/**/tests*.rs`):
//! - The binary as users run it: `cli.rs` (demo, run, cluster, lint, collect, exit codes),
//!   `replay.rs` (replay --check, runs, cassettes), `deliver.rs` (webhooks and email against
//!   local servers), `weekly.rs` (a real week of the corpus), `eval_cli.rs` (the eval gate offline).
//! - The pipeline against model servers: `pipeline_openai.rs` and `openai_provider.rs` (wiremock),
//!   `real_servers.rs` (servers that behave like llama.cpp, vLLM, Ollama really do),
//!   `sim_pipeline.rs` and `eval_sim.rs` (llm-sim faults and pacing), `cassettes.rs` (a real
//!   model's recorded answers, replayed), `sim/` (the simulator's own behaviour).
//! - Robustness: `crash.rs` (SIGKILL mid-run, nothing re-paid), `hostile_inputs.rs` (broken and
//!   hostile feeds), `pg_store.rs` (the shared PostgreSQL store).
//! - Quality: `cluster_gold.rs` (clustering against gold stories), `html.rs` and
//!   `browser_helper.rs` (the HTML digest in headless Chromium).
//! - Helpers (this folder): `cli.rs` (running the binary), `digest.rs` (reading what it wrote),
//!   `sim.rs` (starting llm-sim), `chromium.rs` (the browser).

pub mod chromium;
pub mod cli;
pub mod digest;
pub mod sim;
