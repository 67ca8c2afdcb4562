//! The browser helper itself: a page that fetches nothing is reported as fetching nothing, and a
//! page that loads a remote image is caught, so the "nothing was fetched" checks of the HTML
//! tests can fail.

mod common;

use std::net::TcpListener;

use common::chromium;

#[test]
fn net_log_catches_a_page_that_fetches_and_clears_one_that_does_not() {
    if chromium::chromium().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();

    let quiet = dir.path().join("quiet.html");
    std::fs::write(
        &quiet,
        "<!doctype html><title>q</title><p id=x>self-contained</p>",
    )
    .unwrap();
    let dom = chromium::dump_dom(&quiet);
    assert!(dom.contains("self-contained"), "DOM: {dom}");
    let fetched: Vec<_> = chromium::requested_urls(&quiet)
        .into_iter()
        .filter(|u| u.starts_with("http"))
        .collect();
    assert!(
        fetched.is_empty(),
        "a self-contained page fetched {fetched:?}"
    );

    // A loopback port with nothing behind it (bound, then released): the refused attempt alone
    // must show in the net log.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let noisy = dir.path().join("noisy.html");
    let remote = format!("http://127.0.0.1:{port}/pixel.png");
    std::fs::write(&noisy, format!("<!doctype html><img src=\"{remote}\">")).unwrap();
    let fetched = chromium::requested_urls(&noisy);
    assert!(
        fetched.iter().any(|u| u == &remote),
        "the remote image {remote} is missing from {fetched:?}"
    );

    let png = dir.path().join("quiet.png");
    chromium::screenshot(&quiet, &png);
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
}
