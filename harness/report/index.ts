// The one impure corner of report/: reads console logs and writes the report files of a run
// folder. Everything it writes comes from the pure renderers beside it.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { RunRecord, RunResult } from '../domain.js';
import type { ConsoleLog, LogSource } from './common.js';
import { renderHtml } from './html.js';
import { RunJsonError, parseRunJson, renderRunJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderTap } from './tap.js';
import { renderTwister } from './twister.js';

export type ReportFormat = 'json' | 'twister' | 'junit' | 'tap' | 'md' | 'html';

export const REPORT_FILES: Readonly<Record<ReportFormat, string>> = {
  json: 'run.json',
  twister: 'twister.json',
  junit: 'junit.xml',
  tap: 'results.tap',
  md: 'summary.md',
  html: 'index.html',
};

export const ALL_FORMATS: readonly ReportFormat[] = ['json', 'twister', 'junit', 'tap', 'md', 'html'];

/** Per log: enough for any ztest run; a runaway UART keeps its head and its tail. */
export const LOG_CAP_BYTES = 200 * 1024;

export interface WriteOptions {
  logCapBytes?: number;
}

const CHUNK = 1 << 20;

function countNewlines(fd: number, from: number, to: number): number {
  let n = 0;
  const buf = Buffer.alloc(Math.min(CHUNK, Math.max(1, to - from)));
  for (let pos = from; pos < to; ) {
    const got = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
    if (got <= 0) break;
    for (let i = 0; i < got; i++) if (buf[i] === 0x0a) n++;
    pos += got;
  }
  return n;
}

function readAt(fd: number, from: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const got = readSync(fd, buf, 0, length, from);
  return buf.subarray(0, got);
}

/**
 * A console log for reports, at most `capBytes` of it. When the file is larger, its first and
 * last halves are kept, cut at line ends, and the tail is numbered from where it really starts,
 * so links to a fault at the end of a long log still land on the right line.
 */
export function readConsoleLog(path: string, capBytes = LOG_CAP_BYTES): ConsoleLog | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= capBytes) {
      return { parts: [{ firstLine: 1, text: readAt(fd, 0, size).toString('utf8') }], omittedBytes: 0 };
    }
    const half = Math.floor(capBytes / 2);
    const head = readAt(fd, 0, half);
    const headNl = head.lastIndexOf(0x0a);
    const headEnd = headNl >= 0 ? headNl + 1 : head.length;
    const tailFrom = size - half;
    const tail = readAt(fd, tailFrom, half);
    const tailNl = tail.indexOf(0x0a);
    const tailStart = tailNl >= 0 && tailNl + 1 < tail.length ? tailFrom + tailNl + 1 : tailFrom;
    const headText = head.subarray(0, headEnd);
    const before = countNewlines(fd, 0, tailStart);
    return {
      parts: [
        { firstLine: 1, text: headText.toString('utf8') },
        { firstLine: before + 1, text: tail.subarray(tailStart - tailFrom).toString('utf8') },
      ],
      omittedBytes: tailStart - headEnd,
    };
  } finally {
    closeSync(fd);
  }
}

/** Resolves `result.log` inside the run folder; a path that leads out of it is not read. */
export function logPath(runDir: string, result: RunResult): string | undefined {
  if (!result.log || isAbsolute(result.log)) return undefined;
  const full = resolve(runDir, result.log);
  const rel = relative(resolve(runDir), full);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : full;
}

export function logSource(runDir: string, capBytes = LOG_CAP_BYTES): LogSource {
  return (result) => {
    const path = logPath(runDir, result);
    return path === undefined ? undefined : readConsoleLog(path, capBytes);
  };
}

/** Renders one format; `logs` is only consulted by the formats that quote consoles. */
export function renderReport(format: ReportFormat, record: RunRecord, logs?: LogSource): string {
  const o = logs ? { logs } : {};
  switch (format) {
    case 'json':
      return renderRunJson(record);
    case 'twister':
      return renderTwister(record, o);
    case 'junit':
      return renderJunit(record, o);
    case 'tap':
      return renderTap(record);
    case 'md':
      return renderMarkdown(record);
    case 'html':
      return renderHtml(record, o);
  }
}

/**
 * Writes the chosen reports into `runDir` and returns their paths. Each file appears whole or not
 * at all (written aside, then renamed), so a CI step that picks them up never reads half a file.
 */
export async function writeReports(
  runDir: string,
  record: RunRecord,
  formats: readonly ReportFormat[] = ALL_FORMATS,
  opts: WriteOptions = {},
): Promise<string[]> {
  await mkdir(runDir, { recursive: true });
  const logs = logSource(runDir, opts.logCapBytes);
  const paths: string[] = [];
  for (const format of [...new Set(formats)]) {
    const path = join(runDir, REPORT_FILES[format]);
    await writeFileAtomic(path, renderReport(format, record, logs));
    paths.push(path);
  }
  return paths;
}

/** Loads `runDir/run.json` (or a run.json path), checking version and shape; errors name the file. */
export async function readRunRecord(runDirOrFile: string): Promise<RunRecord> {
  const file = runDirOrFile.endsWith('.json') ? runDirOrFile : join(runDirOrFile, REPORT_FILES.json);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunJsonError(file, [code === 'ENOENT' ? 'not found (is this a tandem run folder?)' : `cannot be read (${(e as Error).message})`]);
  }
  return parseRunJson(text, file);
}

export { RunJsonError } from './json.js';
export type { ConsoleLog, LogSource } from './common.js';
