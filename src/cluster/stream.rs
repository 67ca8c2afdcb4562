//! Clustering as the articles stream in. In: batches of articles, one at a time (every article of
//! a source in one batch: site boilerplate is found per source); out: the stories as groups of
//! article indices, counted in the order the articles were added, each with the merge traces
//! that explain it. Of an article only what clustering reads is kept once its batch is added —
//! id, keep-order fields, duplicate keys, MinHash signature, and the title and body lead vectors
//! read — so a caller can drop each batch and read the texts again for the stories it needs (at
//! a million articles the parsed input alone is 8.6 GB). `cluster` is this with one batch.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::collapse::{self, DupKey};
use super::dedupe::MINHASH_PERMUTATIONS;
use super::read_parts::{Part, ReadParts};
use super::{ClusterParams, agglomerative, blocking, dedupe, neardup, similarity, vectorize};
use crate::model::{Article, MergeKind, MergeTrace};

/// Pairs less similar than this carry no edge in the similarity graph. Average linkage counts a
/// missing edge as 0; a pair this weak (a few shared field words) moves an average by at most a
/// fraction of the gap between unrelated articles (0.12-0.14) and the merge threshold, and
/// dropping it keeps the graph sparse and the result independent of which pairs blocking scored.
const EDGE_FLOOR: f32 = 0.05;

/// How many shared terms a trace keeps: enough to see why, few enough to read.
const TRACE_TERMS: usize = 8;

/// The fields an article is ranked by when one copy is kept (see `collapse::keep_order`): among
/// articles that are not exact duplicates of each other these decide every comparison, as two
/// articles with one id have one URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct KeepKey {
    tier: u8,
    published_at: DateTime<Utc>,
    id: String,
    source: Arc<str>,
    outlet: Arc<str>,
}

/// What is kept of one article (an exact duplicate within its batch keeps nothing but its trace).
struct Entry {
    /// Its index among all articles added.
    article: usize,
    key: KeepKey,
    dup: DupKey,
    /// The exact duplicates folded into it.
    copies: Vec<MergeTrace>,
    /// Where its MinHash signature is in `Clusterer::signatures` (`None`: a text without a
    /// letter or digit, which has none).
    signature: Option<usize>,
    /// Its read part: which batch's `ReadParts` hold it, and where in them.
    read: (u32, u32),
}

/// Clustering fed a batch of articles at a time (see the module doc).
pub struct Clusterer {
    params: ClusterParams,
    entries: Vec<Entry>,
    /// Every signature, one after the other, until near-duplicate families are built: one
    /// allocation, given back whole. At a million articles they are 0.5 GB, which as a small
    /// allocation per article, between the read parts, stayed resident once freed.
    signatures: Vec<u32>,
    /// What vectors read of the articles, a batch at a time.
    read_parts: Vec<ReadParts>,
    /// Source and outlet names, each held once.
    names: HashMap<String, Arc<str>>,
    added: usize,
    batches: usize,
}

/// One story: its articles and how they were joined.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The articles (indices in the order they were added), exact duplicates represented by the
    /// copy kept.
    pub articles: Vec<usize>,
    /// Every merge that built the story; `Similar` ones name their shared terms once
    /// `name_shared_terms` is given the articles.
    pub merges: Vec<MergeTrace>,
    /// Per `Similar` merge: its place in `merges`, the article behind its left side, and the
    /// keys of the terms the two sides share.
    shared: Vec<(usize, usize, Vec<u64>)>,
}

impl Group {
    /// Fills each `Similar` merge's shared terms from the article behind its left side
    /// (`article(index)` gives the article added at that index).
    pub fn name_shared_terms<'a>(&mut self, article: impl Fn(usize) -> &'a Article) {
        for (merge, left, keys) in self.shared.drain(..) {
            self.merges[merge].shared_terms = vectorize::name_terms(article(left), &keys);
        }
    }
}

impl Clusterer {
    pub fn new(params: &ClusterParams) -> Self {
        Clusterer {
            params: params.clone(),
            entries: Vec::new(),
            signatures: Vec::new(),
            read_parts: Vec::new(),
            names: HashMap::new(),
            added: 0,
            batches: 0,
        }
    }

