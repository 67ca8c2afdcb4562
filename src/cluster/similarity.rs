//! Similarity of two articles from their vectors. In: the `Vectors` of the input and pairs of
//! articles; out: each pair's similarity — the cosine, or for a Chinese/English pair the larger
//! of the cosine and a weighted Latin-only cosine — computed one at a time (`similarity`) or for
//! one article against many partners at once (`Scorer`, bit for bit the same).

use super::vectorize::Vectors;
use crate::text::vector::{SparseVec, cosine};

/// Weight of the Latin-only cosine for a Chinese/English pair. Such a pair shares no bigrams, so
/// its full cosine is capped by the Chinese side's Latin share; the Latin-only cosine of one story
/// told in two languages is 0.35-0.75 and of unrelated pairs under 0.2. Tuned on both golds
/// (`newsdesk cluster --gold`): 0.5 missed most English-wire/Chinese-outlet pairs of the corpus
/// gold at the threshold below; 0.8 recovers them, 1.0 starts merging two launches of one company
/// on the fixture day.
pub(crate) const CROSS_LANGUAGE_WEIGHT: f32 = 0.8;

/// Similarity of articles `a` and `b`: the cosine, or for a Chinese/English pair the larger of
/// the cosine and `CROSS_LANGUAGE_WEIGHT` × the Latin-only cosine.
pub fn similarity(vectors: &Vectors, a: usize, b: usize) -> f32 {
    combined(vectors, a, b, |view, x, y| {
        cosine(view.vector(vectors, x), view.vector(vectors, y))
    })
}

/// Which vectors of an article a cosine is taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Full,
    Latin,
}

impl View {
    fn vector(self, vectors: &Vectors, doc: usize) -> &SparseVec {
        match self {
            View::Full => &vectors.docs[doc],
            View::Latin => vectors.latin(doc),
        }
    }
}

/// The rule of `similarity`, with the cosine of two articles' vectors supplied by the caller.
fn combined(
    vectors: &Vectors,
    a: usize,
    b: usize,
    mut cos: impl FnMut(View, usize, usize) -> f32,
) -> f32 {
    let full = cos(View::Full, a, b);
    if vectors.chinese[a] != vectors.chinese[b] {
        full.max(CROSS_LANGUAGE_WEIGHT * cos(View::Latin, a, b))
    } else {
        full
    }
}

/// `similarity`, equal to it bit for bit, for many pairs that share their first article (one
/// article against its candidates): that article's vector is put in a small hash table once and
/// each partner's terms are looked up in it, which costs the partner's length instead of a merge
/// walk over both (scoring the pairs is the largest cost of clustering at 100k articles). The
/// table is sized to the vector, not the vocabulary: a row over millions of terms made every
/// lookup a cache miss. One per thread.
pub struct Scorer<'a> {
    vectors: &'a Vectors,
    held: [HeldVector; 2],
}

impl<'a> Scorer<'a> {
    pub fn new(vectors: &'a Vectors) -> Self {
        Scorer {
            vectors,
            held: [HeldVector::default(), HeldVector::default()],
        }
    }

    pub fn similarity(&mut self, a: usize, b: usize) -> f32 {
        let (vectors, held) = (self.vectors, &mut self.held);
        combined(vectors, a, b, |view, x, y| {
            held[view as usize].dot(vectors, view, x, view.vector(vectors, y))
        })
    }
}

/// One article's vector (of one view) in an open-addressing table of `(term id, weight)`, with a
/// bit filter in front: most of a partner's terms are not in the held vector, and one well
/// predicted bit test per term costs less than a probe whose outcome the branch predictor cannot
/// guess.
#[derive(Default)]
struct HeldVector {
    slots: Vec<(u32, f32)>,
    /// log2 of the table size.
    bits: u32,
    /// `2^FILTER_SHIFT` bits per table slot, set at each held term's hash.
    filter: Vec<u64>,
    /// log2 of the filter's size in bits.
    filter_bits: u32,
    /// The article whose vector is held (each `HeldVector` of a `Scorer` serves one view).
    held: Option<usize>,
}

impl HeldVector {
    const EMPTY: u32 = u32::MAX;
    /// The table is at most half full, the filter has eight bits per slot: a term the held
    /// vector lacks passes the filter about one time in sixteen.
    const FILTER_SHIFT: u32 = 3;

