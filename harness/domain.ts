// The vocabulary every part of tandem speaks. Plain data only: these values cross process
// boundaries (run.json, sharded runs merged later), so nothing here holds a handle or a class.
import type { ConsoleSpec, Footprint, FootprintDiff, RecordDiff, Records } from './domain-measures.js';
import type { CostDiff, JobCost, JobReach, MeasureSpec, ReachDiff } from './domain-cost.js';

// The measurement rooms' vocabulary (footprint, recorded figures; cost and reach) lives beside this file.
export * from './domain-measures.js';
export type * from './domain-cost.js';

export type EmulatorKind = 'qemu' | 'renode' | 'silicon';

export interface QemuSettings {
  machine: string;
  cpu: string;
  /** Extra arguments appended after tandem's own; an array, never a shell string. */
  extraArgs: string[];
  /** `-icount shift=N`: the guest clock Zephyr's qemu boards are tuned for. */
  icountShift: number;
  /**
   * QEMU virtual seconds per second of the guest's own clock (its timer as the board's Kconfig
   * believes it runs); 1 when absent. lm3s6965evb's SysTick runs slower than Zephyr's 12 MHz.
   */
  virtualPerGuest?: number;
}

export interface RenodeSettings {
  /** Platform description, relative to the repository root (boards/nucleo_g474re.repl). */
  repl: string;
  /** Peripheral name of the console UART in the platform (sysbus.<uart>). */
  uart: string;
  /** `fast` trades cycle accuracy for wall time; `faithful` runs at the real core clock. */
  timing: 'fast' | 'faithful';
  mips: { fast: number; faithful: number };
  quantum: { fast: string; faithful: string };
}

export interface SiliconSettings {
  /** argv of the flash command; `{image}` is replaced by the ELF path. */
  flash: string[];
  /** Serial device of the board's console, e.g. /dev/ttyACM0. */
  console: string;
  baud: number;
}

export interface Platform {
  name: string;
  emulator: EmulatorKind;
  /** Board name passed to builders (`-DBOARD=`), usually the same as `name`. */
  board: string;
  arch: string;
  ramKb?: number;
  flashKb?: number;
  clockHz?: number;
  /** Scales every timeout of jobs on this platform (slow emulators, real boards). */
  timeoutMultiplier: number;
  qemu?: QemuSettings;
  renode?: RenodeSettings;
  silicon?: SiliconSettings;
  /** Where the platform was loaded from, for error messages. */
  source?: string;
}

export interface Variant {
  name: string;
  /** Kconfig lines (`CONFIG_X=y`) written to a fragment and passed to the build. */
  kconfig: string[];
  cmakeArgs: string[];
  env: Record<string, string>;
  /** Only these suites get this variant (globs on suite name); all when absent. */
  suites?: string[];
  /** Only these platforms get this variant (globs on platform name); all when absent. */
  platforms?: string[];
}

/**
 * One scenario of a Zephyr `testcase.yaml` (a `tests:` entry merged with `common:`), as twister
 * reads it. Lists are as written; `arch:<a>:` / `platform:<p>:` prefixes are resolved per job.
 */
export interface TwisterScenario {
  /** The `tests:` key, e.g. `kernel.mutex`. */
  id: string;
  /** The testcase.yaml it came from. */
  file: string;
  extraConfigs: string[];
  extraArgs: string[];
  extraConfFiles: string[];
  extraOverlayConfs: string[];
  extraDtcOverlayFiles: string[];
  platformAllow: string[];
  platformExclude: string[];
  archAllow: string[];
  archExclude: string[];
  integrationPlatforms: string[];
  tags: string[];
  /** Seconds; twister's default is 60 when absent. */
  timeout?: number;
  buildOnly: boolean;
  skip: boolean;
  minRamKb?: number;
  minFlashKb?: number;
  /** Kconfig/devicetree expression, evaluated against the build's .config when possible. */
  filter?: string;
  harness?: string;
  /** `harness: console` with its `harness_config`, and `harness_config.record` (any harness). */
  console?: ConsoleSpec;
  type?: string;
  /** Keys twister knows that tandem records but does not act on (depends_on, platform_key…). */
  ignored: Record<string, unknown>;
}

