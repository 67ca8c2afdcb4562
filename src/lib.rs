//! newsdesk: one day of AI-news articles in, an editor-quality digest out.
//!
//! Flow: `collect` → (`triage`) → `cluster` → `write` (via `llm`) → `render` → `lint`; `run` times it, `manifest` records it, `store` keeps it.
//!
//! The stages, in pipeline order: `collect` (feeds → articles), `cluster` (articles → stories →
//! ranked topics), `write` (topics → cards → editor insight, through an `llm::Provider`),
//! `render` (digest → Markdown), `lint` (digest QA). `run` wires them into one flat, timed
//! pipeline; `manifest` records what a run read, asked and wrote; `store` keeps every LLM call
//! so a night can be replayed; `report` is the one voice to the terminal; `eval` scores prompt
//! variants against fixtures (it drives `write` the way `run` does).
//! (Modules are declared one per group below so rustfmt keeps pipeline order, not alphabetical.)

#![warn(unreachable_pub)]

// The nouns and the validated config every stage reads.
pub mod config;

pub mod model;
pub mod text;

// Work spread over the cores, output in input order.
pub(crate) mod parallel;

// How a stage reports what it does, whoever listens.
pub mod progress;

// The stages, in pipeline order.
pub mod collect;

pub(crate) mod triage;

pub mod cluster;

pub mod llm;

pub mod write;

pub(crate) mod render;

pub mod lint;

// The weekly roll-up of a week of runs.
pub mod weekly;

// Prompt iteration: suites, metrics, statistics, reports.
pub mod eval;

// Wiring: the timed pipeline, its record, where bytes and time come from, the terminal.
pub mod run;

// Sending the published digest (or a failure notice) to chat, webhooks and email, exactly once.
pub(crate) mod deliver;

pub mod store;

pub mod clock;

pub mod report;

// The commands of the CLI contract, one file each (`main.rs` parses and dispatches to them).
pub mod cli;

// Test support that ships: the OpenAI-compatible simulator behind `llm-sim`.
pub mod sim;
