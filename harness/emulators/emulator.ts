// The one seam between the run pool and whatever executes an image. QEMU, Renode and a real board
// sit behind it; the pool, the parser and the reports never learn which one ran.
import type { EmulatorKind, Image, Platform, ProbeLog, ProbePlan, UnmodelledAccess } from '../domain.js';

export interface BootOptions {
  /** Aborting stops the session (Ctrl-C, run shutdown). */
  signal: AbortSignal;
  /** Scratch folder for this boot (backend files); created by the emulator if it needs one, removed by the caller. */
  workDir: string;
  /**
   * `tandem debug`: a GDB server on 127.0.0.1:`port`, the guest paused at reset until a debugger
   * continues it. `snapshot` (Renode) loads that saved state instead of the image.
   */
  debug?: { port: number; snapshot?: string };
  /** Offer the guest's clock (Session.guestClock) when the emulator has one; default true. */
  guestClock?: boolean;
  /** Watch these addresses while the guest runs (cost and reach); Session.probeLog hands the records over. */
  probe?: ProbePlan;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Guest (virtual) time when the emulator can tell, milliseconds. */
  virtualMs?: number;
}

export interface Session {
  /** Raw console bytes as they arrive (stdout and stderr of the emulator, or the UART). */
  readonly console: AsyncIterable<Uint8Array>;
  /**
   * Reads at once whatever console bytes the emulator has written but `console` has not yet
   * delivered (a console read in batches): a limit is declared only after them.
   */
  drainConsole?(): void;
  /**
   * A verdict line is near (a suite has ended, a fatal error was printed): a console read in
   * batches is read at once for a while, so that the boot ends as soon as the line is written.
   */
  hurryConsole?(): void;
  /** Settles when the emulator ends on its own or after stop(). */
  readonly exited: Promise<ExitInfo>;
  /** Idempotent: ends the guest and every process of its group, then resolves. */
  stop(): Promise<ExitInfo>;
  /** Exact command line, for provenance and for reproducing a run by hand. */
  readonly command: string[];
  /**
   * How much emulated work the guest has had so far, milliseconds (QEMU: its CPU time, the clock
   * twister's QEMU timeouts use; Renode: virtual time). Lets a wall timeout tell a slow guest from
   * a starved host.
   */
  guestMs?(): number | undefined | Promise<number | undefined>;
  /**
   * After stop(): the accesses of this boot that hit no model, most recent first (Renode's
   * `non existing peripheral` warnings, QEMU's unimplemented-device log).
   */
  unmodelled?(): UnmodelledAccess[] | Promise<UnmodelledAccess[]>;
  /**
   * After stop(), when the boot had a probe: what it recorded, or why it recorded nothing. The
   * emulator's own concern ends there; harness/measure/probe/ reads the records.
   */
  probeLog?(): ProbeLog | Promise<ProbeLog>;
  /** Renode: saves the machine state as it is now into `file` (the guest stays paused). */
  saveState?(file: string): Promise<void>;
  /** The guest's own (virtual) clock, when the emulator has one: what `clock: guest` limits count. */
  readonly guestClock?: GuestClock;
  /** Set when the machine models no cycle counter (DWT CYCCNT reads 0): said beside figures that read 0. */
  readonly noCycleCounter?: string;
}

export interface GuestReading {
  /** Guest time since the guest started, milliseconds. */
  ms: number;
  /** How far behind the guest the reading may be (QEMU folds executed instructions in lazily). */
  staleMs: number;
  /** The guest's clock has stopped for good: it idles with no timer pending, nothing can wake it. */
  stopped?: boolean;
}

export interface GuestClock {
  /** Asks the emulator; undefined when it cannot tell (then the host clock counts). */
  read(): Promise<GuestReading | undefined>;
}

export interface Availability {
  ok: boolean;
  /** Why not, phrased as what to do: `renode not found (set TANDEM_RENODE or put renode on PATH)`. */
  reason?: string;
  version?: string;
}

export interface Emulator {
  readonly kind: EmulatorKind;
  /** Cheap and cached: whether this emulator can run here at all. */
  available(): Promise<Availability>;
  boot(image: Image, platform: Platform, options: BootOptions): Promise<Session>;
  /** Releases pooled resources (reused Renode processes). Safe to call twice. */
  close(): Promise<void>;
}