export interface Suite {
  /** Short name used in ids, reports and path templates (`{suite}`). */
  name: string;
  /** Source directory of the test app (for builders); may be absent for prebuilt images. */
  path?: string;
  timeouts?: Partial<Timeouts>;
  /** The name the scenario listed the suite under, when a testcase.yaml expanded it into several. */
  group?: string;
  /** Set when the suite is one scenario of a testcase.yaml. */
  twister?: TwisterScenario;
}

/** Which clock a boot's silence and wall limits count: the guest's (emulated) time or the host's. */
export type ClockKind = 'guest' | 'host';

export interface Timeouts {
  /** Limit of one boot, seconds (of `clock` time). */
  wallSeconds: number;
  /** No console output for this long means the guest hangs, seconds. */
  silenceSeconds: number;
  /** After a fatal-error line, how long to keep reading the fault dump, seconds (host time). */
  crashGraceSeconds: number;
  /** Clock of `wallSeconds` and `silenceSeconds`; guest when absent and the emulator has one. */
  clock?: ClockKind;
  /**
   * The platform's `timeout_multiplier`: where the host clock counts (`clock: host`, a guest clock
   * that does not answer, the backstops) the limits are this many times longer. Guest time is not
   * stretched: a slow emulator does not slow the guest's own clock.
   */
  hostScale?: number;
}

export interface Image {
  path: string;
  sha256?: string;
  /** How the image came to be: built now, taken from the build cache, or prebuilt. */
  origin: 'built' | 'cached' | 'prebuilt';
  buildLog?: string;
  /** Facts about how the image was made (build key, Kconfig switches, wasm object hashes, gale manifest). */
  provenance?: Record<string, unknown>;
}

export interface Job {
  /** Stable, filesystem-safe: `<platform>/<variant>/<suite>` (+ `#<n>` for repeats). */
  id: string;
  scenario: string;
  suite: Suite;
  variant: Variant;
  platform: Platform;
  timeouts: Timeouts;
  /** 1-based attempt number when a job is repeated (`--repeat`). */
  attempt: number;
  image?: Image;
  /** Set when the job must not be built or run; the reason starts with `filtered: `. */
  filtered?: string;
  /** testcase.yaml `build_only: true`: build (and check) the image but do not boot it. */
  buildOnly?: boolean;
  /** What the console is read for besides ztest: twister's console harness, figures to record. */
  console?: ConsoleSpec;
  /** The scenario's `measure:`: functions whose cost and reach the boot records. */
  measure?: MeasureSpec;
}

/** The part of a Job that names it in results; survives serialisation and merging. */
export interface JobRef {
  id: string;
  suite: string;
  variant: string;
  platform: string;
  emulator: EmulatorKind;
  attempt: number;
}

export type CaseStatus = 'pass' | 'fail' | 'skip' | 'blocked' | 'crash' | 'timeout';

export interface CaseResult {
  /** ztest suite name (`mutex_api_1cpu`), not the scenario suite. */
  suite: string;
  /** Test name as printed, with its `test_` prefix. */
  name: string;
  status: CaseStatus;
  /** Duration the guest reported, milliseconds. */
  durationMs?: number;
  /** The first assert/fault line explaining a non-pass, as printed. */
  detail?: string;
  /** 1-based console line where the case started (for report links). */
  line?: number;
  /** 1-based console line of `detail`. */
  detailLine?: number;
}

export type Verdict =
  | 'passed'
  | 'failed'
  | 'crashed'
  | 'timeout'
  | 'build-error'
  | 'emulator-error'
  | 'skipped';

/** Which clock ended a boot at its silence or wall limit (absent in runs older than the field). */
export interface LimitClock {
  clock?: ClockKind;
  /** Host time the limit took, ms (for a silence: since the last console output). */
  hostMs?: number;
  /** Guest time the guest clock counted, ms, when it was read. */
  guestMs?: number;
  /** The guest clock had stopped: the guest idles with no timer pending, nothing can ever wake it. */
  idle?: boolean;
  /** Ended by the host-time backstop although the guest clock was in use. */
  backstop?: boolean;
}

