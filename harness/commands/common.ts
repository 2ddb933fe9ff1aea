// What every command shares: exit codes, usage errors, argument checks, the summary printout and
// loading a run record (recovering it from the journal when the run was killed).
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunRecord } from '../domain.js';
import { ALL_FORMATS, readRunRecord, type ReportFormat } from '../report/index.js';
import { RunJsonError } from '../report/json.js';
import { renderTerminalSummary, shouldUseColor } from '../report/terminal.js';
import { recoverRecord } from '../run/journal.js';
import { killAllGroups } from '../emulators/process-group.js';
import { INTERNAL_ERROR_EXIT } from './internal-error.js';
import { storageFailure } from '../storage-error.js';

export const EXIT = { ok: 0, regressed: 1, usage: 2, incomplete: 3, internal: INTERNAL_ERROR_EXIT, interrupted: 130 } as const;

/** The exit code of a finished record: the judge's, always (harness/judge/). */
export function exitOf(record: RunRecord): number {
  return record.judgement.exitCode;
}

export class UsageError extends Error {}
/** The most a count option takes, and why; beyond it a typo costs minutes, gigabytes or a swap storm. */
export interface CountLimit {
  max: number;
  why: string;
}

/** How many emulators (or builds) at once: 4 per CPU core, and never fewer than 64 allowed. */
export function concurrencyLimit(cores: number): CountLimit {
  const max = Math.max(64, 4 * cores);
  return { max, why: `each job is an emulator process of its own, and more at once only slow each other down: 64, or 4 per CPU core on larger machines (this one has ${cores})` };
}

export const REPEAT_LIMIT: CountLimit = { max: 1000, why: 'every attempt boots every job once more and adds it to run.json; repeat the command for more' };
export const PORT_LIMIT: CountLimit = { max: 65535, why: 'the highest TCP port' };

/**
 * A whole number ≥ 1 written in digits, at most `limit.max`. `1e3`, `0x10` and `2.0` are numbers
 * to JavaScript but not what a person means by a count (a stray `e` is more often a typo), so
 * they are refused with the digits to write instead.
 */
export function positiveInt(name: string, value: string | undefined, fallback: number, limit: CountLimit): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value)) {
    const digits = Number.isSafeInteger(n) && n >= 1 && n <= limit.max && value.trim() !== '' ? `; write ${n}` : '';
    throw new UsageError(`--${name} needs a whole number from 1 to ${limit.max}, in digits (got '${value}'${digits})`);
  }
  if (n < 1) throw new UsageError(`--${name} needs a whole number from 1 to ${limit.max} (got '${value}')`);
  if (n > limit.max) throw new UsageError(`--${name} ${value} is too many: at most ${limit.max} (${limit.why})`);
  return n;
}

export function formatsOf(value: string | undefined): ReportFormat[] {
  if (value === undefined) return [...ALL_FORMATS];
  const wanted = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of wanted) {
    if (!ALL_FORMATS.includes(f as ReportFormat)) throw new UsageError(`--format: unknown format '${f}' (choose from ${ALL_FORMATS.join(', ')})`);
  }
  // run.json is the record every other output and `tandem report` is made from.
  return [...new Set<ReportFormat>(['json', ...(wanted as ReportFormat[])])];
}


export const display = (p: string) => relative(process.cwd(), p) || p;

/** Creates the folder a command writes its results to; a path that cannot be one is the user's to fix. */
export function makeOutFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new UsageError(`${display(dir)} cannot be a run folder: ${code === 'EEXIST' ? 'a file of that name is in the way' : 'part of that path is a file'}; choose another --out`);
    }
    throw storageFailure(err, dir);
  }
}

/** The one-screen summary, coloured only for a person at a terminal; ends with the report folder. */
export function printSummary(record: RunRecord, reportDir: string, stream: NodeJS.WriteStream): void {
  const color = shouldUseColor(process.env, Boolean(stream.isTTY));
  stream.write(`${renderTerminalSummary(record, { color, reportDir: display(reportDir), width: stream.columns ?? 160 })}\n`);
  // Known entries that need a person: stale ones to delete, expired or unmet ones that gate.
  for (const k of record.knownReport ?? []) if (k.state !== 'applied') stream.write(`known ${k.source}: ${k.message}\n`);
}

/** run.json, or for a run killed before writing it, the record rebuilt from its journal. */
export async function loadRecord(runDir: string): Promise<RunRecord> {
  try {
    return await readRunRecord(runDir);
  } catch (err) {
    if (!(err instanceof RunJsonError)) throw err;
    const recovered = existsSync(join(runDir, 'run.json')) ? undefined : recoverRecord(runDir);
    if (recovered) {
      console.error(`tandem: ${display(runDir)} has no run.json (the run was killed); rebuilt it from results.jsonl`);
      return recovered;
    }
    throw new UsageError(err.message);
  }
}

/**
 * Ctrl-C (or SIGTERM) once: abort, so emulators stop and what finished is written; twice: kill
 * every emulator group at once and exit 130.
 */
export function catchInterrupts(runDir: string, what = `stopping emulators and writing what finished to ${display(runDir)}`): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\ntandem: ${sig}: ${what} (again to kill at once)\n`);
      controller.abort();
    } else {
      killAllGroups();
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