    /// How many articles have been added.
    pub fn added(&self) -> usize {
        self.added
    }

    fn name(&mut self, name: &str) -> Arc<str> {
        if let Some(held) = self.names.get(name) {
            return held.clone();
        }
        let held: Arc<str> = Arc::from(name);
        self.names.insert(name.to_string(), held.clone());
        held
    }

    /// Reads a batch: its exact duplicates collapse, each source's boilerplate is cut, and each
    /// kept article's signature and read part are taken; the batch itself is not kept. Exact
    /// duplicates across batches collapse in `finish`.
    pub fn add(&mut self, articles: &[Article]) {
        let collapsed = collapse::collapse(articles);
        let features = dedupe::strip_each_source(&collapsed.kept, |stripped| {
            let mut read = ReadParts::default();
            read.push(&stripped);
            (dedupe::signature(&stripped), read)
        });
        let batch = self.read_parts.len() as u32;
        let mut read_parts = ReadParts::default();
        let dup_keys = crate::parallel::par_map(&collapsed.kept, |a| DupKey::of(a));
        let kept = collapsed.kept.iter().zip(&collapsed.positions);
        let rest = collapsed.traces.into_iter().zip(features).zip(dup_keys);
        for ((article, &position), ((copies, (signature, read)), dup)) in kept.zip(rest) {
            let key = KeepKey {
                tier: article.tier,
                published_at: article.published_at,
                id: article.id.clone(),
                source: self.name(&article.source),
                outlet: self.name(&article.outlet),
            };
            let at = (!signature.is_empty()).then(|| {
                self.signatures.extend_from_slice(&signature);
                self.signatures.len() / MINHASH_PERMUTATIONS - 1
            });
            self.entries.push(Entry {
                article: self.added + position,
                key,
                dup,
                copies,
                signature: at,
                read: (batch, read_parts.len() as u32),
            });
            read_parts.append(read);
        }
        self.read_parts.push(read_parts);
        self.added += articles.len();
        self.batches += 1;
        if tracing::enabled!(tracing::Level::DEBUG) {
            let (rss_mb, peak_mb) = resident_mb().unwrap_or_default();
            tracing::debug!(
                batch = articles.len(),
                added = self.added,
                kept = self.entries.len(),
                rss_mb,
                peak_mb,
                "cluster batch"
            );
        }
    }

    /// Clusters everything added (see `cluster`): the stories, in no particular order.
    pub fn finish(self) -> Vec<Group> {
        let steps = Steps::start();
        let Clusterer {
            params,
            mut entries,
            signatures,
            read_parts,
            batches,
            ..
        } = self;
        if batches > 1 {
            entries = collapse_across_batches(entries);
        }
        // Indices in article-id order, so every tie below is broken by article id.
        entries.sort_by(|a, b| a.key.id.cmp(&b.key.id).then_with(|| a.key.cmp(&b.key)));
        steps.log("collapse");
        let published_s: Vec<i64> = entries
            .iter()
            .map(|e| e.key.published_at.timestamp())
            .collect();
        let window_s = i64::from(params.window_hours) * 3600;
        // Near-identical copies fold into one representative before anything is scored: a story
        // republished by 200 sites then costs what one article costs.
        let signature_of: Vec<&[u32]> = entries
            .iter()
            .map(|e| match e.signature {
                Some(at) => &signatures[at * MINHASH_PERMUTATIONS..][..MINHASH_PERMUTATIONS],
                None => &[],
            })
            .collect();
        let families = neardup::families(&neardup::Input {
            signatures: &signature_of,
            published_s: &published_s,
            keep_rank: &keep_ranks(&entries),
            window_s,
            threshold: params.near_duplicate_threshold,
        });
        drop(signature_of);
        drop(signatures);
        let representatives = families.representatives();
        let members = families.members();
        let (comparable, placed) = representatives_read(&entries, &families, read_parts);
        let span = |rep: usize, pick: fn(i64, i64) -> i64| {
            members[rep]
                .iter()
                .map(|&m| published_s[m])
                .reduce(pick)
                .unwrap_or(published_s[rep])
        };
        let earliest_s: Vec<i64> = representatives.iter().map(|&r| span(r, i64::min)).collect();
        let latest_s: Vec<i64> = representatives.iter().map(|&r| span(r, i64::max)).collect();
        let rep_published_s: Vec<i64> = representatives.iter().map(|&r| published_s[r]).collect();
        tracing::debug!(
            articles = entries.len(),
            representatives = representatives.len(),
            "near-duplicate families"
        );
        steps.log("families");
        let vectors = vectorize::vectorize_consuming(comparable).placed(&placed);
        steps.log("vectorize");
        let edges = scored_edges(&vectors, &rep_published_s, window_s, &params, &steps);
        steps.log("scored");
        let groups = agglomerative::agglomerate(&agglomerative::Problem {
            edges: &edges,
            earliest_s: &earliest_s,
            latest_s: &latest_s,
            window_s,
            threshold: params.similarity_threshold,
        });
        drop(edges);
        steps.log("agglomerate");
        let folded = Folded {
            entries: &entries,
            families: &families,
            representatives: &representatives,
            members: &members,
        };
        groups
            .into_iter()
            .map(|group| folded.story(&group, &vectors))
            .collect()
    }
}

