// The bare pool as its own process, what tandem is measured against in `npm run bench -- short`
// and `pool`: a JSON file of QEMU command lines (longest first), run N at a time, each read until
// its verdict line, then killed. The least any harness must do, as cheaply as node does it:
// nothing of tandem is loaded. QEMU's stdout is a FIFO read as it is written (a pipe, as a
// Python script's subprocess.PIPE: node's own stdio pipes are socketpairs, which hold ~278
// one-byte writes and would make QEMU wait on a busy machine).
import { spawn, spawnSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const VERDICT = /PROJECT EXECUTION (SUCCESSFUL|FAILED)|Halting system/;

const [slotsArg, file] = process.argv.slice(2);
const commands = JSON.parse(readFileSync(file!, 'utf8')) as string[][];
const dir = mkdtempSync(join(tmpdir(), 'tandem-bare-'));
const fifos = commands.map((_, i) => join(dir, `c${i}`));
// One mkfifo for every boot: a fresh, empty pipe each.
spawnSync('mkfifo', ['-m', '600', ...fifos]);

function boot(argv: string[], fifo: string): Promise<void> {
  return new Promise((resolve) => {
    const readFd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const writeFd = openSync(fifo, constants.O_WRONLY);
    // A session of its own, as tandem gives each emulator: with the kernel's autogroup scheduling,
    // children sharing one session share one CPU share, and on a machine busy with other sessions
    // a pool whose emulators shared one would be slowed for that alone.
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', writeFd, 'ignore'], detached: true });
    closeSync(writeFd);
    const out = new Socket({ fd: readFd, readable: true, writable: false });
    let tail = '';
    out.on('data', (d: Buffer) => {
      tail = (tail + d.toString('latin1')).slice(-512);
      if (VERDICT.test(tail)) child.kill('SIGKILL');
    });
    child.once('exit', () => {
      out.destroy();
      resolve();
    });
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: Number(slotsArg) }, async () => {
    while (next < commands.length) {
      const i = next++;
      await boot(commands[i]!, fifos[i]!);
    }
  }),
);
rmSync(dir, { recursive: true, force: true });
