// The vocabulary of cost and reach (issue 19): what a scenario asks to measure, what one boot
// measured, how baseline and candidate compare, and the plain data an emulator's probe is given and
// hands back. Re-exported by domain.ts; kept apart so that file stays about runs and verdicts.

/** A scenario's `measure:`: the functions under test. Nothing named, nothing measured. */
export interface MeasureSpec {
  /** Function names or globs (`k_msgq_*`); GCC's clones (`.isra.0`, `.constprop.1`, `.part.0`) count as their function. */
  functions: string[];
}

/**
 * Calls of one function and the instructions each took, inclusive of everything it called until it
 * returned; instructions the CPU spent in other threads (after a context switch) or in exception
 * handlers entered meanwhile are not the call's.
 */
export interface CallStats {
  calls: number;
  min: number;
  median: number;
  max: number;
  /** Instructions per call → calls: exact, so attempts and cases merge without losing the median. */
  values: Array<[number, number]>;
}

/** The figures of CallStats without the distribution: what a comparison shows. */
export type CostFigure = Omit<CallStats, 'values'>;

/** Cost of one boot: per test case, per measured function. */
export interface JobCost {
  /** Who counted: `qemu-plugin` (TCG plugin) or `renode-hooks`. */
  method?: string;
  /** The functions measured, as found in this image. */
  functions: MeasuredFunction[];
  /** Names or globs of the spec that matched no function in this image. */
  missing?: string[];
  /** Per case (`<ztest suite>.<test>`, or `(outside cases)`), per function name. */
  cases: Array<{ case: string; functions: Record<string, CallStats> }>;
  /** Calls that never returned (the boot ended inside them, or their thread was aborted). */
  unfinished?: Record<string, number>;
  /** Why something was not measured, or measured only in part; never a failed run. */
  notes?: string[];
}

export interface MeasuredFunction {
  name: string;
  /** Start of each copy in the image (a static inline may be emitted more than once). */
  addresses: string[];
  /** Bytes of code, all copies. */
  size: number;
}

/** Reach of one boot: each measured function's basic blocks and the cases that executed them. */
export interface JobReach {
  functions: FunctionReach[];
}

export interface FunctionReach {
  function: string;
  blocks: ReachBlock[];
}

export interface ReachBlock {
  /** First instruction, `0x…`. */
  address: string;
  instructions: number;
  file?: string;
  line?: number;
  /** The block calls an assertion or fatal-error routine: a path a passing suite never takes. */
  assert?: boolean;
  /** The cases that executed it; empty when none did. */
  cases: string[];
}

/** One function's cost, baseline against candidate, for one suite on one platform. */
export interface CostDiff {
  platform: string;
  suite: string;
  baselineVariant: string;
  candidateVariant: string;
  function: string;
  /** Every call of the boot (all cases and outside them). */
  baseline?: CostFigure;
  candidate?: CostFigure;
  /** Candidate median instructions per call / baseline's. */
  ratio?: number;
  /** Cases where both sides called it. */
  casesCompared: number;
  cases: Array<{ case: string; baseline?: CostFigure; candidate?: CostFigure; ratio?: number }>;
}

/** One function's reach, baseline and candidate side by side. */
export interface ReachDiff {
  platform: string;
  suite: string;
  baselineVariant: string;
  candidateVariant: string;
  function: string;
  baseline?: ReachSide;
  candidate?: ReachSide;
}

export interface ReachSide {
  /** The job whose reach this is (its blocks, with the cases per block, are in its result). */
  job: string;
  blocks: number;
  reached: number;
  /** Blocks no case executed, assertion paths included (marked). */
  unreached: Array<Pick<ReachBlock, 'address' | 'file' | 'line' | 'assert' | 'instructions'>>;
  /** Blocks exactly one case executed: the paths that case alone tests. */
  onlyBy: Array<Pick<ReachBlock, 'address' | 'file' | 'line'> & { case: string }>;
}

// ---------------------------------------------------------------------------------------------
// What crosses the emulator seam: a probe plan in, probe records out. The emulator knows nothing of
// functions or cases; harness/measure/probe/ turns the records into JobCost and JobReach.

/**
 * What an instruction address means to the probe:
 * - `entry`: a measured function starts here; a call opens (record the count).
 * - `follow`: returns, tail branches and fall-throughs that follow a call to its end (record the
 *   count); an emulator that reads registers may instead close each call at its return address.
 * - `vector`: an exception handler starts here (record the count); an emulator that reports
 *   exception entry and return itself may skip these.
 * - `switch`: a context switch saves or restores a thread here (record the count and the lowest
 *   address the instruction accesses: `base` register + `offset`); only needed while a call is open.
 * - `window`: a test case begins (record the counters that moved, then the count).
 * - `block`: count executions in counter `id` (reach).
 */
export type ProbeRole = 'entry' | 'follow' | 'vector' | 'switch' | 'window' | 'block';

export interface ProbeSite {
  /** Index into the plan's meanings (for `block`: the counter). */
  id: number;
  address: number;
  role: ProbeRole;
  /** `switch`: the base register's number and the byte offset of the lowest address accessed. */
  base?: number;
  offset?: number;
  /**
   * `switch` inside an exception handler (Zephyr's PendSV): an emulator that reports exception entry
   * and return with the stack pointer sees the switch there and need not watch this site.
   */
  inException?: boolean;
}

export interface ProbePlan {
  sites: ProbeSite[];
  counters: number;
  /** The measured functions' code, for probes that see whole translated blocks rather than instructions. */
  code?: Array<{ start: number; end: number }>;
}

/**
 * One thing the probe saw, in order. `count` is the number of instructions the CPU had executed
 * before the instruction at the site.
 * - `site`: a site's instruction executed (`key`: the address a `switch` instruction accessed).
 * - `hits`: counter `id` moved by `count` since the last window.
 * - `exit`: the call opened at entry site `id` returned (`count`: at its return address).
 * - `exception`: the CPU entered (`end` false) or returned from (`end` true) an exception.
 */
export type ProbeRecord =
  | { kind: 'site'; id: number; count: number; key?: number }
  | { kind: 'hits'; id: number; count: number }
  | { kind: 'exit'; id: number; count: number }
  /** `key`: the stack pointer of the code interrupted (entry) or resumed (return): it names the thread. */
  | { kind: 'exception'; end: boolean; count: number; key?: number };

export interface ProbeLog {
  /** `qemu-plugin`, `renode-hooks`. */
  method: string;
  records: ProbeRecord[];
  /** Records the probe had no room for (the figures are then partial). */
  dropped?: number;
  /** Why the probe did not run or stopped early. */
  problem?: string;
}
