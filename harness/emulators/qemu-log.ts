// QEMU's own log of a boot (`-d unimp,guest_errors -D <file>`): accesses that hit an
// unimplemented device or were rejected. A guest polling a register QEMU does not implement writes
// one line per poll, gigabytes in a long silence, so `<file>` is a FIFO (fifo-reservoir.ts) and the
// lines are tallied as they come; nothing is kept on disk.
import { openSync, readSync, constants } from 'node:fs';
import { Socket } from 'node:net';
import { recycleFifo, takeFifo } from './fifo-reservoir.js';
import { execa } from '../lazy-execa.js';
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

/** A FIFO for QEMU's log, read as QEMU writes; undefined where no FIFO can be made. */
export async function openQemuLog(bin: string, qemu: QemuSettings): Promise<QemuLog | undefined> {
  const path = await takeFifo();
  if (!path) return undefined;
  let fd: number;
  try {
    // Read-write: QEMU's open for writing never waits for a reader, and the pipe never reports
    // end-of-file while QEMU restarts its log; non-blocking so the event loop reads it.
    fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  } catch {
    recycleFifo(path, false);
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
  const onText = (chunk: string) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  };
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.setEncoding('utf8');
  socket.on('data', onText);
  socket.on('error', () => undefined);
  let finished: Promise<UnmodelledAccess[]> | undefined;
  return {
    args: ['-d', QEMU_LOG_CLASSES, '-D', path],
    finish: () =>
      (finished ??= (async () => {
        // Lines QEMU wrote just before it was stopped are still in the pipe: read them now (the
        // fd is non-blocking, EAGAIN ends it), then let the socket close the fd.
        const buf = Buffer.allocUnsafe(64 * 1024);
        for (;;) {
          let n = 0;
          try {
            n = readSync(fd, buf, 0, buf.length, null);
          } catch {
            break;
          }
          if (n <= 0) break;
          onText(buf.toString('utf8', 0, n));
        }
        // Closes the descriptor at once (libuv's close of a pipe handle is synchronous), and QEMU
        // has exited: no descriptor of the FIFO is left open.
        socket.destroy();
        recycleFifo(path, true);
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
    // A probe that found nothing (QEMU could not start) is asked again next time.
    void map.then((regions) => regions.length || maps.delete(key));
  }
  return map;
}
