// The footprint reader and differ on the demo's own images. Every expected number comes from the
// toolchain run on the same image (arm-none-eabi-size, nm) or from its map file, never pasted.
import { expect } from 'chai';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { Footprint } from '../harness/domain.js';
import { measureImage } from '../harness/run/footprint.js';
import { ElfError, readElf } from '../harness/elf/tables.js';
import { diffFootprints, sizeGate } from '../harness/measure/footprint/diff.js';
import { doesNotFit } from '../harness/measure/footprint/fit.js';
import { memoryRegions, parseMapFile } from '../harness/forensics/map-file.js';
import { demoImage } from './helpers/demo.js';
import { scratch } from './helpers/tmp.js';

/** `arm-none-eabi-size` (Berkeley): text (code + read-only data), data, bss (bss + noinit). */
async function berkeley(elf: string): Promise<{ text: number; data: number; bss: number }> {
  const [, line] = (await execa('arm-none-eabi-size', [elf])).stdout.split('\n');
  const [text, data, bss] = line!.trim().split(/\s+/).map(Number);
  return { text: text!, data: data!, bss: bss! };
}

/** `arm-none-eabi-size -A`: every section and its size. */
async function sectionSizes(elf: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await execa('arm-none-eabi-size', ['-A', '-d', elf])).stdout.split('\n')) {
    const m = /^(\S+)\s+(\d+)\s+\d+$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

async function nmSize(elf: string, symbol: string): Promise<number> {
  const line = (await execa('arm-none-eabi-nm', ['-S', elf])).stdout.split('\n').find((l) => l.endsWith(` ${symbol}`));
  return parseInt(line!.split(/\s+/)[1]!, 16);
}

const platform = { name: 'qemu_cortex_m3', flashKb: 256, ramKb: 64 };

describe('footprint: the demo images, read as the toolchain reads them', function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-footprint-');
  const env = { ...process.env, TANDEM_CACHE_DIR: join(tmp.dir, 'cache') };
  let native: string;
  let wasm: string;
  let a: Footprint;
  let b: Footprint;

  before(async () => {
    native = await demoImage('sem', 'native', tmp.dir);
    wasm = await demoImage('sem', 'wasm', tmp.dir);
    a = (await measureImage({ path: native }, platform, env)).footprint!;
    b = (await measureImage({ path: wasm }, platform, env)).footprint!;
  });
  after(() => tmp.cleanup());

  it('flash is text + data and RAM is data + bss (each section where it lives), as size counts them', async () => {
    for (const [elf, f] of [[native, a], [wasm, b]] as const) {
      const s = await berkeley(elf);
      expect(f.flash, elf).to.equal(s.text + s.data);
      expect(f.ram, elf).to.equal(s.data + s.bss);
      expect([f.flashAvailable, f.ramAvailable]).to.deep.equal([platform.flashKb * 1024, platform.ramKb * 1024]);
    }
  });

  it('every allocated section with its size; .data counted in flash and RAM, bss and noinit in RAM only', async () => {
    const sizes = await sectionSizes(wasm);
    for (const s of b.sections) expect(Math.max(s.flash, s.ram), s.name).to.equal(sizes.get(s.name));
    const data = b.sections.find((s) => s.name === '.data')!;
    expect(data).to.deep.include({ kind: 'data', flash: sizes.get('.data'), ram: sizes.get('.data') });
    expect(b.sections.find((s) => s.name === '.noinit')).to.deep.include({ kind: 'noinit', flash: 0 });
    expect(b.sections.find((s) => s.name === '.bss')).to.deep.include({ kind: 'bss', flash: 0 });
    expect(b.sections.find((s) => s.name === '.text')).to.deep.include({ kind: 'text', ram: 0 });
  });

  it('zephyr.map beside the image: each wasm module linear memory is an object of its own, in .data', async () => {
    expect(b.regions).to.equal('map');
    expect(b.map).to.equal(join(dirname(wasm), 'zephyr.map'));
    for (const m of ['sem', 'mutex', 'msgq']) {
      const bytes = await nmSize(wasm, `gale_wasm_${m}_memory`);
      expect(b.objects!.find((o) => o.name.endsWith(`${m}_wasm_memory.c.obj`)), m).to.deep.include({ flash: bytes, ram: bytes, kinds: { data: bytes } });
      expect(b.symbols.find((s) => s.name === `gale_wasm_${m}_memory`)).to.deep.include({ bytes, kind: 'data' });
    }
    // The symbol list is the largest first, and says how many there were.
    expect(b.symbols.map((s) => s.bytes)).to.deep.equal([...b.symbols.map((s) => s.bytes)].sort((x, y) => y - x));
    // readelf: functions and objects with a size, in a section (not ABS/UND), one per name.
    const sized = new Set<string>();
    for (const line of (await execa('arm-none-eabi-readelf', ['-s', '-W', wasm])).stdout.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 8 && /^(FUNC|OBJECT)$/.test(f[3]!) && Number(f[2]) > 0 && /^\d+$/.test(f[6]!)) sized.add(f[7]!);
    }
    expect(b.symbolCount).to.equal(sized.size);
  });

  it('the map: memory regions and each input section\'s output section', () => {
    const text = readFileSync(join(dirname(wasm), 'zephyr.map'), 'utf8');
    const regions = memoryRegions(text);
    expect(regions.map((r) => [r.name, r.length])).to.deep.include.members([['FLASH', platform.flashKb * 1024], ['SRAM', platform.ramKb * 1024]]);
    const memory = parseMapFile(text).find((s) => s.section === '.data.gale_wasm_sem_memory')!;
    expect(memory).to.include({ output: '.data' });
    expect(memory.object).to.match(/sem_wasm_memory\.c\.obj$/);
  });

  it('without a map file: the same totals, regions from the Cortex-M address map, no objects', async () => {
    const alone = join(tmp.dir, 'alone.elf');
    copyFileSync(wasm, alone);
    const f = (await measureImage({ path: alone }, platform, env)).footprint!;
    expect([f.flash, f.ram, f.regions, f.objects]).to.deep.equal([b.flash, b.ram, 'architecture', undefined]);
  });

  it('the differ: per region, kind, object and symbol, and the size gate in gale\'s terms', async () => {
    const result = { job: { id: 'qemu_cortex_m3/wasm/sem', platform: 'qemu_cortex_m3', variant: 'wasm', suite: 'sem', emulator: 'qemu' as const, attempt: 1 }, verdict: 'passed' as const, end: { kind: 'project' as const, success: true }, cases: [], startedAt: '', wallMs: 0, provenance: { tandemVersion: 't', host: 'h', image: wasm } };
    const d = diffFootprints({ platform: 'qemu_cortex_m3', suite: 'sem', baselineVariant: 'native', candidateVariant: 'wasm', baseline: [a], candidate: [b], result });
    const [x, y] = [await berkeley(native), await berkeley(wasm)];
    expect(d.ram).to.deep.include({ baseline: x.data + x.bss, candidate: y.data + y.bss, delta: y.data + y.bss - (x.data + x.bss) });
    expect(d.ram.pct).to.be.closeTo(((y.data + y.bss) / (x.data + x.bss) - 1) * 100, 0.01);
    const memory = await nmSize(wasm, 'gale_wasm_sem_memory');
    expect(d.objects.find((o) => o.name.endsWith('sem_wasm_memory.c.obj'))).to.deep.include({ change: 'new', delta: memory, kind: 'data' });
    expect(d.symbols.find((s) => s.name === 'gale_wasm_sem_memory')).to.deep.include({ change: 'new', delta: memory });
    expect(d.kinds.find((k) => k.kind === 'data' && k.region === 'ram')!.delta).to.equal(y.data - x.data);
    expect(sizeGate([d], {})).to.deep.equal([]);
    const [ram, flash] = sizeGate([d], { ramPct: 10, flashPct: 10 });
    expect(ram!.message).to.equal(`qemu_cortex_m3/wasm/sem: RAM overhead +${Math.round(d.ram.pct!)} % (+${d.ram.delta.toLocaleString('en-US')} B: ${d.ram.candidate.toLocaleString('en-US')} B against ${d.ram.baseline.toLocaleString('en-US')} B for native) exceeds the 10 % threshold; image ${wasm}`);
    expect(flash!.message).to.match(/^qemu_cortex_m3\/wasm\/sem: flash overhead \+\d+ % .* exceeds the 10 % threshold/);
    expect(sizeGate([d], { ramPct: Math.ceil(d.ram.pct!) })).to.deep.equal([]);
  });

  it('an image larger than its platform does not fit, naming the region, the bytes and what takes them', async () => {
    const ramKb = Math.floor(b.ram / 1024) - 1;
    const message = doesNotFit({ ...b, ramAvailable: ramKb * 1024 }, 'tiny', wasm)!;
    expect(message).to.match(new RegExp(`^image ${wasm.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not fit tiny: RAM ${b.ram.toLocaleString('en-US')} B used, ${(ramKb * 1024).toLocaleString('en-US')} B there \\(ram_kb: ${ramKb}\\), ${(b.ram - ramKb * 1024).toLocaleString('en-US')} B over; largest sections \\.data`));
    expect(message).to.include('largest symbol gale_wasm_');
    expect(doesNotFit(b, 'qemu_cortex_m3', wasm)).to.equal(undefined);
  });

  it('a damaged or foreign file has no footprint and never throws', async () => {
    const bytes = readFileSync(wasm);
    const read = (buf: Buffer) => readElf((o, l) => buf.subarray(o, o + l), buf.length);
    for (const cut of [16, 60, 2000, bytes.length - 100]) {
      expect(() => read(bytes.subarray(0, cut)), `cut at ${cut}`).to.throw(ElfError);
      const file = join(tmp.dir, `cut-${cut}.elf`);
      writeFileSync(file, bytes.subarray(0, cut));
      expect(await measureImage({ path: file }, platform, env)).to.deep.equal({});
    }
    const text = join(tmp.dir, 'image.hex');
    writeFileSync(text, ':10010000214601360121470136007EFE09D2190140\n');
    expect(await measureImage({ path: text }, platform, env)).to.deep.equal({});
  });

  it('an image seen before is not read again: its footprint comes from the cache by sha256', async () => {
    const dir = join(env.TANDEM_CACHE_DIR, 'footprints');
    const [file] = readdirSync(dir).filter((n) => n.endsWith('.json') && existsSync(join(dir, n)) && JSON.parse(readFileSync(join(dir, n), 'utf8')).flash === b.flash && JSON.parse(readFileSync(join(dir, n), 'utf8')).map);
    expect(file, 'the wasm image is in the cache').to.be.a('string');
    // A marker only the cache can hold: a new process that reports it did not read the ELF.
    writeFileSync(join(dir, file!), JSON.stringify({ ...b, flash: 7 }));
    const code = `import { measureImage } from ${JSON.stringify(new URL('../harness/run/footprint.ts', import.meta.url).pathname)}; const m = await measureImage({ path: ${JSON.stringify(wasm)} }, { name: 'x' }); console.log(m.footprint.flash);`;
    const child = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env });
    expect(child.stdout.trim()).to.equal('7');
  });
});