/// Where each article ended up once near-duplicates folded: what turns a group of
/// representatives back into a story of articles.
struct Folded<'a> {
    entries: &'a [Entry],
    families: &'a neardup::Families,
    representatives: &'a [usize],
    /// Per article index of a representative, its family (itself first).
    members: &'a [Vec<usize>],
}

impl Folded<'_> {
    /// The story of one group of representatives: every member of their families, and each
    /// merge that built it — exact copies, near-duplicates, then the similarity links (their
    /// shared terms named later, from the articles).
    fn story(&self, group: &agglomerative::Group, vectors: &vectorize::Vectors) -> Group {
        let entries = self.entries;
        let kept: Vec<usize> = group
            .members
            .iter()
            .flat_map(|&r| self.members[self.representatives[r]].iter().copied())
            .collect();
        let mut merges: Vec<MergeTrace> = kept
            .iter()
            .flat_map(|&m| entries[m].copies.iter().cloned())
            .collect();
        merges.extend(kept.iter().filter_map(|&m| {
            let (relative, jaccard) = self.families.parent[m]?;
            Some(MergeTrace {
                left: entries[relative].key.id.clone(),
                right: entries[m].key.id.clone(),
                kind: MergeKind::NearDuplicate,
                similarity: jaccard,
                shared_terms: Vec::new(),
            })
        }));
        let mut shared = Vec::new();
        for link in &group.links {
            let keys = vectorize::shared_keys(vectors, link.left, link.right, TRACE_TERMS);
            let left = self.representatives[link.left];
            shared.push((merges.len(), entries[left].article, keys));
            merges.push(MergeTrace {
                left: entries[left].key.id.clone(),
                right: entries[self.representatives[link.right]].key.id.clone(),
                kind: MergeKind::Similar,
                similarity: link.similarity,
                shared_terms: Vec::new(),
            });
        }
        Group {
            articles: kept.iter().map(|&m| entries[m].article).collect(),
            merges,
            shared,
        }
    }
}

/// The representatives' read parts, batch by batch (members are never vectorized, so their read
/// parts go now), and where each stands among the representatives (which are in entry order).
/// Vectorized in this order, each batch's string is given back as soon as its last part is
/// done with.
fn representatives_read(
    entries: &[Entry],
    families: &neardup::Families,
    read_parts: Vec<ReadParts>,
) -> (Vec<Part>, Vec<usize>) {
    let mut by_batch: Vec<Vec<(usize, usize)>> = vec![Vec::new(); read_parts.len()];
    let representatives = (0..entries.len()).filter(|&i| families.representative[i] == i);
    for (position, i) in representatives.enumerate() {
        let (batch, index) = entries[i].read;
        by_batch[batch as usize].push((index as usize, position));
    }
    let mut parts = Vec::new();
    let mut placed = Vec::new();
    for (held, mut reps) in read_parts.into_iter().zip(by_batch) {
        reps.sort_unstable();
        let indices: Vec<usize> = reps.iter().map(|&(index, _)| index).collect();
        let held = if indices.len() == held.len() {
            Arc::new(held)
        } else {
            Arc::new(held.keep(&indices))
        };
        for (k, &(_, position)) in reps.iter().enumerate() {
            parts.push(ReadParts::part(&held, k));
            placed.push(position);
        }
    }
    (parts, placed)
}

