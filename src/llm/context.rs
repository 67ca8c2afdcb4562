//! The context-window layer. In: requests; out: requests that fit the model's context window —
//! or, when one does not, the server's `context_length_exceeded` turned into one trimmed retry.
//!
//! The window comes from `limits.context_tokens` when the user states it (so the first request
//! already fits), else from the first context error of the run, parsed from the server's message
//! (OpenAI's and vLLM's "maximum context length is N tokens", llama.cpp's `n_ctx` / "context size
//! (N tokens)", llama-cpp-python's "context window of N"), and is then shared by every later call.
//! A request fits when its prompt estimate plus `max_tokens` stays under 90 % of the window (the
//! margin covers the estimate's tokenizer being another model's). When the server states its own
//! count of the prompt (OpenAI, vLLM and llama.cpp do), the estimate is scaled by the ratio of
//! that count to ours from then on, so a trimmed retry fits the server's tokenizer the first time;
//! a trimmed request never asks for more completion tokens than the window leaves. Trimming follows DESIGN §5 on
//! the request's own `<articles>` block: lowest-ranked article bodies first, then every body
//! towards its lead; titles and leads are always kept. A request that cannot fit even so, or
//! whose trimmed retry overflows again, fails with the reason.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::blocks::{BlockArticle, write_block};
use super::budget::{Estimator, fit_articles_with};
use super::telemetry::Telemetry;
use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId};

/// A context error's parsed content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow {
    /// The window the server named, when it named one.
    pub window: Option<u32>,
    /// The prompt's size as the server counted it (its own tokenizer), when it said.
    pub prompt_tokens: Option<u32>,
}

/// Recognises a context-window error message and reads the window from it.
pub fn overflow_window(message: &str) -> Option<Overflow> {
    let lower = message.to_ascii_lowercase();
    let is_context = [
        "context_length_exceeded",
        "maximum context length",
        "exceed_context_size",
        "context size",
        "context window",
        "n_ctx",
    ]
    .iter()
    .any(|marker| lower.contains(marker));
    if !is_context {
        return None;
    }
    let window = [
        "maximum context length is",
        "\"n_ctx\":",
        "n_ctx",
        "context size (",
        "context window of",
    ]
    .iter()
    .find_map(|marker| number_after(&lower, marker));
    // The prompt as the server counted it: OpenAI "(2,014 in the messages", vLLM "your request has
    // 4800 input tokens", llama.cpp "n_prompt_tokens":5200 or "request (5200 tokens)".
    let prompt_tokens = number_before(&lower, " in the messages")
        .or_else(|| number_after(&lower, "your request has"))
        .or_else(|| number_after(&lower, "\"n_prompt_tokens\":"))
        .or_else(|| number_after(&lower, "request ("))
        .or_else(|| number_after(&lower, "requested tokens ("));
    Some(Overflow {
        window,
        prompt_tokens,
    })
}

