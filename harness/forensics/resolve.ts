// The edge of forensics: reads the job's own ELF's symbols and map file, runs addr2line and objdump
// on it, then joins their answers to the fault dump. Never throws: what cannot be resolved is said
// in `unresolved`, and the raw addresses stay.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CodeSite, Forensics } from '../domain.js';
import { hasEmptyFrame, type FaultDump } from './fault-dump.js';
import { normalizeAddress, parseAddr2line, parseDisassembly, parseNm, symbolAt, windowAround, type ElfSymbol, type Frame } from './elf-text.js';
import { parseMapFile, sectionAt, shortObject, type MapSection } from './map-file.js';
import { locateToolchain, runTool as runToolchain, type ToolRun } from './toolchain.js';
import { readElfSymbols } from './elf-symbols.js';

export interface ResolveInput {
  dump: FaultDump;
  elf: string;
  /** The image's build folder (its CMakeCache.txt names the toolchain). */
  buildDir?: string;
  /** Where PATH comes from (tests). */
  env?: NodeJS.ProcessEnv;
}

/** gale's translated wasm functions are named `synth_k_<primitive>_body`; its objects `gale-wasm-*`. */
export function isWasmLto(symbol: string | undefined, object: string | undefined): boolean {
  return (symbol !== undefined && /^synth_k_\w+_body$/.test(symbol)) || (object !== undefined && /(^|[/(])gale-wasm-[^/]*\.o\)?$/.test(object));
}

/** EXC_RETURN values and the like are not code addresses. */
function isCodeAddress(n: number): boolean {
  return n < 0xf0000000;
}

/** The tools only read the image: 20 s is far more than any of them takes. */
const TOOL_TIMEOUT_MS = 20_000;
const runTool = (path: string, args: string[]): Promise<ToolRun> => runToolchain(path, args, TOOL_TIMEOUT_MS);

export async function resolveFault({ dump, elf, buildDir, env }: ResolveInput): Promise<Forensics> {
  const out: Forensics = { details: dump.details, registers: dump.registers };
  if (dump.fault) out.fault = dump.fault;
  if (dump.fatal) out.fatal = dump.fatal;
  // Nothing to resolve at pc 0 of an all-zero frame: saying 'no line information' would blame
  // the image's debug info for what is the guest's own fatal error.
  const noFrame = hasEmptyFrame(dump);
  if (noFrame) out.noFrame = true;
  if (dump.pcLine !== undefined) out.pcLine = dump.pcLine;
  if (dump.thread) out.thread = { ...dump.thread };
  const faultAddress = dump.bfar ? { register: 'BFAR' as const, address: dump.bfar } : dump.mmfar ? { register: 'MMFAR' as const, address: dump.mmfar } : undefined;
  if (faultAddress) out.faultAddress = faultAddress;
  const unresolved: string[] = [];
  const pc = dump.registers.pc !== undefined && !noFrame ? parseInt(dump.registers.pc, 16) : undefined;
  const lrRaw = dump.registers.lr !== undefined && !noFrame ? parseInt(dump.registers.lr, 16) : undefined;
  const lr = lrRaw !== undefined && isCodeAddress(lrRaw) ? lrRaw & ~1 : undefined;
  if (pc === undefined && !noFrame) unresolved.push('the console has no faulting PC');
  if (!existsSync(elf)) {
    unresolved.push(`the image ${elf} is gone`);
    out.unresolved = unresolved;
    return out;
  }
  const { tools, missing } = locateToolchain(buildDir ?? dirname(dirname(elf)), env);
  // The symbol table is read here; nm is only asked when that fails (an ELF this reader cannot parse).
  const ownSymbols = readElfSymbols(elf);
  for (const m of missing) if (!(ownSymbols && m.startsWith('nm '))) unresolved.push(`no ${m}`);
  out.tools = Object.entries(tools).filter(([name]) => !(ownSymbols && name === 'nm')).map(([, t]) => basename(t));

  const symbols = ownSymbols ?? (await symbolsOf(tools.nm, elf, unresolved));
  if (ownSymbols && symbols.length === 0) unresolved.push(`${basename(elf)} has no symbols (stripped?)`);
  const sections = mapOf(elf);
  // The two tools at once: both only read the image.
  const [frames, disassembly] = await Promise.all([framesOf(tools.addr2line, elf, [pc, lr], unresolved), disassemble(tools.objdump, elf, pc, symbols)]);
  const site = (n: number, raw: string): CodeSite => codeSite(n, raw, symbols, frames.get(normalizeAddress(n)), sections);
  if (pc !== undefined) out.pc = site(pc, dump.registers.pc!);
  if (lr !== undefined) out.lr = site(lr, dump.registers.lr!);

  if (pc !== undefined && disassembly) {
    if (disassembly.ok) {
      const { at, window } = windowAround(parseDisassembly(disassembly.stdout), pc);
      if (at) out.instruction = { ...at, window };
      else unresolved.push(`objdump shows no instruction at ${normalizeAddress(pc)} (not code in this image?)`);
    } else unresolved.push(disassembly.why);
  }

  if (out.thread?.address && symbols.length) {
    const t = symbolAt(symbols, parseInt(out.thread.address, 16), 'data');
    if (t) {
      out.thread.symbol = t.offset ? `${t.symbol.name}+0x${t.offset.toString(16)}` : t.symbol.name;
      // K_THREAD_DEFINE(name, …) names its object `_k_thread_obj_<name>`: a name without CONFIG_THREAD_NAME.
      const defined = /^_k_thread_obj_(.+)$/.exec(t.symbol.name)?.[1];
      if (defined && (!out.thread.name || out.thread.name === 'unknown')) out.thread.name = defined;
    }
  }
  if (out.faultAddress && symbols.length) {
    const d = symbolAt(symbols, parseInt(out.faultAddress.address, 16), 'data') ?? symbolAt(symbols, parseInt(out.faultAddress.address, 16), 'code');
    if (d) Object.assign(out.faultAddress, { symbol: d.symbol.name, offset: d.offset });
  }
  if (unresolved.length) out.unresolved = unresolved;
  return out;
}

