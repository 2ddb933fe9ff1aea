// The raw console log of one boot. UART output arrives a few bytes at a time; writing each chunk
// on its own costs a system call per chunk on a machine whose cores belong to the emulators. So
// chunks are gathered and written together — at most BATCH_BYTES held, and never older than
// FLUSH_MS, so a person tailing the log still sees it live and memory stays flat.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

const BATCH_BYTES = 32 * 1024;
const FLUSH_MS = 100;
/** A guest stuck printing in a loop would otherwise fill the disk before the wall timeout. */
export const DEFAULT_LOG_CAP_BYTES = 64 * 1024 * 1024;

export class ConsoleLog {
  private readonly stream: WriteStream;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private written = 0;
  /** Bytes the guest printed past the cap, dropped from the file but counted. */
  dropped = 0;
  /** Why the file could not be written (a full disk), once it happened; what was written stays. */
  error: Error | undefined;

  constructor(
    path: string,
    private readonly capBytes = DEFAULT_LOG_CAP_BYTES,
  ) {
    this.stream = createWriteStream(path);
    // A full disk must not kill the run from inside a stream: the job's runner asks afterwards.
    this.stream.on('error', (err) => (this.error ??= err));
  }

  write(chunk: Uint8Array): void {
    if (this.error) return;
    if (this.written + this.pendingBytes + chunk.length > this.capBytes) {
      const room = Math.max(0, this.capBytes - this.written - this.pendingBytes);
      if (room > 0) this.pending.push(chunk.subarray(0, room)), (this.pendingBytes += room);
      if (this.dropped === 0) this.flush();
      this.dropped += chunk.length - room;
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= BATCH_BYTES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingBytes === 0) return;
    this.stream.write(Buffer.concat(this.pending, this.pendingBytes));
    this.written += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }

  async close(): Promise<void> {
    if (this.error) return;
    this.flush();
    if (this.dropped > 0) this.stream.write(`\n[tandem: log capped at ${this.capBytes} bytes; ${this.dropped} more bytes of console output were dropped]\n`);
    this.stream.end();
    await once(this.stream, 'close').catch(() => undefined);
  }
}