/** Why a run ended; each maps onto a verdict. */
export type RunEnd =
  /**
   * The run reached its verdict: the PROJECT EXECUTION line, or — `console` says what it saw — a
   * console harness's patterns (testcase.yaml `harness: console`) or a record pattern's end line.
   */
  | { kind: 'project'; success: boolean; console?: string }
  | { kind: 'fatal'; reason: string }
  | ({ kind: 'silence'; seconds: number } & LimitClock)
  | ({ kind: 'wall'; seconds: number } & LimitClock)
  | { kind: 'exit'; code: number | null; signal: string | null }
  | { kind: 'aborted' }
  | { kind: 'emulator-error'; message: string }
  | { kind: 'build-error'; message: string }
  | { kind: 'skipped'; reason: string };

export interface Fatal {
  reason: string;
  /** The `>>> ZEPHYR FATAL ERROR` line as printed. */
  line: string;
  lineNumber: number;
  /** Fault header such as `USAGE FAULT`, when the dump had one. */
  fault?: string;
  pc?: string;
  thread?: string;
}

export interface Provenance {
  tandemVersion: string;
  /** The platform settings the job booted with, so `tandem rerun`/`debug` need no scenario or platforms folder. */
  platform?: Platform;
  /** The job's resolved timeouts (after the platform's multiplier), for `tandem rerun`. */
  timeouts?: Timeouts;
  /** Absolute path of the booted image. */
  image?: string;
  emulator?: { kind: EmulatorKind; version?: string; command?: string[]; timing?: string };
  imageSha256?: string;
  zephyrVersion?: string;
  host: string;
  /** The functions the job measured, so `tandem rerun` measures them again. */
  measure?: MeasureSpec;
  [extra: string]: unknown;
}

/**
 * Guest accesses that hit no model, as the emulator reported them (Renode: `non existing
 * peripheral`; QEMU: `-d unimp,guest_errors`), one entry per address, direction and width.
 */
export interface UnmodelledAccess {
  /** Absolute guest address, `0x50060800`; the region offset when the region's base is unknown. */
  address: string;
  access: 'read' | 'write';
  /** Bytes per access. */
  width: number;
  /** How many times the guest did it during the boot. */
  count: number;
  /** Where the guest was the first time, `0x8001234`, when the emulator says. */
  pc?: string;
  /** The first value written. */
  value?: string;
  /** The emulator's name for what is there (QEMU's unimplemented-device name, a Renode tag). */
  region?: string;
  /** The devicetree node that owns the address (`rng@50060800`), when the build's zephyr.dts was found. */
  node?: string;
  /** That node's `status` (`okay`, `disabled`). */
  nodeStatus?: string;
}

export interface RunResult {
  job: JobRef;
  verdict: Verdict;
  /** One line a human can act on: the fatal line, the timeout, the build error, the skip reason. */
  reason?: string;
  end: RunEnd;
  cases: CaseResult[];
  fatal?: Fatal;
  /** Console log relative to the run folder (raw bytes). */
  log?: string;
  buildLog?: string;
  startedAt: string;
  wallMs: number;
  /** Guest time the emulator reports, when it does. */
  virtualMs?: number;
  /** Accesses that hit no model, most frequent first: a fidelity warning even when the job passed. */
  unmodelled?: UnmodelledAccess[];
  provenance: Provenance;
  /** The fault dump of a crash, resolved against the job's own ELF (harness/forensics/). */
  forensics?: Forensics;
  /** Renode: the machine state saved when the job crashed or timed out (`tandem debug --from-snapshot`). */
  snapshot?: Snapshot;
  /** What the image weighs, read from its ELF (and zephyr.map): harness/measure/footprint/. */
  footprint?: Footprint;
  /** Figures the console printed that a record pattern captured: harness/measure/records/. */
  records?: Records;
  /** Instructions per call of the measured functions, per case (harness/measure/cost/). */
  cost?: JobCost;
  /** The measured functions' basic blocks and the cases that executed each (harness/measure/reach/). */
  reach?: JobReach;
}

export interface Snapshot {
  /** Relative to the run folder; absent when the save failed. */
  file?: string;
  bytes?: number;
  /** How long the save took, milliseconds. */
  ms?: number;
  /** Why there is no snapshot: a note, never a failed run. */
  error?: string;
}

