//! Sentence scoring and picking: the topic's sentences and titles in, the indices of the summary,
//! details and scenario sentences out (TF-IDF centroid similarity, near-repeat suppression,
//! method and scenario cue words).

use super::*;

// Term vectors, the tokenizer, stopwords and the stemmer are text/'s (`Options::TERMS`: grammar
// dropped, every bigram kept, plural-stemmed words, compounds split into their parts).
pub(super) use crate::text::tokenize::stem;
pub(super) use crate::text::vector::{TermVector as Vector, dot, normalize};

/// Is the lowercased, stemmed `word` an English function word?
pub(super) fn is_stopword(word: &str) -> bool {
    crate::text::stopwords::is_english_stopword(word, crate::text::Stopwords::Function)
}

/// A text's term counts (Chinese folded to one script first, so the same lead syndicated in
/// zh-Hans and zh-Hant looks the same and is not picked twice).
pub(super) fn counts(text: &str) -> Vector {
    let mut v = Vector::new();
    for token in crate::text::tokenize(text, &crate::text::Options::TERMS) {
        *v.entry(token.text).or_insert(0.0) += 1.0;
    }
    v
}

/// Titles say what the topic is about; they pull the centroid twice as hard as a body sentence.
pub(super) const TITLE_WEIGHT: f64 = 2.0;

/// Unit TF-IDF vectors for the sentences and, for each sentence, its cosine to the topic centroid
/// (all sentences plus weighted titles) *without its own vote*: an off-topic sentence that shares
/// nothing with the rest scores 0, however long it is.
pub(super) fn centroid_similarities(sentences: &[Sentence], titles: &[&str]) -> Similarities {
    let sentence_counts: Vec<Vector> = sentences.iter().map(|s| counts(&s.text)).collect();
    let title_counts: Vec<Vector> = titles.iter().map(|t| counts(t)).collect();
    let mut document_frequency: BTreeMap<&str, f64> = BTreeMap::new();
    for v in sentence_counts.iter().chain(&title_counts) {
        for term in v.keys() {
            *document_frequency.entry(term.as_str()).or_insert(0.0) += 1.0;
        }
    }
    let documents = (sentence_counts.len() + title_counts.len()) as f64;
    let weigh = |v: &Vector| -> Vector {
        let weighted = v
            .iter()
            .map(|(term, tf)| {
                let df = document_frequency
                    .get(term.as_str())
                    .copied()
                    .unwrap_or(1.0);
                (
                    term.clone(),
                    tf * (((documents + 1.0) / (df + 1.0)).ln() + 1.0),
                )
            })
            .collect();
        normalize(weighted)
    };
    let vectors: Vec<Vector> = sentence_counts.iter().map(weigh).collect();
    let mut centroid = Vector::new();
    for v in &vectors {
        for (term, x) in v {
            *centroid.entry(term.clone()).or_insert(0.0) += x;
        }
    }
    for v in title_counts.iter().map(weigh) {
        for (term, x) in v {
            *centroid.entry(term).or_insert(0.0) += TITLE_WEIGHT * x;
        }
    }
    let centroid_sq = dot(&centroid, &centroid);
    let to_centroid = vectors
        .iter()
        .map(|v| {
            if v.is_empty() {
                return 0.0;
            }
            // |v| = 1, so v·(C−v) = v·C − 1 and |C−v|² = |C|² − 2v·C + 1.
            let along = dot(v, &centroid);
            let rest_sq = centroid_sq - 2.0 * along + 1.0;
            if rest_sq <= 1e-12 {
                0.0
            } else {
                ((along - 1.0) / rest_sq.sqrt()).max(0.0)
            }
        })
        .collect();
    Similarities {
        vectors,
        to_centroid,
    }
}

pub(super) struct Similarities {
    pub(super) vectors: Vec<Vector>,
    pub(super) to_centroid: Vec<f64>,
}

pub(super) const PARAPHRASE_COSINE: f64 = 0.45;
pub(super) const SUMMARY_SENTENCES: usize = 2;
pub(super) const DETAILS_SENTENCES: usize = 3;
pub(super) const SCENARIO_SENTENCES: usize = 2;

