//! What vectors read of an article, and how a stream holds it. In: articles (their title, body
//! and language); out: the `Readable` view vectors read, and `ReadParts`: a batch's read parts —
//! title and body up to the end of the lead — in one string, handed out as `Part`s that give
//! the string back when the last of them is dropped. At a million articles the read parts are
//! 3 GB: as a small allocation each, the memory freed as they were vectorized stayed resident
//! (the allocator cannot return holes between live allocations); as one allocation per batch it
//! goes back as each batch's parts are done with.

use std::sync::Arc;

use crate::model::Article;

/// What vectors read of an article: its title, its body (of which the lead is read) and whether
/// it is written mainly in Chinese.
pub trait Readable {
    fn title(&self) -> &str;
    fn body(&self) -> &str;
    fn is_chinese(&self) -> bool;
}

impl Readable for Article {
    fn title(&self) -> &str {
        &self.title
    }
    fn body(&self) -> &str {
        &self.text
    }
    fn is_chinese(&self) -> bool {
        // The collect stage already decided each article's language from its text.
        self.lang.starts_with("zh")
    }
}

impl<T: Readable> Readable for &T {
    fn title(&self) -> &str {
        (**self).title()
    }
    fn body(&self) -> &str {
        (**self).body()
    }
    fn is_chinese(&self) -> bool {
        (**self).is_chinese()
    }
}

/// The read parts of a batch of articles in one string.
#[derive(Debug, Default)]
pub(super) struct ReadParts {
    text: String,
    /// Per part: where its title starts, where its body starts, where it ends (bytes of `text`),
    /// and whether it is written mainly in Chinese.
    parts: Vec<(u32, u32, u32, bool)>,
}

impl ReadParts {
    /// Adds what vectors read of `article` (its title, and its body up to the end of the lead).
    pub(super) fn push(&mut self, article: &Article) {
        let at = |len: usize| u32::try_from(len).expect("a batch's read parts are under 4 GB");
        let start = at(self.text.len());
        self.text.push_str(&article.title);
        let title_end = at(self.text.len());
        self.text
            .push_str(&article.text[..super::vectorize::read_end(article)]);
        self.parts
            .push((start, title_end, at(self.text.len()), article.is_chinese()));
    }

    /// Moves `other`'s parts to the end of these.
    pub(super) fn append(&mut self, other: ReadParts) {
        let base = u32::try_from(self.text.len()).expect("a batch's read parts are under 4 GB");
        self.text.push_str(&other.text);
        self.parts.extend(
            other
                .parts
                .into_iter()
                .map(|(start, title_end, end, chinese)| {
                    (base + start, base + title_end, base + end, chinese)
                }),
        );
    }

    pub(super) fn len(&self) -> usize {
        self.parts.len()
    }

    /// Only the parts at `indices` (ascending), in a string of their own: what is left to read
    /// once near-duplicate members are known.
    pub(super) fn keep(&self, indices: &[usize]) -> ReadParts {
        let size = indices
            .iter()
            .map(|&i| (self.parts[i].2 - self.parts[i].0) as usize)
            .sum();
        let mut kept = ReadParts {
            text: String::with_capacity(size),
            parts: Vec::with_capacity(indices.len()),
        };
        for &i in indices {
            let (start, title_end, end, chinese) = self.parts[i];
            let base = kept.text.len() as u32;
            kept.text.push_str(&self.text[start as usize..end as usize]);
            kept.parts.push((
                base,
                base + (title_end - start),
                base + (end - start),
                chinese,
            ));
        }
        kept
    }

    /// Part `index`, holding the string until it is dropped.
    pub(super) fn part(parts: &Arc<ReadParts>, index: usize) -> Part {
        Part {
            parts: parts.clone(),
            index: index as u32,
        }
    }
}

/// One article's read part (see `ReadParts`).
#[derive(Debug, Clone)]
pub(super) struct Part {
    parts: Arc<ReadParts>,
    index: u32,
}

impl Readable for Part {
    fn title(&self) -> &str {
        let (start, title_end, _, _) = self.parts.parts[self.index as usize];
        &self.parts.text[start as usize..title_end as usize]
    }
    fn body(&self) -> &str {
        let (_, title_end, end, _) = self.parts.parts[self.index as usize];
        &self.parts.text[title_end as usize..end as usize]
    }
    fn is_chinese(&self) -> bool {
        self.parts.parts[self.index as usize].3
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests_support::article;

    #[test]
    fn parts_read_as_their_articles_and_keep_keeps_the_chosen_ones() {
        let long = format!("Lumen-7B is out. {}", "More words about it. ".repeat(400));
        let articles = [
            article("a", "Lumen-7B tops a benchmark", &long),
            article(
                "b",
                "阿里开源Qwen-Image-2512",
                "阿里巴巴今天开源了图像模型。",
            ),
            article("c", "", ""),
        ];
        let mut parts = ReadParts::default();
        for a in &articles {
            parts.push(a);
        }
        let parts = Arc::new(parts);
        for (i, a) in articles.iter().enumerate() {
            let part = ReadParts::part(&parts, i);
            assert_eq!(part.title(), a.title);
            assert!(a.text.starts_with(part.body()));
            assert_eq!(part.is_chinese(), a.is_chinese());
        }
        assert!(
            ReadParts::part(&parts, 0).body().len() < long.len(),
            "cut at the lead"
        );
        let kept = Arc::new(parts.keep(&[1, 2]));
        assert_eq!(kept.len(), 2);
        assert_eq!(ReadParts::part(&kept, 0).title(), articles[1].title);
        assert_eq!(ReadParts::part(&kept, 0).body(), articles[1].text);
        assert_eq!(ReadParts::part(&kept, 1).title(), "");
    }
}
