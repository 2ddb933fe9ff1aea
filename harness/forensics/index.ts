// Forensics for one finished job: the crash's fault dump, read from its console log and resolved
// against its own image. Called by the run for crashed jobs; never fails the run.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Forensics, RunResult } from '../domain.js';
import { readFaultDump } from './fault-dump.js';
import { resolveFault } from './resolve.js';

export { forensicsHeadline, forensicsLines, siteText } from './render.js';

/** True when a result deserves forensics: a crash, or any boot whose console printed a fatal error. */
export function wantsForensics(result: RunResult): boolean {
  return result.verdict === 'crashed' || result.fatal !== undefined;
}

export async function analyseCrash(result: RunResult, runDir: string, image: { path: string; buildDir?: string }): Promise<Forensics | undefined> {
  if (!result.log) return undefined;
  let text: string;
  try {
    text = readFileSync(join(runDir, result.log), 'latin1');
  } catch (err) {
    return { details: [], registers: {}, unresolved: [`cannot read the console log: ${(err as Error).message}`] };
  }
  const dump = readFaultDump(text.split('\n'));
  if (!dump) return undefined;
  // The same image crashing the same way (--repeat, a baseline and candidate sharing an image) is
  // resolved once: each resolution starts addr2line and objdump.
  const key = JSON.stringify([image.path, image.buildDir, stampOf(image.path), dump]);
  let resolved = resolutions.get(key);
  if (!resolved) {
    resolved = resolveFault({ dump, elf: image.path, ...(image.buildDir ? { buildDir: image.buildDir } : {}) }).catch(
      (err: Error): Forensics => ({ details: dump.details, registers: dump.registers, unresolved: [`resolving failed: ${err.message}`] }),
    );
    resolutions.set(key, resolved);
  }
  return structuredClone(await resolved);
}

const resolutions = new Map<string, Promise<Forensics>>();

/** Size and modification time: an image rebuilt under the same path is resolved again. */
function stampOf(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return undefined;
  }
}
