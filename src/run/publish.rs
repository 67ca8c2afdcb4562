//! Publishing a night: the last step of a run. In: the rendered digest (Markdown, HTML, JSON),
//! the digest itself, the out dir, and later the finished manifest; out: the digest files, the
//! schema and feed beside them, the manifest in the store and as `<date>.run.json`, and the
//! output hashes the manifest records. Every file is written atomically (temp file + rename).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::model::Digest;
use crate::render;
use crate::run::RunError;
use crate::run::manifest::{OutputFile, RunManifest};
use crate::store::Store;

/// One night's rendered digest.
pub struct Rendered {
    pub markdown: String,
    pub html: String,
    pub json: String,
}

/// Where the digest of `date` goes in `out_dir`: `<date>.md`, the file the run report names
/// and lint findings point into.
pub fn markdown_path(out_dir: &Path, date: NaiveDate) -> PathBuf {
    out_dir.join(format!("{date}.md"))
}

/// Writes the digest files, its schema and the feed of the directory's latest digests; returns
/// the hashed outputs in the order a manifest lists them (md, html, json).
pub fn write_digest(
    out_dir: &Path,
    digest: &Digest,
    rendered: &Rendered,
) -> Result<Vec<OutputFile>, RunError> {
    let outputs = write_rendered(out_dir, &digest.date.to_string(), rendered)?
        .into_iter()
        .map(|o| OutputFile {
            path: absolute(&o.path),
            ..o
        })
        .collect();
    // Beside every digest: its schema, and the feed of the last digests of this directory.
    write_file(&out_dir.join("digest.schema.json"), &render::json_schema())?;
    let recent = recent_digests(out_dir, digest, FEED_ENTRIES);
    write_file(
        &out_dir.join("feed.xml"),
        &render::feed::render_feed(&recent),
    )?;
    Ok(outputs)
}

/// Writes a rendered document as `<stem>.md`, `.html` and `.json` in `out_dir` (the daily
/// digest and the weekly roll-up alike); returns each path as given with its text's hash.
pub fn write_rendered(
    out_dir: &Path,
    stem: &str,
    rendered: &Rendered,
) -> Result<Vec<OutputFile>, RunError> {
    let files = [
        ("md", &rendered.markdown),
        ("html", &rendered.html),
        ("json", &rendered.json),
    ];
    let mut outputs = Vec::with_capacity(files.len());
    for (extension, text) in files {
        let path = out_dir.join(format!("{stem}.{extension}"));
        write_file(&path, text)?;
        outputs.push(OutputFile {
            path,
            blake3: blake3::hash(text.as_bytes()).to_hex().to_string(),
        });
    }
    Ok(outputs)
}

/// Records the run: the manifest into the store's `runs` tree (flushed) and beside the digest.
pub fn write_manifest(
    store: &dyn Store,
    out_dir: &Path,
    manifest: &RunManifest,
) -> Result<(), RunError> {
    manifest.save(store)?;
    store.flush()?;
    let record = serde_json::to_string_pretty(manifest).expect("manifests serialize");
    write_file(
        &out_dir.join(format!("{}.run.json", manifest.date)),
        &record,
    )
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Writes `contents` to `path` atomically (the digest and the weekly roll-up both do).
pub(crate) fn write_file(path: &Path, contents: &str) -> Result<(), RunError> {
    let err = |e: std::io::Error| RunError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    // Write next to the target and rename, so a crash never leaves a half-written digest behind.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, contents).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

/// How many digests the feed keeps.
pub const FEED_ENTRIES: usize = 20;

/// The digests published in `dir` plus `current`, newest date first, at most `limit`: what the
/// feed lists. `current` replaces a file of its own date.
pub fn recent_digests(dir: &Path, current: &Digest, limit: usize) -> Vec<Digest> {
    let mut digests = vec![current.clone()];
    // Newest first, so no digest past the first `limit` readable ones can make the cut: the
    // older files of a long-lived directory are never read.
    digests.extend(
        published_dates(dir)
            .into_iter()
            .filter(|&date| date != current.date)
            .filter_map(|date| published_digest(dir, date))
            .take(limit),
    );
    digests.sort_by_key(|d| std::cmp::Reverse(d.date));
    digests.truncate(limit);
    digests
}

/// The digest published in `dir` for `date` (`<date>.json`), if there is a readable one. The
/// one reader of published digests (the feed and cross-day memory): a file that does not parse
/// as a digest is left out with a warning in the log — what was published before feeds memory
/// and the feed, and is never a reason to fail the night.
pub fn published_digest(dir: &Path, date: NaiveDate) -> Option<Digest> {
    let path = dir.join(format!("{date}.json"));
    let bytes = std::fs::read(&path).ok()?;
    match serde_json::from_slice::<Digest>(&bytes) {
        Ok(digest) => Some(digest),
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "not a readable digest; left out");
            None
        }
    }
}

/// The dates of the digests published in `dir` (files named `YYYY-MM-DD.json`), newest first.
fn published_dates(dir: &Path) -> Vec<NaiveDate> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dates: Vec<NaiveDate> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            NaiveDate::parse_from_str(name.strip_suffix(".json")?, "%Y-%m-%d").ok()
        })
        .collect();
    dates.sort_unstable_by(|a, b| b.cmp(a));
    dates
}
