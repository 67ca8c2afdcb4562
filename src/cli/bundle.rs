//! The bundled demo: the fixture day (fictional news written for the project) and its config,
//! embedded in the binary so `newsdesk demo` works from any directory after `cargo install`.
//! In: a directory to unpack into; out: the path of the demo config there, whose source points at
//! the unpacked feeds. It never touches the network and never writes outside that directory.

use std::path::{Path, PathBuf};

/// The date of the bundled fixture day `demo` runs.
pub(super) const DEMO_DATE: (i32, u32, u32) = (2026, 1, 5);

/// The demo config; its `[[sources]]` url is `../days/2026-01-05`, relative to the config file.
const CONFIG: &str = include_str!("../../fixtures/demo/newsdesk.toml");

/// The fixture day's feed files (the day's README and gold stories are not feeds).
const DAY: [(&str, &str); 5] = [
    (
        "ai_journal.json",
        include_str!("../../fixtures/days/2026-01-05/ai_journal.json"),
    ),
    (
        "frontier_wire.atom.xml",
        include_str!("../../fixtures/days/2026-01-05/frontier_wire.atom.xml"),
    ),
    (
        "lab_notes.rss.xml",
        include_str!("../../fixtures/days/2026-01-05/lab_notes.rss.xml"),
    ),
    (
        "pulse_cn.rss.xml",
        include_str!("../../fixtures/days/2026-01-05/pulse_cn.rss.xml"),
    ),
    (
        "tw_techreview.atom.xml",
        include_str!("../../fixtures/days/2026-01-05/tw_techreview.atom.xml"),
    ),
];

/// The fixture day with a real model's recorded answers (`demo --cassette`): the config the
/// recording ran with, the cassette and what the recording says about itself (its endpoint, part
/// of every cache key). Re-recorded by scripts/real-model/record.sh.
const CASSETTE_CONFIG: &str = include_str!("../../scripts/real-model/newsdesk.toml");
pub(super) const CASSETTE: &str = include_str!("../../fixtures/cassettes/real-model.jsonl");
const RECORDING: &str = include_str!("../../fixtures/cassettes/recording.json");

/// Writes the real-model config (its endpoint set to the recorded one, which replay never
/// connects to), the fixture day beside it and the cassette under `dir`; returns the config's
/// path and the cassette's.
pub(super) fn unpack_cassette(dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    let day = dir.join("fixtures/days/2026-01-05");
    std::fs::create_dir_all(&day)?;
    for (name, contents) in DAY {
        std::fs::write(day.join(name), contents)?;
    }
    let recording: serde_json::Value =
        serde_json::from_str(RECORDING).map_err(std::io::Error::other)?;
    let base_url = recording["base_url"].as_str().unwrap_or_default();
    let config_dir = dir.join("scripts/real-model");
    std::fs::create_dir_all(&config_dir)?;
    let config = config_dir.join("newsdesk.toml");
    std::fs::write(
        &config,
        CASSETTE_CONFIG.replace(
            "preset = \"llamacpp\"",
            &format!("preset = \"llamacpp\"\nbase_url = \"{base_url}\""),
        ),
    )?;
    let cassette = dir.join("real-model.jsonl");
    std::fs::write(&cassette, CASSETTE)?;
    Ok((config, cassette))
}

/// Writes the demo config and the fixture day under `dir` and returns the config's path.
pub(super) fn unpack(dir: &Path) -> std::io::Result<PathBuf> {
    let day = dir.join("days/2026-01-05");
    std::fs::create_dir_all(&day)?;
    for (name, contents) in DAY {
        std::fs::write(day.join(name), contents)?;
    }
    let config_dir = dir.join("demo");
    std::fs::create_dir_all(&config_dir)?;
    let config = config_dir.join("newsdesk.toml");
    std::fs::write(&config, CONFIG)?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded day is the fixture day: every feed file of the directory, byte for byte.
    #[test]
    fn embedded_day_matches_the_fixture_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/days/2026-01-05");
        let mut feeds: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "README.md" && n != "stories.json")
            .collect();
        feeds.sort();
        let embedded: Vec<&str> = DAY.iter().map(|(n, _)| *n).collect();
        assert_eq!(feeds, embedded);
        for (name, contents) in DAY {
            assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), contents);
        }
        let unpacked = tempfile::tempdir().unwrap();
        let config = unpack(unpacked.path()).unwrap();
        assert!(
            std::fs::read_to_string(config)
                .unwrap()
                .contains("../days/2026-01-05")
        );
    }
}
