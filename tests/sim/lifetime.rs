//! Lifetime: stopping after --max-requests or --max-seconds, the request log, the binary.

use std::time::Duration;

use newsdesk::sim::{LogTarget, SimConfig};
use serde_json::Value;

use crate::*;

#[tokio::test]
async fn stops_after_max_requests_and_logs_one_json_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sim.log");
    let sim = start(SimConfig {
        max_requests: Some(2),
        log: LogTarget::File(log.clone()),
        ..SimConfig::default()
    })
    .await;
    let base = sim.base_url();
    assert_eq!(
        post(
            &sim,
            "/chat/completions",
            &card_body("sim-good", "json_schema")
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        client()
            .get(format!("{base}/models"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    tokio::time::timeout(Duration::from_secs(10), sim.wait())
        .await
        .expect("stops by itself");
    assert!(
        client().get(format!("{base}/models")).send().await.is_err(),
        "nothing listens any more"
    );
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for field in [
        "time",
        "path",
        "model",
        "mode",
        "outcome",
        "status",
        "latency_ms",
        "prompt_tokens",
        "completion_tokens",
    ] {
        assert!(
            lines[0].get(field).is_some(),
            "log line lacks {field}: {}",
            lines[0]
        );
    }
    assert_eq!(lines[0]["mode"], "json_schema");
    assert_eq!(lines[1]["path"], "/v1/models");
}

#[tokio::test]
async fn stops_after_max_seconds() {
    let sim = start(SimConfig {
        max_seconds: 1,
        ..SimConfig::default()
    })
    .await;
    tokio::time::timeout(Duration::from_secs(10), sim.wait())
        .await
        .expect("stops by itself");
}

#[test]
fn the_binary_prints_its_port_writes_the_port_file_and_exits_after_max_requests() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let port_file = dir.path().join("port");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_llm-sim"))
        .args([
            "--max-requests",
            "1",
            "--max-seconds",
            "60",
            "--quiet",
            "--port-file",
        ])
        .arg(&port_file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .parse()
        .expect("the first stdout line is the port");
    assert_eq!(
        std::fs::read_to_string(&port_file).unwrap().trim(),
        port.to_string()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::get(format!("http://127.0.0.1:{port}/v1/models"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit}");
}
