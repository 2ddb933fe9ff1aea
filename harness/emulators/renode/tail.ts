// Follows a growing file (Renode's UART file backend) and yields its new bytes as they appear.
// Renode flushes the backend after every character, so a short poll sees output within
// milliseconds without holding a watcher per boot. Other bytes (Renode's own error lines) can be
// interleaved with `inject`.
import { open, type FileHandle } from 'node:fs/promises';

export class FileTail implements AsyncIterable<Uint8Array> {
  private readonly queue: Uint8Array[] = [];
  private wake?: () => void;
  private handle?: FileHandle;
  private offset = 0;
  private timer?: NodeJS.Timeout;
  private reading = false;
  private finished = false;
  private ended = false;
  private endWaiters: Array<() => void> = [];
  /** Last byte handed out ended a line (so injected lines start on their own line). */
  private atLineStart = true;
  private readonly scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(
    private readonly path: string,
    private readonly intervalMs = 15,
  ) {}

  async start(): Promise<void> {
    this.handle = await open(this.path, 'r');
    // A guest started just before may have written already: the first read is now, not a poll away.
    this.schedule(0);
  }

  /** Adds bytes that did not come from the file, on a line of their own. */
  inject(text: string): void {
    if (this.ended) return;
    const prefix = this.atLineStart ? '' : '\n';
    this.push(Buffer.from(prefix + text + (text.endsWith('\n') ? '' : '\n'), 'utf8'));
  }

  /** Reads now instead of at the next poll (a caller waiting for a line it knows is coming). */
  poke(): void {
    if (this.finished || this.reading) return;
    if (this.timer) clearTimeout(this.timer);
    this.schedule(0);
  }

  /** Reads what is left, then ends the iteration. Resolves once the last bytes are queued. */
  async finish(): Promise<void> {
    if (this.finished) return this.waitEnded();
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.reading) await new Promise((r) => setTimeout(r, 5));
    await this.readAvailable().catch(() => undefined);
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    this.ended = true;
    this.notify();
    for (const w of this.endWaiters.splice(0)) w();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      while (this.queue.length) yield this.queue.shift()!;
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  private waitEnded(): Promise<void> {
    return this.ended ? Promise.resolve() : new Promise((r) => this.endWaiters.push(r));
  }

  private schedule(delayMs = this.intervalMs): void {
    if (this.finished) return;
    this.timer = setTimeout(() => {
      this.reading = true;
      this.readAvailable()
        .catch(() => undefined)
        .finally(() => {
          this.reading = false;
          this.schedule();
        });
    }, delayMs);
  }

  private async readAvailable(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    const buf = this.scratch;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, this.offset);
      if (bytesRead <= 0) return;
      this.offset += bytesRead;
      this.push(Buffer.from(buf.subarray(0, bytesRead)));
      if (bytesRead < buf.length) return;
    }
  }

  private push(chunk: Uint8Array): void {
    if (!chunk.length) return;
    this.atLineStart = chunk[chunk.length - 1] === 0x0a;
    this.queue.push(chunk);
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
