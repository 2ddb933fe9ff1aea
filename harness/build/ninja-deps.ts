// The files a finished Ninja build actually read: every absolute input of every edge in
// build.ninja (sources, linker scripts, prebuilt objects such as gale's wasm .o, and the
// CMakeLists/Kconfig/devicetree files CMake re-runs on) plus the headers the compiler reported
// (`ninja -t deps`). Hashing exactly these makes the cache key follow the real build, for the
// Zephyr tree and its modules alike, without hashing whole workspaces.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from '../lazy-execa.js';

/** Absolute input paths of all edges (explicit, implicit, order-only). Pure. */
export function parseNinjaInputs(text: string): { inputs: string[]; includes: string[] } {
  const inputs: string[] = [];
  const includes: string[] = [];
  // `$` + newline continues a line.
  const lines = text.replace(/\$\r?\n\s*/g, '').split(/\r?\n/);
  for (const line of lines) {
    const inc = /^(?:include|subninja)\s+(.+)$/.exec(line);
    if (inc) {
      includes.push(unescape(inc[1]!.trim()));
      continue;
    }
    if (!line.startsWith('build ')) continue;
    const colon = findUnescapedColon(line);
    if (colon < 0) continue;
    const rest = line.slice(colon + 1).trim();
    // First token is the rule; then inputs with | and || separators (and |@ validations).
    const tokens = splitTokens(rest).slice(1);
    for (const t of tokens) {
      if (t === '|' || t === '||' || t === '|@') continue;
      if (t.startsWith('/') && !t.includes('${')) inputs.push(t);
    }
  }
  return { inputs, includes };
}

/** Dependency paths from `ninja -t deps` output. Pure. */
export function parseNinjaDeps(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s{2,}\S/.test(line)) out.push(line.trim());
  }
  return out;
}

function findUnescapedColon(line: string): number {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '$') {
      i++;
      continue;
    }
    if (line[i] === ':') return i;
  }
  return -1;
}

function splitTokens(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '$' && i + 1 < s.length) {
      const n = s[i + 1]!;
      if (n === ' ' || n === ':' || n === '$') {
        cur += n;
        i++;
        continue;
      }
    }
    if (c === ' ') {
      if (cur) out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function unescape(s: string): string {
  return s.replace(/\$([ :$])/g, '$1');
}

/**
 * Every file outside the build folder that the Ninja build in `buildDir` depends on, sorted.
 * Empty when the folder has no build.ninja (another generator, a custom command).
 */
export async function ninjaDependencies(buildDir: string, env?: Record<string, string>): Promise<string[]> {
  const root = join(buildDir, 'build.ninja');
  if (!existsSync(root)) return [];
  const found = new Set<string>();
  const seenFiles = new Set<string>();
  const queue = [root];
  while (queue.length) {
    const f = queue.shift()!;
    if (seenFiles.has(f) || !existsSync(f)) continue;
    seenFiles.add(f);
    const { inputs, includes } = parseNinjaInputs(readFileSync(f, 'utf8'));
    inputs.forEach((i) => found.add(i));
    for (const inc of includes) queue.push(resolve(buildDir, inc));
  }
  const deps = await execa('ninja', ['-C', buildDir, '-t', 'deps'], { env, extendEnv: true, reject: false, stdin: 'ignore', timeout: 60_000 });
  if (deps.exitCode === 0) parseNinjaDeps(String(deps.stdout)).forEach((d) => found.add(resolve(buildDir, d)));
  const dir = resolve(buildDir);
  return [...found].filter((p) => p !== dir && !p.startsWith(`${dir}/`)).sort();
}
