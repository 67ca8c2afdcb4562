//! Config tests: the shipped example files, defaults, every problem at once, presets, env overrides and the key rule.

use super::*;
use crate::model::Language;
use std::collections::BTreeMap;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const MINIMAL: &str = "[[digest.sections]]\nid = \"models\"\nlabel = \"Models\"\n\n[[sources]]\nname = \"day\"\nurl = \"feeds\"\n";

fn problems(text: &str, env_pairs: &[(&str, &str)]) -> Vec<Problem> {
    match Config::parse(text, Some(Path::new("/etc/newsdesk.toml")), &env(env_pairs)) {
        Err(ConfigError::Invalid { problems, .. }) => problems,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

use std::path::Path;

#[test]
fn example_and_demo_configs_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = root.join("newsdesk.example.toml");
    let config = Config::load(&example, &env(&[("OPENAI_API_KEY", "sk-x")])).unwrap();
    assert_eq!(config.provider.kind, ProviderKind::OpenAi);
    assert_eq!(
        config.provider.structured_output,
        StructuredOutput::JsonSchema
    );
    assert!(config.sources.len() >= 4);
    assert_eq!(config.digest.sections.len(), 4);
    assert_eq!(config.hash.len(), 16);
    let demo = Config::load(&root.join("fixtures/demo/newsdesk.toml"), &env(&[])).unwrap();
    assert_eq!(demo.provider.kind, ProviderKind::Extractive);
    assert_eq!(
        demo.sources[0].location,
        SourceLocation::Path(root.join("fixtures/demo/../days/2026-01-05"))
    );
}

#[test]
fn defaults_fill_a_minimal_file() {
    let config = Config::parse(MINIMAL, None, &env(&[])).unwrap();
    assert_eq!(config.digest.language, Language::ZhHant);
    assert_eq!(config.digest.window_hours, 24);
    assert_eq!(config.provider.kind, ProviderKind::Extractive);
    assert_eq!(config.limits.max_attempts, 6);
    assert_eq!(config.digest.sections[0].label_for(Language::En), "Models");
}

#[test]
fn every_problem_is_reported_with_its_key() {
    let text = "[digest]\nlanguage = \"fr\"\nwindow_hours = 0\ncolour = 1\ncutoff = \"late\"\n\
                    [[digest.sections]]\nid = \"bad id\"\n[[sources]]\nname = \"x\"\nurl = \"ftp://x\"\n\
                    [limits]\nrpm = \"fast\"\n";
    let keys: Vec<String> = problems(text, &[]).into_iter().map(|p| p.key).collect();
    for key in [
        "digest.language",
        "digest.window_hours",
        "digest.colour",
        "digest.cutoff",
        "digest.sections[0].id",
        "sources[0].url",
        "limits.rpm",
    ] {
        assert!(
            keys.contains(&key.to_string()),
            "{key} missing from {keys:?}"
        );
    }
}

#[test]
fn the_key_is_checked_for_the_provider_the_run_uses_and_env_overrides_apply() {
    let text = format!("{MINIMAL}[provider]\nkind = \"openai\"\npreset = \"deepseek\"\n");
    // Loading never fails for a key: a run with --provider extractive or --cache-mode
    // replay must not need one.
    let keyless = Config::parse(&text, Some(Path::new("/etc/nd.toml")), &env(&[])).unwrap();
    assert!(keyless.require_api_key(ProviderKind::Extractive).is_ok());
    let err = keyless.require_api_key(ProviderKind::OpenAi).unwrap_err();
    let ConfigError::Invalid { path, problems } = &err else {
        panic!("expected Invalid, got {err:?}");
    };
    assert_eq!(path, Path::new("/etc/nd.toml"));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].key, "provider.api_key_env");
    assert!(problems[0].message.contains("DEEPSEEK_API_KEY"), "{err}");

    // --provider openai on an extractive config checks the preset's key too.
    let extractive = Config::parse(MINIMAL, None, &env(&[])).unwrap();
    assert!(extractive.require_api_key(ProviderKind::OpenAi).is_err());

    let config = Config::parse(
        &text,
        None,
        &env(&[
            ("DEEPSEEK_API_KEY", "sk-secret"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
            ("NEWSDESK_MODEL", "m2"),
            ("NEWSDESK_STORE", "/tmp/st"),
        ]),
    )
    .unwrap();
    assert!(config.require_api_key(ProviderKind::OpenAi).is_ok());
    assert_eq!(config.provider.base_url, "http://127.0.0.1:9/v1");
    assert_eq!(config.provider.model, "m2");
    assert_eq!(
        config.provider.structured_output,
        StructuredOutput::JsonObject
    );
    assert_eq!(config.store.path, PathBuf::from("/tmp/st"));
    assert_eq!(
        config.provider.api_key.as_ref().unwrap().expose(),
        "sk-secret"
    );
    assert!(
        !format!("{config:?}").contains("sk-secret"),
        "Debug never shows the key"
    );
}

