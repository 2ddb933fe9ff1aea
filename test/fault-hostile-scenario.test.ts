// Hostile scenarios: an alias bomb, a huge file, deep nesting, shell syntax in values and names
// that would lead out of the run folder. Each a clear error with file and line, exit 2, quickly,
// and nothing ever runs through a shell: the emulator's argv in run.json holds the literal string.
import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { loadScenario } from '../harness/scenario/scenario.js';
import { ConfigError } from '../harness/scenario/yaml-reader.js';
import { scratch } from './helpers/tmp.js';
import { demoImage } from './helpers/demo.js';
import { killTagged, newTag, tandemCli } from './helpers/procs.js';

const platformDirs = [join(REPO_ROOT, 'platforms')];
const HEAD = 'name: hostile\nplatforms: [qemu_cortex_m3]\nvariants: [{ name: native }]\nimages: /nonexistent/{suite}.elf\n';

function billionLaughs(): string {
  let text = 'l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i <= 9; i++) text += `l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
  return text;
}

describe('hostile scenarios', function () {
  this.timeout(120_000);
  const tmp = scratch('tandem-hostile-');
  const tag = newTag('hostile');
  after(() => {
    killTagged(tag);
    tmp.cleanup();
  });

  function refused(name: string, text: string, env: Record<string, string> = {}): ConfigError {
    const file = tmp.write(name, text);
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      loadScenario(file, { platformDirs });
    } catch (err) {
      expect(err, (err as Error).stack).to.be.instanceOf(ConfigError);
      return err as ConfigError;
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    }
    throw new Error(`${name} was accepted`);
  }

  it('refuses an alias bomb at the line of the alias, without expanding it', () => {
    const t0 = performance.now();
    const e = refused('bomb.yaml', `${HEAD}suites: [basic]\ndescription: *l9\n${billionLaughs()}`);
    expect(e.message).to.match(/bomb\.yaml:\d+:\d+: YAML aliases expand to more than 100000 values; refusing what looks like an alias bomb/);
    expect(e.line).to.be.greaterThan(5);
    expect(performance.now() - t0).to.be.lessThan(5000);
  });

  it('refuses a 10 MB file before parsing it, and nesting deeper than any scenario', () => {
    const t0 = performance.now();
    const big = refused('big.yaml', `${HEAD}suites: [basic]\ndescription: "${'x'.repeat(10 << 20)}"\n`);
    expect(big.message).to.match(/big\.yaml:1:1: the file is 10\.0 MiB; tandem reads YAML files of at most 1 MiB/);
    expect(performance.now() - t0).to.be.lessThan(5000);
    const nested = refused('deep.yaml', `${HEAD}suites: [basic]\ndescription: ${'['.repeat(200)}${']'.repeat(200)}\n`);
    expect(nested.message).to.match(/deep\.yaml:6:\d+: YAML nested deeper than 64 levels/);
    // Deep enough to overflow the parser's own recursion: still a ConfigError with a position.
    const overflow = refused('overflow.yaml', `${HEAD}suites: [basic]\ndescription: ${'['.repeat(60_000)}${']'.repeat(60_000)}\n`);
    expect(overflow.message).to.match(/overflow\.yaml:6:\d+: YAML nested deeper than 64 levels/);
  });

  it('a ${VAR} that expands to a command substitution, a path starting with -, a suite named ..', () => {
    const sub = refused('sub.yaml', `${HEAD}suites:\n  - { name: x, path: "\${EVIL}" }\n`, { EVIL: '$(touch PWNED)' });
    expect(sub.message).to.match(/sub\.yaml:6:\d+: suites\[0\]\.path: '\$\(touch PWNED\)' holds a shell command substitution; tandem runs no shell/);
    const tick = refused('tick.yaml', `${HEAD}suites: ["tests/\`id\`"]\n`);
    expect(tick.message).to.match(/tick\.yaml:5:\d+: .*shell command substitution/);
    const dash = refused('dash.yaml', `${HEAD}suites: [-rf]\n`);
    expect(dash.message).to.match(/dash\.yaml:5:\d+: .*'-rf' starts with '-'/);
    const up = refused('up.yaml', `${HEAD}suites: [tests/..]\n`);
    expect(up.message).to.match(/up\.yaml:5:\d+: .*suite name '\.\.' would name a folder outside the run/);
    const upName = refused('upname.yaml', `${HEAD}suites:\n  - { name: .., path: tests }\n`);
    expect(upName.message).to.match(/upname\.yaml:6:\d+: suites\[0\]\.name: suite name '\.\.'/);
    const variant = refused('variant.yaml', HEAD.replace('{ name: native }', '{ name: -native }') + 'suites: [basic]\n');
    expect(variant.message).to.match(/variant\.yaml:3:\d+: variants\[0\]\.name: variant name '-native' starts with '-'/);
    const platform = refused('platform.yaml', HEAD.replace('[qemu_cortex_m3]', '[../platforms/qemu_cortex_m3]') + 'suites: [basic]\n');
    expect(platform.message).to.match(/platform\.yaml:2:\d+: .*platform name '\.\.\/platforms\/qemu_cortex_m3' may only use/);
  });

  it('on the command line: exit 2, file:line, no stack trace', async () => {
    const file = tmp.write('cli-bomb.yaml', `${HEAD}suites: [basic]\ndescription: *l9\n${billionLaughs()}`);
    const r = await tandemCli(tag, ['run', file, '--out', join(tmp.dir, 'never')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^tandem: .*cli-bomb\.yaml:\d+:\d+: YAML aliases expand/);
    expect(r.stderr).not.to.match(/\n\s+at /);
    const evil = await tandemCli(tag, ['run', tmp.write('cli-sub.yaml', `${HEAD}suites: ["\${EVIL}"]\n`)], { EVIL: '$(touch PWNED)' });
    expect(evil.code).to.equal(2);
    expect(evil.stderr).to.match(/cli-sub\.yaml:5:\d+: .*shell command substitution/);
    expect(existsSync(join(process.cwd(), 'PWNED'))).to.equal(false);
  });

  it('shell metacharacters from ${VAR} reach the emulator as one literal argument', async () => {
    const image = await demoImage('basic', 'native', tmp.dir);
    // A folder name a shell would act on at every character: substitution, separators, globs, quotes.
    const evil = `we ird;|&<>*?'"$(touch PWNED)\`touch PWNED2\`$HOME ünï`;
    const dir = join(tmp.dir, evil, 'native');
    mkdirSync(dir, { recursive: true });
    copyFileSync(image, join(dir, 'basic.elf'));
    const file = tmp.write('meta.yaml', 'name: meta\nplatforms: [qemu_cortex_m3]\nvariants: [{ name: native }]\nsuites: [basic]\nimages: "${EVIL_DIR}/{variant}/{suite}.elf"\n');
    const out = join(tmp.dir, 'meta-out');
    const r = await tandemCli(tag, ['run', file, '--out', out, '-q'], { EVIL_DIR: join(tmp.dir, evil) });
    expect(r.code, r.stderr).to.equal(0);
    const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
    const command = rec.results[0]!.provenance.emulator!.command!;
    expect(rec.results[0]!.verdict).to.equal('passed');
    expect(command[command.indexOf('-kernel') + 1]).to.equal(join(dir, 'basic.elf'));
    expect(readFileSync(join(out, 'run.json'), 'utf8')).to.include(JSON.stringify(join(dir, 'basic.elf')).slice(1, -1));
    for (const where of [tmp.dir, process.cwd(), join(tmp.dir, evil), dir]) {
      expect(readdirSync(where).filter((f) => f.startsWith('PWNED')), where).to.deep.equal([]);
    }
  });
});