/** An address in the image, resolved as far as the ELF and its debug info allow. */
export interface CodeSite {
  /** As printed by the guest, `0x…`. */
  address: string;
  symbol?: string;
  /** Bytes from the symbol's start. */
  offset?: number;
  file?: string;
  line?: number;
  /** Functions inlined at this address, innermost first (addr2line -i). */
  inlined?: Array<{ function: string; file?: string; line?: number }>;
  /** The object or library member the code was linked from (map file). */
  object?: string;
  /** gale: code of a wasm-LTO module (`synth_k_*_body`, or linked from a gale wasm object). */
  wasmLto?: boolean;
}

export interface Instruction {
  address: string;
  /** As the disassembler groups them (Thumb halfwords: `f7fe fe56`). */
  bytes: string;
  /** `udf #0`, or `.word 0xfac80100` when it does not decode. */
  text: string;
}

export interface Forensics {
  /** `USAGE FAULT`, `BUS FAULT`…, when the dump had a header. */
  fault?: string;
  /** The indented lines under the header: `Attempt to execute undefined instruction`. */
  details: string[];
  /** The fatal error line's code and reason: 3 `Kernel oops`, 4 `Kernel panic`, 0 `CPU exception`. */
  fatal?: { code: number; reason: string };
  /** The printed exception frame is all zero: no frame the CPU pushed, so no faulting pc to resolve. */
  noFrame?: true;
  /** r0..r3, r12, lr, pc, xpsr as printed. */
  registers: Record<string, string>;
  pc?: CodeSite;
  lr?: CodeSite;
  /** BFAR/MMFAR when printed, with the data symbol it falls in. */
  faultAddress?: { register: 'BFAR' | 'MMFAR'; address: string; symbol?: string; offset?: number };
  thread?: { address?: string; name?: string; symbol?: string };
  /** The faulting instruction and two instructions either side. */
  instruction?: Instruction & { window: Instruction[] };
  /** 1-based console line of the faulting-PC line, for report links. */
  pcLine?: number;
  /** The tools that resolved it. */
  tools?: string[];
  /** Why some or all of it could not be resolved; the raw addresses are still shown. */
  unresolved?: string[];
}

export type DiffClass =
  | 'same'
  | 'regression'
  | 'crash'
  | 'hang'
  | 'blocked'
  | 'fix'
  | 'both-fail'
  | 'flaky'
  | 'missing'
  | 'new'
  /** A difference listed in the scenario's known file: shown and counted, never gating. */
  | 'known';

export interface DiffEntry {
  platform: string;
  /** Scenario suite (the image). */
  suite: string;
  /** `<ztest suite>.<test name>`. */
  case: string;
  baselineVariant: string;
  candidateVariant: string;
  /** Absent when the case does not exist on that side. */
  baseline?: CaseStatus;
  candidate?: CaseStatus;
  class: DiffClass;
  /** The candidate's explanation (assert line, fault, timeout) when it got worse. */
  detail?: string;
  /** Guest duration ztest printed for a passing case on each side, ms (median of repeats). */
  baselineMs?: number;
  candidateMs?: number;
  /** candidateMs / baselineMs. */
  durationRatio?: number;
  /** At least 2× (and 10 ms) slower in the candidate: informational, never gating. */
  slower?: boolean;
  /** When repeated attempts disagree: how many attempts ended in each status, per side. */
  attempts?: { baseline: Partial<Record<CaseStatus, number>>; candidate: Partial<Record<CaseStatus, number>> };
  /** The known-differences entry this row matched (class `known`, or an expired entry's note). */
  known?: KnownMark;
}

export interface KnownMark {
  reason: string;
  /** `file:line` of the entry. */
  source: string;
  /** The class the row had before the entry made it `known`. */
  was: DiffClass;
  until?: string;
  /** The entry's `until:` date has passed: the row keeps its class and gates again. */
  expired?: boolean;
}

export interface Comparison {
  baseline: string;
  candidate: string;
}

