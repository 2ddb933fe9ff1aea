// The QEMU probe plugin as a shared object: tandem-probe.c compiled with the host's C compiler the
// first time a QEMU binary needs it, then kept in tandem's cache folder, one per source and QEMU
// binary. Debian's qemu-system-arm loads TCG plugins but ships no plugin header, which is why the
// plugin declares the API itself and is built here rather than shipped.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileStamp, readCache, tandemCacheDir, writeCache } from '../../cache-dir.js';
import { resolveProgram } from '../executable.js';
import { REPO_ROOT } from '../../version.js';

export const PLUGIN_SOURCE = join(REPO_ROOT, 'probes/qemu/tandem-probe.c');
const SUPPORT_CACHE = 'qemu-plugins.json';

const built = new Map<string, Promise<{ path: string } | { problem: string }>>();

function run(file: string, args: string[], timeout: number): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout, maxBuffer: 4 << 20 }, (err, stdout, stderr) => resolve({ ok: !err, out: `${stdout}${stderr}` }));
  });
}

/** Whether a QEMU binary was built with TCG plugin support (its -help lists `-plugin`); remembered per binary. */
async function supportsPlugins(qemu: string, stamp: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const known = readCache<{ stamp: string; plugins: boolean }>(SUPPORT_CACHE, env)[qemu];
  if (known?.stamp === stamp) return known.plugins;
  const help = await run(qemu, ['-help'], 20_000);
  if (!help.ok) return false;
  const plugins = /^-plugin\b/m.test(help.out);
  writeCache(SUPPORT_CACHE, { [qemu]: { stamp, plugins } }, 200, env);
  return plugins;
}

/** The plugin for `qemu`, built if need be; a problem (no compiler, no plugin support) is said, never thrown. */
export function qemuProbePlugin(qemu: string, env: NodeJS.ProcessEnv = process.env): Promise<{ path: string } | { problem: string }> {
  let pending = built.get(qemu);
  if (!pending) {
    pending = buildPlugin(qemu, env);
    built.set(qemu, pending);
    // A failure is asked about again next time (a compiler installed meanwhile).
    void pending.then((r) => 'problem' in r && built.delete(qemu));
  }
  return pending;
}

async function buildPlugin(qemu: string, env: NodeJS.ProcessEnv): Promise<{ path: string } | { problem: string }> {
  const binary = resolveProgram(qemu, env);
  const stamp = binary ? fileStamp(binary) : undefined;
  if (!binary || !stamp) return { problem: `${qemu} not found` };
  if (!(await supportsPlugins(binary, stamp, env))) return { problem: `${binary} was built without TCG plugin support (its -help has no -plugin)` };
  let source: string;
  try {
    source = readFileSync(PLUGIN_SOURCE, 'utf8');
  } catch {
    return { problem: `the probe's source ${PLUGIN_SOURCE} is missing` };
  }
  const key = createHash('sha256').update(source).update('\0').update(binary).update('\0').update(stamp).digest('hex').slice(0, 20);
  const dir = join(tandemCacheDir(env), 'qemu-probe');
  const path = join(dir, `tandem-probe-${key}.so`);
  if (existsSync(path)) return { path };
  const cc = env.CC ? resolveProgram(env.CC, env) : resolveProgram('cc', env) ?? resolveProgram('gcc', env);
  if (!cc) return { problem: 'no C compiler (cc) to build the QEMU probe plugin: apt-get install gcc' };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    return { problem: `cannot create ${dir}: ${(err as Error).message}` };
  }
  // Built aside and renamed: another tandem building the same plugin never loads half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  const out = await run(cc, ['-O2', '-shared', '-fPIC', '-fvisibility=hidden', '-o', tmp, PLUGIN_SOURCE], 120_000);
  if (!out.ok || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    return { problem: `${cc} could not build the QEMU probe plugin: ${out.out.trim().split('\n').slice(0, 3).join(' ')}` };
  }
  renameSync(tmp, path);
  return { path };
}
