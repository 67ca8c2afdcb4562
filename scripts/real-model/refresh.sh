#!/usr/bin/env bash
# Brings the real-model cassette up to date after a change that asks the model nothing new — a
# template, the renderer, lint, the manifest — without the model: the recorded answers are
# imported, the fixture day is run again in replay mode by today's code (every call a cache hit),
# and the cassette is written back with that run's record in place of the old one, its answers
# untouched. recording.json takes the new run's id and counts. Seconds, offline.
#
# A change to what the model is asked (prompts/card.tera, prompts/insight.tera, a schema, the
# config) makes the replay miss: then re-record with scripts/real-model/record.sh instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${NEWSDESK_BIN:-target/debug/newsdesk}
[ -x "$bin" ] || cargo build --locked
cassette=fixtures/cassettes/real-model.jsonl
base_url=$(python3 -c 'import json; print(json.load(open("fixtures/cassettes/recording.json"))["base_url"])')
work=$(mktemp -d)
# A run's manifest records its config file and outputs by absolute path: the night runs from a
# fixed neutral directory so the cassette names no checkout or user (the fixture day is reached
# through a link, as the config's relative source path expects).
neutral=/tmp/newsdesk-cassette
trap 'rm -rf "$work" "$neutral"' EXIT
rm -rf "$neutral" && mkdir -p "$neutral/scripts/real-model"
cp scripts/real-model/newsdesk.toml "$neutral/scripts/real-model/"
ln -s "$(pwd)/fixtures" "$neutral/fixtures"
bin=$(realpath "$bin")
export OPENAI_BASE_URL="$base_url"
nd="$bin --config scripts/real-model/newsdesk.toml --store $work/store"
(cd "$neutral" && $nd cache import "$(cd - >/dev/null && realpath "$cassette")" >/dev/null)
(cd "$neutral" && $nd run --date 2026-01-05 --cache-mode replay --out out --json) >"$work/run.json" || {
  echo "the replay missed a recorded answer or failed: re-record with scripts/real-model/record.sh" >&2
  cat "$work/run.json" >&2
  exit 1
}
run_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$work/run.json")
(cd "$neutral" && $nd cache export --run "$run_id" "$work/night.jsonl" >/dev/null)
python3 - "$work" "$cassette" <<'PY'
import json, sys
work, cassette = sys.argv[1], sys.argv[2]
def entries(path):
    # Lines are kept as written: each carries a hash of its value as the store serialised it.
    for line in open(path, encoding="utf-8"):
        if line.strip():
            head = json.loads(line)
            yield (head["tree"], head["key"]), line if line.endswith("\n") else line + "\n"
# Every recorded answer (the eval's included) and article stays; the runs tree is the new night's.
night = list(entries(f"{work}/night.jsonl"))
kept = [(k, l) for k, l in entries(cassette) if k[0] != "runs"]
seen, out = set(), []
for key, line in night + kept:
    if key not in seen:
        seen.add(key)
        out.append((key, line))
out.sort(key=lambda kl: (kl[0][0] != "runs", kl[0]))
with open(cassette, "w", encoding="utf-8") as f:
    f.writelines(line for _, line in out)
run = json.load(open(f"{work}/run.json"))
rec = json.load(open("fixtures/cassettes/recording.json"))
for k in ("run_id", "status", "cards", "card_stats", "lint_errors"):
    rec[k] = run[k]
with open("fixtures/cassettes/recording.json", "w", encoding="utf-8") as f:
    json.dump(rec, f, indent=2, ensure_ascii=False)
    f.write("\n")
PY
echo "refreshed $cassette ($(du -h "$cassette" | cut -f1)) for run $run_id"
