// Content-addressed build cache. An image is reused when a hash of everything that decides it —
// the command lines, the Kconfig fragments, the app's source tree, files and folders named in the
// arguments (gale's overlay, the wasm objects), declared extra inputs (the Zephyr tree), the
// toolchain's identity and the environment Zephyr reads — equals the key stored next to the image
// when it was built. The key lives in the build folder (`.tandem-build-key`), so deleting the
// folder is the way to forget a build. Key composition is pure; hashing files is the thin shell.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { execa } from '../lazy-execa.js';
import type { BuildPlan } from './plan.js';
import { parseCMakeCache } from '../zephyr/gale.js';

export const STAMP_FILE = '.tandem-build-key';
const KEY_SCHEMA = 1;

/** Environment variables Zephyr's build reads on its own (toolchain, workspace, modules). */
export const ZEPHYR_ENV = [
  'ZEPHYR_BASE', 'ZEPHYR_TOOLCHAIN_VARIANT', 'GNUARMEMB_TOOLCHAIN_PATH', 'ZEPHYR_SDK_INSTALL_DIR',
  'CROSS_COMPILE', 'LLVM_TOOLCHAIN_PATH', 'ZEPHYR_MODULES', 'ZEPHYR_EXTRA_MODULES', 'BOARD_ROOT',
  'SOC_ROOT', 'DTS_ROOT', 'ARCH_ROOT', 'CCACHE_DISABLE', 'SOURCE_DATE_EPOCH',
] as const;

/** Folders never part of a source hash: VCS data, other builds, caches, Rust targets. */
const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.tandem-cache', 'target', '.cache']);

export interface KeyInputs {
  schema: number;
  kind: string;
  steps: { argv: string[]; cwd?: string }[];
  env: Record<string, string>;
  fragments: Record<string, string>;
  image: string;
  source?: { path: string; hash: string };
  /** Files and folders named in the arguments, and declared inputs: path → content hash. */
  paths: Record<string, string>;
  /** Probe command → hash of its output (`arm-none-eabi-gcc --version`). */
  toolchain: Record<string, string>;
  /** Files the last build read (from Ninja): path → content hash. */
  deps: Record<string, string>;
}

export interface Stamp {
  schema: 'tandem-build-key';
  key: string;
  /**
   * `built`: the image exists. `configured`: the build stopped after configuring because the
   * .config ruled the job out (twister filter, invalid configuration); re-checked, not rebuilt.
   */
  stage: 'built' | 'configured';
  image: string;
  imageSha256?: string;
  builtAt: string;
  inputs: KeyInputs;
}

export function keyOf(inputs: KeyInputs): string {
  return sha256(canonical(inputs));
}

/** JSON with sorted keys: the same inputs always give the same text. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The environment part of the key: what the plan sets, plus the Zephyr variables it inherits. */
export function relevantEnv(planEnv: Record<string, string>, processEnv: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ZEPHYR_ENV) {
    const v = planEnv[k] ?? processEnv[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return { ...out, ...planEnv };
}

/**
 * Strings in the arguments that may name files: `-DX=a;b` values, OVERLAY_CONFIG's words, and
 * bare arguments that look like paths. Relative ones resolve against the app folder (Zephyr's
 * rule for conf files), then the working folder. Pure; existence is checked by the caller.
 */
export function pathCandidates(args: readonly string[], appDir: string | undefined, cwd: string): string[] {
  const raw: string[] = [];
  for (const a of args) {
    const d = /^-D[A-Za-z0-9_]+(?::[A-Z]+)?=(.*)$/.exec(a);
    if (d) raw.push(...d[1]!.replace(/^"|"$/g, '').split(/[;\s]+/));
    else if (/^(\/|\.\.?\/)/.test(a)) raw.push(a);
  }
  const out: string[] = [];
  for (const r of raw) {
    if (!r || !/[/.]/.test(r)) continue;
    if (isAbsolute(r)) out.push(r);
    else {
      if (appDir) out.push(resolve(appDir, r));
      out.push(resolve(cwd, r));
    }
  }
  return [...new Set(out)];
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hashes files, trees and toolchain probes once per builder (one run). */
export class ContentHasher {
  private readonly memo = new Map<string, Promise<string>>();

  /** A file's content, or a folder's files (names and contents), build folders excluded. */
  hashPath(path: string): Promise<string> {
    const key = `path:${path}`;
    let p = this.memo.get(key);
    if (!p) {
      p = hashAny(path);
      this.memo.set(key, p);
    }
    return p;
  }

  probe(argv: readonly string[], env: Record<string, string>): Promise<string> {
    const key = `probe:${argv.join('\u0000')}`;
    let p = this.memo.get(key);
    if (!p) {
      p = execa(argv[0]!, argv.slice(1), { env, extendEnv: true, reject: false, timeout: 20_000, stdin: 'ignore' }).then(
        (r) => (r.failed && r.exitCode === undefined ? `unavailable: ${r.shortMessage}` : sha256(`${r.exitCode}\n${String(r.stdout)}\n${String(r.stderr)}`)),
        (e: Error) => `unavailable: ${e.message}`,
      );
      this.memo.set(key, p);
    }
    return p;
  }
}

async function hashAny(path: string): Promise<string> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return 'missing';
  }
  if (st.isFile()) return sha256(await readFile(path));
  if (!st.isDirectory()) return 'special';
  const lines: string[] = [];
  await walk(path, '', lines);
  return sha256(lines.join('\n'));
}