export interface RunSummary {
  jobs: number;
  verdicts: Partial<Record<Verdict, number>>;
  cases: Partial<Record<CaseStatus, number>>;
  diff: Partial<Record<DiffClass, number>>;
  /** True when the judge found the candidate worse (or a job alone failed): the run's exit code is 1. */
  regressed: boolean;
  /** Cases across platforms by class, when a suite and variant ran on two platforms or more. */
  platforms?: PlatformSummary;
}

/** How one case fares across platforms (harness/diff/platforms.ts). */
export type PlatformClass = 'agree' | 'capability' | 'disagree';
/** A case's status on one platform; `filtered`: the job was filtered out there, `missing`: not printed. */
export type PlatformStatus = CaseStatus | 'filtered' | 'missing';

export interface PlatformEntry {
  suite: string;
  variant: string;
  /** `<ztest suite>.<test>`. */
  case: string;
  /** Platform name → status. */
  statuses: Record<string, PlatformStatus>;
  class: PlatformClass;
}

export type PlatformSummary = Record<PlatformClass, number>;

// ---------------------------------------------------------------------------------------------
// The judge (harness/judge/): one verdict and exit code per run, with every reason for it.

/** The run's word: what CI acts on. */
export type Outcome = 'passed' | 'regressed' | 'failed' | 'incomplete' | 'invalid' | 'interrupted';

/** 0 passed · 1 regressed/failed · 2 invalid (usage, configuration, identical images) · 3 incomplete · 130 interrupted. */
export type ExitCode = 0 | 1 | 2 | 3 | 130;

export type ReasonKind =
  /** Diff rows worse than the baseline (regression, crash, hang, blocked, missing). */
  | 'worse'
  /** A job judged on its own (no comparison applies to it) that did not pass. */
  | 'job-failed'
  /** A measurement's gate (size, records, cost, cross-platform) was exceeded. */
  | 'gate'
  /** A candidate job that was planned but has no result, or did not boot. */
  | 'not-run'
  /** A candidate whose baseline has no usable result: not built, not booted, no cases, absent. */
  | 'no-baseline'
  /** Candidate cases the baseline never reached (it crashed or hung before them). */
  | 'baseline-cut-short'
  /** A variant the comparisons name that has no job at all (a `suites:`/`platforms:` that matches nothing). */
  | 'no-jobs'
  /** Shards (or jobs of them) missing from a merged run. */
  | 'shards-missing'
  /** Baseline and candidate booted the same image. */
  | 'identical'
  | 'interrupted';

export interface JudgeReason {
  kind: ReasonKind;
  /** One line a person can act on. */
  message: string;
  /** Job ids, diff row keys or shard names it speaks of (all of them; reports cut the list). */
  items?: string[];
}

export interface Judgement {
  outcome: Outcome;
  exitCode: ExitCode;
  /** Why the candidate counts as worse (exit 1). */
  regressed: JudgeReason[];
  /** What should have been compared and was not (exit 3 unless accepted). */
  incomplete: JudgeReason[];
  /** What makes the run meaningless as configured (exit 2). */
  invalid: JudgeReason[];
  /** `--allow-incomplete`: the incomplete reasons were accepted; they are still listed. */
  incompleteAccepted?: boolean;
}

/** What the judge is told besides the results; recorded so `tandem report` judges the same way. */
export interface GatePolicy {
  /** Accept a run that left something uncompared (exit 0 instead of 3). */
  allowIncomplete?: boolean;
  /** The scenario says baseline and candidate may boot the same image. */
  allowIdentical?: boolean;
  /** Cross-platform disagreements gate (`--gate-platforms`). */
  platforms?: boolean;
  /** Footprint growth of a candidate image over its baseline that fails the run, percent per region. */
  size?: { ramPct?: number; flashPct?: number };
  /** Recorded figures: the largest candidate/baseline ratio allowed, per group name (`cyc: 4`). */
  records?: Record<string, number>;
  /** A measured function whose candidate costs more than `ratio` × the baseline's instructions per call gates. */
  cost?: { ratio: number };
}

/**
 * Per-comparison measurements, one key per room of harness/measure/ (footprint, records, cost,
 * reach), each rendered by report/. Absent when nothing was measured.
 */
