# Shared by the action's step scripts: GitHub's file protocols and input lists. Sourced, not run.
# Values reach the scripts as INPUT_* environment variables (never pasted into the script text),
# and every command is run from an argument array.

# output NAME VALUE: a step output ($GITHUB_OUTPUT), one line per value.
output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; fi
  printf 'tandem-action: output %s=%s\n' "$1" "$2"
}

# export_env NAME VALUE: an environment variable for the later steps of the job ($GITHUB_ENV).
export_env() {
  if [ -n "${GITHUB_ENV:-}" ]; then printf '%s=%s\n' "$1" "$2" >>"$GITHUB_ENV"; fi
  export "$1=$2"
}

# lines VAR: the non-empty lines of an input, one list item each (how a YAML `|` block reads).
lines() {
  local text="$1" line
  LINES_OUT=()
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -n "$line" ] && LINES_OUT+=("$line")
  done <<<"$text"
  return 0
}

die() {
  echo "::error::tandem-action: $*" >&2
  exit 2
}

# as_root CMD…: run as root, through sudo when the runner is not root (GitHub's ubuntu images).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# verdict_of EXIT_CODE: tandem's exit code in words.
verdict_of() {
  case "$1" in
    0) echo passed ;;
    1) echo regressed ;;
    3) echo incomplete ;;
    130) echo interrupted ;;
    *) echo error ;;
  esac
}

# publish_run DIR CODE: outputs and job summary of a finished tandem run or merge.
publish_run() {
  local dir="$1" code="$2" verdict
  verdict="$(verdict_of "$code")"
  output verdict "$verdict"
  output exit-code "$code"
  output report-dir "$dir"
  if [ -f "$dir/summary.md" ]; then
    output summary "$dir/summary.md"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
      { cat "$dir/summary.md"; printf '\n'; } >>"$GITHUB_STEP_SUMMARY"
    fi
  elif [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '### tandem: %s\n\nNo report was written (exit code %s); see the step log.\n' "$verdict" "$code" >>"$GITHUB_STEP_SUMMARY"
  fi
  [ -f "$dir/junit.xml" ] && output junit "$dir/junit.xml"
  [ -f "$dir/twister.json" ] && output twister "$dir/twister.json"
  return 0
}

# tandem_cli: the CLI install-tandem.sh prepared (or, for a checkout, the one beside this script).
tandem_cli() {
  if [ -n "${TANDEM_CLI:-}" ]; then echo "$TANDEM_CLI"; return; fi
  echo "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bin/tandem"
}
