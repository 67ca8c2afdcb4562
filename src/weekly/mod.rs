//! The weekly roll-up (seed `002_*` shape). In: the run manifests of one ISO week from the store's
//! `runs` tree (the latest run of each day) and the cards they recorded; out: a weekly digest —
//! 10–20 recurring themes, each a keyword card with 核心观察 / 逻辑链条 / 本质洞见, plus an overview
//! — as Markdown, HTML and JSON. Themes are found lexically (deterministic, independent of input
//! order); prose comes from one cached LLM call per theme and one overview call through the normal
//! provider stack, so a second run of the same week makes no provider calls and writes the same
//! bytes. It never collects articles and never invents sources: every link is a day card's source.

pub mod week;

pub use week::IsoWeek;
