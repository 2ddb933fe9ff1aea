// QEMU's own log of a boot (`-d unimp,guest_errors -D <file>`): accesses that hit an
// unimplemented device or were rejected. A guest polling a register QEMU does not implement writes
// one line per poll, gigabytes in a long silence, so `<file>` is a FIFO (fifo-console.ts) and the
// lines are tallied as they come; nothing is kept on disk.
import { StringDecoder } from 'node:string_decoder';
import { openFifoLog } from './fifo-console.js';
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

/** A FIFO for QEMU's log, read while QEMU writes; undefined where no FIFO can be made. */
export async function openQemuLog(bin: string, qemu: QemuSettings): Promise<QemuLog | undefined> {
  // Polled, not watched: almost every boot writes nothing here, and QEMU writes its log a line per
  // write(2), so a guest polling a missing register would wake tandem for every line.
  const fifo = await openFifoLog();
  if (!fifo) return undefined;
  const tally = new UnmodelledTally();
  const decoder = new StringDecoder('utf8');
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
  fifo.on('data', (chunk) => {
    partial += decoder.write(chunk);
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  });
  let finished: Promise<UnmodelledAccess[]> | undefined;
  return {
    args: ['-d', QEMU_LOG_CLASSES, '-D', fifo.path],
    finish: () =>
      (finished ??= (async () => {
        // What QEMU wrote just before it was stopped is still in the pipe: end() reads it, then
        // gives the FIFO back (QEMU has exited: no descriptor of it is left open).
        fifo.end();
        partial += decoder.end();
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
