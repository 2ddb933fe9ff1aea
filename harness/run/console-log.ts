// The raw console log of one boot. UART output arrives a few bytes at a time; writing each chunk
// on its own costs a system call per chunk on a machine whose cores belong to the emulators. So
// chunks are gathered and written together — at most BATCH_BYTES held, and never older than
// FLUSH_MS, so a person tailing the log still sees it live and memory stays flat.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

const BATCH_BYTES = 32 * 1024;
const FLUSH_MS = 100;

export class ConsoleLog {
  private readonly stream: WriteStream;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(path: string) {
    this.stream = createWriteStream(path);
    this.stream.on('error', () => undefined);
  }

  write(chunk: Uint8Array): void {
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
    this.pending = [];
    this.pendingBytes = 0;
  }

  async close(): Promise<void> {
    this.flush();
    this.stream.end();
    await once(this.stream, 'close').catch(() => undefined);
  }
}
