//! Headless Chromium for the tests that must see a page as a reader does: a screenshot, the DOM
//! after load, and every URL the page asked the network for (from Chromium's own net log).
//!
//! Chromium is Debian's `chromium` (`.ci/run` installs it). Where it is missing, `chromium()`
//! prints why and returns `None`, and the test skips instead of failing. `NEWSDESK_CHROMIUM`
//! names another binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A browser run that takes longer than this is killed: a hung Chromium must not hang CI.
const RUN_LIMIT: Duration = Duration::from_secs(90);

/// The Chromium binary, or `None` (with a message on stderr) when none is installed.
pub fn chromium() -> Option<PathBuf> {
    let candidates = std::env::var_os("NEWSDESK_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            [
                "/usr/bin/chromium",
                "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome",
            ]
            .into_iter()
            .map(PathBuf::from),
        );
    for candidate in candidates {
        if candidate.is_file() {
            return Some(candidate);
        }
    }
    eprintln!(
        "skipping browser test: no Chromium found (install Debian's `chromium`, or set NEWSDESK_CHROMIUM)"
    );
    None
}

/// Writes a PNG of `html` as a 1280-pixel-wide window shows it.
pub fn screenshot(html: &Path, png: &Path) {
    let arg = format!("--screenshot={}", png.display());
    run(html, &[&arg, "--window-size=1280,2400"], None);
    assert!(
        png.is_file(),
        "chromium wrote no screenshot at {}",
        png.display()
    );
}

/// A phone-sized screenshot (390 px wide), for checking the page reads on a small screen.
pub fn screenshot_phone(html: &Path, png: &Path) {
    let arg = format!("--screenshot={}", png.display());
    run(html, &[&arg, "--window-size=390,2400"], None);
    assert!(
        png.is_file(),
        "chromium wrote no screenshot at {}",
        png.display()
    );
}

/// The DOM after the page loaded and its scripts (if any) ran.
pub fn dump_dom(html: &Path) -> String {
    run(html, &["--dump-dom"], None)
}

/// Every URL the page itself requested while loading (images, styles, scripts, fonts, frames),
/// read from Chromium's net log. A self-contained page yields none.
///
/// Chromium makes requests of its own (time sync, updates, accounts) whatever the flags; those
/// are told apart by their network isolation key, which for a page's subresources is the page's
/// `file://` origin.
pub fn requested_urls(html: &Path) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir for the net log");
    let log = dir.path().join("netlog.json");
    run(html, &["--dump-dom"], Some(&log));
    let text = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("chromium wrote no net log at {}: {e}", log.display()));
    let mut urls = page_requests_in_net_log(&text);
    urls.sort();
    urls.dedup();
    urls
}

/// The URLs of `URL_REQUEST_START_JOB` events made on behalf of a `file://` page.
fn page_requests_in_net_log(text: &str) -> Vec<String> {
    // Chromium may be killed before it closes the JSON; the events array is still readable
    // after closing it by hand.
    let log: serde_json::Value = serde_json::from_str(text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("chromium's net log is JSON");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64();
    let events = log["events"].as_array().cloned().unwrap_or_default();
    events
        .iter()
        .filter(|event| event["type"].as_u64() == start_job)
        .filter(|event| {
            event["params"]["network_isolation_key"]
                .as_str()
                .is_some_and(|key| key.starts_with("file://"))
        })
        .filter_map(|event| event["params"]["url"].as_str().map(str::to_string))
        .collect()
}

/// Runs Chromium headless on `html` with a fresh profile and no background networking (this
/// machine's closed network refuses Chromium's own update and sync connections), returning stdout.
fn run(html: &Path, extra: &[&str], net_log: Option<&Path>) -> String {
    let binary = chromium().expect("call chromium() first and skip when it is None");
    let profile = tempfile::tempdir().expect("temp profile dir");
    let page = std::fs::canonicalize(html).unwrap_or_else(|e| panic!("{}: {e}", html.display()));
    let mut command = Command::new(binary);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--virtual-time-budget=3000",
            // No name resolves but loopback: whatever a page or Chromium itself asks for, nothing
            // leaves this machine.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra);
    if let Some(log) = net_log {
        command.arg(format!("--log-net-log={}", log.display()));
    }
    let mut child = command
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    // Drain stdout while waiting: a DOM larger than the pipe buffer (64 KiB) would otherwise
    // block Chromium on its write and never let it exit.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).map(|_| bytes)
    });
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            panic!(
                "chromium did not finish {} within {RUN_LIMIT:?}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let bytes = reader
        .join()
        .expect("stdout reader thread")
        .expect("read chromium's output");
    String::from_utf8_lossy(&bytes).into_owned()
}
