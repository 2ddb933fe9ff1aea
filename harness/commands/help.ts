// The text of `tandem help`; one place, so every command's --help says the same.
import { defaultConcurrency } from '../run/run.js';
import { TANDEM_VERSION } from '../version.js';
import { ALL_FORMATS } from '../report/index.js';
import { REPEAT_LIMIT, concurrencyLimit } from './common.js';

export const HELP = `tandem ${TANDEM_VERSION} — run Zephyr ztest images in emulators and diff variants per test case

Usage:
  tandem run <scenario.yaml> [options]   build, boot, parse, diff and report
  tandem report <run-dir> [--format …]   re-render every report from run-dir/run.json
  tandem diff <run-a> <run-b> [--out DIR] compare two runs (a = before, b = after)
  tandem merge <run-dir>… [--out DIR]    join the shards of one run (see --shard)
  tandem rerun <run-dir> [options]       boot that run's images again and compare with it
  tandem debug <run-dir> <job> [options] boot one job's image paused, with a GDB server on 127.0.0.1
  tandem doctor                          which emulators and tools this machine has
  tandem demo [run options]              the built-in demo (native vs wasm); builds go to ./build
  tandem help | --version

Options for run:
  --out DIR            run folder (default: reports/<run-id>)
  -j, --jobs N         emulators at once (default: CPU cores = ${defaultConcurrency()}; at most ${concurrencyLimit(defaultConcurrency()).max})
  --build-jobs N       builds at once (default: 1; each build uses every core)
  --platform NAME      only this platform (repeatable, globs allowed)
  --suite NAME         only this suite (repeatable, globs allowed)
  --variant NAME       only this variant (repeatable, globs allowed)
  --repeat N           run every job N times (at most ${REPEAT_LIMIT.max}); a candidate bad in any attempt against a stable
                       baseline is worse, attempts that waver alike on both sides are 'flaky'
  --shard I/N          run only part I of N (split by platform and suite; join with tandem merge)
  --durations FILE     run.json whose job times order this run, longest first (repeatable;
                       earlier runs in the same reports folder are read anyway)
  --gate-platforms     exit 1 when a case disagrees across platforms (reported either way)
  --gate-size LIST     exit 1 when a candidate image grows over its baseline by more than this,
                       percent: ram=10,flash=10 (or one number for both; the scenario's size:)
  --gate-record LIST   exit 1 when a recorded figure's candidate/baseline ratio is over this:
                       cyc=4 (the scenario's records: gate)
  --gate-cost RATIO    exit 1 when a measured function costs more than RATIO × its baseline per call
                       (the scenario's measure: names the functions; informational otherwise)
  --allow-incomplete   exit 0 instead of 3 when something was not compared (still listed)
  --rebuild            build every image even if the build cache has it (keys are still recorded)
  --build-root DIR     where images are built (default: the scenario's build.build_root)
  --known FILE         known differences (replaces the scenario's known:): shown, counted, not gating
  --from-twister FILE  take the baseline from a twister run's twister.json instead of running it
  --no-snapshot        do not save Renode's state of crashed/timed-out jobs (tandem debug --from-snapshot)
  --format LIST        reports to write: ${ALL_FORMATS.join(',')} (default: all; run.json always)
  --tap                stream TAP 14 to stdout as jobs finish (progress goes to stderr)
  -q, --quiet          only the final summary
  -v, --verbose        every job and failing case as it finishes, with emulator command lines

Options for rerun (no planning, no build: the images and settings run.json recorded):
  --failed             only jobs that did not pass (or whose cases changed in that run's diff)
  --job GLOB           only these job ids, e.g. 'qemu_cortex_m3/wasm/*' (repeatable)
  --case GLOB          only jobs that ran a matching case (<suite>.<test> or <test>); compare those cases
  --repeat N           boot every image N times
  --rebuilt            boot images that changed since that run (after a fix and rebuild)
  --out DIR            rerun folder (default: rerun-<id> beside the run); the comparison goes in DIR/compare
  Exit 0 when every rerun job passes (fixed or still passing), 1 when one does not, 3 when one
  did not boot.

Options for debug:
  --case NAME          break on that ztest case's function (found in the ELF)
  --port N             GDB server port on 127.0.0.1 (default: a free one)
  --from-snapshot      Renode: load the state saved when the job failed, instead of booting

Exit codes: 0 every candidate compared and none worse, 1 the candidate regressed (or, with
nothing to compare, a job failed), 2 usage/config error or identical images, 3 incomplete
(something was not compared; --allow-incomplete accepts it), 130 interrupted;
70 internal error (a bug in tandem; the stack trace is saved to internal-error.txt in the run folder).
Environment: TANDEM_QEMU, TANDEM_RENODE (emulator binaries), NO_COLOR, CI.`;
