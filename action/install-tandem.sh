#!/usr/bin/env bash
# Step: the tandem CLI. With INPUT_PACKAGE (an npm spec: a version, a .tgz, a git URL) it is
# installed with npm into RUNNER_TEMP; otherwise the action's own checkout is built (npm ci +
# prepack's build) unless it is built already. Later steps find it through TANDEM_CLI.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -n "${INPUT_PACKAGE:-}" ]; then
  prefix="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tandem-cli"
  mkdir -p "$prefix"
  [ -f "$prefix/package.json" ] || printf '{"name":"tandem-action-cli","private":true}\n' >"$prefix/package.json"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$INPUT_PACKAGE"
  cli="$(readlink -f "$prefix/node_modules/.bin/tandem")"
else
  if [ ! -f "$root/dist/harness/cli.js" ] || [ ! -d "$root/node_modules" ]; then
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build:package)
  fi
  cli="$root/bin/tandem"
fi
[ -f "$cli" ] || die "tandem CLI not found after install ($cli)"
version="$("$cli" --version)"
echo "tandem-action: tandem $version ($cli)"
export_env TANDEM_CLI "$cli"
output tandem-version "$version"