/// The pool's sentences closest to the centroid, skipping near-repeats, in document order.
pub(super) fn pick_summary(sim: &Similarities, pool: &[usize]) -> Vec<usize> {
    let mut ranked = pool.to_vec();
    ranked.sort_by(|&a, &b| {
        sim.to_centroid[b]
            .total_cmp(&sim.to_centroid[a])
            .then(a.cmp(&b))
    });
    let mut picked: Vec<usize> = Vec::new();
    for i in ranked {
        if picked.len() == SUMMARY_SENTENCES {
            break;
        }
        if picked
            .iter()
            .all(|&p| dot(&sim.vectors[i], &sim.vectors[p]) < PARAPHRASE_COSINE)
        {
            picked.push(i);
        }
    }
    picked.sort_unstable();
    picked
}

/// Share of the best centroid similarity below which a sentence counts as an off-topic aside.
/// Low on purpose: a sentence that says "it can be used for…" shares few terms with the rest and
/// is still on topic, while a true aside shares none and scores 0.
pub(super) const ON_TOPIC_SHARE: f64 = 0.05;

pub(super) fn on_topic_floor(sim: &Similarities, pool: &[usize]) -> f64 {
    let best = pool.iter().map(|&i| sim.to_centroid[i]).fold(0.0, f64::max);
    best * ON_TOPIC_SHARE
}

/// Unused, on-topic pool sentences with a positive `score`, highest score first, then document
/// order.
pub(super) fn pick_by_score(
    sentences: &[Sentence],
    sim: &Similarities,
    pool: &[usize],
    used: &BTreeSet<usize>,
    on_topic_floor: f64,
    score: fn(&str) -> usize,
    limit: usize,
) -> Vec<usize> {
    let mut scored: Vec<(usize, usize)> = pool
        .iter()
        .copied()
        .filter(|i| {
            !used.contains(i) && sim.to_centroid[*i] > 0.0 && sim.to_centroid[*i] >= on_topic_floor
        })
        .map(|i| (score(&sentences[i].text), i))
        .filter(|&(s, _)| s > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut picked: Vec<usize> = Vec::new();
    for (_, i) in scored {
        if picked.len() == limit {
            break;
        }
        // Another outlet's paraphrase of a sentence already shown adds nothing.
        let repeats = picked
            .iter()
            .chain(used.iter())
            .any(|&p| dot(&sim.vectors[i], &sim.vectors[p]) >= PARAPHRASE_COSINE);
        if !repeats {
            picked.push(i);
        }
    }
    picked
}

/// Words that mark a sentence as technical: method, architecture, training, measurement.
#[rustfmt::skip]
pub(super) const METHOD_WORDS: &[&str] = &[
    "parameter", "benchmark", "dataset", "architecture", "training", "trained", "fine-tun", "finetun",
    "inference", "accuracy", "latency", "throughput", "token", "context window", "transformer",
    "mixture-of-experts", "attention", "diffusion", "reinforcement learning", "distillation", "quantiz",
    "flops", "outperform", "state-of-the-art", "evaluation", "leaderboard", "weights", "open-source",
    "open source", "algorithm", "score", "参数", "參數", "训练", "訓練", "推理", "基准", "基準", "架构", "架構", "数据集", "數據集",
    "資料集", "准确率", "準確率", "延迟", "延遲", "模型", "微调", "微調", "算法", "演算法", "评测", "評測", "测试", "測試", "性能", "精度", "吞吐",
    "注意力", "强化学习", "強化學習", "蒸馏", "蒸餾", "量化", "开源", "開源", "得分", "提升", "降低",
];

/// Words that say where something applies or who it is for.
#[rustfmt::skip]
pub(super) const SCENARIO_WORDS: &[&str] = &[
    "用于", "用於", "可用于", "可用於", "应用", "應用", "适用于", "適用於", "场景", "場景", "帮助", "幫助", "助力", "赋能", "賦能", "落地", "部署",
    "企业", "企業", "开发者", "開發者", "用户", "用戶", "使用者", "客户", "客戶", "for developers", "can be used", "used for",
    "use case", "enables", "enabling", "application", "customers", "deploy", "helps", "help ", "users",
    "enterprise", "businesses", "workflow", "allows",
];

pub(super) fn keyword_hits(sentence: &str, words: &[&str]) -> usize {
    let lower = sentence.to_lowercase();
    words.iter().filter(|w| lower.contains(*w)).count()
}

/// Method words plus one for carrying a number.
pub(super) fn method_score(sentence: &str) -> usize {
    keyword_hits(sentence, METHOD_WORDS) + usize::from(sentence.chars().any(|c| c.is_ascii_digit()))
}

pub(super) fn scenario_score(sentence: &str) -> usize {
    keyword_hits(sentence, SCENARIO_WORDS)
}
