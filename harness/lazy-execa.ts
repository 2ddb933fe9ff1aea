// execa, loaded on first use: importing it costs ~0.2 s of a 2-core machine's start-up, and most
// runs (cached builds, QEMU only) reach a call to it late or never. Awaited, a call returns what
// execa's does.
import type { Options, Result } from 'execa';

export async function execa<O extends Options>(file: string, args: readonly string[], options: O): Promise<Result<O>> {
  const m = await import('execa');
  return (await m.execa(file, args, options)) as unknown as Result<O>;
}
