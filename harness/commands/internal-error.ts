// An internal error is a bug in tandem, never the user's mistake: the terminal (and a CI log) gets
// one line saying what failed and where the details went; the stack trace goes to a file in the
// run folder the command was writing, where a bug report finds it next to the run it broke. Exit
// code 70 (EX_SOFTWARE in sysexits.h), whatever the error.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TANDEM_VERSION } from '../version.js';

export const INTERNAL_ERROR_EXIT = 70;
export const INTERNAL_ERROR_FILE = 'internal-error.txt';

let runFolder: string | undefined;

/** The folder a command writes its results to, once it exists: where a stack trace belongs. */
export function setRunFolder(dir: string): void {
  runFolder = dir;
}

/** Pure: `TypeError: Cannot read … (in addDurations)`, the message's first line and the function that threw. */
export function internalErrorLine(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const message = `${e.name}: ${e.message.split('\n')[0]}`;
  const frame = /^\s+at (?:async )?([^\s(]+) \(/m.exec(e.stack ?? '')?.[1];
  return frame ? `${message} (in ${frame})` : message;
}

/** Writes the trace where it belongs (the run folder, else the temp folder); its path, or undefined. */
function saveTrace(err: unknown, argv: readonly string[]): string | undefined {
  const stack = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  const text = `tandem ${TANDEM_VERSION}, node ${process.version}, ${process.platform}/${process.arch}\n$ tandem ${argv.join(' ')}\n${new Date().toISOString()}\n\n${stack}\n`;
  for (const file of [runFolder && join(runFolder, INTERNAL_ERROR_FILE), join(tmpdir(), `tandem-internal-error-${process.pid}.txt`)]) {
    if (!file) continue;
    try {
      writeFileSync(file, text);
      return file;
    } catch {
      // a full or read-only run folder: try the next place
    }
  }
  return undefined;
}

/** Says it in one line on stderr and saves the trace; returns the exit code. */
export function reportInternalError(err: unknown, argv: readonly string[], display: (p: string) => string): number {
  const file = saveTrace(err, argv);
  const where = file ? `stack trace in ${display(file)}` : 'the stack trace could not be saved';
  process.stderr.write(`tandem: internal error: ${internalErrorLine(err)}; ${where}. This is a bug in tandem: please report it with that file.\n`);
  return INTERNAL_ERROR_EXIT;
}