#[test]
fn provider_problems_are_all_reported_together() {
    // Today's regression: an unknown kind used to return early and hide the rest.
    let text = format!(
        "{MINIMAL}[provider]\nkind = \"anthropic\"\npreset = \"nope\"\nbase_url = \"ftp://x\"\n\
             structured_output = \"xml\"\ntoken_encoding = \"p50k\"\nmodel = 3\n[limits]\ncontext_tokens = 10\n"
    );
    let keys: Vec<String> = problems(&text, &[]).into_iter().map(|p| p.key).collect();
    for key in [
        "provider.kind",
        "provider.preset",
        "provider.base_url",
        "provider.structured_output",
        "provider.token_encoding",
        "provider.model",
        "limits.context_tokens",
    ] {
        assert!(
            keys.contains(&key.to_string()),
            "{key} missing from {keys:?}"
        );
    }
}

#[test]
fn presets_fill_capabilities_and_explicit_keys_win() {
    let with = |extra: &str| {
        Config::parse(
            &format!("{MINIMAL}[provider]\nkind = \"openai\"\n{extra}"),
            None,
            &env(&[]),
        )
        .unwrap()
        .provider
    };
    let llamacpp = with("preset = \"llamacpp\"\n");
    assert_eq!(llamacpp.structured_output, StructuredOutput::JsonSchema);
    assert!(llamacpp.json_object_schema && !llamacpp.key_required);
    assert_eq!(llamacpp.token_encoding, TokenEncoding::Cl100kBase);
    let qwen = with("preset = \"qwen\"\n");
    assert!(qwen.reasoning && qwen.key_required);
    assert_eq!(qwen.structured_output, StructuredOutput::JsonObject);
    let own = with(
        "preset = \"llamacpp\"\nstructured_output = \"prompt\"\njson_object_schema = false\n\
             reasoning = true\ntoken_encoding = \"o200k_base\"\n",
    );
    assert_eq!(own.structured_output, StructuredOutput::Prompt);
    assert!(!own.json_object_schema && own.reasoning);
    assert_eq!(own.token_encoding, TokenEncoding::O200kBase);
    assert_eq!(PRESETS.len(), 6);
}

#[test]
fn local_presets_need_no_key_and_syntax_errors_name_the_file() {
    let text = format!("{MINIMAL}[provider]\nkind = \"openai\"\npreset = \"ollama\"\n");
    let config = Config::parse(&text, None, &env(&[])).unwrap();
    assert!(config.provider.api_key.is_none());
    assert_eq!(config.provider.base_url, "http://127.0.0.1:11434/v1");

    let err = Config::parse("[digest\n", Some(Path::new("/etc/nd.toml")), &env(&[])).unwrap_err();
    assert!(
        err.to_string().starts_with("/etc/nd.toml: not valid TOML"),
        "{err}"
    );
}

#[test]
fn collect_and_triage_sections_and_source_kinds() {
    let config = Config::parse(MINIMAL, None, &env(&[])).unwrap();
    assert_eq!(config.collect, CollectConfig::default());
    assert_eq!(config.triage, TriageConfig::default());
    assert_eq!(config.sources[0].kind, SourceKind::Feed);
    let text = format!(
        "{MINIMAL}\n[[sources]]\nname = \"papers\"\nkind = \"arxiv\"\nurl = \"https://export.arxiv.org/api/query?search_query=cat:cs.CL\"\n\n[collect]\ntotal_timeout_s = 5\ntolerate_failed_sources = 2\nmemory_days = 0\nmemory_follow_ups = false\n\n[triage]\nenabled = true\nbatch_size = 10\n"
    );
    let config = Config::parse(&text, None, &env(&[])).unwrap();
    assert_eq!(config.sources[1].kind, SourceKind::Arxiv);
    assert_eq!(config.collect.total_timeout_s, 5);
    assert_eq!(config.collect.tolerate_failed_sources, 2);
    assert_eq!(config.collect.memory_days, 0);
    assert!(!config.collect.memory_follow_ups);
    assert_eq!(config.collect.connect_timeout_s, 10);
    assert!(config.triage.enabled);
    assert_eq!(config.triage.batch_size, 10);

    let bad = format!(
        "{MINIMAL}kind = \"podcast\"\n\n[[sources]]\nname = \"local-arxiv\"\nkind = \"arxiv\"\nurl = \"papers.xml\"\n\n[collect]\ntotal_timeout_s = 0\nretries = 3\n"
    );
    let keys: Vec<String> = problems(&bad, &[]).into_iter().map(|p| p.key).collect();
    assert_eq!(
        keys,
        vec![
            "sources[0].kind",
            "sources[1].url",
            "collect.retries",
            "collect.total_timeout_s"
        ]
    );
}

