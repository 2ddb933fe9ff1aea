// Emulators a test started, found by the TANDEM_TEST_TAG its children inherit: a test never
// touches another run's QEMU on this shared machine. The /proc scan itself is procs.ts's.
import { taggedProcesses as tagged } from './procs.js';

export function testTag(): { env: NodeJS.ProcessEnv; tag: string } {
  const tag = `${process.pid}-${Date.now()}`;
  return { tag, env: { ...process.env, TANDEM_TEST_TAG: tag } };
}

/** Pids of live (not zombie) processes whose command line contains `name` and whose environment has the tag. */
export function taggedProcesses(tag: string, name = 'qemu-system-arm'): number[] {
  return tagged({ tag, env: {} }, new RegExp(escapeRegExp(name))).map((p) => p.pid);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
