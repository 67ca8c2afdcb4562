#!/usr/bin/env bash
# Records a real model's answers as the cassette CI replays (fixtures/cassettes/real-model.jsonl)
# and its description (fixtures/cassettes/recording.json): the bundled fixture day with 5 topics,
# the card eval suite and the insight suite (variant local; RECORD_ALL=1 adds local-v2), all
# answered by llama.cpp's own server (llama-server) with Qwen2.5-Coder-1.5B-Instruct, installed
# and started through ../shared/peers/real_llm.sh. About 20 minutes for the day, 55 for the card
# eval and 13 for the insight eval on 2 idle cores (measured 2026-12-07). On a busy machine the
# server's two threads wait on each other: with another process on one core generation fell from
# ~10 to under 1 token/s (measured 2026-12-06), so record on an idle machine.
#
# Re-record after changing prompts/card.tera or prompts/insight.tera (tests/cassettes.rs says when
# the cassette is stale). The port the server ran on is part of every cache key (the provider id
# is kind + host), so it is written to recording.json and replays use it without connecting.
set -euo pipefail
cd "$(dirname "$0")/../.."
PEER=../shared/peers/real_llm.sh
[ -x "$PEER" ] || [ -f "$PEER" ] || { echo "no $PEER: the real model comes from ../shared/peers" >&2; exit 2; }
work=$(mktemp -d)
trap 'bash "$PEER" stop >/dev/null 2>&1 || true' EXIT
bash "$PEER" install
bash "$PEER" start "$work/port" "$work/server.log"
export OPENAI_BASE_URL="http://127.0.0.1:$(cat "$work/port")/v1"
# NEWSDESK_BIN=target/debug/newsdesk skips the release build (the model's time dominates).
bin=${NEWSDESK_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --locked
  bin=target/release/newsdesk
fi
nd="$bin --config scripts/real-model/newsdesk.toml --store $work/store"
# The day first: it is what `demo --cassette` shows. Then the card suite's `local` variant, which
# tests/cassettes.rs replays, and the insight suite's; RECORD_ALL=1 adds the local-v2 variant.
$nd run --date 2026-01-05 --out "$work/out" --json >"$work/run.json" || true
$nd eval --suite evals/cards.toml --variant local --report "$work/eval" --json >"$work/cards.json" || true
$nd eval --suite evals/insight.toml --variant local --report "$work/eval" --json >"$work/insight.json" || true
if [ -n "${RECORD_ALL:-}" ]; then
  $nd eval --suite evals/cards.toml --variant local-v2 --report "$work/eval" --json >"$work/cards-v2.json" || true
fi
$nd cache export fixtures/cassettes/real-model.jsonl
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
run = json.load(open(f"{work}/run.json"))
out = {
    "base_url": os.environ["OPENAI_BASE_URL"],
    "model": "Qwen2.5-Coder-1.5B-Instruct Q4_K_M through llama-server (xllamacpp), alias local",
    "config": "scripts/real-model/newsdesk.toml",
    "run_id": run["run_id"],
    "status": run["status"],
    "cards": run["cards"],
    "card_stats": run["card_stats"],
    "lint_errors": run["lint_errors"],
    "eval": {},
}
try:
    cards = json.load(open(f"{work}/cards.json"))
except (OSError, ValueError):
    cards = {"suites": []}  # the eval did not finish: tests/cassettes.rs skips its replay
for suite in cards["suites"][:1]:
    for comparison in suite["comparisons"]:
        out["eval"][comparison["variant"]] = {m["metric"]: m["mean"] for m in comparison["metrics"]}
json.dump(out, open("fixtures/cassettes/recording.json", "w"), indent=2, ensure_ascii=False)
PY
# The night's record names the recording's temporary paths: write it again from a neutral place.
NEWSDESK_BIN="$bin" bash scripts/real-model/refresh.sh
echo "recorded: fixtures/cassettes/real-model.jsonl ($(du -h fixtures/cassettes/real-model.jsonl | cut -f1))"
