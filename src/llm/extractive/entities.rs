//! Entities: the topic's articles and sentences in, the card's 3-10 names out (model names,
//! organisations, quoted product names, multi-word capitalised names; padded with title phrases
//! and frequent Chinese terms). Never a name the articles do not contain.

use super::*;
use crate::llm::schema::{ENTITIES_MAX, ENTITIES_MIN};

// Latin runs (Qwen-Image-2512, GPT-4.5) and Han term edges come from text/.
pub(super) use crate::text::stopwords::is_han_term_edge;
pub(super) use crate::text::tokenize::{LatinRun, latin_runs};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// Letters and a digit, starting with a letter: GPT-5, H100, Qwen-Image-2512, AI21.
    Model,
    /// A capital inside the word: OpenAI, NVIDIA, LLM, MiniCPM.
    Strong,
    /// Only an initial capital: Google, Hugging. A name or just a sentence's first word.
    Title,
    /// "AI": part of a name ("Vertex AI", "AI Arena"), never a name alone.
    Connector,
    Plain,
}

/// Capitalised words that are almost never names.
#[rustfmt::skip]
pub(super) const TITLECASE_STOPWORDS: &[&str] = &[
    "The", "A", "An", "This", "That", "These", "Those", "It", "Its", "We", "Our", "Us", "They", "Their", "He",
    "She", "His", "Her", "You", "Your", "I", "In", "On", "At", "For", "With", "And", "But", "Or", "Nor", "If",
    "As", "By", "From", "To", "Of", "Into", "Over", "Under", "After", "Before", "During", "While", "When",
    "Where", "What", "Why", "How", "Who", "Which", "Whose", "Today", "Yesterday", "Tomorrow", "Recently", "Now",
    "Then", "Here", "There", "However", "Meanwhile", "Also", "Additionally", "Furthermore", "Moreover",
    "Notably", "Although", "Though", "Despite", "Since", "Because", "So", "Thus", "Therefore", "According",
    "Currently", "Previously", "Earlier", "Later", "Last", "Next", "First", "Second", "Third", "Finally", "New",
    "More", "Most", "Many", "Some", "All", "Any", "Each", "Every", "Both", "Other", "Another", "Such", "Not",
    "No", "Yes", "Just", "Only", "Even", "Still", "Yet", "Read", "Share", "Click", "Subscribe", "Sign",
    "Follow", "Copy", "Mail", "Listen", "Explore", "Key", "Summary", "Source", "Note", "Update", "Updated",
    "Image", "Photo", "Credit", "Will", "Can", "Could", "Would", "Should", "May", "Might", "Must", "Is", "Are",
    "Was", "Were", "Be", "Has", "Have", "Had", "Do", "Does", "Did", "Let", "Like", "Via", "Per", "Jan", "Feb",
    "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "January", "February", "March",
    "April", "June", "July", "August", "September", "October", "November", "December", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mr", "Mrs", "Ms", "Dr", "One", "Two", "Three",
    "Open", "Source", "Chinese", "English", "American", "European", "Israeli", "Japanese", "Korean", "French",
    "German", "British", "Indian", "Token", "Tokens", "Prompt", "Prompts", "Agent", "Agents", "Model", "Models",
    "Benchmark", "Paper", "Demo", "Chatbot", "Code", "Data", "Large", "Small", "Video", "Videos", "Series",
    "Western", "Eastern", "Northern", "Southern",
];

/// Acronyms too generic to name anything.
#[rustfmt::skip]
pub(super) const ACRONYM_STOPWORDS: &[&str] = &[
    "AI", "API", "APIs", "CEO", "CTO", "CFO", "COO", "VP", "PR", "PDF", "URL", "HTTP", "HTTPS", "FAQ", "TV",
    "OK", "AM", "PM", "GMT", "UTC", "ID", "GB", "MB", "TB", "KB", "GW", "MW", "KW", "GPU", "GPUs", "CPU", "CPUs", "IPO", "Q&A", "AIGC",
    // Units and number formats name a measurement, not a thing (512 TOPS, INT8, NT$).
    "TOPS", "TFLOPS", "PFLOPS", "INT8", "INT4", "FP4", "FP8", "FP16", "BF16", "FP32", "HBM", "KV", "NT", "USD", "RMB",
    // Shouted headings of press releases.
    "PRESS", "RELEASE", "NEWS", "UPDATE", "BREAKING", "EXCLUSIVE",
];

