#!/usr/bin/env bash
# Step (when INPUT_RENODE is set): make a Renode the user provides available as TANDEM_RENODE.
# INPUT_RENODE is the `renode` launcher, a folder holding it (e.g. restored by actions/cache), or
# a portable release archive (.tar.gz/.tgz), unpacked once into RUNNER_TEMP.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src="${INPUT_RENODE:-}"
[ -n "$src" ] || { echo "tandem-action: no renode input; Renode jobs will be reported as skipped"; exit 0; }
[ -e "$src" ] || die "renode: '$src' does not exist (give the renode launcher, its folder or a release .tar.gz)"

find_launcher() {
  find "$1" -maxdepth 3 -type f -name renode -perm -u+x 2>/dev/null | sort | head -n1
}

case "$src" in
  *.tar.gz | *.tgz)
    dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tandem-renode"
    launcher="$(find_launcher "$dest" || true)"
    if [ -z "$launcher" ]; then
      mkdir -p "$dest"
      tar -xzf "$src" -C "$dest"
      launcher="$(find_launcher "$dest" || true)"
    fi
    ;;
  *)
    if [ -d "$src" ]; then launcher="$(find_launcher "$src" || true)"; else launcher="$src"; fi
    ;;
esac
[ -n "$launcher" ] && [ -x "$launcher" ] || die "renode: no executable 'renode' launcher in '$src'"
launcher="$(cd "$(dirname "$launcher")" && pwd)/$(basename "$launcher")"
export_env TANDEM_RENODE "$launcher"
output renode "$launcher"
