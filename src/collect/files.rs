//! Local feed sources. In: a path — one feed file or a directory of them — and the source it
//! belongs to; out: one outcome per file, parsed or failed, in sorted path order. Files are read
//! only when they have a feed extension and are no larger than the body limit; nothing else
//! under the directory is opened.

use std::path::{Path, PathBuf};

use super::CollectError;
use super::feed::{ParseContext, Parsed, parse_bytes};

/// One file's outcome.
pub(super) struct FileOutcome {
    /// "<source>/<file name>" for a file of a directory, the source name for a single file, or
    /// the file stem for command-line inputs.
    pub name: String,
    /// The source the articles are attributed to.
    pub source: String,
    pub location: String,
    pub result: Result<Parsed, CollectError>,
    /// Problems that did not fail the file (full-text fallbacks).
    pub notes: Vec<String>,
}

/// How the files of a directory are named: after the configured source ("qbitai/day1.xml"), or
/// each after its own stem, as `cluster` inputs are.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Naming {
    Configured,
    FileStem,
}

/// A feed file, or every feed file of a directory in sorted order, each with its own outcome.
pub(super) fn read_path(
    name: &str,
    tier: u8,
    path: &Path,
    naming: Naming,
    max_bytes: usize,
    cx: &ParseContext<'_>,
) -> Vec<FileOutcome> {
    let location = path.display().to_string();
    if !path.is_dir() {
        let result =
            read_file(path, max_bytes).and_then(|bytes| parse_bytes(&bytes, name, tier, cx));
        return vec![FileOutcome {
            name: name.to_string(),
            source: name.to_string(),
            location,
            result,
            notes: Vec::new(),
        }];
    }
    let files = match feed_files(path) {
        Ok(files) if files.is_empty() => Err(CollectError::NoFeedFiles {
            path: path.to_path_buf(),
        }),
        other => other,
    };
    let files = match files {
        Ok(files) => files,
        Err(err) => {
            return vec![FileOutcome {
                name: name.to_string(),
                source: name.to_string(),
                location,
                result: Err(err),
                notes: Vec::new(),
            }];
        }
    };
    read_files(name, tier, &files, naming, max_bytes, cx)
}

/// Feed files of one directory (or a run of them), each with its own outcome, parsed on all
/// cores and reported in the order given. A `.json` file that is not a JSON Feed is skipped.
pub(super) fn read_files(
    name: &str,
    tier: u8,
    files: &[PathBuf],
    naming: Naming,
    max_bytes: usize,
    cx: &ParseContext<'_>,
) -> Vec<FileOutcome> {
    let read_one = |file: &PathBuf| -> Option<FileOutcome> {
        let file_name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (source, report_name) = match naming {
            Naming::Configured => (name.to_string(), format!("{name}/{file_name}")),
            Naming::FileStem => {
                let stem = feed_stem(file);
                (stem.clone(), stem)
            }
        };
        let bytes = match read_file(file, max_bytes) {
            Ok(bytes) => bytes,
            Err(err) => {
                return Some(FileOutcome {
                    name: report_name,
                    source,
                    location: file.display().to_string(),
                    result: Err(err),
                    notes: Vec::new(),
                });
            }
        };
        if is_extension(file, "json") && !is_json_feed(&bytes) {
            tracing::debug!(file = %file.display(), "skipping a .json file that is not a JSON Feed");
            return None;
        }
        let result =
            parse_bytes(&bytes, &source, tier, cx).map_err(|err| renamed(err, &report_name));
        Some(FileOutcome {
            name: report_name,
            source,
            location: file.display().to_string(),
            result,
            notes: Vec::new(),
        })
    };
    crate::parallel::par_map(files, read_one)
        .into_iter()
        .flatten()
        .collect()
}

/// The file's bytes, refusing (before reading) a file larger than `max_bytes`.
fn read_file(path: &Path, max_bytes: usize) -> Result<Vec<u8>, CollectError> {
    let io = |err: std::io::Error| CollectError::Io {
        path: path.to_path_buf(),
        reason: err.to_string(),
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > max_bytes as u64 {
        return Err(CollectError::TooLarge {
            url: path.display().to_string(),
            max_bytes,
        });
    }
    std::fs::read(path).map_err(io)
}

const FEED_EXTENSIONS: &[&str] = &["xml", "rss", "atom", "json"];

/// The directory's feed files (by extension), sorted by path so the order never depends on the
/// file system.
pub(super) fn feed_files(dir: &Path) -> Result<Vec<PathBuf>, CollectError> {
    let io_error = |err: std::io::Error| CollectError::Io {
        path: dir.to_path_buf(),
        reason: err.to_string(),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if path.is_file() && FEED_EXTENSIONS.iter().any(|ext| is_extension(&path, ext)) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// A command-line input as the directories to read: a directory without feed files of its own
/// but with subdirectories that have some (a corpus kept as one folder per day) stands for those
/// subdirectories, in sorted order, one level deep; anything else stands for itself (and a
/// directory with no feeds at any level still fails as "no feed files").
pub(super) fn input_paths(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() || feed_files(path).is_ok_and(|files| !files.is_empty()) {
        return vec![path.to_path_buf()];
    }
    let mut days: Vec<PathBuf> = std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|sub| sub.is_dir() && feed_files(sub).is_ok_and(|files| !files.is_empty()))
        .collect();
    days.sort();
    if days.is_empty() {
        vec![path.to_path_buf()]
    } else {
        days
    }
}

fn is_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// A directory may hold other JSON next to its feeds (a `stories.json`, say). Only a document
/// whose `version` names jsonfeed is a feed; JSON too broken to read counts as a feed when it
/// mentions jsonfeed at all, so a truncated feed is reported rather than silently skipped.
pub(super) fn is_json_feed(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => value
            .get("version")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.contains("jsonfeed")),
        Err(_) => bytes.windows(b"jsonfeed".len()).any(|w| w == b"jsonfeed"),
    }
}

/// The file name without its feed extensions: "baai_hub.atom.xml" → "baai_hub".
pub(super) fn feed_stem(path: &Path) -> String {
    let mut name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    while let Some((stem, ext)) = name.rsplit_once('.') {
        if stem.is_empty() || !FEED_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)) {
            break;
        }
        name = stem.to_string();
    }
    if name.is_empty() {
        path.display().to_string()
    } else {
        name
    }
}

/// The same error, naming the file that failed rather than the source it belongs to.
pub(super) fn renamed(err: CollectError, name: &str) -> CollectError {
    let source_name = name.to_string();
    match err {
        CollectError::Parse { reason, .. } => CollectError::Parse {
            source_name,
            reason,
        },
        CollectError::Empty { .. } => CollectError::Empty { source_name },
        CollectError::EmptyDocument { .. } => CollectError::EmptyDocument { source_name },
        CollectError::NotAFeed { what, .. } => CollectError::NotAFeed { source_name, what },
        CollectError::UnsafeXml { .. } => CollectError::UnsafeXml { source_name },
        CollectError::NoUsableEntries { detail, .. } => CollectError::NoUsableEntries {
            source_name,
            detail,
        },
        other => other,
    }
}
