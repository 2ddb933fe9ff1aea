// Which addr2line/objdump/nm resolve an image: the ones the build itself recorded (CMakeCache.txt
// of the image's build folder), the ones next to its compiler, then arm-none-eabi-* and llvm-* on
// PATH. The first that exists wins, per tool.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { executable, findOnPath } from '../emulators/executable.js';

export type ToolName = 'addr2line' | 'objdump' | 'nm';
export const TOOL_NAMES: readonly ToolName[] = ['addr2line', 'objdump', 'nm'];

export interface Toolchain {
  tools: Partial<Record<ToolName, string>>;
  /** Tools found nowhere, with what was tried. */
  missing: string[];
}

/** `KEY:TYPE=value` lines of a CMake cache. */
function cmakeCache(buildDir: string | undefined): Record<string, string> {
  if (!buildDir) return {};
  const file = join(buildDir, 'CMakeCache.txt');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][\w-]*):[A-Z]+=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const CACHE_KEY: Record<ToolName, string> = { addr2line: 'CMAKE_ADDR2LINE', objdump: 'CMAKE_OBJDUMP', nm: 'CMAKE_NM' };

export function locateToolchain(buildDir: string | undefined, env: NodeJS.ProcessEnv = process.env): Toolchain {
  const cache = cmakeCache(buildDir);
  const compiler = cache.CMAKE_C_COMPILER;
  // `/opt/sdk/bin/arm-zephyr-eabi-gcc` → `/opt/sdk/bin/arm-zephyr-eabi-`
  const prefix = compiler && /gcc(\.exe)?$/.test(basename(compiler)) ? join(dirname(compiler), basename(compiler).replace(/gcc(\.exe)?$/, '')) : undefined;
  const tools: Toolchain['tools'] = {};
  const missing: string[] = [];
  for (const tool of TOOL_NAMES) {
    const candidates = [cache[CACHE_KEY[tool]], prefix ? `${prefix}${tool}` : undefined].filter((c): c is string => Boolean(c));
    const found =
      candidates.find((c) => executable(c)) ??
      findOnPath(`arm-none-eabi-${tool}`, env) ??
      findOnPath(`llvm-${tool}`, env);
    if (found) tools[tool] = found;
    else missing.push(`${tool} (tried ${[...candidates, `arm-none-eabi-${tool}`, `llvm-${tool}`].join(', ')})`);
  }
  return { tools, missing };
}

export type ToolRun = { ok: true; stdout: string } | { ok: false; why: string };

/**
 * One of these tools over an image, through node's own execFile (no shell; a crash's tools run while
 * other boots do, and execa costs more per process); a failure is a reason, never a throw.
 */
export function runTool(path: string, args: readonly string[], timeoutMs: number): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(path, [...args], { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) resolve({ ok: true, stdout });
      else resolve({ ok: false, why: `${basename(path)} failed: ${String(stderr || err.message || '').trim().split('\n')[0]}` });
    });
  });
}