/// Each representative against its candidates (see `blocking`), on all cores: the pairs at or
/// above `EDGE_FLOOR` as `(a, b, similarity)` with `a < b`, sorted.
fn scored_edges(
    vectors: &vectorize::Vectors,
    published_s: &[i64],
    window_s: i64,
    params: &ClusterParams,
    steps: &Steps,
) -> Vec<(usize, usize, f32)> {
    let candidates = blocking::candidates(vectors, published_s, window_s, &params.blocking);
    steps.log("candidates");
    let docs: Vec<usize> = (0..vectors.docs.len()).collect();
    let scored = super::par_map_with(
        &docs,
        || similarity::Scorer::new(vectors),
        |scorer, &a| {
            let mut edges = Vec::new();
            for &b in &candidates[a] {
                let b = b as usize;
                let sim = scorer.similarity(a, b);
                if sim >= EDGE_FLOOR {
                    edges.push((a.min(b), a.max(b), sim));
                }
            }
            edges
        },
    );
    // Candidates are done with once pairs are scored; the linkage is the next largest thing
    // clustering holds.
    drop(candidates);
    let mut edges: Vec<(usize, usize, f32)> = scored.into_iter().flatten().collect();
    edges.sort_unstable_by_key(|&(a, b, _)| (a, b));
    edges
}

/// Exact duplicates whose copies came in different batches, collapsed as within one batch: the
/// best copy in keep order stays, with the traces of the others (and of their own copies).
fn collapse_across_batches(entries: Vec<Entry>) -> Vec<Entry> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].key.cmp(&entries[b].key));
    let keys: Vec<DupKey> = order.iter().map(|&i| entries[i].dup).collect();
    let (mut sets, joined) = collapse::join_duplicates(&keys);
    if joined.is_empty() {
        return entries;
    }
    let mut folded: HashMap<usize, Vec<MergeTrace>> = HashMap::new();
    for (kind, a, b) in joined {
        let root = sets.find(a);
        let (left, right) = (&entries[order[a]].key.id, &entries[order[b]].key.id);
        folded
            .entry(root)
            .or_default()
            .push(collapse::trace(kind, left, right));
    }
    let mut slots: Vec<Option<Entry>> = entries.into_iter().map(Some).collect();
    let mut kept = Vec::new();
    for sorted in 0..order.len() {
        let root = sets.find(sorted);
        let entry = slots[order[sorted]].take().expect("each entry once");
        if root == sorted {
            kept.push((sorted, entry));
        } else {
            folded.entry(root).or_default().extend(entry.copies);
        }
    }
    kept.into_iter()
        .map(|(sorted, mut entry)| {
            entry
                .copies
                .extend(folded.remove(&sorted).unwrap_or_default());
            entry
        })
        .collect()
}

/// Each entry's place in keep order (0 = the best), for choosing representatives.
fn keep_ranks(entries: &[Entry]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].key.cmp(&entries[b].key));
    let mut rank = vec![0; entries.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    rank
}

/// Step timings and memory for `RUST_LOG=newsdesk::cluster=debug` (the scale bench reads
/// them): resident and peak-resident MB so far, where the system tells (Linux).
struct Steps(std::time::Instant);

impl Steps {
    fn start() -> Self {
        Steps(std::time::Instant::now())
    }

    fn log(&self, name: &str) {
        if tracing::enabled!(tracing::Level::DEBUG) {
            let (rss_mb, peak_mb) = resident_mb().unwrap_or_default();
            tracing::debug!(
                step = name,
                elapsed_ms = self.0.elapsed().as_millis() as u64,
                rss_mb,
                peak_mb,
                "cluster"
            )
        }
    }
}