describe('footprint differ: objects and symbols of two builds (pure)', () => {
  const fp = (objects: Array<[string, number]>, symbols: Array<[string, number]>, symbolCount = symbols.length): Footprint => ({
    flash: 0,
    ram: 0,
    sections: [],
    objects: objects.map(([name, text]) => ({ name, flash: text, ram: 0, kinds: { text } })),
    symbols: symbols.map(([name, bytes]) => ({ name, bytes, kind: 'text' as const })),
    symbolCount,
    regions: 'map',
  });
  const result = { job: { id: 'p/b/s', platform: 'p', variant: 'b', suite: 's', emulator: 'qemu' as const, attempt: 1 }, verdict: 'passed' as const, end: { kind: 'project' as const, success: true }, cases: [], startedAt: '', wallMs: 0, provenance: { tandemVersion: 't', host: 'h' } };
  const diff = (a: Footprint, b: Footprint) => diffFootprints({ platform: 'p', suite: 's', baselineVariant: 'a', candidateVariant: 'b', baseline: [a], candidate: [b], result });

  it('a library named after another tree\'s path is the same library when its member is the only one of that name', () => {
    const d = diff(
      fp([['lib..__modules__hal__stm32__stm32cube.a(stm32g4xx_ll_utils.c.obj)', 220], ['libkernel.a(sem.c.obj)', 100]], []),
      fp([['lib..__..__zsrc__modules__hal__stm32__stm32cube.a(stm32g4xx_ll_utils.c.obj)', 220], ['libkernel.a(sem.c.obj)', 120]], []),
    );
    expect(d.objects).to.deep.equal([{ name: 'libkernel.a(sem.c.obj)', baseline: 100, candidate: 120, delta: 20, pct: 20, change: 'grown', kind: 'text' }]);
  });

  it('a symbol missing from a cut list is only a change when it is larger than that list\'s smallest', () => {
    const a = fp([], [['big', 500], ['mid', 148], ['cut', 148]], 90);
    const b = fp([], [['big', 500], ['cut', 148], ['memory', 16384]], 90);
    const d = diff(a, b);
    expect(d.symbols.map((s) => [s.name, s.change, s.below])).to.deep.equal([['memory', 'new', 148]]);
  });
});
