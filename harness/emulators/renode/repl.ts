// Reads the little of a Renode platform description (.repl) that tandem needs: which peripherals sit
// where, and which C# models the board asks to be compiled first. Pure; no Renode needed.
//
// A .repl entry starts at column 0 (`name: Type @ sysbus 0xADDR`, `name: Type @ sysbus <0xA, +0xS>`,
// `name: Type @ none`, or `name:` to amend an earlier entry); indented lines are its attributes.
// A .repl cannot load C#, so boards name their models in comments the client acts on:
//     // tandem-include: models/STM32G4_RCC.cs
// (paths relative to the .repl file).

export interface ReplPeripheral {
  name: string;
  /** Model type as written (`UART.STM32F7_USART`); absent for an entry that amends an earlier one. */
  type?: string;
  /** Bus the entry registers on (`sysbus`, `none`, another peripheral). */
  bus?: string;
  /** Base address on the bus, when registered at one. */
  address?: number;
  /** Size when registered as a range (`<0x48000000, +0x400>`). */
  size?: number;
  /** 1-based line of the entry. */
  line: number;
  /** Constructor arguments and properties as written (`size: 0x80000` → { size: '0x80000' }). */
  attributes: Record<string, string>;
  /** GPIO connections as written (`IRQ -> nvic@91`). */
  connections: string[];
}

export interface ReplInfo {
  peripherals: ReplPeripheral[];
  /** C# model files named by `// tandem-include:` directives, as written (relative to the .repl). */
  includes: string[];
  /** Other platform files pulled in with `using "..."`. */
  using: string[];
}

const INCLUDE = /^\s*\/\/\s*tandem-include:\s*(\S+)\s*$/;
const ENTRY = /^([A-Za-z_][\w]*)\s*:\s*([A-Za-z_][\w.]*)?\s*(?:@\s*([A-Za-z_][\w.]*)\s*(.*?))?\s*$/;
const USING = /^using\s+"([^"]+)"/;
const NUMBER = /^(0x[0-9a-fA-F]+|\d+)$/;
const RANGE = /^<\s*(0x[0-9a-fA-F]+|\d+)\s*,\s*(\+?)\s*(0x[0-9a-fA-F]+|\d+)\s*>$/;

export function parseRepl(text: string): ReplInfo {
  const peripherals: ReplPeripheral[] = [];
  const includes: string[] = [];
  const using: string[] = [];
  let inBlockComment = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const include = INCLUDE.exec(raw);
    if (include?.[1]) {
      includes.push(include[1]);
      continue;
    }
    let line = raw;
    if (inBlockComment) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      line = line.slice(end + 2);
      inBlockComment = false;
    }
    const blockStart = line.indexOf('/*');
    if (blockStart >= 0 && line.indexOf('*/', blockStart + 2) < 0) {
      inBlockComment = true;
      line = line.slice(0, blockStart);
    }
    line = line.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '');
    if (!line.trim()) continue;
    if (/^\s/.test(line)) {
      // An attribute or a connection of the entry above.
      const current = peripherals[peripherals.length - 1];
      if (!current) continue;
      const body = line.trim();
      if (body.includes('->')) current.connections.push(body);
      else {
        const attr = /^([A-Za-z_][\w]*)\s*:\s*(.*)$/.exec(body);
        if (attr?.[1]) current.attributes[attr[1]] = (attr[2] ?? '').trim();
      }
      continue;
    }
    const use = USING.exec(line);
    if (use?.[1]) {
      using.push(use[1]);
      continue;
    }
    const m = ENTRY.exec(line);
    if (!m?.[1]) continue;
    const entry: ReplPeripheral = { name: m[1], line: i + 1, attributes: {}, connections: [] };
    if (m[2]) entry.type = m[2];
    if (m[3]) entry.bus = m[3];
    const where = (m[4] ?? '').trim();
    if (NUMBER.test(where)) {
      entry.address = Number(where);
    } else {
      const r = RANGE.exec(where);
      if (r?.[1] && r[3]) {
        entry.address = Number(r[1]);
        entry.size = r[2] === '+' ? Number(r[3]) : Number(r[3]) - Number(r[1]) + 1;
      }
    }
    peripherals.push(entry);
  }
  return { peripherals, includes, using };
}

/** Name of the first CPU in the platform (`cpu` in ours): target of `PerformanceInMips`. */
export function cpuNameOf(info: ReplInfo): string | undefined {
  return info.peripherals.find((p) => p.type?.startsWith('CPU.'))?.name;
}

/** Type of tandem's counter of accesses that hit no model (boards/models/UnmodelledSpace.cs). */
export const UNMODELLED_COUNTER_TYPE = 'Tandem.UnmodelledSpace';

/** Name of the platform's counter of unmodelled accesses, when it has one. */
export function unmodelledCounterOf(info: ReplInfo): string | undefined {
  return info.peripherals.find((p) => p.type === UNMODELLED_COUNTER_TYPE)?.name;
}

/**
 * The memories a reused machine must clear (`Memory.MappedMemory`: `ZeroAll`), or undefined when the
 * platform has a memory of another type, whose reset behaviour tandem does not know, or pulls in
 * other files (`using`) this reader does not follow: such a platform always gets a new machine.
 */
export function memoriesOf(info: ReplInfo): string[] | undefined {
  if (info.using.length) return undefined;
  const memories = info.peripherals.filter((p) => p.type && /(^|\.)Memory\.|Memory$/.test(p.type));
  if (memories.some((p) => p.type !== 'Memory.MappedMemory')) return undefined;
  return memories.map((p) => p.name);
}
