// Merges several byte streams into one async iterable that ends when all of them have ended.
// Emulators print the guest console on stdout and their own warnings on stderr; the log keeps both.
import type { Readable } from 'node:stream';

export function mergeStreams(streams: ReadonlyArray<Readable | null | undefined>): AsyncIterable<Uint8Array> {
  const queue: Uint8Array[] = [];
  let open = 0;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  for (const s of streams) {
    if (!s) continue;
    open++;
    s.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      notify();
    });
    // 'end' for a stream that ran dry, 'close' for one destroyed (a serial port let go), 'error'.
    let ended = false;
    const done = () => {
      if (ended) return;
      ended = true;
      open--;
      notify();
    };
    s.once('end', done);
    s.once('close', done);
    s.once('error', done);
  }
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length) yield queue.shift()!;
        if (open <= 0) return;
        await new Promise<void>((r) => (wake = r));
      }
    },
  };
}