/// The first integer after `marker` (skipping spaces, quotes, `=` and `:`; thousands separators
/// read through).
fn number_after(text: &str, marker: &str) -> Option<u32> {
    let start = text.find(marker)? + marker.len();
    let rest = text[start..].trim_start_matches([' ', '"', ':', '=', '(']);
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The integer just before `marker` ("2,014 in the messages").
fn number_before(text: &str, marker: &str) -> Option<u32> {
    let end = text.find(marker)?;
    let digits: String = text[..end]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}

pub struct Fitted<P> {
    inner: P,
    window: Mutex<Option<u32>>,
    /// The server's token count over our estimate for the same prompt, learned from the first
    /// overflow that states it (1.0 until then): the server counts with the model's tokenizer.
    scale: Mutex<f64>,
    estimator: Estimator,
    telemetry: Arc<Telemetry>,
}

impl<P: Provider> Fitted<P> {
    /// `window`: `limits.context_tokens`, or `None` to learn it from the first context error.
    pub fn new(
        inner: P,
        window: Option<u32>,
        estimator: Estimator,
        telemetry: Arc<Telemetry>,
    ) -> Self {
        Fitted {
            inner,
            window: Mutex::new(window),
            scale: Mutex::new(1.0),
            estimator,
            telemetry,
        }
    }

    fn known_window(&self) -> Option<u32> {
        *self.window.lock().expect("context mutex")
    }

    fn learn(&self, window: u32) {
        let mut known = self.window.lock().expect("context mutex");
        *known = Some(known.map_or(window, |w| w.min(window)));
    }

    fn known_scale(&self) -> f64 {
        *self.scale.lock().expect("context mutex")
    }

    /// Learns how much higher the server counts than we estimate (never lower than 1: an
    /// estimate that runs high only trims a little more than needed).
    fn learn_scale(&self, server_count: u32, our_estimate: u64) {
        if our_estimate == 0 {
            return;
        }
        let observed = f64::from(server_count) / our_estimate as f64;
        let mut scale = self.scale.lock().expect("context mutex");
        *scale = scale.max(observed).max(1.0);
    }
}

/// `req` trimmed to fit `window`, `None` when it already fits. `scale` is the server's count over
/// our estimate (1.0 when unknown): the trim aims at the server's count, not at ours, so the
/// retry fits the first time.
pub fn fit_request(
    req: &ChatRequest,
    window: u32,
    estimator: &Estimator,
    scale: f64,
) -> Result<Option<ChatRequest>, LlmError> {
    let max_tokens = u64::from(req.max_tokens.unwrap_or(0));
    let usable = u64::from(window) * 9 / 10;
    let scaled = |tokens: u64| (tokens as f64 * scale).ceil() as u64;
    let prompt = scaled(estimator.prompt_tokens(req));
    if prompt + max_tokens <= usable {
        return Ok(None);
    }
    let overflow = |message: String| LlmError::ContextOverflow {
        window: Some(window),
        message,
    };
    let allowed = usable.checked_sub(max_tokens).ok_or_else(|| {
        overflow(format!(
            "max_output_tokens ({max_tokens}) alone takes 90 % of the window; lower provider.max_output_tokens"
        ))
    })?;
    let Some((index, start, end)) = articles_block(req) else {
        return Err(overflow(format!(
            "the prompt needs ~{prompt} tokens, more than the {allowed} that fit, and has no article text to trim"
        )));
    };
    let content = &req.messages[index].content;
    let block = &content[start..end];
    let articles: Vec<BlockArticle> = super::blocks::read_block(block, "articles")
        .ok_or_else(|| overflow("the <articles> block cannot be read back to trim it".into()))?;
    let block_tokens = scaled(estimator.count(block) as u64);
    let rest = prompt.saturating_sub(block_tokens);
    let target = allowed.saturating_sub(rest);
    let (fitted, _) = fit_articles_with(
        articles,
        // The fitter counts in our units; the block adds tags and escapes around its JSON.
        ((target as f64 / scale) as u64).saturating_sub(16) as usize,
        estimator,
    );
    let new_block = write_block("articles", &fitted);
    let new_tokens = scaled(estimator.count(&new_block) as u64);
    if new_tokens > target {
        return Err(overflow(format!(
            "even with every article cut to its title and lead the prompt needs ~{} tokens, more than the {allowed} that fit (raise limits.context_tokens if the model has more, or lower provider.max_output_tokens)",
            rest + new_tokens
        )));
    }
    let mut out = req.clone();
    out.messages[index].content = format!("{}{}{}", &content[..start], new_block, &content[end..]);
    // Never ask for more completion tokens than the window leaves after the prompt.
    let left = u64::from(window).saturating_sub(rest + new_tokens);
    out.max_tokens = req.max_tokens.map(|m| m.min(left as u32));
    Ok(Some(out))
}

/// (message index, byte start, byte end) of the last `<articles>…</articles>` block.
fn articles_block(req: &ChatRequest) -> Option<(usize, usize, usize)> {
    req.messages.iter().enumerate().rev().find_map(|(i, m)| {
        let start = m.content.find("<articles>")?;
        let end = start + m.content[start..].find("</articles>")? + "</articles>".len();
        Some((i, start, end))
    })
}

#[async_trait]
impl<P: Provider> Provider for Fitted<P> {
    fn id(&self) -> &ProviderId {
        self.inner.id()
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let fitted = match self.known_window() {
            Some(window) => fit_request(req, window, &self.estimator, self.known_scale())?,
            None => None,
        };
        let req = fitted.as_ref().unwrap_or(req);
        match self.inner.chat(req).await {
            Err(LlmError::ContextOverflow {
                window: Some(window),
                message,
            }) => {
                self.learn(window);
                if let Some(server_count) = overflow_window(&message).and_then(|o| o.prompt_tokens)
                {
                    self.learn_scale(server_count, self.estimator.prompt_tokens(req));
                }
                let Some(trimmed) = fit_request(req, window, &self.estimator, self.known_scale())?
                else {
                    // Our estimate says it fits, the server says no: nothing to trim by.
                    return Err(LlmError::ContextOverflow {
                        window: Some(window),
                        message,
                    });
                };
                self.telemetry.context_trimmed();
                self.inner.chat(&trimmed).await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TokenEncoding;
    use crate::llm::testing::{Fake, ok};
    use crate::llm::{Message, Namespace, ResponseFormat};

    const OPENAI: &str = "This model's maximum context length is 2000 tokens. However, you requested 5200 tokens (4800 in the messages, 400 in the completion). Please reduce the length of the messages or completion.";
    const VLLM: &str = "'max_tokens' or 'max_completion_tokens' is too large: 400. This model's maximum context length is 2000 tokens and your request has 4800 input tokens (400 > 2000 - 4800). None";
    const LLAMACPP: &str = r#"{"error":{"code":400,"message":"request (5200 tokens) exceeds the available context size (2000 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":5200,"n_ctx":2000}}"#;
    const LLAMA_CPP_PYTHON: &str = "Requested tokens (5200) exceed context window of 2000";

    #[test]
    fn reads_the_window_from_each_server_form() {
        for (message, prompt) in [
            (OPENAI, 4800),
            (VLLM, 4800),
            (LLAMACPP, 5200),
            (LLAMA_CPP_PYTHON, 5200),
        ] {
            assert_eq!(
                overflow_window(message),
                Some(Overflow {
                    window: Some(2000),
                    prompt_tokens: Some(prompt)
                }),
                "{message}"
            );
        }
        assert_eq!(
            overflow_window("context_length_exceeded"),
            Some(Overflow {
                window: None,
                prompt_tokens: None
            })
        );
        // Thousands separators, as OpenAI writes them.
        let grouped = "This model's maximum context length is 3,000 tokens. However, you requested 3,214 tokens (2,014 in the messages, 1,200 in the completion).";
        assert_eq!(
            overflow_window(grouped),
            Some(Overflow {
                window: Some(3000),
                prompt_tokens: Some(2014)
            })
        );
        assert_eq!(overflow_window("rate limit reached"), None);
        assert!(matches!(
            LlmError::from_http(400, OPENAI.into(), None),
            LlmError::ContextOverflow {
                window: Some(2000),
                ..
            }
        ));
    }

    fn article(id: &str, words: usize) -> BlockArticle {
        BlockArticle {
            id: id.into(),
            outlet: "o".into(),
            title: format!("Title of {id}"),
            published: "2026-01-05T00:00:00Z".into(),
            url: format!("https://example.com/{id}"),
            text: "Lead sentence. ".to_string() + &"body words ".repeat(words),
        }
    }

    fn big_request() -> ChatRequest {
        let articles = vec![article("a1", 800), article("a2", 800), article("a3", 800)];
        ChatRequest {
            max_tokens: Some(400),
            ..ChatRequest::new(
                Namespace::Card,
                "m",
                vec![
                    Message::system("Write a card."),
                    Message::user(format!(
                        "Topic:\n\n{}\n\nEnd.",
                        write_block("articles", &articles)
                    )),
                ],
                ResponseFormat::JsonObject,
            )
        }
    }

    fn o200k() -> Estimator {
        Estimator::new(TokenEncoding::O200kBase)
    }

    #[tokio::test]
    async fn an_overflow_is_trimmed_to_the_stated_window_and_retried_once() {
        for form in [OPENAI, VLLM, LLAMACPP] {
            let fake = Arc::new(Fake::new(move |req, _| {
                if o200k().prompt_tokens(req) + 400 > 2000 {
                    Err(LlmError::from_http(400, form.into(), None))
                } else {
                    ok("{}")
                }
            }));
            let telemetry = Arc::new(Telemetry::default());
            let layer = Fitted::new(fake.clone(), None, o200k(), telemetry.clone());
            layer.chat(&big_request()).await.unwrap();
            let sent = fake.requests();
            assert_eq!(sent.len(), 2, "{form}");
            let fitted = &sent[1];
            assert!(o200k().prompt_tokens(fitted) + 400 <= 1800, "10 % margin");
            let articles: Vec<BlockArticle> =
                crate::llm::blocks::read_block(&fitted.messages[1].content, "articles").unwrap();
            assert_eq!(articles.len(), 3, "no article is dropped");
            assert!(
                articles
                    .iter()
                    .all(|a| a.text.starts_with("Lead sentence.")),
                "leads kept"
            );
            assert!(
                articles.iter().all(|a| a.title.starts_with("Title of")),
                "titles kept"
            );
            assert!(fitted.messages[1].content.ends_with("\n\nEnd."));
            assert_eq!(telemetry.snapshot().context_trims, 1);

            // The window is remembered: the next request is fitted before it is sent.
            layer.chat(&big_request()).await.unwrap();
            assert_eq!(fake.calls(), 3, "{form}");
        }
    }

    /// A server whose tokenizer counts 1.6 times our estimate (a local model's, on Chinese text)
    /// and says so: the one trimmed retry aims at its count and fits; the completion asked for
    /// never exceeds what the window leaves.
    #[tokio::test]
    async fn a_server_counting_higher_than_our_estimate_gets_a_retry_that_fits_its_count() {
        const WINDOW: u64 = 3000;
        let server_count = |req: &ChatRequest| (o200k().prompt_tokens(req) as f64 * 1.6) as u64;
        let fake = Arc::new(Fake::new(move |req, _| {
            let prompt = server_count(req);
            let completion = u64::from(req.max_tokens.unwrap_or(0));
            if prompt + completion > WINDOW {
                Err(LlmError::from_http(
                    400,
                    format!(
                        "This model's maximum context length is {WINDOW} tokens. However, you requested {} tokens ({prompt} in the messages, {completion} in the completion).",
                        prompt + completion
                    ),
                    None,
                ))
            } else {
                ok("{}")
            }
        }));
        let layer = Fitted::new(fake.clone(), None, o200k(), Arc::new(Telemetry::default()));
        for _ in 0..5 {
            layer.chat(&big_request()).await.unwrap();
        }
        // One overflow, one retry that fits, then every request fitted before it is sent.
        assert_eq!(fake.calls(), 6);
        for sent in &fake.requests()[1..] {
            assert!(server_count(sent) + u64::from(sent.max_tokens.unwrap()) <= WINDOW);
        }
    }

    #[tokio::test]
    async fn a_stated_window_fits_the_first_request_and_the_impossible_fails_with_a_reason() {
        let fake = Arc::new(Fake::answering("{}", Default::default()));
        let layer = Fitted::new(
            fake.clone(),
            Some(2000),
            o200k(),
            Arc::new(Telemetry::default()),
        );
        layer.chat(&big_request()).await.unwrap();
        assert_eq!(fake.calls(), 1);
        assert!(o200k().prompt_tokens(&fake.requests()[0]) + 400 <= 1800);

        let tiny = Fitted::new(
            fake.clone(),
            Some(600),
            o200k(),
            Arc::new(Telemetry::default()),
        );
        let err = tiny.chat(&big_request()).await.unwrap_err();
        assert!(matches!(err, LlmError::ContextOverflow { .. }), "{err}");
        assert!(err.to_string().contains("title and lead"), "{err}");
        assert_eq!(fake.calls(), 1, "nothing is sent that cannot fit");
    }
}
