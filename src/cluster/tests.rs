//! The cluster stage end to end: stories, traces, order independence, the window, families.
use super::tests_support::{article, at};
use super::*;
use crate::model::MergeKind;

/// A small day: two outlets on a model launch (one English, one Chinese), a re-post of one
/// of them, an unrelated OpenAI business story, an OpenAI research story, a robot story.
fn day() -> Vec<Article> {
    let mut a = article(
        "a01",
        "Alibaba open-sources Qwen-Image-2512, a text-rendering image model",
        "Alibaba's Qwen team released Qwen-Image-2512, an open image generation model that \
         renders Chinese and English text. Qwen-Image-2512 tops the image arena among open \
         models, according to the team.",
    );
    a.outlet = "Wire A".into();
    a.published_at = at(3);
    let mut b = article(
        "b02",
        "阿里开源Qwen-Image-2512：文字渲染能力大幅提升",
        "阿里通义千问团队今天开源图像生成模型Qwen-Image-2512，中英文文字渲染效果显著提升，\
         在开源模型图像竞技场中排名第一。",
    );
    b.outlet = "量子位".into();
    b.lang = "zh-Hans".into();
    b.published_at = at(5);
    let mut b_copy = b.clone();
    b_copy.id = "b03".into();
    b_copy.url = "https://mirror.example/b".into();
    b_copy.outlet = "智源社区".into();
    b_copy.title = "阿里开源Qwen-Image-2512：文字渲染能力大幅提升！".into();
    b_copy.text = format!("{} 欢迎关注。", b.text);
    b_copy.published_at = at(9);
    let mut c = article(
        "c04",
        "OpenAI signs a $10 billion cloud deal with a chip startup",
        "OpenAI agreed to buy compute capacity from a chip startup over three years, adding \
         another supplier to its data-centre build-out as demand for ChatGPT grows.",
    );
    c.outlet = "Wire B".into();
    c.published_at = at(6);
    let mut d = article(
        "d05",
        "OpenAI researchers show sparse circuits make neural networks interpretable",
        "A new OpenAI paper trains weight-sparse transformers whose circuits can be read by \
         hand, a step toward mechanistic interpretability of language models.",
    );
    d.outlet = "Wire A".into();
    d.published_at = at(7);
    let mut e = article(
        "e06",
        "Unitree shows a humanoid robot that folds laundry",
        "The Chinese robot maker demonstrated its H2 humanoid folding clothes at a trade show; \
         the company says shipments start in spring.",
    );
    e.outlet = "Wire B".into();
    e.published_at = at(8);
    vec![a, b, b_copy, c, d, e]
}

fn membership(stories: &[Story]) -> Vec<Vec<String>> {
    stories
        .iter()
        .map(|s| s.articles.iter().map(|a| a.id.clone()).collect())
        .collect()
}

/// A fixed-seed permutation (xorshift), so the shuffles are the same on every run.
fn shuffled(articles: &[Article], seed: u64) -> Vec<Article> {
    let mut state = seed;
    let mut out = articles.to_vec();
    for i in (1..out.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.swap(i, (state % (i as u64 + 1)) as usize);
    }
    out
}

#[test]
fn groups_the_launch_and_keeps_unrelated_openai_stories_apart() {
    let stories = cluster(day(), &ClusterParams::default());
    let groups = membership(&stories);
    let launch = groups
        .iter()
        .find(|g| g.contains(&"a01".to_string()))
        .unwrap();
    let mut launch_sorted = launch.clone();
    launch_sorted.sort();
    assert_eq!(
        launch_sorted,
        ["a01", "b02", "b03"],
        "cross-language launch + re-post: {groups:?}"
    );
    let openai = groups
        .iter()
        .find(|g| g.contains(&"c04".to_string()))
        .unwrap();
    assert_eq!(
        openai,
        &["c04"],
        "an OpenAI deal is not the OpenAI paper: {groups:?}"
    );
    assert_eq!(stories.len(), 4);
}

#[test]
fn every_article_in_exactly_one_story_and_duplicates_folded() {
    let mut articles = day();
    let mut dup = articles[0].clone();
    dup.id = "z99".into();
    dup.url = format!("{}?utm_source=rss", dup.url);
    dup.tier = 3;
    articles.push(dup);
    let stories = cluster(articles.clone(), &ClusterParams::default());
    let mut ids: Vec<String> = stories
        .iter()
        .flat_map(|s| s.articles.iter().map(|a| a.id.clone()))
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        ["a01", "b02", "b03", "c04", "d05", "e06"],
        "z99 is represented by a01"
    );
    let launch = stories
        .iter()
        .find(|s| s.articles.iter().any(|a| a.id == "a01"))
        .unwrap();
    assert!(
        launch
            .merges
            .iter()
            .any(|m| m.kind == MergeKind::SameUrl && m.right == "z99")
    );
    assert!(
        launch
            .merges
            .iter()
            .any(|m| m.kind == MergeKind::NearDuplicate)
    );
}

#[test]
fn ids_order_and_traces() {
    let stories = cluster(day(), &ClusterParams::default());
    for s in &stories {
        assert_eq!(s.id, story_id(&s.articles));
        assert!(s.id.starts_with('s') && s.id.len() == 13);
        assert_eq!(
            s.merges.len(),
            s.articles.len() - 1,
            "one trace per merge: {s:?}"
        );
        let keys: Vec<_> = s
            .articles
            .iter()
            .map(|a| (a.tier, a.published_at, a.id.clone()))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "best first");
    }
    let firsts: Vec<_> = stories.iter().map(earliest).collect();
    assert!(firsts.windows(2).all(|w| w[0] <= w[1]));
    let expected = {
        let mut ids = ["a01", "b02", "b03"];
        ids.sort();
        format!(
            "s{}",
            &blake3::hash(ids.join("\n").as_bytes()).to_hex()[..12]
        )
    };
    assert!(stories.iter().any(|s| s.id == expected));
}