pub(super) fn classify(token: &str) -> TokenKind {
    let chars: Vec<char> = token.chars().collect();
    let Some(&first) = chars.first() else {
        return TokenKind::Plain;
    };
    if !first.is_alphabetic() || chars.len() < 2 {
        return TokenKind::Plain;
    }
    if ACRONYM_STOPWORDS.contains(&token) {
        return TokenKind::Plain;
    }
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    let has_digit = chars.iter().any(|c| c.is_ascii_digit());
    if has_digit {
        let version = (first == 'v' || first == 'V')
            && chars[1..].iter().all(|c| c.is_ascii_digit() || *c == '.');
        return if !version && (letters >= 2 || chars.len() >= 3) {
            TokenKind::Model
        } else {
            TokenKind::Plain
        };
    }
    if token == "AI" {
        return TokenKind::Connector;
    }
    if ACRONYM_STOPWORDS.contains(&token) || TITLECASE_STOPWORDS.contains(&token) {
        return TokenKind::Plain;
    }
    // "AI-generated", "GPU-powered": an adjective, not a name.
    if token
        .rsplit('-')
        .next()
        .is_some_and(|last| last != token && last.chars().all(|c| c.is_lowercase()))
    {
        return TokenKind::Plain;
    }
    if glued_sentence_start(token).is_some() {
        return TokenKind::Plain;
    }
    let inner_capital = chars
        .windows(2)
        .any(|w| w[0].is_alphabetic() && w[1].is_uppercase());
    if inner_capital {
        TokenKind::Strong
    } else if first.is_uppercase() {
        TokenKind::Title
    } else {
        TokenKind::Plain
    }
}

/// Counts for one entity candidate across the topic, keyed by its lowercase form.
#[derive(Debug, Clone, Default)]
pub(super) struct Candidate {
    /// Surface form → occurrences; the most frequent spelling is the one shown.
    spellings: BTreeMap<String, usize>,
    count: usize,
    /// Occurrences not at the start of a sentence (where any word is capitalised).
    mid_sentence: usize,
    first_seen: usize,
    strong: bool,
    words: usize,
}

#[derive(Debug, Default)]
pub(super) struct EntityCounter {
    candidates: BTreeMap<String, Candidate>,
    position: usize,
}

impl EntityCounter {
    fn add(&mut self, surface: &str, strong: bool, at_sentence_start: bool) {
        let surface = surface.trim();
        if surface.chars().count() < 2 || surface.chars().count() > 40 {
            return;
        }
        self.position += 1;
        let position = self.position;
        let c = self
            .candidates
            .entry(surface.to_lowercase())
            .or_insert_with(|| Candidate {
                first_seen: position,
                words: surface.split(' ').count(),
                ..Candidate::default()
            });
        *c.spellings.entry(surface.to_string()).or_insert(0) += 1;
        c.count += 1;
        c.mid_sentence += usize::from(!at_sentence_start);
        c.strong |= strong;
    }

    /// Names from one body sentence: model-like tokens, capitalised runs of up to four words
    /// ("Hugging Face", "AI21 Labs"), acronyms and CamelCase words.
    fn add_sentence(&mut self, sentence: &str) {
        let lead = sentence
            .char_indices()
            .find(|(_, c)| c.is_alphanumeric())
            .map(|(i, _)| i);
        let tokens = latin_runs(sentence);
        let mut run: Vec<(LatinRun, TokenKind)> = Vec::new();
        for token in tokens {
            let kind = classify(token.text);
            let joins = run
                .last()
                .is_some_and(|(prev, _)| &sentence[prev.end..token.start] == " ");
            // A model name starts a new run: "OpenAI GPT-5" is two names, "AI21 Labs" one.
            if kind == TokenKind::Plain || !joins || kind == TokenKind::Model {
                self.add_run(sentence, &run, lead);
                run.clear();
            }
            if kind != TokenKind::Plain {
                run.push((token, kind));
            }
        }
        self.add_run(sentence, &run, lead);
    }

    fn add_run(&mut self, sentence: &str, run: &[(LatinRun, TokenKind)], lead: Option<usize>) {
        match run.len() {
            0 => {}
            1 => {
                let (token, kind) = run[0];
                let at_start = lead == Some(token.start);
                if kind != TokenKind::Connector {
                    self.add(token.text, kind != TokenKind::Title, at_start);
                }
            }
            2..=4 => {
                let distinct: BTreeSet<&str> = run.iter().map(|(t, _)| t.text).collect();
                if distinct.len() < run.len() {
                    return; // "Voice Speed Voice Speed": a repeated menu, not a name
                }
                let phrase = &sentence[run[0].0.start..run[run.len() - 1].0.end];
                let strong = run
                    .iter()
                    .any(|(_, k)| matches!(k, TokenKind::Model | TokenKind::Strong));
                self.add(phrase, strong, lead == Some(run[0].0.start));
            }
            _ => {
                // A long capitalised run is a menu or a byline, not a name; keep its sure names.
                for (token, _) in run
                    .iter()
                    .filter(|(_, k)| matches!(k, TokenKind::Model | TokenKind::Strong))
                {
                    self.add(token.text, true, false);
                }
            }
        }
    }

