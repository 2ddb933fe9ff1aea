// Bytes → lines for the parser. A guest can print anything, including megabytes without a newline,
// so a line is cut at MAX_LINE characters rather than buffered without bound.
import { trimTrailingCr } from '../ztest/grammar.js';

export const MAX_LINE = 64 * 1024;

export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Uint8Array): void {
    let text = this.partial + this.decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      this.emit(text.slice(0, nl));
      text = text.slice(nl + 1);
    }
    while (text.length > MAX_LINE) {
      this.emit(text.slice(0, MAX_LINE));
      text = text.slice(MAX_LINE);
    }
    this.partial = text;
  }

  flush(): void {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    if (rest !== '') this.emit(rest);
  }

  private emit(line: string): void {
    // A partial line just under the cut, then a chunk holding its newline: still at most MAX_LINE.
    for (; line.length > MAX_LINE; line = line.slice(MAX_LINE)) this.onLine(line.slice(0, MAX_LINE));
    this.onLine(trimTrailingCr(line));
  }
}
