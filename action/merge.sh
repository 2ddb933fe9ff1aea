#!/usr/bin/env bash
# Step (mode: merge): join the shard run folders found under INPUT_RUNS (the artifacts of the
# shard jobs, downloaded into one folder) with `tandem merge` into INPUT_OUT.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

runs="${INPUT_RUNS:-}"
[ -n "$runs" ] || die "runs: required in mode 'merge' (the folder the shard artifacts were downloaded into)"
[ -d "$runs" ] || die "runs: '$runs' is not a folder"
out="${INPUT_OUT:-tandem-run}"
mapfile -t dirs < <(find "$runs" -name run.json -type f -printf '%h\n' | sort)
[ ${#dirs[@]} -gt 0 ] || die "runs: no run.json under '$runs' (did the shard jobs upload their run folders?)"
output artifact-suffix -merged
echo "tandem-action: merging ${#dirs[@]} shard run(s)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
"$(tandem_cli)" merge "${dirs[@]}" --out "$out"
code=$?
publish_run "$out" "$code"
exit 0
