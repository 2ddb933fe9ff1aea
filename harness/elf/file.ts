// An ELF file's tables read from disk: only the bytes the table reader asks for (the headers, the
// symbol table and the string tables), never the debug sections of a megabyte image.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { readElf, type ElfImage } from './tables.js';

/** Throws an ElfError when the file is not an ELF it can read, an fs error when it cannot be read. */
export function readElfFile(path: string): ElfImage {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    return readElf((offset, length) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      const n = buf.length ? readSync(fd, buf, 0, buf.length, offset) : 0;
      return buf.subarray(0, n);
    }, size);
  } finally {
    closeSync(fd);
  }
}
