//! What a reader of each layout sees of a story's links and of the day: the headline opens the
//! report in the digest's language, syndicated copies make one source line, the front matter is
//! the editor's, and the stories past `max_topics` are in every format.

use super::*;

fn outlet_source(id: &str, title: &str, outlet: &str) -> SourceRef {
    SourceRef {
        title: title.to_string(),
        url: format!("https://{outlet}.example/{id}"),
        outlet: outlet.to_string(),
        article_id: id.to_string(),
        published: chrono::DateTime::parse_from_rfc3339("2026-01-04T18:30:00Z")
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc)),
    }
}

/// The NVIDIA story of the reader review: an English wire story ranked first, a Chinese report,
/// and the wire story republished by a second outlet.
fn nvidia_digest(language: Language) -> Digest {
    let mut cards = five_cards();
    cards[0].card.title = "NVIDIA發表Helix H300推論加速器，臺灣供應鏈可望受惠".to_string();
    cards[0].sources = vec![
        outlet_source(
            "en1",
            "NVIDIA unveils Helix H300 accelerator aimed at inference",
            "wire",
        ),
        outlet_source(
            "zh1",
            "NVIDIA發表Helix H300推論加速器，臺灣供應鏈可望受惠",
            "review",
        ),
        outlet_source(
            "en2",
            "NVIDIA unveils Helix H300 accelerator aimed at inference",
            "journal",
        ),
    ];
    digest(language, cards)
}

#[test]
fn a_chinese_headline_links_to_the_chinese_report_in_every_layout() {
    let d = nvidia_digest(Language::ZhHant);
    let chinese = "https://review.example/zh1";
    let brief = render_layout(&d, Layout::Brief);
    assert!(
        brief.contains(&format!(
            "### [NVIDIA發表Helix H300推論加速器，臺灣供應鏈可望受惠]({chinese})"
        )),
        "{brief}"
    );
    // The story's date, in the digest's offset (+08:00): 18:30 UTC on the 4th is the 5th.
    assert!(brief.contains("\n*2026-01-05*\n"), "{brief}");
    assert!(
        brief.contains("\n# 開源模型與產業整併 — 2026/01/01\n"),
        "{brief}"
    );
    let speedread = render_layout(&d, Layout::Speedread);
    assert!(
        speedread.contains(&format!("[閱讀原文]({chinese})")),
        "{speedread}"
    );
    let html = render_page(&d);
    assert!(
        html.contains(&format!("<h3><a href=\"{chinese}\"")),
        "{html}"
    );
}

#[test]
fn syndicated_copies_are_one_source_line_naming_their_outlets() {
    let daily = render_layout(&nvidia_digest(Language::ZhHant), Layout::Daily);
    let line = daily
        .lines()
        .find(|l| l.contains("https://review.example/zh1") && l.starts_with("**來源**"))
        .expect("the card's sources line");
    assert_eq!(
        line,
        "**來源**：[NVIDIA發表Helix H300推論加速器，臺灣供應鏈可望受惠](https://review.example/zh1) | \
         [NVIDIA unveils Helix H300 accelerator aimed at inference](https://wire.example/en1)\
         （另見：[journal](https://journal.example/en2)）"
    );
    assert_eq!(daily.matches("https://journal.example/en2").count(), 1);
    let english = render_layout(&nvidia_digest(Language::En), Layout::Daily);
    assert!(
        english
            .contains("(https://wire.example/en1) (also: [journal](https://journal.example/en2))"),
        "{english}"
    );
}

#[test]
fn front_matter_is_the_editors_words_never_joined_headlines() {
    let mut d = digest(Language::ZhHant, five_cards());
    d.insight.trend_summary = "開源模型持續追趕閉源模型。".repeat(20);
    let md = render(&d);
    assert!(
        md.contains("description: \"今日重點：開源影像模型與併購。\"\n"),
        "{md}"
    );
    // The trend summary's first sentences, whole, up to the length a list page shows.
    let summary = md
        .lines()
        .find_map(|l| l.strip_prefix("summary: \""))
        .unwrap()
        .trim_end_matches('"');
    assert!(
        summary.starts_with("開源模型持續追趕閉源模型。"),
        "{summary}"
    );
    assert!(
        summary.ends_with('。') && summary.chars().count() <= 160,
        "{summary}"
    );
    for record in &d.cards {
        assert!(!summary.contains(&record.card.title), "{summary}");
    }
}

#[test]
fn more_news_is_in_the_json_and_the_html_with_its_gloss() {
    let mut d = digest(Language::ZhHant, five_cards());
    d.more = vec![more(
        "OpenAI acquires document-AI startup Quillmark",
        "https://wire.example/quillmark",
        "OpenAI收購文件AI新創Quillmark",
    )];
    let json: serde_json::Value = serde_json::from_str(&render_json(&d).unwrap()).unwrap();
    assert_eq!(json["more"][0]["line"], "OpenAI收購文件AI新創Quillmark");
    assert_eq!(json["more"][0]["url"], "https://wire.example/quillmark");
    let html = render_page(&d);
    assert!(
        html.contains("<a href=\"https://wire.example/quillmark\" rel=\"noopener noreferrer\">OpenAI收購文件AI新創Quillmark</a>"),
        "{html}"
    );
    assert!(html.contains("更多動態：1 則"), "{html}");
}