async function walk(root: string, rel: string, lines: string[]): Promise<void> {
  const dir = rel ? join(root, rel) : root;
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A folder with a CMakeCache.txt or a tandem stamp is a build, not a source.
  if (rel && entries.some((e) => e.isFile() && (e.name === 'CMakeCache.txt' || e.name === STAMP_FILE))) return;
  // Thunks, read 64 at a time: a folder of thousands of headers must not exhaust file handles.
  const files: (() => Promise<string>)[] = [];
  const subdirs: string[] = [];
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('twister-out')) subdirs.push(r);
    } else if (e.isSymbolicLink()) {
      files.push(() => readlink(join(root, r)).then((t) => `${r} -> ${t}`));
    } else if (e.isFile()) {
      files.push(() => readFile(join(root, r)).then((b) => `${r} ${sha256(b)}`));
    }
  }
  for (let i = 0; i < files.length; i += 64) lines.push(...(await Promise.all(files.slice(i, i + 64).map((f) => f()))));
  for (const s of subdirs) await walk(root, s, lines);
}

/**
 * The compiler whose identity goes into the key: the one CMake recorded for this build folder
 * (exact, whatever the toolchain variant), else the one the environment points at.
 */
export function toolchainProbes(plan: BuildPlan, env: Record<string, string>, explicit?: string[]): string[][] {
  if (explicit && explicit.length) return [explicit];
  const probes: string[][] = [];
  const recorded = recordedCompiler(plan.buildDir);
  // Only the compiler: a cache hit must not start CMake, not even for --version.
  probes.push(recorded ? [recorded, '--version'] : defaultCompiler(env));
  return probes;
}

/** CMake's cache entry (Zephyr finds its compiler with find_program), else what CMake detected. */
export function recordedCompiler(buildDir: string): string | undefined {
  const cachePath = join(buildDir, 'CMakeCache.txt');
  if (!existsSync(cachePath)) return undefined;
  const cached = parseCMakeCache(readFileSync(cachePath, 'utf8')).get('CMAKE_C_COMPILER');
  if (cached) return cached;
  const filesDir = join(buildDir, 'CMakeFiles');
  if (!existsSync(filesDir)) return undefined;
  for (const v of readdirSync(filesDir).sort().reverse()) {
    const f = join(filesDir, v, 'CMakeCCompiler.cmake');
    if (!existsSync(f)) continue;
    const m = /^set\(CMAKE_C_COMPILER "([^"]+)"\)/m.exec(readFileSync(f, 'utf8'));
    if (m) return m[1];
  }
  return undefined;
}

function defaultCompiler(env: Record<string, string>): string[] {
  const variant = env.ZEPHYR_TOOLCHAIN_VARIANT;
  if ((variant === 'gnuarmemb' || variant === 'cross-compile') && env.GNUARMEMB_TOOLCHAIN_PATH) {
    return [join(env.GNUARMEMB_TOOLCHAIN_PATH, 'bin', 'arm-none-eabi-gcc'), '--version'];
  }
  if (variant === 'llvm') return [env.LLVM_TOOLCHAIN_PATH ? join(env.LLVM_TOOLCHAIN_PATH, 'bin', 'clang') : 'clang', '--version'];
  if (env.ZEPHYR_SDK_INSTALL_DIR) return [join(env.ZEPHYR_SDK_INSTALL_DIR, 'arm-zephyr-eabi', 'bin', 'arm-zephyr-eabi-gcc'), '--version'];
  return ['arm-none-eabi-gcc', '--version'];
}

