// The debugger command line `tandem debug` prints for the user to paste. Pure.

/** Quotes an argument for a POSIX shell, only when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export interface GdbCommandInput {
  gdb: string;
  elf: string;
  port: number;
  /** Function to break on (a ztest case). */
  breakAt?: string;
}

export function gdbArgs(input: GdbCommandInput): string[] {
  return [
    '-q',
    input.elf,
    '-ex', `target remote 127.0.0.1:${input.port}`,
    ...(input.breakAt ? ['-ex', `break ${input.breakAt}`] : []),
  ];
}

export function gdbCommandLine(input: GdbCommandInput): string {
  return [input.gdb, ...gdbArgs(input)].map(shellQuote).join(' ');
}