/// This process's resident and peak resident memory in MB, from `/proc/self/status`.
pub(crate) fn resident_mb() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests_support::{article, at};

    /// Three sources: a launch told by two of them (and copied by the third), and unrelated news.
    fn sources() -> Vec<Vec<Article>> {
        let launch = "Lumen Labs released Orion-9, an accelerator that runs Kestrel-4 at 900 \
                      tokens per second; the Orion-9 board ships in March, the company said.";
        let mut wire = vec![
            article("w1", "Orion-9 accelerator ships in March", launch),
            article(
                "w2",
                "Rain expected across the north",
                "The weather service expects rain across the north through Sunday.",
            ),
        ];
        let mut blog = vec![
            article(
                "b1",
                "Lumen Labs' Orion-9 runs Kestrel-4 at 900 tokens/s",
                "Orion-9 from Lumen Labs serves Kestrel-4 at 900 tokens per second, according to \
                 the launch notes; the accelerator ships in March.",
            ),
            article(
                "b2",
                "City council passes the budget",
                "The council passed next year's budget after a long debate on transit.",
            ),
        ];
        let mut mirror = vec![article(
            "m1",
            "Orion-9 accelerator ships in March | Mirror",
            &format!("{launch} Republished with permission."),
        )];
        for (name, group) in [
            ("wire", &mut wire),
            ("blog", &mut blog),
            ("mirror", &mut mirror),
        ] {
            for (i, a) in group.iter_mut().enumerate() {
                a.source = name.to_string();
                a.outlet = name.to_string();
                a.url = format!("https://{name}.example/{i}");
                a.published_at = at(i as u32 + 1);
            }
        }
        vec![wire, blog, mirror]
    }

    /// Each story as its sorted article ids, sorted.
    fn stories(groups: Vec<Group>, added: &[Article]) -> Vec<Vec<String>> {
        let mut stories: Vec<Vec<String>> = groups
            .into_iter()
            .map(|g| {
                let mut ids: Vec<String> =
                    g.articles.iter().map(|&i| added[i].id.clone()).collect();
                ids.sort();
                ids
            })
            .collect();
        stories.sort();
        stories
    }

    #[test]
    fn a_batch_per_source_gives_the_stories_of_one_batch() {
        let batches = sources();
        let all: Vec<Article> = batches.concat();
        let mut whole = Clusterer::new(&ClusterParams::default());
        whole.add(&all);
        let expected = stories(whole.finish(), &all);
        assert!(
            expected.contains(&vec!["b1".into(), "m1".into(), "w1".into()]),
            "the launch, its copy and its retelling are one story: {expected:?}"
        );
        // Batches in another order: indices count across batches in the order added.
        let mut streamed = Clusterer::new(&ClusterParams::default());
        let mut added = Vec::new();
        for batch in batches.into_iter().rev() {
            streamed.add(&batch);
            added.extend(batch);
        }
        assert_eq!(streamed.added(), all.len());
        assert_eq!(stories(streamed.finish(), &added), expected);
    }

    #[test]
    fn exact_duplicates_in_two_batches_keep_the_best_copy() {
        let batches = sources();
        let mut copy = batches[0][0].clone();
        copy.id = "w1-again".into();
        copy.source = "aggregator".into();
        copy.tier = 3;
        let mut clusterer = Clusterer::new(&ClusterParams::default());
        let mut added = Vec::new();
        for batch in [vec![copy], batches[0].clone()] {
            clusterer.add(&batch);
            added.extend(batch);
        }
        let groups = clusterer.finish();
        let launch = groups
            .iter()
            .find(|g| g.articles.iter().any(|&i| added[i].id == "w1"))
            .expect("the kept copy is in a story");
        assert!(
            groups
                .iter()
                .all(|g| g.articles.iter().all(|&i| added[i].id != "w1-again")),
            "the tier-3 copy is represented by the tier-2 one"
        );
        assert!(
            launch
                .merges
                .iter()
                .any(|m| m.kind == MergeKind::SameUrl && m.left == "w1" && m.right == "w1-again")
        );
    }
}
