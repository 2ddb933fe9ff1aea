// What tandem remembers across runs (harness/cache-dir.ts): a binary's version and an image's
// sha256, each trusted only while the file is unchanged.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { rememberedVersion } from '../harness/emulators/version-cache.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** sha256File in a fresh process (its in-memory table starts from the cache file). */
async function hashInChild(file: string, cacheDir: string): Promise<string> {
  const module = join(REPO_ROOT, 'dist/harness/build/image-hash.js');
  const r = await execa(process.execPath, ['--input-type=module', '-e', `const { sha256File } = await import(${JSON.stringify(module)}); console.log(await sha256File(${JSON.stringify(file)}));`], { env: { TANDEM_CACHE_DIR: cacheDir } });
  return r.stdout.trim();
}

describe('caches across runs', () => {
  const tmp = scratch('tandem-caches-');
  after(() => tmp.cleanup());

  it('a version is asked once per binary, and again when the binary changes', async () => {
    const env = { TANDEM_CACHE_DIR: join(tmp.dir, 'v') };
    const bin = tmp.write('bin/emu', '#!/bin/sh\necho 1\n');
    chmodSync(bin, 0o755);
    let asked = 0;
    const ask = async () => `v${++asked}`;
    expect(await rememberedVersion(bin, ask, env)).to.equal('v1');
    expect(await rememberedVersion(bin, ask, env)).to.equal('v1');
    expect(asked).to.equal(1);
    writeFileSync(bin, '#!/bin/sh\necho 22\n'); // another size: another binary
    expect(await rememberedVersion(bin, ask, env)).to.equal('v2');
    // A binary that does not answer is not remembered.
    const silent = async () => undefined;
    const other = tmp.write('bin/other', 'x');
    expect(await rememberedVersion(other, silent, env)).to.equal(undefined);
    expect(await rememberedVersion(other, ask, env)).to.equal('v3');
  });

  it('an image hash is remembered while the file is unchanged, and recomputed once it is written', async function () {
    this.timeout(30_000);
    const cacheDir = join(tmp.dir, 'h');
    const image = tmp.write('img/zephyr.elf', 'first image');
    expect(await hashInChild(image, cacheDir)).to.equal(sha('first image'));
    const cache = JSON.parse(readFileSync(join(cacheDir, 'image-hashes.json'), 'utf8')) as Record<string, { stamp: string; sha256: string }>;
    expect(cache[image]?.sha256).to.equal(sha('first image'));
    // Proof that the remembered answer is used: a planted one comes back for the unchanged file.
    cache[image]!.sha256 = 'planted';
    writeFileSync(join(cacheDir, 'image-hashes.json'), JSON.stringify(cache));
    expect(await hashInChild(image, cacheDir)).to.equal('planted');
    // Same size, mtime put back: the write still changed the ctime, so it is hashed again.
    const { atime, mtime } = statSync(image);
    writeFileSync(image, 'other image');
    utimesSync(image, atime, mtime);
    expect(await hashInChild(image, cacheDir)).to.equal(sha('other image'));
  });
});