/** The instructions around `pc`, from the start of its function when it is near. */
function disassemble(objdump: string | undefined, elf: string, pc: number | undefined, symbols: readonly ElfSymbol[]): Promise<Awaited<ReturnType<typeof runTool>>> | undefined {
  if (pc === undefined || !objdump) return undefined;
  const fn = symbols.length ? symbolAt(symbols, pc, 'code') : undefined;
  // From the function's start, so Thumb's 16/32-bit instructions are split where they begin.
  const from = fn && fn.offset < 4096 ? fn.symbol.address & ~1 : Math.max(0, pc - 16);
  return runTool(objdump, ['-d', `--start-address=0x${from.toString(16)}`, `--stop-address=0x${(pc + 12).toString(16)}`, elf]);
}

async function symbolsOf(nm: string | undefined, elf: string, unresolved: string[]): Promise<ElfSymbol[]> {
  if (!nm) return [];
  const r = await runTool(nm, ['-S', '-n', '--defined-only', elf]);
  if (!r.ok) {
    unresolved.push(r.why);
    return [];
  }
  const symbols = parseNm(r.stdout);
  if (symbols.length === 0) unresolved.push(`${basename(elf)} has no symbols (stripped?)`);
  return symbols;
}

async function framesOf(addr2line: string | undefined, elf: string, addresses: Array<number | undefined>, unresolved: string[]): Promise<Map<string, Frame[]>> {
  const wanted = addresses.filter((a): a is number => a !== undefined).map((a) => normalizeAddress(a));
  if (!addr2line || wanted.length === 0) return new Map();
  const r = await runTool(addr2line, ['-a', '-f', '-i', '-C', '-e', elf, ...wanted]);
  if (!r.ok) {
    unresolved.push(r.why);
    return new Map();
  }
  const frames = parseAddr2line(r.stdout);
  if (wanted.every((a) => !(frames.get(a) ?? []).some((f) => f.file))) unresolved.push(`${basename(elf)} has no line information for these addresses (built without -g?)`);
  return frames;
}

/**
 * The image's map file: zephyr.map (or `<image>.map`) beside it, else zephyr/zephyr.map in its
 * build folder (a twister or west build whose image was copied elsewhere).
 */
export function findMapFile(elf: string, buildDir?: string): string | undefined {
  const candidates = [join(dirname(elf), 'zephyr.map'), elf.replace(/\.elf$/, '.map'), ...(buildDir ? [join(buildDir, 'zephyr', 'zephyr.map')] : [])];
  return candidates.find((c) => c !== elf && existsSync(c));
}

function mapOf(elf: string): MapSection[] {
  const file = findMapFile(elf);
  if (!file) return [];
  try {
    return parseMapFile(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}

function codeSite(n: number, raw: string, symbols: readonly ElfSymbol[], frames: readonly Frame[] | undefined, sections: readonly MapSection[]): CodeSite {
  const site: CodeSite = { address: raw };
  const sym = symbols.length ? symbolAt(symbols, n, 'code') : undefined;
  if (sym) {
    site.symbol = sym.symbol.name;
    site.offset = sym.offset;
  }
  if (frames && frames.length) {
    // The outermost frame is the function the symbol names; the inner ones were inlined into it.
    const outer = frames[frames.length - 1]!;
    site.symbol ??= outer.function;
    if (outer.file) site.file = outer.file;
    if (outer.line) site.line = outer.line;
    if (frames.length > 1) site.inlined = frames.slice(0, -1).map((f) => ({ function: f.function, ...(f.file ? { file: f.file } : {}), ...(f.line ? { line: f.line } : {}) }));
  }
  const section = sectionAt(sections, n);
  if (section) site.object = shortObject(section.object);
  if (isWasmLto(site.symbol, section?.object)) site.wasmLto = true;
  return site;
}