    /// Titles are Title Case in English, so only their unmistakable names count.
    fn add_title(&mut self, title: &str) {
        for token in latin_runs(title) {
            if matches!(classify(token.text), TokenKind::Model | TokenKind::Strong) {
                self.add(token.text, true, false);
            }
        }
    }
}

/// Names quoted in a title: 「…」, 《…》, “…”, "…".
pub(super) fn quoted_names(title: &str) -> Vec<String> {
    let pairs = [
        ('「', '」'),
        ('『', '』'),
        ('《', '》'),
        ('“', '”'),
        ('"', '"'),
        ('‘', '’'),
    ];
    let mut out = Vec::new();
    for (open, close) in pairs {
        let mut rest = title;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + open.len_utf8()..];
            let Some(end) = after.find(close) else { break };
            let name = after[..end].trim();
            if (2..=30).contains(&name.chars().count()) {
                out.push(name.to_string());
            }
            rest = &after[end + close.len_utf8()..];
        }
    }
    out
}

/// 3-10 names, most frequent first (ties: first seen). Pads with frequent Chinese terms, then
/// outlet names, when the articles name fewer than three things.
pub(super) fn extract_entities(articles: &[BlockArticle], sentences: &[Sentence]) -> Vec<String> {
    let mut counter = count_names(articles, sentences);
    add_headline_subject(&mut counter, articles, sentences);
    let mut names = confident_names(&counter.candidates);
    names = padded(names, articles, sentences);
    names.truncate(ENTITIES_MAX);
    subject_first(names, articles)
}

/// Every name-like run of the titles and sentences, article by article; a name quoted in a
/// title (「…」, "…") counts as a strong name wherever the bodies repeat it.
fn count_names(articles: &[BlockArticle], sentences: &[Sentence]) -> EntityCounter {
    let mut counter = EntityCounter::default();
    let mut quoted: Vec<String> = Vec::new();
    for (index, article) in articles.iter().enumerate() {
        counter.add_title(&article.title);
        for name in quoted_names(&article.title) {
            counter.add(&name, true, false);
            quoted.push(name);
        }
        for sentence in sentences.iter().filter(|s| s.article == index) {
            counter.add_sentence(&sentence.text);
            for name in &quoted {
                for _ in 0..sentence.text.matches(name.as_str()).count() {
                    counter.add(name, true, false);
                }
            }
        }
    }
    counter
}

/// The headline's subject is often a single capitalised word that only ever starts a sentence
/// ("Casewright raises…", "Casewright says…"): a capitalised title word that the bodies repeat
/// and never write in lowercase is a name.
fn add_headline_subject(
    counter: &mut EntityCounter,
    articles: &[BlockArticle],
    sentences: &[Sentence],
) {
    let Some(first) = articles.first() else {
        return;
    };
    let body_runs: Vec<&str> = sentences
        .iter()
        .flat_map(|s| latin_runs(&s.text))
        .map(|r| r.text)
        .collect();
    for token in latin_runs(&first.title) {
        let word = token.text;
        let lower = word.to_lowercase();
        if classify(word) == TokenKind::Title
            && body_runs.iter().filter(|r| **r == word).count() >= 2
            && !body_runs.iter().any(|r| *r == lower)
        {
            counter.add(word, true, false);
        }
    }
}

impl Candidate {
    /// Two capitalised words in a row mid-sentence are almost always a name ("Hugging Face"); a
    /// single capitalised word must recur, and not only where every word is capitalised.
    fn is_confident(&self) -> bool {
        self.strong || (self.mid_sentence >= 1 && (self.words >= 2 || self.count >= 2))
    }

    fn is_tentative(&self) -> bool {
        !self.is_confident() && self.mid_sentence >= 1
    }

    /// The most frequent spelling (ties: the first in order).
    fn shown(&self) -> String {
        let best = self
            .spellings
            .iter()
            .map(|(s, n)| (n, s))
            .max_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(a.1)));
        best.map(|(_, s)| s.clone()).unwrap_or_default()
    }
}

