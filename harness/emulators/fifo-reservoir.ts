// FIFOs made before they are needed. Node has no call for mkfifo, and a `mkfifo` process per boot
// put ~10 ms on every QEMU boot's path (measured with strace on a 2-core machine: 34 boots on two
// slots, ~0.17 s of a 1.4 s run). So one `mkfifo` makes several, in a private folder, and is run
// again in the background while some are left. A FIFO whose boot is over is used again: every
// process start from tandem's large process costs a fork (~5–10 ms of CPU here), and a boot takes
// two FIFOs (console and QEMU's log).
import { spawn } from 'node:child_process';
import { rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ownedTempDir } from '../owned-temp.js';

const BATCH = 8;
const REFILL_BELOW = 3;

let dir: string | undefined;
let made = 0;
const ready: string[] = [];
let filling: Promise<boolean> | undefined;

/**
 * The reservoir's folder (private to this user, removed at exit), for other per-boot files such as
 * QEMU's clock monitor socket: no folder to make and remove for each boot.
 */
export function privateFolder(): string {
  return folder();
}

function folder(): string {
  if (!dir) {
    // A SIGKILLed tandem leaves its folder behind: the next one sweeps it (owned-temp.ts).
    dir = ownedTempDir('tandem-fifo-');
    const created = dir;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return dir;
}

function fill(): Promise<boolean> {
  return (filling ??= new Promise<boolean>((resolve) => {
    const paths = Array.from({ length: BATCH }, () => join(folder(), `q${made++}`));
    const child = spawn('mkfifo', ['-m', '600', ...paths], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => {
      if (code === 0) ready.push(...paths);
      resolve(code === 0);
    });
  }).finally(() => (filling = undefined)));
}

/** Starts making FIFOs, if none are ready or on the way, so that the first take finds one. */
export function prepareFifos(): void {
  if (!ready.length) void fill();
}

/** A fresh FIFO for one reader and one writer; undefined where none can be made. */
export async function takeFifo(): Promise<string | undefined> {
  if (!ready.length && !(await fill())) return undefined;
  const path = ready.shift();
  if (ready.length < REFILL_BELOW) void fill();
  return path ?? takeFifo();
}

/**
 * Gives a FIFO back once its boot is over. `reusable` only when no descriptor of it is open any
 * more (its writer has exited and tandem closed its own): a pipe's buffer goes with its last
 * descriptor, so the next boot finds it empty. Otherwise it is removed.
 */
export function recycleFifo(path: string, reusable: boolean): void {
  if (reusable && dir !== undefined && path.startsWith(`${dir}/`)) {
    ready.push(path);
    return;
  }
  try {
    unlinkSync(path);
  } catch {
    // already gone with the folder
  }
}