export interface Measures {
  footprint?: FootprintDiff[];
  records?: RecordDiff[];
  /** Instructions per call, baseline against candidate, per function, suite and case. */
  cost?: CostDiff[];
  /** Basic blocks reached, baseline and candidate side by side, per function and suite. */
  reach?: ReachDiff[];
}

/** A measurement's finding that gates the run (exit 1); decided by the measurement's pure differ. */
export interface GateFinding {
  measure: 'size' | 'record' | 'cost' | 'platforms';
  /** What it is about: `qemu_cortex_m3/wasm/mutex_api`, a region, a record key. */
  subject: string;
  message: string;
}

/** One job of the whole plan, every shard included: merge and the judge see what should exist. */
export interface PlannedJob {
  id: string;
  platform: string;
  variant: string;
  suite: string;
  attempt: number;
  /** The shard (1-based) that runs it, when the run was split. */
  shard?: number;
}

export interface RunPlanFacts {
  jobs: PlannedJob[];
  /** This run's part of a split run. Absent for a whole (or merged) run. */
  shard?: { index: number; count: number };
  /** A merged run: how many shards the plan was split into, and which were merged. */
  shards?: { count: number; merged: number[] };
  /** The selection as typed (`--suite nosuch --variant wasm`), for messages. */
  selection?: string;
}

export const RUN_SCHEMA_VERSION = 1;

export interface RunRecord {
  schema: 'tandem-run';
  schemaVersion: typeof RUN_SCHEMA_VERSION;
  runId: string;
  scenario: { name: string; file: string; sha256: string };
  comparisons: Comparison[];
  startedAt: string;
  finishedAt: string;
  wallMs: number;
  host: { hostname: string; platform: string; cpus: number; node: string };
  tandemVersion: string;
  /** True when the run was cut short (Ctrl-C); results hold what finished. */
  interrupted: boolean;
  results: RunResult[];
  diff: DiffEntry[];
  /** The cross-platform table: disagreements first. Absent when no suite ran on two platforms. */
  platforms?: PlatformEntry[];
  summary: RunSummary;
  /** Set by `tandem merge`: the shard runs this record was made from. */
  mergedFrom?: Array<{ runId: string; hostname: string; jobs: number }>;
  /** Set by `tandem diff`: the two runs compared (run ids); results carry `<variant>@<run id>`. */
  runToRun?: { before: string; after: string };
  /** Set by `tandem rerun`: the run whose images this run booted again, and which of its jobs. */
  rerunOf?: { runId: string; dir: string; jobs: string[] };
  /** The known-differences list the diff was judged with (`known:` / `--known`). */
  known?: KnownList;
  /** What became of each known entry in this run: applied, stale, expired or unmet. */
  knownReport?: KnownVerdict[];
  /** Every job the run planned (all shards), and which shard this run was. Absent in older runs. */
  plan?: RunPlanFacts;
  /** How the judge was asked to judge (allow-incomplete, gates). */
  policy?: GatePolicy;
  /** Measurements compared baseline against candidate (harness/measure/). */
  measures?: Measures;
  /** Findings of the measurement gates and the cross-platform gate. */
  gates?: GateFinding[];
  /** The judge's verdict and exit code, with every reason (harness/judge/). */
  judgement: Judgement;
}

/** One known difference: patterns (all must match) and what the candidate is expected to do. */
export interface KnownEntry {
  platform?: string[];
  variant?: string[];
  suite?: string[];
  case?: string[];
  arch?: string[];
  emulator?: string[];
  /** `glob` for tandem's own files; `regex` (full match) for twister quarantine files. */
  syntax: 'glob' | 'regex';
  /** Candidate statuses (fail, crash, timeout, blocked…) or diff classes; any worse class when absent. */
  expect?: string[];
  reason: string;
  /** YYYY-MM-DD: the last day the entry holds. */
  until?: string;
  /** `file:line`. */
  source: string;
}

export interface KnownList {
  file: string;
  entries: KnownEntry[];
}

export type KnownState = 'applied' | 'stale' | 'expired' | 'unmet';

export interface KnownVerdict {
  source: string;
  reason: string;
  until?: string;
  state: KnownState;
  /** Rows the entry made `known` (applied) or would have (expired). */
  rows: number;
  message: string;
}