/// The confident names, most frequent first (ties: first seen), at most `ENTITIES_MAX`; the
/// tentative ones join when fewer than `ENTITIES_MIN` are confident.
fn confident_names(candidates: &BTreeMap<String, Candidate>) -> Vec<String> {
    // A name inside a longer name seen at least as often is part of it: "AI21" in "AI21 Labs".
    let subsumed = |key: &str, c: &Candidate| {
        candidates.iter().any(|(other, o)| {
            o.words > c.words
                && o.count >= c.count
                && (other.starts_with(&format!("{key} "))
                    || other.ends_with(&format!(" {key}"))
                    || other.contains(&format!(" {key} ")))
        })
    };
    let mut ranked: Vec<&Candidate> = candidates
        .iter()
        .filter(|(k, c)| !subsumed(k, c))
        .map(|(_, c)| c)
        .collect();
    ranked.sort_by(|a, b| b.count.cmp(&a.count).then(a.first_seen.cmp(&b.first_seen)));
    let mut names = dedupe_case_insensitive(
        ranked
            .iter()
            .filter(|c| c.is_confident())
            .map(|c| c.shown()),
    );
    names.truncate(ENTITIES_MAX);
    if names.len() < ENTITIES_MIN {
        names.extend(
            ranked
                .iter()
                .filter(|c| c.is_tentative())
                .map(|c| c.shown()),
        );
        names = dedupe_case_insensitive(names);
    }
    names
}

/// Chinese organisation names, then (while fewer than `ENTITIES_MIN`) frequent Chinese terms,
/// title phrases and the outlets.
fn padded(
    mut names: Vec<String>,
    articles: &[BlockArticle],
    sentences: &[Sentence],
) -> Vec<String> {
    // Chinese organisation names come before any padding: they are names, not frequent words.
    let mut chinese = chinese_names(articles);
    chinese.truncate(ENTITIES_MAX.saturating_sub(names.len()).max(2));
    names.extend(chinese);
    names = dedupe_case_insensitive(names);
    let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
    if names.len() < ENTITIES_MIN {
        names.extend(chinese_terms(&texts, ENTITIES_MIN));
        names = dedupe_case_insensitive(names);
    }
    if names.len() < ENTITIES_MIN {
        let titles: Vec<&str> = articles.iter().map(|a| a.title.as_str()).collect();
        let more = title_phrases(&titles, &texts, ENTITIES_MIN - names.len(), &names);
        names.extend(more);
        names = dedupe_case_insensitive(names);
    }
    if names.len() < ENTITIES_MIN {
        names.extend(
            articles
                .iter()
                .map(|a| a.outlet.trim().to_string())
                .filter(|o| !o.is_empty()),
        );
        names = dedupe_case_insensitive(names);
    }
    names
}

/// The card is about the subject of the best article's headline: names in that title go first
/// (in title order), the rest keep their rank. "Casewright raises…" lists Casewright before
/// its investors.
fn subject_first(names: Vec<String>, articles: &[BlockArticle]) -> Vec<String> {
    let Some(title) = articles
        .first()
        .map(|a| to_script(&a.title, Language::ZhHans))
    else {
        return names;
    };
    let title = title.to_lowercase();
    let position = |name: &str| title.find(&to_script(name, Language::ZhHans).to_lowercase());
    let (mut in_title, rest): (Vec<String>, Vec<String>) =
        names.into_iter().partition(|n| position(n).is_some());
    in_title.sort_by_key(|n| position(n));
    in_title.extend(rest);
    in_title
}

