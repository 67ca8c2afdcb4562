//! Templates from disk and inputs that cannot render: an override is used (and a missing file
//! falls back to the built-in), a broken override names its file, and bad inputs are errors
//! rather than broken digests.

use super::*;

#[test]
fn templates_dir_override_is_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("daily.md.tera"),
        "# {{ front.title | yaml_str }}\n\n\n\n{% for s in sections %}{{ s.label }}: {{ s.cards | length }} \t\n{% endfor %}",
    )
    .unwrap();
    let sections = sections();
    let opts = RenderOptions {
        layout: Layout::Daily,
        sections: &sections,
        templates_dir: Some(dir.path()),
    };
    let md = render_markdown(&digest(Language::ZhHant, five_cards()), &opts).unwrap();
    assert_eq!(
        md,
        "# \"開源模型與產業整併 — 2026/01/01\"\n\n今日焦點: 2\n模型與技術更新: 2\n產業動態: 1\n"
    );

    // A directory without the file falls back to the built-in template.
    let empty = tempfile::tempdir().unwrap();
    let opts = RenderOptions {
        layout: Layout::Daily,
        sections: &sections,
        templates_dir: Some(empty.path()),
    };
    assert!(
        render_markdown(&digest(Language::ZhHant, five_cards()), &opts)
            .unwrap()
            .contains("## 今日焦點")
    );
}

#[test]
fn broken_override_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("daily.md.tera");
    let sections = sections();
    let opts = RenderOptions {
        layout: Layout::Daily,
        sections: &sections,
        templates_dir: Some(dir.path()),
    };
    for broken in ["{% if %}oops", "{{ no_such_variable }}"] {
        std::fs::write(&path, broken).unwrap();
        let err = render_markdown(&digest(Language::ZhHant, five_cards()), &opts).unwrap_err();
        assert!(matches!(err, RenderError::Template { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(
            message.contains("remove it to use the built-in"),
            "{message}"
        );
    }
}

#[test]
fn invalid_inputs_are_errors_not_broken_digests() {
    let mut d = digest(Language::ZhHant, five_cards());
    d.generated_at = "yesterday".to_string();
    let sections = sections();
    let opts = RenderOptions {
        layout: Layout::Daily,
        sections: &sections,
        templates_dir: None,
    };
    let err = render_markdown(&d, &opts).unwrap_err();
    assert!(err.to_string().contains("\"yesterday\""), "{err}");

    let no_sections = RenderOptions {
        layout: Layout::Daily,
        sections: &[],
        templates_dir: None,
    };
    let err = render_markdown(&digest(Language::ZhHant, five_cards()), &no_sections).unwrap_err();
    assert!(
        matches!(err, RenderError::NoSections { cards: 3 }),
        "{err:?}"
    );
}
