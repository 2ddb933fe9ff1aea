#!/usr/bin/env bash
# Step, last: the job's result from the verdict run.sh/merge.sh recorded. A regression fails the
# job unless INPUT_FAIL_ON_REGRESSION is false; an incomplete run (something that should have been
# compared was not) fails it unless INPUT_FAIL_ON_INCOMPLETE is false; a usage/configuration error
# or an interrupted run always does.
set -euo pipefail
verdict="${INPUT_VERDICT:-error}"
case "$verdict" in
  passed) echo "tandem: no regression"; exit 0 ;;
  regressed)
    if [ "${INPUT_FAIL_ON_REGRESSION:-true}" = false ]; then
      echo "::warning::tandem: the candidate regressed (fail-on-regression: false)"
      exit 0
    fi
    echo "::error::tandem: the candidate regressed; see the job summary and the run artifact"
    exit 1 ;;
  incomplete)
    if [ "${INPUT_FAIL_ON_INCOMPLETE:-true}" = false ]; then
      echo "::warning::tandem: incomplete — something was not compared (fail-on-incomplete: false); see the job summary"
      exit 0
    fi
    echo "::error::tandem: incomplete — something that should have been compared was not (exit 3); see the job summary for what"
    exit 1 ;;
  *) echo "::error::tandem: run ended with '$verdict' (exit code ${INPUT_EXIT_CODE:-?}); see the step log"; exit 1 ;;
esac
