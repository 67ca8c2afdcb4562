//! The one home of language rules; every stage that reads text imports it, none asks another
//! stage. In: strings; out: facts about them — script and zh-Hant/zh-Hans conversion (`script`),
//! language (`lang`, one threshold for "is this Chinese"), tokens (`tokenize`: CJK bigrams, Latin
//! words, model names), word casing (`casing`: names against common words), stopwords (`stopwords`, English and Chinese, in tiers), sentences
//! (`sentences`), term vectors with their cosine (`vector`) and the zh-Hant Taiwan lists around
//! OpenCC's Taiwan phrase conversion (`vocab`), and URLs as stories compare them (`url`: canonical
//! form, absolute http(s)). Pure functions, no I/O.

pub mod casing;
pub mod headline;
pub mod lang;
pub mod numbers;
pub mod relevance;
pub mod script;
pub mod sentences;
pub mod stopwords;
pub mod tokenize;
pub mod url;
pub mod vector;
pub mod vocab;

pub use lang::{detect_language, is_chinese};
pub use script::{
    has_han, is_han, name_in_script, to_script, wrong_script_chars, wrong_script_ratio,
};
pub use stopwords::Stopwords;
pub use tokenize::{Options, Token, TokenKind, tokenize};
