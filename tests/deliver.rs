//! Delivery end to end through the binary, as cron runs it: a published night reaches its
//! webhook exactly once across a rerun and a replay (receipts in the store, listed by
//! `runs show`); `deliver --dry-run` and `--force`; a failed night sends the notice and not the
//! digest; an unreachable target makes exit 3 and keeps the digest; no secret in any output;
//! and a CJK digest through a real SMTP server (Debian's python3-aiosmtpd, skipped when absent).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::cli::repo;
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "T0KEN-9b2e77-SECRET";

/// The demo config reading the fixture day by absolute path, with `title` and `extra` appended.
fn write_config(dir: &Path, title: &str, extra: &str) -> PathBuf {
    let demo = std::fs::read_to_string(repo().join("fixtures/demo/newsdesk.toml")).unwrap();
    let config = demo
        .replace(
            "url = \"../days/2026-01-05\"",
            &format!(
                "url = {:?}",
                repo().join("fixtures/days/2026-01-05").to_str().unwrap()
            ),
        )
        .replace("title = \"AI Daily\"", &format!("title = {title:?}"));
    let path = dir.join("newsdesk.toml");
    std::fs::write(&path, format!("{config}\n{extra}")).unwrap();
    path
}

/// `newsdesk --config newsdesk.toml --store store ARGS` in `dir` with `env` set.
fn newsdesk(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsdesk"));
    command
        .args(["--config", "newsdesk.toml", "--store", "store"])
        .args(args)
        .current_dir(dir)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("NEWSDESK_MODEL")
        .env_remove("NEWSDESK_STORE");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the newsdesk binary runs")
}

fn run_day(dir: &Path, env: &[(&str, &str)]) -> Output {
    newsdesk(
        dir,
        &["run", "--date", "2026-01-05", "--out", "out", "--json"],
        env,
    )
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", text(out)))
}

/// A local server answering every POST with `response`.
async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