#[test]
fn a_config_without_sources_is_a_config_error() {
    let text = "[[digest.sections]]\nid = \"models\"\nlabel = \"Models\"\n";
    let problems = problems(text, &[]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].key, "sources");
    assert!(problems[0].message.contains("no sources configured"));
}

#[test]
fn store_url_selects_postgres_and_its_password_comes_only_from_the_environment() {
    use crate::store::StoreLocation;
    let with_url = format!("{MINIMAL}\n[store]\nurl = \"postgres://team@db.example:5432/news\"\n");
    let config = Config::parse(&with_url, None, &env(&[("PGPASSWORD", "pg-secret")])).unwrap();
    match config.store.location() {
        StoreLocation::Postgres(url) => {
            assert_eq!(url.to_string(), "postgres://team@db.example:5432/news")
        }
        other => panic!("expected PostgreSQL, got {other}"),
    }
    assert!(
        !format!("{config:?}").contains("pg-secret"),
        "Debug never shows it"
    );

    // A password in the file is refused, naming the key and where the password goes instead.
    let in_file = format!("{MINIMAL}\n[store]\nurl = \"postgres://team:hunter2@db/news\"\n");
    let found = problems(&in_file, &[]);
    let problem = found
        .iter()
        .find(|p| p.key == "store.url")
        .expect("store.url problem");
    assert!(
        problem.message.contains("PGPASSWORD"),
        "{}",
        problem.message
    );
    assert!(found.iter().all(|p| !p.message.contains("hunter2")));

    let not_pg = problems(
        &format!("{MINIMAL}\n[store]\nurl = \"mysql://x@db/news\"\n"),
        &[],
    );
    assert!(
        not_pg
            .iter()
            .any(|p| p.key == "store.url" && p.message.contains("postgres://"))
    );
    let both = problems(
        &format!("{MINIMAL}\n[store]\npath = \"s\"\nurl = \"postgres://team@db/news\"\n"),
        &[],
    );
    assert!(
        both.iter()
            .any(|p| p.key == "store" && p.message.contains("not both"))
    );

    // The environment wins: NEWSDESK_STORE_URL (which may carry the password), then NEWSDESK_STORE.
    let config = Config::parse(
        &with_url,
        None,
        &env(&[
            (
                "NEWSDESK_STORE_URL",
                "postgres://ci:env-secret@127.0.0.1/nightly",
            ),
            ("NEWSDESK_STORE", "/tmp/ignored"),
        ]),
    )
    .unwrap();
    assert_eq!(
        config.store.location().to_string(),
        "postgres://ci@127.0.0.1/nightly"
    );
    assert!(!format!("{config:?}").contains("env-secret"));
    let config = Config::parse(&with_url, None, &env(&[("NEWSDESK_STORE", "/tmp/st")])).unwrap();
    assert!(matches!(config.store.location(), StoreLocation::Dir(p) if p == Path::new("/tmp/st")));
}

#[test]
fn ranking_defaults_are_the_built_in_weights_and_boosts_are_read() {
    let config = Config::parse(MINIMAL, None, &env(&[])).unwrap();
    assert_eq!(config.digest.ranking, RankingConfig::default());
    let text = format!(
        "{MINIMAL}[digest.ranking]\noutlets = 1\nrecency_half_life_hours = 12.0\n\
         [digest.ranking.boost.sources]\nday = 0.5\n\
         [digest.ranking.boost.keywords]\n\"開源\" = 0.3\n\
         [digest.ranking.boost.entities]\nNVIDIA = -1\n"
    );
    let ranking = Config::parse(&text, None, &env(&[]))
        .unwrap()
        .digest
        .ranking;
    assert_eq!(ranking.outlets, 1.0);
    assert_eq!(ranking.recency_half_life_hours, 12.0);
    assert_eq!(ranking.tier, RankingConfig::default().tier);
    assert_eq!(ranking.source_boosts, vec![("day".to_string(), 0.5)]);
    assert_eq!(ranking.keyword_boosts, vec![("開源".to_string(), 0.3)]);
    assert_eq!(ranking.entity_boosts, vec![("NVIDIA".to_string(), -1.0)]);
}

#[test]
fn ranking_problems_name_their_keys() {
    let text = format!(
        "{MINIMAL}[digest.ranking]\noutlets = -1\nsize = \"big\"\nfreshness = 1\n\
         [digest.ranking.boost]\nauthors = {{}}\n\
         [digest.ranking.boost.sources]\nqbitai = 0.5\n\
         [digest.ranking.boost.keywords]\nagents = 500\n"
    );
    let keys: Vec<String> = problems(&text, &[]).into_iter().map(|p| p.key).collect();
    for expected in [
        "digest.ranking.outlets",
        "digest.ranking.size",
        "digest.ranking.freshness",
        "digest.ranking.boost.authors",
        "digest.ranking.boost.sources.qbitai",
        "digest.ranking.boost.keywords.agents",
    ] {
        assert!(
            keys.iter().any(|k| k == expected),
            "{expected} not in {keys:?}"
        );
    }
}
