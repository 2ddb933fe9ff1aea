// Private temporary folders that name their owner, so that the next tandem removes those of a
// tandem killed outright (SIGKILL gives no chance to clean up). A folder belongs to a dead tandem
// when the process in its `owner` file is gone, or when that pid now belongs to a process started
// at another time (pids are recycled). Folders of live tandems (other checkouts, other users'
// runs on the machine) are never touched, nor folders without an owner file: those may be a
// moment old.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Kernel start time of a process (clock ticks since boot), where /proc tells it. */
export function startTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const v = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Whether pid still runs and, when `startTicks` is known, is the same process that had it. */
export function sameProcessAlive(pid: number, startTicks: number | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = startTicksOf(pid);
  return startTicks === undefined || now === undefined || now === startTicks;
}

const OWNER_FILE = 'owner';
const swept = new Set<string>();

/** Pure: `<pid> [<start ticks>]` (older folders hold the pid alone). */
export function parseOwner(text: string): { pid: number; startTicks?: number } | undefined {
  const [pid, ticks] = text.trim().split(/\s+/).map(Number);
  if (!Number.isInteger(pid) || pid! <= 0) return undefined;
  return Number.isInteger(ticks) ? { pid: pid!, startTicks: ticks! } : { pid: pid! };
}

/** Removes the `prefix*` folders of the temp folder whose owner is dead; once per prefix and process. */
export function sweepStale(prefix: string, dir = tmpdir()): void {
  if (swept.has(`${dir}\0${prefix}`)) return;
  swept.add(`${dir}\0${prefix}`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const folder = join(dir, name);
    let owner: ReturnType<typeof parseOwner>;
    try {
      owner = parseOwner(readFileSync(join(folder, OWNER_FILE), 'utf8'));
    } catch {
      continue;
    }
    if (!owner || owner.pid === process.pid || sameProcessAlive(owner.pid, owner.startTicks)) continue;
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A new `prefix*` folder in the temp folder, owned by this process, after sweeping dead owners' ones. */
export function ownedTempDir(prefix: string): string {
  sweepStale(prefix);
  const folder = mkdtempSync(join(tmpdir(), prefix));
  const ticks = startTicksOf(process.pid);
  writeFileSync(join(folder, OWNER_FILE), `${process.pid}${ticks !== undefined ? ` ${ticks}` : ''}\n`);
  return folder;
}
