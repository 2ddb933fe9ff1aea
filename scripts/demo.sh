#!/usr/bin/env bash
# README command 1: set up, then run the built-in demo (native vs wasm on QEMU, and on Renode when
# it is installed). The demo's wasm variant regresses on purpose, so tandem's exit code 1 is the
# expected outcome here; anything else is a real failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit $?
node bin/tandem.js run scenarios/demo.yaml "$@"
code=$?
case $code in
  0) echo "demo: no regression found (unexpected for this demo: its wasm variant is built to regress)";;
  1) echo "demo: tandem exited 1 because the wasm candidate regressed — which is what this demo shows"; code=0;;
esac
exit $code
