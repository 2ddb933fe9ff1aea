// The run pool's slots belong to emulators: a job hands its slot on once its emulator is done with,
// not after its log has been closed and its result assembled.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../harness/scenario/scenario.js';
import { createBuilder } from '../harness/build/index.js';
import { executeRun } from '../harness/run/run.js';
import type { Emulator, Session } from '../harness/emulators/emulator.js';
import type { EmulatorSet } from '../harness/emulators/registry.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';

/** The smallest ARM ELF image tandem accepts: a header and one loadable segment of 4 bytes. */
function tinyArmElf(): Buffer {
  const b = Buffer.alloc(88);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(40, 18); // EM_ARM
  b.writeUInt32LE(52, 28); // program headers right after the header
  b.writeUInt16LE(52, 40);
  b.writeUInt16LE(32, 42);
  b.writeUInt16LE(1, 44);
  b.writeUInt32LE(1, 52); // PT_LOAD
  b.writeUInt32LE(84, 56); // offset
  b.writeUInt32LE(4, 68); // filesz
  b.writeUInt32LE(4, 72); // memsz
  return b;
}

/** An emulator whose guests pass at once; it notes when each boot starts. */
function passingEmulator(events: string[]): Emulator {
  return {
    kind: 'qemu',
    available: async () => ({ ok: true, version: 'fake' }),
    close: async () => {},
    async boot(image): Promise<Session> {
      events.push(`boot ${image.path.split('/').pop()}`);
      let stopped!: (e: { code: number | null; signal: string | null }) => void;
      const exited = new Promise<{ code: number | null; signal: string | null }>((r) => (stopped = r));
      return {
        command: ['fake'],
        console: (async function* () {
          yield Buffer.from('*** Booting Zephyr OS ***\nPROJECT EXECUTION SUCCESSFUL\n');
          await exited;
        })(),
        exited,
        stop: async () => {
          stopped({ code: 0, signal: null });
          return exited;
        },
      };
    },
  };
}

describe('run: slots', () => {
  const tmp = scratch('tandem-slots-');
  after(() => tmp.cleanup());

  it('the next boot starts as soon as the previous emulator is done with, before its result is recorded', async () => {
    for (const name of ['a', 'b', 'c']) writeFileSync(join(tmp.dir, `${name}.elf`), tinyArmElf());
    const file = tmp.write('s.yaml', `name: slots\nplatforms: [qemu_cortex_m3]\nsuites: [{ name: a }, { name: b }, { name: c }]\nvariants: [{ name: native }]\nimages: ${tmp.dir}/{suite}.elf\n`);
    const scenario = loadScenario(file, { platformDirs: [join(REPO_ROOT, 'platforms')] });
    const events: string[] = [];
    const emulators: EmulatorSet = new Map([['qemu', passingEmulator(events)]]);
    const record = await executeRun(scenario, {
      runDir: join(tmp.dir, 'run'),
      runId: 'slots',
      jobs: 1,
      buildJobs: 1,
      selection: {},
      signal: new AbortController().signal,
      builder: createBuilder(scenario),
      emulators,
      observer: { jobEnded: (r) => events.push(`ended ${r.job.suite}`) },
    });
    expect(record.results.map((r) => r.verdict)).to.deep.equal(['passed', 'passed', 'passed']);
    // One slot: each boot follows the previous one's emulator, not its recorded result.
    expect(events.filter((e) => e.startsWith('boot'))).to.have.length(3);
    expect(events.indexOf('boot b.elf')).to.be.lessThan(events.indexOf('ended a'));
    expect(events.indexOf('boot c.elf')).to.be.lessThan(events.indexOf('ended b'));
  });
});