export interface KeyOptions {
  hasher: ContentHasher;
  processEnv: NodeJS.ProcessEnv;
  cwd: string;
  /** Extra trees declared by the scenario (`build.cache.inputs`). */
  inputs: string[];
  /** Explicit toolchain probe argv (`build.cache.toolchain`). */
  toolchain?: string[];
}

/** `deps`: the files the build read last time (or just now), whose contents must be unchanged. */
export async function keyInputsOf(plan: BuildPlan, o: KeyOptions, deps: readonly string[] = []): Promise<KeyInputs> {
  const env = relevantEnv(plan.env, o.processEnv);
  const argStrings = plan.steps.flatMap((s) => s.argv);
  const candidates = pathCandidates(argStrings, plan.sourceDir, o.cwd).filter(
    (p) => !isInside(p, plan.buildDir) && !(plan.sourceDir && isInside(p, plan.sourceDir)) && existsSync(p),
  );
  const paths: Record<string, string> = {};
  await Promise.all([...candidates, ...o.inputs].map(async (p) => (paths[p] = await o.hasher.hashPath(p))));
  const toolchain: Record<string, string> = {};
  const probeEnv = { ...o.processEnv, ...plan.env } as Record<string, string>;
  await Promise.all(toolchainProbes(plan, probeEnv, o.toolchain).map(async (argv) => (toolchain[argv.join(' ')] = await o.hasher.probe(argv, plan.env))));
  const fragments: Record<string, string> = {};
  for (const f of plan.fragments) fragments[f.file] = sha256(f.text);
  const depHashes: Record<string, string> = {};
  await Promise.all(deps.map(async (d) => (depHashes[d] = await o.hasher.hashPath(d))));
  return {
    schema: KEY_SCHEMA,
    kind: plan.kind,
    steps: plan.steps.map((s) => ({ argv: s.argv, ...(s.cwd ? { cwd: s.cwd } : {}) })),
    env,
    fragments,
    image: plan.image,
    ...(plan.sourceDir ? { source: { path: plan.sourceDir, hash: await o.hasher.hashPath(plan.sourceDir) } } : {}),
    paths,
    toolchain,
    deps: depHashes,
  };
}

function isInside(p: string, dir: string): boolean {
  const a = resolve(p);
  const d = resolve(dir);
  return a === d || a.startsWith(`${d}/`);
}

/** What changed between two builds' inputs, for the build log ("why did this rebuild?"). Pure. */
export function describeChange(prev: KeyInputs | undefined, next: KeyInputs): string[] {
  if (!prev) return ['no previous build'];
  if (prev.schema !== next.schema) return ['cache format changed'];
  const out: string[] = [];
  if (canonical(prev.steps) !== canonical(next.steps)) out.push('command line');
  const envKeys = new Set([...Object.keys(prev.env), ...Object.keys(next.env)]);
  const envChanged = [...envKeys].filter((k) => prev.env[k] !== next.env[k]);
  if (envChanged.length) out.push(`environment (${envChanged.join(', ')})`);
  const frag = new Set([...Object.keys(prev.fragments), ...Object.keys(next.fragments)]);
  for (const f of frag) if (prev.fragments[f] !== next.fragments[f]) out.push(`Kconfig fragment ${f}`);
  if (prev.source?.hash !== next.source?.hash) out.push(`sources of ${next.source?.path ?? prev.source?.path}`);
  const paths = new Set([...Object.keys(prev.paths), ...Object.keys(next.paths)]);
  for (const p of paths) if (prev.paths[p] !== next.paths[p]) out.push(`input ${p}`);
  const changedDeps = Object.keys(next.deps).filter((d) => prev.deps?.[d] !== next.deps[d]);
  if (changedDeps.length) out.push(`${changedDeps.slice(0, 3).join(', ')}${changedDeps.length > 3 ? ` and ${changedDeps.length - 3} more files` : ''}`);
  if (canonical(prev.toolchain) !== canonical(next.toolchain)) out.push('toolchain');
  if (prev.image !== next.image) out.push('image path');
  return out.length ? out : ['unknown'];
}

export function readStamp(buildDir: string): Stamp | undefined {
  try {
    const s = JSON.parse(readFileSync(join(buildDir, STAMP_FILE), 'utf8')) as Stamp;
    return s.schema === 'tandem-build-key' && typeof s.key === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

export function writeStamp(buildDir: string, stamp: Stamp): void {
  writeFileSync(join(buildDir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
}

/** Before a build changes the folder, so an interrupted build never looks like a finished one. */
export function clearStamp(buildDir: string): void {
  rmSync(join(buildDir, STAMP_FILE), { force: true });
}
