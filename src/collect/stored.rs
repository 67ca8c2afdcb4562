//! What collection keeps in the store between runs. In: articles and the validators of each
//! fetched URL; out: the `articles` tree (article id → article JSON) and the `http` tree (URL →
//! ETag, Last-Modified, body hash and the ids of the articles the body gave), so a 304 can hand
//! back last time's articles without parsing anything.

use serde::{Deserialize, Serialize};

use super::fetch::Validators;
use crate::model::Article;
use crate::store::{Batch, Store, StoreError, Tree};

/// One URL's entry in the `http` tree.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct HttpRecord {
    #[serde(flatten)]
    pub validators: Validators,
    /// blake3 of the body as received (after decompression).
    pub body_blake3: String,
    pub article_ids: Vec<String>,
    /// For an article page fetched for its full text: the extracted body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

pub(super) fn http_record(store: &dyn Store, url: &str) -> Result<Option<HttpRecord>, StoreError> {
    Ok(store
        .get(Tree::Http, url.as_bytes())?
        // A record from an older layout is as good as none: the next fetch is unconditional.
        .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

pub(super) fn put_http_record(
    store: &dyn Store,
    url: &str,
    record: &HttpRecord,
) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(record).expect("http records serialize");
    store.put(Tree::Http, url.as_bytes(), &bytes)
}

/// The stored articles with these ids, or `None` when any is missing (the caller refetches).
pub(super) fn articles_by_id(
    store: &dyn Store,
    ids: &[String],
) -> Result<Option<Vec<Article>>, StoreError> {
    let keys: Vec<&[u8]> = ids.iter().map(|id| id.as_bytes()).collect();
    let mut articles = Vec::with_capacity(ids.len());
    for bytes in store.get_many(Tree::Articles, &keys)? {
        match bytes.map(|bytes| serde_json::from_slice(&bytes)) {
            Some(Ok(article)) => articles.push(article),
            _ => return Ok(None),
        }
    }
    Ok(Some(articles))
}

/// Stores the articles; returns how many were not in the store before.
pub(super) fn put_articles(store: &dyn Store, articles: &[Article]) -> Result<usize, StoreError> {
    let keys = articles.iter().map(|a| a.id.as_bytes());
    crate::store::put_json(store, Tree::Articles, Batch::Replace, keys.zip(articles))
}