async fn bodies(server: &MockServer, at: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == at)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_published_night_is_delivered_once_across_rerun_replay_and_deliver() {
    let server = answering(ResponseTemplate::new(200)).await;
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "AI Daily",
        "[[deliver]]\nname = \"team\"\nkind = \"webhook\"\nurl_env = \"TEAM_URL\"\nevents = [\"published\", \"partial\", \"failed\"]\n",
    );
    let url = format!("{}/hook/{TOKEN}", server.uri());
    let env = [("TEAM_URL", url.as_str())];
    let at = format!("/hook/{TOKEN}");

    let first = run_day(dir.path(), &env);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let summary = json(&first);
    let run_id = summary["run_id"].as_str().unwrap().to_string();
    assert_eq!(summary["deliveries"][0]["outcome"], "sent", "{summary}");
    let sent = bodies(&server, &at).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["event"], "published");
    assert_eq!(sent[0]["run_id"], run_id.as_str());
    let markdown = std::fs::read_to_string(dir.path().join("out/2026-01-05.md")).unwrap();
    assert_eq!(
        sent[0]["markdown"],
        markdown.as_str(),
        "the file as published"
    );

    let rerun = run_day(dir.path(), &env);
    assert_eq!(rerun.status.code(), Some(0), "{}", text(&rerun));
    assert_eq!(json(&rerun)["deliveries"][0]["outcome"], "already_sent");
    let replay = newsdesk(dir.path(), &["replay", &run_id, "--out", "replayed"], &env);
    assert_eq!(replay.status.code(), Some(0), "{}", text(&replay));
    let again = newsdesk(dir.path(), &["deliver", &run_id], &env);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(text(&again).contains("already sent"), "{}", text(&again));
    assert_eq!(bodies(&server, &at).await.len(), 1, "exactly once");

    let show = newsdesk(dir.path(), &["runs", "show", &run_id], &env);
    assert!(
        text(&show).contains("delivery team (webhook, published) delivered (1 message(s))"),
        "{}",
        text(&show)
    );
    let dry = newsdesk(
        dir.path(),
        &[
            "deliver",
            &run_id,
            "--target",
            "team",
            "--force",
            "--dry-run",
        ],
        &env,
    );
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    assert!(
        text(&dry).contains("\"event\": \"published\""),
        "{}",
        text(&dry)
    );
    assert_eq!(
        bodies(&server, &at).await.len(),
        1,
        "a dry run sends nothing"
    );
    let forced = newsdesk(dir.path(), &["deliver", &run_id, "--force"], &env);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    assert_eq!(bodies(&server, &at).await.len(), 2, "--force sends again");
    let unknown = newsdesk(dir.path(), &["deliver", &run_id, "--target", "nope"], &env);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown).contains("no target named \"nope\""),
        "{}",
        text(&unknown)
    );

    for out in [
        &first, &rerun, &replay, &again, &show, &dry, &forced, &unknown,
    ] {
        assert!(
            !text(out).contains(TOKEN),
            "secret in output:\n{}",
            text(out)
        );
    }
    let manifest = std::fs::read_to_string(dir.path().join("out/2026-01-05.run.json")).unwrap();
    assert!(!manifest.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_night_sends_the_notice_and_not_the_digest() {
    let server = answering(ResponseTemplate::new(200)).await;
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "AI Daily",
        "[[deliver]]\nname = \"readers\"\nkind = \"webhook\"\nurl_env = \"READERS_URL\"\n\n\
         [[deliver]]\nname = \"oncall\"\nkind = \"webhook\"\nurl_env = \"ONCALL_URL\"\nevents = [\"failed\"]\n",
    );
    // A day the fixture has no articles for: nothing is published, the run exits 1.
    let readers = format!("{}/readers", server.uri());
    let oncall = format!("{}/oncall", server.uri());
    let env = [
        ("READERS_URL", readers.as_str()),
        ("ONCALL_URL", oncall.as_str()),
    ];
    let empty_day = ["run", "--date", "2026-03-01", "--out", "out"];
    let out = newsdesk(dir.path(), &empty_day, &env);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        bodies(&server, "/readers").await.is_empty(),
        "readers get nothing"
    );
    let notices = bodies(&server, "/oncall").await;
    assert_eq!(notices.len(), 1);
    let notice = &notices[0];
    assert_eq!(notice["event"], "failed");
    assert!(
        notice["summary"]
            .as_str()
            .unwrap()
            .contains("no articles published between"),
        "{notice}"
    );
    assert!(notice.get("cards").is_none(), "{notice}");
    assert!(!dir.path().join("out/2026-03-01.md").exists());
    // The same failure again notifies nobody twice.
    let again = newsdesk(dir.path(), &empty_day, &env);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(bodies(&server, "/oncall").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_target_exits_3_names_the_target_and_keeps_the_digest() {
    let server =
        answering(ResponseTemplate::new(503).set_body_string(format!("down for {TOKEN}"))).await;
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "AI Daily",
        "[[deliver]]\nname = \"chat\"\nkind = \"slack\"\nurl_env = \"CHAT_URL\"\nmax_attempts = 2\ntimeout_s = 5\n",
    );
    let url = format!("{}/services/{TOKEN}", server.uri());
    let out = newsdesk(
        dir.path(),
        &["run", "--date", "2026-01-05", "--out", "out"],
        &[("CHAT_URL", url.as_str())],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("delivery   chat (slack, published): FAILED")
            && stdout.contains("HTTP 503"),
        "{stdout}"
    );
    assert!(!text(&out).contains(TOKEN), "{}", text(&out));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2,
        "retried once"
    );
    assert!(dir.path().join("out/2026-01-05.md").is_file());
    assert!(dir.path().join("out/2026-01-05.html").is_file());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partial_night_goes_to_partial_targets_only_and_deliver_keeps_its_event() {
    let server = answering(ResponseTemplate::new(200)).await;
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "AI Daily",
        "[[sources]]\nname = \"gone\"\nurl = \"/nonexistent/feed.xml\"\n\n\
         [[deliver]]\nname = \"readers\"\nkind = \"webhook\"\nurl_env = \"READERS_URL\"\n\n\
         [[deliver]]\nname = \"editors\"\nkind = \"webhook\"\nurl_env = \"EDITORS_URL\"\nevents = [\"partial\"]\n",
    );
    let readers = format!("{}/readers", server.uri());
    let editors = format!("{}/editors", server.uri());
    let env = [
        ("READERS_URL", readers.as_str()),
        ("EDITORS_URL", editors.as_str()),
    ];
    // A dead source (collect.tolerate_failed_sources = 0): the digest is written, exit 3.
    let out = run_day(dir.path(), &env);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let run_id = json(&out)["run_id"].as_str().unwrap().to_string();
    assert!(bodies(&server, "/readers").await.is_empty());
    let sent = bodies(&server, "/editors").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (&sent[0]["event"], &sent[0]["status"]),
        (&"partial".into(), &"partial".into())
    );
    assert!(
        sent[0]["cards"].as_array().unwrap().len() >= 8,
        "the digest itself"
    );
    let dry = newsdesk(
        dir.path(),
        &["deliver", &run_id, "--force", "--dry-run"],
        &env,
    );
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    assert!(
        text(&dry).contains("editors (webhook), partial event"),
        "{}",
        text(&dry)
    );
    assert!(!text(&dry).contains("readers (webhook)"), "{}", text(&dry));
}

