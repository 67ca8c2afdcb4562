//! `[[deliver]]` in the config: targets and their secrets read from the environment, every
//! problem reported at once without showing a secret, and the example config's targets valid.

use super::*;

fn parse(extra: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let text = format!(
        "[[digest.sections]]\nid = \"models\"\nlabel = {{ en = \"Models\" }}\ndescribe = \"models\"\n\
         [[sources]]\nname = \"a\"\nurl = \"https://example.com/feed\"\n{extra}"
    );
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::parse(&text, None, &env)
}

#[test]
fn config_reads_targets_and_their_secrets_from_the_environment() {
    let config = parse(
        r#"
[[deliver]]
name = "team"
kind = "webhook"
url_env = "TEAM_URL"
events = ["published", "failed"]

[[deliver]]
name = "mail"
kind = "email"
smtp_url_env = "SMTP_URL"
from = "AI Daily <digest@example.com>"
to = ["team@example.com", "編輯 <editor@example.com>"]
"#,
        &[
            ("TEAM_URL", "https://hooks.example.com/x"),
            ("SMTP_URL", "smtp://127.0.0.1:2525"),
        ],
    )
    .unwrap();
    assert_eq!(config.deliver.len(), 2);
    let team = &config.deliver[0];
    assert_eq!(team.kind, Kind::Webhook);
    assert!(team.wants(Event::Failed) && !team.wants(Event::Partial));
    assert_eq!(team.secrets(), vec!["https://hooks.example.com/x"]);
    assert_eq!(
        config.deliver[1].events,
        [Event::Published].into(),
        "default event"
    );
    let debug = format!("{config:?}");
    assert!(!debug.contains("hooks.example.com"), "{debug}");
    assert!(debug.contains("$TEAM_URL"));
}

#[test]
fn config_reports_every_delivery_problem_at_once_without_showing_secrets() {
    let err = parse(
        r#"
[[deliver]]
name = "team"
kind = "pager"
url_env = "X"

[[deliver]]
name = "chat"
kind = "slack"
url_env = "MISSING_URL"
events = ["published", "sometimes"]

[[deliver]]
name = "mail"
kind = "email"
smtp_url_env = "SMTP_URL"
from = "digest@example.com"
to = []

[[deliver]]
name = "chat"
kind = "discord"
url_env = "BAD_URL"
colour = "blue"
"#,
        &[
            ("SMTP_URL", "ftp://user:hunter2-SECRET@mail.example.com"),
            ("BAD_URL", "not a url hunter3-SECRET"),
        ],
    )
    .unwrap_err();
    let text = err.to_string();
    for expected in [
        "deliver[0].kind: \"pager\" is not a delivery kind",
        "deliver[1].url_env: environment variable MISSING_URL is not set",
        "deliver[1].events: \"sometimes\" is not an event",
        "deliver[2].smtp_url_env: the URL in SMTP_URL must start with smtp://",
        "deliver[2].to: is empty",
        "deliver[3].colour: unknown key for kind discord",
        "deliver[3].url_env: the value of BAD_URL is not an http(s) URL",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("SECRET"), "a secret leaked:\n{text}");
    // The duplicate name is reported when the second "chat" is otherwise valid.
    let dup = parse(
        "[[deliver]]\nname = \"chat\"\nkind = \"slack\"\nurl_env = \"U\"\n\
         [[deliver]]\nname = \"chat\"\nkind = \"wecom\"\nurl_env = \"U\"\n",
        &[("U", "https://example.com/hook")],
    )
    .unwrap_err()
    .to_string();
    assert!(
        dup.contains("deliver[1].name: \"chat\" is already the name of another target"),
        "{dup}"
    );
}

#[test]
fn the_example_configs_delivery_targets_are_valid_once_uncommented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("newsdesk.example.toml")).unwrap();
    let (head, tail) = example.split_once("# Delivery (README").unwrap();
    // Every commented key of the delivery examples, uncommented (the template file is the
    // user's to write, so its line stays out).
    let targets: String = tail
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| l.starts_with("[[deliver]]") || l.contains(" = ") && !l.starts_with("template"))
        .map(|l| format!("{l}\n"))
        .collect();
    let vars = [
        "TEAM_SLACK_URL",
        "NEWSDESK_WEBHOOK_URL",
        "NEWSDESK_WEBHOOK_SECRET",
        "DISCORD_WEBHOOK_URL",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_CHAT_ID",
        "FEISHU_WEBHOOK_URL",
        "FEISHU_SECRET",
        "DINGTALK_WEBHOOK_URL",
        "DINGTALK_SECRET",
        "WECOM_WEBHOOK_URL",
    ];
    let mut env: BTreeMap<String, String> = vars
        .iter()
        .map(|v| (v.to_string(), "https://example.com/hook/abc".to_string()))
        .collect();
    env.insert(
        "NEWSDESK_SMTP_URL".into(),
        "smtps://u:p@mail.example.com".into(),
    );
    env.insert("OPENAI_API_KEY".into(), "sk-x".into());
    let config = Config::parse(
        &format!("{head}\n{targets}"),
        Some(&root.join("x.toml")),
        &env,
    )
    .unwrap_or_else(|e| panic!("{e}\n{targets}"));
    let kinds: Vec<Kind> = config.deliver.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        vec![
            Kind::Slack,
            Kind::Webhook,
            Kind::Discord,
            Kind::Telegram,
            Kind::Feishu,
            Kind::Dingtalk,
            Kind::Wecom,
            Kind::Email
        ]
    );
}
