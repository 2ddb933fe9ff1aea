// One function's instructions from objdump's text, read with a regex of the tests' own, so a test
// checks tandem's reading of an image against a second reading of it.
export interface Ins {
  address: number;
  text: string;
}

export function functionDisassembly(objdump: string, fn: string): Ins[] {
  const start = objdump.indexOf(`<${fn}>:\n`);
  if (start < 0) throw new Error(`${fn} not in the disassembly`);
  const out: Ins[] = [];
  for (const line of objdump.slice(start).split('\n').slice(1)) {
    if (!line.trim()) break;
    const m = /^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(line);
    if (m && !m[2]!.startsWith('.')) out.push({ address: parseInt(m[1]!, 16), text: m[2]!.replace(/\t/g, ' ').trim() });
  }
  return out;
}
