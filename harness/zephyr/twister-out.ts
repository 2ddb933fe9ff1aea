// Images from a twister output folder. twister (twisterlib/testinstance.py) builds each
// (platform, scenario) in `<outdir>/<platform, '/' → '_'>/<app path relative to ZEPHYR_BASE>/<scenario id>`
// and the image is `zephyr/zephyr.elf` in it. For apps outside ZEPHYR_BASE it keeps only the part of
// the relative path after the last `../`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

export function normalizedPlatform(name: string): string {
  return name.replace(/\//g, '_');
}

/** twister's source_dir_rel as used in the build folder name. */
export function sourceDirRel(appPath: string, zephyrBase: string): string {
  const rel = relative(resolve(zephyrBase), resolve(appPath)).split(sep).join('/');
  const parts = rel.split('../');
  return parts[parts.length - 1]!;
}

export function twisterBuildDir(outDir: string, platform: string, appRel: string, scenarioId: string): string {
  return join(outDir, normalizedPlatform(platform), appRel, scenarioId);
}

export const TWISTER_IMAGE = join('zephyr', 'zephyr.elf');

export interface TwisterLookup {
  outDir: string;
  /** Board/platform name as twister knows it (`qemu_cortex_m3`, `mps2/an385`). */
  platform: string;
  scenarioId: string;
  /** The app's folder, to compute its place under the output folder. */
  appPath?: string;
  zephyrBase?: string;
}

export type TwisterFound = { ok: true; image: string; buildDir: string } | { ok: false; message: string; tried: string[] };

/**
 * The image of one scenario. With ZEPHYR_BASE the path is exact; without it (or when the app lives
 * elsewhere) the platform folder is searched for `<scenario id>/zephyr/zephyr.elf`, and the app's
 * trailing folders pick one when several apps share a scenario id.
 */
export function findTwisterImage(q: TwisterLookup): TwisterFound {
  const tried: string[] = [];
  if (q.appPath && q.zephyrBase) {
    const dir = twisterBuildDir(q.outDir, q.platform, sourceDirRel(q.appPath, q.zephyrBase), q.scenarioId);
    const image = join(dir, TWISTER_IMAGE);
    tried.push(image);
    if (existsSync(image)) return { ok: true, image, buildDir: dir };
  }
  const platformDir = join(q.outDir, normalizedPlatform(q.platform));
  if (!existsSync(platformDir)) {
    return { ok: false, message: `no folder for platform ${q.platform} in the twister output ${q.outDir}`, tried: [...tried, platformDir] };
  }
  const candidates = findDirsNamed(platformDir, q.scenarioId, 8).filter((d) => existsSync(join(d, TWISTER_IMAGE)));
  let pick = candidates;
  if (candidates.length > 1 && q.appPath) {
    const tail = q.appPath.replace(/\/+$/, '').split(/[\\/]/).slice(-2).join('/');
    pick = candidates.filter((d) => relative(platformDir, d).split(sep).join('/').includes(`${tail}/`));
  }
  if (pick.length === 1) return { ok: true, image: join(pick[0]!, TWISTER_IMAGE), buildDir: pick[0]! };
  if (pick.length > 1) {
    return { ok: false, message: `scenario ${q.scenarioId} is built more than once under ${platformDir}: ${pick.map((d) => relative(q.outDir, d)).join(', ')} (set zephyr_base so the app path decides)`, tried };
  }
  return { ok: false, message: `no ${q.scenarioId}/${TWISTER_IMAGE} for ${q.platform} in the twister output ${q.outDir}`, tried: [...tried, `${platformDir}/**/${q.scenarioId}/${TWISTER_IMAGE}`] };
}

function findDirsNamed(root: string, name: string, maxDepth: number): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      let isDir = false;
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        continue;
      }
      if (!isDir) continue;
      if (e === name) out.push(p);
      // A build folder's own tree (zephyr/, CMakeFiles/) never holds another build.
      else if (depth < maxDepth && e !== 'zephyr' && e !== 'CMakeFiles' && e !== 'twister') walk(p, depth + 1);
    }
  };
  walk(root, 0);
  return out.sort();
}
