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
    let files = [
        (markdown_path(out_dir, digest.date), &rendered.markdown),
        (
            out_dir.join(format!("{}.html", digest.date)),
            &rendered.html,
        ),
        (
            out_dir.join(format!("{}.json", digest.date)),
            &rendered.json,
        ),
    ];
    let mut outputs = Vec::with_capacity(files.len());
    for (path, text) in files {
        write_file(&path, text)?;
        outputs.push(OutputFile {
            path: absolute(&path),
            blake3: blake3::hash(text.as_bytes()).to_hex().to_string(),
        });
    }
    // Beside every digest: its schema, and the feed of the last digests of this directory.
    write_file(&out_dir.join("digest.schema.json"), &render::json_schema())?;
    let recent = render::feed::recent_digests(out_dir, digest, render::feed::FEED_ENTRIES);
    write_file(
        &out_dir.join("feed.xml"),
        &render::feed::render_feed(&recent),
    )?;
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