    /// Fibonacci hashing: the top `bits` bits of the product, well mixed even for dense ids.
    fn hash(term: u32, bits: u32) -> usize {
        (term.wrapping_mul(0x9e37_79b1) >> (32 - bits)) as usize
    }

    fn hold(&mut self, vector: &SparseVec) {
        // At most half full, so a miss that passes the filter ends within a slot or two.
        self.bits = (vector.len() * 2)
            .next_power_of_two()
            .max(16)
            .trailing_zeros();
        self.filter_bits = (self.bits + Self::FILTER_SHIFT).min(32);
        self.slots.clear();
        self.slots.resize(1 << self.bits, (Self::EMPTY, 0.0));
        self.filter.clear();
        self.filter
            .resize((1usize << self.filter_bits).div_ceil(64), 0);
        let mask = self.slots.len() - 1;
        for &(term, weight) in vector {
            let bit = Self::hash(term, self.filter_bits);
            self.filter[bit / 64] |= 1 << (bit % 64);
            let mut i = Self::hash(term, self.bits);
            while self.slots[i].0 != Self::EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = (term, weight);
        }
    }

    fn weight(&self, term: u32) -> Option<f32> {
        let bit = Self::hash(term, self.filter_bits);
        if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = Self::hash(term, self.bits);
        loop {
            match self.slots[i] {
                (t, w) if t == term => return Some(w),
                (Self::EMPTY, _) => return None,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// `cosine(vector of left, right)`, loading `left` only when it is not the one held.
    fn dot(&mut self, vectors: &Vectors, view: View, left: usize, right: &SparseVec) -> f32 {
        if self.held != Some(left) {
            self.hold(view.vector(vectors, left));
            self.held = Some(left);
        }
        // The shared terms' products added in ascending term order from 0.0: the same sum, in
        // the same order, as `cosine`'s merge walk (which adds nothing for the others).
        let mut dot = 0.0f32;
        for &(term, w) in right {
            if let Some(held) = self.weight(term) {
                dot += held * w;
            }
        }
        dot
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests_support::article;
    use crate::cluster::vectorize::vectorize;

    #[test]
    fn scorer_equals_similarity_bit_for_bit() {
        let texts = [
            (
                "Qwen-Image-2512 released",
                "Alibaba open-sources Qwen-Image-2512 today.",
            ),
            (
                "阿里开源Qwen-Image-2512",
                "阿里巴巴今天开源了Qwen-Image-2512图像模型，效果很强。",
            ),
            (
                "NVIDIA opens Alpamayo",
                "NVIDIA releases the Alpamayo driving model at CES.",
            ),
            (
                "英伟达开源Alpamayo",
                "英伟达在CES发布Alpamayo自动驾驶模型，黄仁勋亲自介绍。",
            ),
            (
                "OpenAI ships GPT-5.2",
                "OpenAI released GPT-5.2 with a longer context window.",
            ),
            ("GPT-5.2 上线", "OpenAI发布GPT-5.2，上下文更长，价格不变。"),
            (
                "Anthropic launches Cowork",
                "Anthropic launched Cowork for Claude users.",
            ),
            (
                "Unrelated weather",
                "Rain tomorrow in the north; sun in the south.",
            ),
        ];
        let articles: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, (title, text))| article(&format!("a{i}"), title, text))
            .collect();
        let vectors = vectorize(&articles);
        let mut scorer = Scorer::new(&vectors);
        let mut compared = 0;
        for a in 0..articles.len() {
            for b in a + 1..articles.len() {
                let one = similarity(&vectors, a, b);
                assert_eq!(scorer.similarity(a, b).to_bits(), one.to_bits(), "{a}-{b}");
                compared += usize::from(one > 0.0);
            }
        }
        assert!(compared >= 4, "the pairs must share terms to test anything");
        for (en, zh) in [(0, 1), (2, 3), (4, 5)] {
            assert!(vectors.chinese[zh] && !vectors.chinese[en]);
            assert!(
                similarity(&vectors, en, zh) > 0.0,
                "cross-language {en}-{zh}"
            );
        }
        // Back to an earlier article after others: the held vector is reloaded, not reused.
        assert_eq!(
            scorer.similarity(0, 1).to_bits(),
            similarity(&vectors, 0, 1).to_bits()
        );
    }
}
