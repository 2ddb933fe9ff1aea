// The edge of the footprint room: reads an image's ELF tables (never its debug sections) and its
// map file, once per image. A footprint depends only on the image bytes (and its map), so it is
// remembered by the image's sha256, in memory for the run and on disk across runs: an image seen
// before costs a small file read. Never throws: an image that cannot be read has no footprint.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Footprint, Image, Platform } from '../domain.js';
import { readElfFile } from '../elf/file.js';
import { readFootprint } from '../measure/footprint/read.js';
import { doesNotFit } from '../measure/footprint/fit.js';
import { findMapFile } from '../forensics/resolve.js';
import { sha256File } from '../build/image-hash.js';
import { tandemCacheDir } from '../cache-dir.js';

/** Bumped when the reader's output changes, so older cached footprints are not reused. */
const FORMAT = 2;
const KEEP = 256;

const remembered = new Map<string, Footprint>();

export interface Measured {
  footprint?: Footprint;
  /** The image is larger than its platform: the job is a build error, not a boot. */
  problem?: string;
}

export async function measureImage(image: Pick<Image, 'path' | 'sha256' | 'provenance'>, platform: Pick<Platform, 'name' | 'flashKb' | 'ramKb'>, env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  try {
    const buildDir = typeof image.provenance?.buildDir === 'string' ? image.provenance.buildDir : undefined;
    const map = findMapFile(image.path, buildDir ?? dirname(dirname(image.path)));
    const sha256 = image.sha256 ?? (await sha256File(image.path));
    const key = `${sha256}-${map ? statSync(map).size : 'nomap'}-v${FORMAT}`;
    let footprint = remembered.get(key) ?? cached(key, env);
    if (!footprint) {
      footprint = readFootprint(readElfFile(image.path), map ? { file: map, text: readFileSync(map, 'utf8') } : undefined);
      store(key, footprint, env);
    }
    remembered.set(key, footprint);
    const sized: Footprint = { ...footprint };
    if (platform.flashKb !== undefined) sized.flashAvailable = platform.flashKb * 1024;
    if (platform.ramKb !== undefined) sized.ramAvailable = platform.ramKb * 1024;
    const problem = doesNotFit(sized, platform.name, image.path);
    return { footprint: sized, ...(problem ? { problem } : {}) };
  } catch {
    // Not an ELF (a .bin or .hex for the emulator), or damaged: the job runs without a footprint.
    return {};
  }
}

function cacheFile(key: string, env: NodeJS.ProcessEnv): string {
  return join(tandemCacheDir(env), 'footprints', `${key}.json`);
}

function cached(key: string, env: NodeJS.ProcessEnv): Footprint | undefined {
  try {
    const f = JSON.parse(readFileSync(cacheFile(key, env), 'utf8')) as Partial<Footprint>;
    // A file cut short or edited by hand is no cache: the image is read again.
    const whole = typeof f.flash === 'number' && typeof f.ram === 'number' && Array.isArray(f.sections) && Array.isArray(f.symbols);
    return whole ? (f as Footprint) : undefined;
  } catch {
    return undefined;
  }
}

/** Written aside and renamed; the oldest files go once there are more than KEEP. A failed write is no cache. */
function store(key: string, footprint: Footprint, env: NodeJS.ProcessEnv): void {
  const file = cacheFile(key, env);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(footprint));
    renameSync(`${file}.${process.pid}.tmp`, file);
    const names = readdirSync(dirname(file)).filter((n) => n.endsWith('.json'));
    if (names.length <= KEEP) return;
    const byAge = names.map((n) => ({ n, t: statSync(join(dirname(file), n)).mtimeMs })).sort((a, b) => a.t - b.t);
    for (const { n } of byAge.slice(0, names.length - KEEP)) rmSync(join(dirname(file), n), { force: true });
  } catch {
    // read-only home, full disk: measured again next time
  }
}
