// Forensics for one finished job: the crash's fault dump, read from its console log and resolved
// against its own image. Called by the run for crashed jobs; never fails the run.
import { readFileSync } from 'node:fs';
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
  try {
    return await resolveFault({ dump, elf: image.path, ...(image.buildDir ? { buildDir: image.buildDir } : {}) });
  } catch (err) {
    return { details: dump.details, registers: dump.registers, unresolved: [`resolving failed: ${(err as Error).message}`] };
  }
}