/// Key phrases of English titles — runs of one to three content words ("sparse autoencoders",
/// "in-hand rotation") — most often repeated in the text first. The last resort before outlet
/// names when an English topic names fewer than three things: a research result often names no
/// organisation or product, but its subject is still what a reader searches for.
pub(super) fn title_phrases(
    titles: &[&str],
    texts: &[&str],
    wanted: usize,
    known: &[String],
) -> Vec<String> {
    let mut phrases: Vec<String> = Vec::new();
    for title in titles {
        let mut run: Vec<&str> = Vec::new();
        let words = title
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .filter(|w| !w.is_empty());
        for word in words.chain(std::iter::once("")) {
            let lower = word.to_lowercase();
            let content = word.len() >= 3
                && word.chars().any(|c| c.is_ascii_alphabetic())
                && !is_stopword(&lower)
                && !TITLECASE_STOPWORDS.contains(&word);
            if content && run.len() < 3 {
                run.push(word);
            } else {
                if !run.is_empty() {
                    phrases.push(run.join(" "));
                }
                run.clear();
                if content {
                    run.push(word);
                }
            }
        }
    }
    let haystack = texts.join(" ").to_lowercase();
    // Every 1-3-word sub-phrase of a run is a candidate, scored by how often the text repeats it
    // times its length (a repeated two-word term beats a slightly more frequent single word);
    // a phrase overlapping a chosen one is skipped.
    let mut scored: Vec<(usize, usize, usize, String)> = Vec::new();
    for (order, phrase) in phrases.iter().enumerate() {
        let words: Vec<&str> = phrase.split(' ').collect();
        for len in 1..=words.len() {
            for start in 0..=words.len() - len {
                let candidate = words[start..start + len].join(" ");
                let count = haystack.matches(&candidate.to_lowercase()).count();
                scored.push((count * len, len, order, candidate));
            }
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut chosen: Vec<String> = Vec::new();
    for (count, _, _, candidate) in scored {
        if chosen.len() == wanted {
            break;
        }
        let lower = candidate.to_lowercase();
        let overlaps = chosen.iter().chain(known).any(|c| {
            let c = c.to_lowercase();
            c.contains(&lower) || lower.contains(&c)
        });
        if count > 0 && !overlaps {
            chosen.push(candidate);
        }
    }
    chosen
}

pub(super) fn dedupe_case_insensitive(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    names
        .into_iter()
        .filter(|n| !n.trim().is_empty() && seen.insert(n.to_lowercase()))
        .collect()
}

/// The most frequent 2-4 character Han terms that appear in at least two sentences, preferring
/// the longest form of a term ("生成模型" over "生成" when they always occur together).
/// Unit and currency characters that follow a number (9.9万元人民币, 720亿): after a digit they
/// are blanked, so "万元人民" never becomes a term.
const QUANTITY_UNIT_CHARS: &str = "万亿千百十元美人民币港日欧英镑台新";

fn strip_quantity_units(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_digit = false;
    for c in text.chars() {
        if c.is_ascii_digit() || (after_digit && c == '.') {
            after_digit = true;
            out.push(c);
        } else if after_digit && QUANTITY_UNIT_CHARS.contains(c) {
            out.push(' ');
        } else {
            after_digit = false;
            out.push(c);
        }
    }
    out
}

pub(super) fn chinese_terms(sentences: &[&str], limit: usize) -> Vec<String> {
    let mut frequency: BTreeMap<String, (usize, usize)> = BTreeMap::new(); // term → (sentences, first)
    let mut position = 0;
    // Count Simplified and Traditional spellings of a term as one; the caller converts the
    // chosen terms to the target script.
    let folded: Vec<String> = sentences
        .iter()
        .map(|s| strip_quantity_units(&to_script(s, Language::ZhHans)))
        .collect();
    for sentence in &folded {
        let mut in_sentence = BTreeSet::new();
        for run in sentence.split(|c: char| !is_han(c)) {
            let chars: Vec<char> = run.chars().collect();
            for n in 2..=4 {
                for window in chars.windows(n) {
                    in_sentence.insert(window.iter().collect::<String>());
                }
            }
        }
        for term in in_sentence {
            position += 1;
            let entry = frequency.entry(term).or_insert((0, position));
            entry.0 += 1;
        }
    }
    let usable = |term: &str| {
        let first = term.chars().next().unwrap_or(' ');
        let last = term.chars().last().unwrap_or(' ');
        !is_han_term_edge(first) && !is_han_term_edge(last)
    };
    let eligible: BTreeMap<&str, (usize, usize)> = frequency
        .iter()
        .filter(|(t, (n, _))| *n >= 2 && usable(t))
        .map(|(t, v)| (t.as_str(), *v))
        .collect();
    let mut not_maximal = BTreeSet::new();
    for (term, (count, _)) in &eligible {
        let chars: Vec<char> = term.chars().collect();
        for n in 2..chars.len() {
            for window in chars.windows(n) {
                let inner: String = window.iter().collect();
                if frequency.get(&inner).is_some_and(|(c, _)| c == count) {
                    not_maximal.insert(inner);
                }
            }
        }
    }
    let mut ranked: Vec<(&str, usize, usize)> = eligible
        .iter()
        .filter(|(t, _)| !not_maximal.contains(**t))
        .map(|(t, (n, first))| (*t, *n, *first))
        .collect();
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(b.0.chars().count().cmp(&a.0.chars().count()))
            .then(a.2.cmp(&b.2))
    });
    let mut chosen: Vec<String> = Vec::new();
    for (term, _, _) in ranked {
        if chosen.len() == limit {
            break;
        }
        if chosen
            .iter()
            .all(|c| !c.contains(term) && !term.contains(c.as_str()))
        {
            chosen.push(term.to_string());
        }
    }
    chosen
}
