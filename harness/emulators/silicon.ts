// A real board as one more emulator kind: flash the image with the platform's command, read the
// console from its serial device. The console is opened before flashing so the banner the board
// prints right after its reset is not lost.
import { openSync, closeSync, existsSync, constants } from 'node:fs';
import { ReadStream, isatty } from 'node:tty';
import { execa } from '../lazy-execa.js';
import type { Image, Platform } from '../domain.js';
import type { Availability, Emulator, ExitInfo, Session } from './emulator.js';
import { spawnGroup } from './process-group.js';
import { mergeStreams } from './byte-queue.js';

/** The flash command with `{image}` filled in: an argument array, never a shell string. */
export function flashArgv(platform: Platform, image: Image): string[] {
  const s = platform.silicon;
  if (!s || s.flash.length === 0) throw new Error(`platform ${platform.name} has no silicon.flash command`);
  return s.flash.map((a) => a.replaceAll('{image}', image.path));
}

/** stty arguments that make the console a plain byte pipe at the board's baud rate. */
export function sttyArgs(device: string, baud: number): string[] {
  return ['-F', device, String(baud), 'raw', '-echo', '-echoe', '-echok', '-ixon', 'cs8', '-cstopb', '-parenb'];
}

export function createSiliconEmulator(): Emulator {
  return {
    kind: 'silicon',
    async available(): Promise<Availability> {
      // Whether a board is attached is a per-platform question, answered at boot with the device.
      return { ok: true, version: 'serial' };
    },
    async boot(image, platform, { signal }): Promise<Session> {
      const s = platform.silicon;
      if (!s) throw new Error(`platform ${platform.name} has no silicon settings`);
      if (!existsSync(s.console)) throw new Error(`console ${s.console} not found: is the board plugged in (and the platform's console right)?`);
      const stty = await execa('stty', sttyArgs(s.console, s.baud), { reject: false });
      if (stty.exitCode !== 0) throw new Error(`cannot configure ${s.console}: ${stty.stderr.trim() || `stty exited ${stty.exitCode}`}`);
      // O_NOCTTY: the board's port must never become tandem's controlling terminal (its hang-up
      // would signal tandem); O_NONBLOCK: libuv polls the tty instead of parking a thread on it.
      const fd = openSync(s.console, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
      if (!isatty(fd)) {
        closeSync(fd);
        throw new Error(`${s.console} is not a serial device`);
      }
      // A tty stream reads without blocking a thread, so stop() can always close it.
      const uart = new ReadStream(fd);
      let resolveExited!: (info: ExitInfo) => void;
      const exited = new Promise<ExitInfo>((r) => (resolveExited = r));
      const close = () => {
        if (!uart.destroyed) uart.destroy();
        resolveExited({ code: null, signal: null });
      };
      uart.once('error', close);
      uart.once('end', close);

      const argv = flashArgv(platform, image);
      const flash = spawnGroup(argv[0]!, argv.slice(1));
      let flashOutput = '';
      const keep = (d: Buffer) => (flashOutput = (flashOutput + d.toString()).slice(-4096));
      flash.child.stdout?.on('data', keep);
      flash.child.stderr?.on('data', keep);
      const onAbort = () => void flash.kill(500);
      signal.addEventListener('abort', onAbort, { once: true });
      const done = await flash.exited;
      signal.removeEventListener('abort', onAbort);
      if (done.code !== 0) {
        close();
        const why = flash.startError()?.message ?? flashOutput.trim().split('\n').pop() ?? `exit ${done.code}`;
        throw new Error(`flashing failed (${argv[0]}): ${why}`);
      }
      const onStopSignal = () => close();
      signal.addEventListener('abort', onStopSignal, { once: true });
      void exited.then(() => signal.removeEventListener('abort', onStopSignal));
      return {
        command: argv,
        console: mergeStreams([uart]),
        exited,
        async stop() {
          close();
          return exited;
        },
      };
    },
    async close() {},
  };
}
