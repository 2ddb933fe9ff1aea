// Bad images: each gets a verdict that names its problem before any emulator starts, and the run
// goes on with the others — including a good image at a path with spaces and non-ASCII letters.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../harness/domain.js';
import { elfProblem, imageProblem } from '../harness/build/image-check.js';
import { scratch } from './helpers/tmp.js';
import { demoImage } from './helpers/demo.js';
import { killTagged, newTag, taggedProcesses, tandemCli } from './helpers/procs.js';

const BAD: Record<string, RegExp> = {
  empty: /is empty \(0 bytes\)/,
  truncated: /is truncated: loadable segment \d+ ends at byte \d+ but the file has 1000 bytes/,
  header: /is truncated: 30 bytes, shorter than an ELF header/,
  x86: /is an ELF for x86-64, 64-bit, not for arm: a host program/,
  riscv: /is an ELF for RISC-V, 64-bit, not for arm/,
  noload: /has no program headers, so no loadable segments/,
  object: /is a relocatable object file \(\.o\)/,
  folder: /is a folder, not a file/,
  fifo: /is a FIFO \(named pipe\), not a file/,
  text: /not an ELF file/,
};

describe('bad images', function () {
  this.timeout(180_000);
  const tmp = scratch('tandem-badimg-');
  const tag = newTag('badimg');
  const root = join(tmp.dir, 'images with spaces — ünïcødé');
  let good: Buffer;
  before(async () => {
    good = readFileSync(await demoImage('basic', 'native', tmp.dir));
    const put = (variant: string, bytes: Buffer | string) => {
      mkdirSync(join(root, variant), { recursive: true });
      writeFileSync(join(root, variant, 'basic.elf'), bytes);
    };
    put('good', good);
    put('empty', '');
    put('truncated', good.subarray(0, 1000));
    put('header', good.subarray(0, 30));
    copyFileSync('/bin/true', join((mkdirSync(join(root, 'x86'), { recursive: true }), root), 'x86', 'basic.elf'));
    const riscv = Buffer.from(readFileSync('/bin/true'));
    riscv.writeUInt16LE(243, 18); // e_machine: what a RISC-V toolchain writes there
    put('riscv', riscv);
    const noload = Buffer.from(good);
    noload.writeUInt16LE(0, 44); // e_phnum = 0: sections only, as a debug-info-only file has
    put('noload', noload);
    const obj = Buffer.from(good);
    obj.writeUInt16LE(1, 16); // e_type = ET_REL
    put('object', obj);
    mkdirSync(join(root, 'folder', 'basic.elf'), { recursive: true });
    mkdirSync(join(root, 'fifo'), { recursive: true });
    execFileSync('mkfifo', [join(root, 'fifo', 'basic.elf')]);
    put('text', '#!/bin/sh\necho not an image\n');
  });
  after(() => {
    killTagged(tag);
    tmp.cleanup();
  });

  it('names what is wrong with each file, pure and on disk', () => {
    expect(imageProblem(join(root, 'good', 'basic.elf'), 'arm')).to.equal(undefined);
    for (const [variant, why] of Object.entries(BAD)) {
      expect(imageProblem(join(root, variant, 'basic.elf'), 'arm'), variant).to.match(why);
    }
    expect(imageProblem(join(root, 'nope.elf'), 'arm')).to.match(/image not found/);
    // An arch tandem has no table for is not second-guessed; a raw binary is the emulator's to load.
    expect(elfProblem({ size: good.length, head: good.subarray(0, 4096) }, 'sparc')).to.equal(undefined);
    const raw = join(tmp.dir, 'zephyr.bin');
    writeFileSync(raw, good.subarray(0x100, 0x400));
    expect(imageProblem(raw, 'arm')).to.equal(undefined);
  });

  it('a run over all of them: a verdict each before any emulator, the good one passes', async () => {
    const variants = ['good', ...Object.keys(BAD)];
    const file = tmp.write('bad.yaml', `name: bad-images
platforms: [qemu_cortex_m3]
suites: [basic]
variants: [${variants.map((v) => `{ name: ${v} }`).join(', ')}]
compare: { baseline: good }
images: "${root}/{variant}/{suite}.elf"
timeouts: { wall: 60, silence: 5 }
`);
    const out = join(tmp.dir, 'out');
    const t0 = Date.now();
    const r = await tandemCli(tag, ['run', file, '--out', out, '-q', '--jobs', '2']);
    expect(r.stderr).not.to.match(/\n\s+at /);
    expect(r.code, r.stderr).to.equal(1); // the bad candidates lost every case of the baseline
    const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
    const byVariant = Object.fromEntries(rec.results.map((x) => [x.job.variant, x]));
    expect(byVariant.good!.verdict).to.equal('passed');
    expect(byVariant.good!.provenance.emulator!.command).to.include(join(root, 'good', 'basic.elf'));
    for (const [variant, why] of Object.entries(BAD)) {
      const res = byVariant[variant]!;
      expect(res.verdict, variant).to.equal('build-error');
      expect(res.reason, variant).to.match(why);
      expect(res.provenance.emulator?.command, `${variant} never reached an emulator`).to.equal(undefined);
      expect(res.wallMs).to.equal(0);
    }
    // The baseline's cases are all lost in every bad candidate, none is mistaken for 'same'.
    expect(rec.diff.length).to.be.greaterThan(0);
    expect(rec.diff.filter((d) => d.class === 'same')).to.deep.equal([]);
    expect(Date.now() - t0).to.be.lessThan(60_000); // the FIFO did not block the run
    expect(taggedProcesses(tag, /qemu-system-arm/)).to.deep.equal([]);
  });
});
