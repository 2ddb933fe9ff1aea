// Emulators a test started, found by the TANDEM_TEST_TAG its children inherit: a test never
// touches another run's QEMU on this shared machine.
import { readFileSync, readdirSync } from 'node:fs';

export function testTag(): { env: NodeJS.ProcessEnv; tag: string } {
  const tag = `${process.pid}-${Date.now()}`;
  return { tag, env: { ...process.env, TANDEM_TEST_TAG: tag } };
}

/** Live (not zombie) processes whose command line contains `name` and whose environment has the tag. */
export function taggedProcesses(tag: string, name = 'qemu-system-arm'): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!cmdline.includes(name)) continue;
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'latin1'))) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`TANDEM_TEST_TAG=${tag}`)) found.push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
