#!/usr/bin/env bash
# Step (mode: run): `tandem run` on INPUT_SCENARIO, optionally one shard (INPUT_SHARD = K/N), into
# INPUT_OUT. Never fails on a regression itself, so the artifact upload after it always has the
# folder; gate.sh fails the job afterwards. INPUT_ARGS: more `tandem run` arguments, one per line.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ -n "${INPUT_SCENARIO:-}" ] || die "scenario: required in mode 'run' (e.g. scenario: scenarios/gale-wasm-lto.yaml)"
out="${INPUT_OUT:-tandem-run}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
shard="${INPUT_SHARD:-}"
args=(run "$INPUT_SCENARIO" --out "$out")
if [ -n "$shard" ]; then
  [[ "$shard" =~ ^[0-9]+/[0-9]+$ ]] || die "shard: expected K/N such as 2/4 (got '$shard')"
  args+=(--shard "$shard")
  output artifact-suffix "-shard-${shard%/*}-of-${shard#*/}"
fi
lines "${INPUT_ARGS:-}"
args+=("${LINES_OUT[@]+"${LINES_OUT[@]}"}")

"$(tandem_cli)" "${args[@]}"
code=$?
publish_run "$out" "$code"
exit 0