#[test]
fn independent_of_input_order() {
    let articles = day();
    let reference = cluster(articles.clone(), &ClusterParams::default());
    for seed in [1, 7, 42, 1234, 98765] {
        let again = cluster(shuffled(&articles, seed), &ClusterParams::default());
        assert_eq!(again, reference, "seed {seed}");
    }
}

#[test]
fn time_window_is_respected() {
    let mut articles = day();
    articles[1].published_at = at(3) + chrono::Duration::hours(72); // b02 three days later
    articles[2].published_at = at(3) + chrono::Duration::hours(73);
    let two_days = ClusterParams {
        window_hours: 48,
        ..ClusterParams::default()
    };
    let stories = cluster(articles.clone(), &two_days);
    let launch = stories
        .iter()
        .find(|s| s.articles.iter().any(|a| a.id == "a01"))
        .unwrap();
    assert_eq!(launch.articles.len(), 1, "{:?}", membership(&stories));
    let later = stories
        .iter()
        .find(|s| s.articles.iter().any(|a| a.id == "b02"))
        .unwrap();
    assert_eq!(
        later.articles.len(),
        2,
        "the re-post still joins within the window"
    );
    let wide = ClusterParams {
        window_hours: 24 * 7,
        ..ClusterParams::default()
    };
    let stories = cluster(articles.clone(), &wide);
    assert!(stories.iter().any(|s| s.articles.len() == 3));
}

#[test]
fn explain_names_shared_terms_and_kinds() {
    let stories = cluster(day(), &ClusterParams::default());
    let launch = stories.iter().find(|s| s.articles.len() == 3).unwrap();
    let text = explain(launch).join("\n");
    assert!(text.contains("3 articles from 3 outlets"), "{text}");
    assert!(
        text.contains("shared terms:") && text.contains("qwen-image-2512"),
        "{text}"
    );
    assert!(text.contains("near-duplicate"), "{text}");
    let single = stories.iter().find(|s| s.articles.len() == 1).unwrap();
    assert_eq!(explain(single).len(), 2, "header + one article, no merges");
}

/// Copy `j` of a wire story republished by many sites: its paragraphs rotated, another
/// story's lead pasted in front, the site's own title suffix, within two days.
fn syndicated_copy(j: usize, paragraphs: &[String]) -> Article {
    let mut units = paragraphs.to_vec();
    units.rotate_left(j % paragraphs.len());
    let text = format!(
        "Also today: the city council votes on budget item {j} after a long debate. {}",
        units.concat()
    );
    let mut copy = article(
        &format!("w{j:04}"),
        &format!("Orion-9 chip doubles inference speed | Site {j}"),
        &text,
    );
    copy.outlet = format!("Site {j}");
    copy.source = format!("site-{j}");
    copy.published_at = at((j % 48) as u32);
    copy
}

#[test]
fn a_family_of_500_copies_is_one_story_scored_as_one_article() {
    let paragraphs: Vec<String> = (0..6)
        .map(|p| {
            format!(
                "Paragraph {p}: the Orion-9 accelerator from Lumen Labs runs model {} at {} \
                 tokens per second, the company said in its filing. ",
                p * 17,
                1000 + p * 250
            )
        })
        .collect();
    let mut articles: Vec<Article> = (0..500).map(|j| syndicated_copy(j, &paragraphs)).collect();
    articles.extend(day());
    let stories = cluster(articles, &ClusterParams::default());
    let family = stories
        .iter()
        .find(|s| s.articles.iter().any(|a| a.id == "w0000"))
        .unwrap();
    assert_eq!(family.articles.len(), 500, "{:?}", membership(&stories));
    // Every member joined as a near-duplicate: none was scored against another, so the
    // family cost one article's scoring, not 500² / 2 pairs.
    assert_eq!(family.merges.len(), 499);
    assert!(
        family
            .merges
            .iter()
            .all(|m| m.kind == MergeKind::NearDuplicate)
    );
    let text = explain(family).join("\n");
    assert!(text.contains("is a near-duplicate of [w"), "{text}");
    // The rest of the day is clustered as without the family.
    assert_eq!(
        stories.len(),
        1 + cluster(day(), &ClusterParams::default()).len()
    );
}

#[test]
fn copies_further_apart_than_the_window_stay_apart() {
    let paragraphs: Vec<String> = (0..4)
        .map(|p| {
            format!(
                "Paragraph {p} of the Orion-9 launch report, figure {}. ",
                p * 7
            )
        })
        .collect();
    let mut early = syndicated_copy(0, &paragraphs);
    let mut late = syndicated_copy(1, &paragraphs);
    early.published_at = at(0);
    late.published_at = at(200);
    let stories = cluster(vec![early, late], &ClusterParams::default());
    assert_eq!(stories.len(), 2, "{:?}", membership(&stories));
}

#[test]
fn empty_input_gives_no_stories() {
    assert!(cluster(Vec::new(), &ClusterParams::default()).is_empty());
    assert!(dedupe(&[]).is_empty());
}
