//! newsdesk: one day of AI-news articles in, an editor-quality digest out.
//!
//! The stages, in pipeline order: `collect` (feeds → articles), `cluster` (articles → stories →
//! ranked topics), `write` (topics → cards → editor insight, through an `llm::Provider`),
//! `render` (digest → Markdown), `lint` (digest QA). `run` wires them into one flat, timed
//! pipeline; `store` keeps every LLM call so a night can be replayed.

pub mod config;
pub mod model;

pub mod cluster;
pub mod collect;
pub mod lint;
pub mod llm;
pub mod render;
pub mod write;

pub mod clock;
pub mod commands;
pub mod demo;
pub mod report;
pub mod run;
pub mod store;
