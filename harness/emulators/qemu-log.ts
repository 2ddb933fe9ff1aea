// QEMU's own log of a boot (`-d unimp,guest_errors -D <file>`): accesses that hit an
// unimplemented device or were rejected. A guest polling a register QEMU does not implement writes
// one line per poll, gigabytes in a long silence, so `<file>` is a FIFO in the boot's work folder
// and the lines are tallied as they come; nothing is kept on disk.
import { closeSync, mkdirSync, openSync, constants } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import type { QemuSettings, UnmodelledAccess } from '../domain.js';
import { UnmodelledTally, parseMtree, parseQemuLogLine, resolveRegion, type MemoryRegion } from './unmodelled.js';

/** The `-d` classes that report accesses no model answers. */
export const QEMU_LOG_CLASSES = 'unimp,guest_errors';

export interface QemuLog {
  /** `-d … -D <fifo>` */
  readonly args: string[];
  /** Stops reading (after what the pipe still holds) and returns the tally, addresses made absolute. */
  finish(): Promise<UnmodelledAccess[]>;
}

/** A FIFO for QEMU's log in `workDir`, read as QEMU writes; undefined where no FIFO can be made. */
export async function openQemuLog(workDir: string, bin: string, qemu: QemuSettings): Promise<QemuLog | undefined> {
  mkdirSync(workDir, { recursive: true });
  const path = join(workDir, 'qemu.log');
  const made = await execa('mkfifo', [path], { reject: false, timeout: 10_000 });
  if (made.exitCode !== 0) return undefined;
  let fd: number;
  try {
    // Read-write: QEMU's open for writing never waits for a reader, and the pipe never reports
    // end-of-file while QEMU restarts its log; non-blocking so the event loop reads it.
    fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const tally = new UnmodelledTally();
  let partial = '';
  // A polling guest repeats one line: count it again without parsing it again.
  let lastLine = '';
  let lastRaw: ReturnType<typeof parseQemuLogLine>;
  const onLine = (line: string) => {
    if (line !== lastLine) {
      lastLine = line;
      lastRaw = parseQemuLogLine(line);
    }
    if (lastRaw) tally.add(lastRaw);
  };
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  });
  socket.on('error', () => undefined);
  let finished: Promise<UnmodelledAccess[]> | undefined;
  return {
    args: ['-d', QEMU_LOG_CLASSES, '-D', path],
    finish: () =>
      (finished ??= (async () => {
        // Lines QEMU wrote just before it was stopped are still in the pipe.
        await new Promise((r) => setTimeout(r, 20));
        socket.destroy();
        try {
          closeSync(fd);
        } catch {
          // closed with the socket
        }
        if (partial) onLine(partial);
        if (!tally.size) return [];
        const regions = await memoryMap(bin, qemu);
        return tally.list((raw) => resolveRegion(raw, regions));
      })()),
  };
}

const maps = new Map<string, Promise<MemoryRegion[]>>();

/**
 * The machine's memory map from QEMU itself (`info mtree -f` on a machine that never starts), so a
 * region-relative report becomes an address. Asked once per binary and machine, and only when a
 * boot reported something.
 */
export function memoryMap(bin: string, qemu: QemuSettings): Promise<MemoryRegion[]> {
  const key = JSON.stringify([bin, qemu.machine, qemu.cpu]);
  let map = maps.get(key);
  if (!map) {
    map = execa(bin, ['-machine', qemu.machine, '-cpu', qemu.cpu, '-display', 'none', '-S', '-monitor', 'stdio', '-serial', 'null', '-net', 'none'], {
      input: 'info mtree -f\nquit\n',
      reject: false,
      timeout: 20_000,
    }).then((r) => parseMtree(String(r.stdout)), () => []);
    maps.set(key, map);
  }
  return map;
}