#[test]
fn a_missing_secret_is_a_config_error_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "AI Daily",
        "[[deliver]]\nname = \"tg\"\nkind = \"telegram\"\ntoken_env = \"TG_TOKEN\"\nchat_id_env = \"TG_CHAT\"\n",
    );
    let out = newsdesk(
        dir.path(),
        &["run", "--date", "2026-01-05"],
        &[("TG_CHAT", "-1001")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("deliver[0].token_env: environment variable TG_TOKEN is not set"),
        "{}",
        text(&out)
    );
}

// ---- email through a real SMTP server ----

/// A Python with aiosmtpd (Debian's python3-aiosmtpd), or `None`.
fn python_with_aiosmtpd() -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// An aiosmtpd server on 127.0.0.1 storing what it receives in a Maildir; killed on drop.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_smtp(python: &str, maildir: &Path) -> SmtpServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .spawn()
        .unwrap();
    let server = SmtpServer { child, port };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "aiosmtpd did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// The one message in `maildir`, parsed by Python's own email package (headers decoded).
fn read_mail(python: &str, maildir: &Path) -> Value {
    let script = r#"
import email, email.policy, json, mailbox, sys
box = mailbox.Maildir(sys.argv[1], create=False)
msgs = [email.message_from_bytes(box.get_bytes(k), policy=email.policy.default) for k in box.keys()]
out = []
for m in msgs:
    parts = [{"type": p.get_content_type(), "text": p.get_content()} for p in m.walk() if not p.is_multipart()]
    out.append({"subject": str(m["subject"]), "from": str(m["from"]), "to": str(m["to"]),
                "type": m.get_content_type(), "parts": parts})
print(json.dumps(out))
"#;
    let out = Command::new(python)
        .args(["-c", script])
        .arg(maildir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn email_reaches_a_real_smtp_server_with_a_cjk_subject_and_both_parts() {
    let Some(python) = python_with_aiosmtpd() else {
        eprintln!(
            "skipping: python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd; .ci/run does)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("maildir");
    let smtp = start_smtp(python, &maildir);
    write_config(
        dir.path(),
        "AI 日報",
        "[[deliver]]\nname = \"mail\"\nkind = \"email\"\nsmtp_url_env = \"SMTP_URL\"\n\
         from = \"AI 日報 <digest@example.com>\"\nto = [\"team@example.com\", \"編輯 <editor@example.com>\"]\n",
    );
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let out = run_day(dir.path(), &[("SMTP_URL", url.as_str())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(json(&out)["deliveries"][0]["outcome"], "sent");
    let mails = read_mail(python, &maildir);
    assert_eq!(mails.as_array().unwrap().len(), 1, "{mails}");
    let mail = &mails[0];
    let subject = mail["subject"].as_str().unwrap();
    assert!(subject.starts_with("AI 日報 2026-01-05"), "{subject}");
    assert!(
        subject
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{subject}"
    );
    assert_eq!(mail["from"], "AI 日報 <digest@example.com>");
    assert!(
        mail["to"]
            .as_str()
            .unwrap()
            .contains("編輯 <editor@example.com>")
    );
    assert_eq!(mail["type"], "multipart/alternative");
    let parts = mail["parts"].as_array().unwrap();
    let part = |kind: &str| {
        parts
            .iter()
            .find(|p| p["type"] == kind)
            .unwrap_or_else(|| panic!("no {kind} part in {mail}"))["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let markdown = std::fs::read_to_string(dir.path().join("out/2026-01-05.md")).unwrap();
    let html = std::fs::read_to_string(dir.path().join("out/2026-01-05.html")).unwrap();
    assert_eq!(part("text/plain").replace("\r\n", "\n"), markdown);
    assert_eq!(part("text/html").replace("\r\n", "\n"), html);
    // A rerun sends no second mail.
    let again = run_day(dir.path(), &[("SMTP_URL", url.as_str())]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert_eq!(read_mail(python, &maildir).as_array().unwrap().len(), 1);
}
