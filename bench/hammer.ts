// `npm run bench hammer`: what a guest's accesses to addresses with no model cost it on Renode
// (nucleo_g474re), through `bin/tandem run` as a user runs it. The demo firmware's `hammer` suite
// writes 10 million times, alternating between two words:
//   ram      the same loop on RAM: the guest's own speed
//   counted  ADC1 (no model on the board), counted by the board's UnmodelledSpace model
//   alias    0x0, the boot memory alias: a modelled peripheral, Renode's price of any register write
//   logged   ADC1 on the board without the counter: each write a `non existing peripheral`
//            warning, as before issue 17 (200 000 writes, scaled to 10 million)
// and a hang: the loop at 0x0 forever, ended by a 1 s guest wall limit, on Renode and on QEMU.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../harness/domain.js';
import { locateRenode } from '../harness/emulators/renode/locate.js';
import { REPO_ROOT } from '../harness/version.js';

const TANDEM = join(REPO_ROOT, 'bin/tandem');
const WRITES = 10_000_000;
const LOGGED_WRITES = 200_000;

function scenario(work: string, name: string, platforms: string[], variants: Array<[string, string[]]>, wall: number): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, `name: ${name}
platforms: [${platforms.join(', ')}]
suites:
  - { name: hammer, path: ${REPO_ROOT}/firmware/tests/hammer }
variants:
${variants.map(([v, kconfig]) => `  - { name: ${v}, kconfig: [${kconfig.join(', ')}] }`).join('\n')}
build: { kind: cmake, build_root: ${REPO_ROOT}/build/bench }
timeouts: { wall: ${wall}, silence: ${wall}, crash_grace: 0.5 }
`);
  return file;
}

function run(file: string, out: string, extra: string[] = []): RunRecord {
  spawnSync(TANDEM, ['run', file, '--out', out, '-q', '--no-snapshot', '--jobs', '1', ...extra], { stdio: 'ignore' });
  return JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The board without its counter: Renode's own warnings, as tandem read them before. */
function loggedPlatform(work: string): string {
  const repl = readFileSync(join(REPO_ROOT, 'boards/nucleo_g474re.repl'), 'utf8')
    .replace(/^\/\/ tandem-include: (.*)$/gm, (_, rel: string) => `// tandem-include: ${join(REPO_ROOT, 'boards', rel)}`)
    .replace(/^\/\/ tandem-include: .*UnmodelledSpace\.cs\n/m, '')
    .replace(/^unmodelled: [^\n]*\n?/m, '');
  writeFileSync(join(work, 'logged.repl'), repl);
  // Found beside the scenario file, as any scenario's own platforms.
  mkdirSync(join(work, 'platforms'), { recursive: true });
  writeFileSync(join(work, 'platforms', 'nucleo_g474re_logged.yaml'), readFileSync(join(REPO_ROOT, 'platforms/nucleo_g474re.yaml'), 'utf8')
    .replace(/^name: .*$/m, 'name: nucleo_g474re_logged')
    .replace(/^  repl: .*$/m, `  repl: ${join(work, 'logged.repl')}`));
  return 'nucleo_g474re_logged';
}

export async function hammerBench(work: string): Promise<void> {
  if (!locateRenode()) {
    console.log('hammer: skipped (needs Renode: TANDEM_RENODE or renode on PATH)');
    return;
  }
  const n = (k: string) => `CONFIG_HAMMER_WRITES=${k === 'logged' ? LOGGED_WRITES : WRITES}`;
  const variants: Array<[string, string[]]> = [
    ['ram', [n('ram'), 'CONFIG_HAMMER_RAM=y']],
    ['counted', [n('counted')]],
    ['alias', [n('alias'), 'CONFIG_HAMMER_ADDRESS=0x0']],
  ];
  // One Renode, machine reset and reused; the first boot (Renode's start) is left out.
  const rounds = 4;
  const rec = run(scenario(work, 'hammer', ['nucleo_g474re'], variants, 600), join(work, 'hammer'), ['--repeat', String(rounds)]);
  const first = [...rec.results].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))[0]!;
  const wall = new Map<string, number>();
  for (const [v] of variants) {
    const boots = rec.results.filter((r) => r.job.variant === v && r !== first);
    if (boots.some((r) => r.verdict !== 'passed')) throw new Error(`hammer/${v}: ${boots.map((r) => r.verdict).join(', ')}`);
    wall.set(v, median(boots.map((r) => r.wallMs)));
  }
  const logged = run(scenario(work, 'hammer-logged', [loggedPlatform(work)], [['logged', [n('logged')]]], 600), join(work, 'hammer-logged'));
  const loggedMs = logged.results[0]!.wallMs;
  const ram = wall.get('ram')!;
  const perWrite = (ms: number, writes = WRITES) => ((ms - ram) * 1000) / writes;
  console.log(`hammer: 10 million writes alternating between two words, nucleo_g474re on Renode, boot → verdict (median of ${rounds - 1})`);
  console.log(`  to RAM                                ${(ram / 1000).toFixed(2)} s`);
  for (const [v, label] of [['counted', 'to ADC1 (no model), counted'], ['alias', 'to 0x0 (boot alias, a modelled register)']] as const) {
    console.log(`  ${label.padEnd(38)}${(wall.get(v)! / 1000).toFixed(2)} s  ${perWrite(wall.get(v)!).toFixed(2)} µs a write`);
  }
  const loggedPer = perWrite(loggedMs, LOGGED_WRITES);
  console.log(`  to ADC1, logged by Renode (before)    ${((loggedPer * WRITES) / 1e6).toFixed(0)} s  ${loggedPer.toFixed(2)} µs a write (${LOGGED_WRITES} writes: ${(loggedMs / 1000).toFixed(1)} s)`);
  console.log(`  counting vs a modelled register       ${(perWrite(wall.get('counted')!) / perWrite(wall.get('alias')!)).toFixed(2)}×; vs logged ${(loggedPer / perWrite(wall.get('counted')!)).toFixed(1)}× faster`);

  // The poll image's hang: zeros to 0x0 and 0x4 for ever, no output; ended by the guest wall limit.
  const hang = run(scenario(work, 'hammer-hang', ['qemu_cortex_m3', 'nucleo_g474re'], [['forever', ['CONFIG_HAMMER_ADDRESS=0x0', 'CONFIG_HAMMER_FOREVER=y']]], 1), join(work, 'hammer-hang'));
  const host = (p: string) => hang.results.find((r) => r.job.platform === p)!;
  const q = host('qemu_cortex_m3');
  const r = host('nucleo_g474re');
  console.log(`  hang at 0x0, 1 s guest wall limit: qemu_cortex_m3 ${(q.wallMs / 1000).toFixed(2)} s, nucleo_g474re ${(r.wallMs / 1000).toFixed(2)} s (${(r.wallMs / q.wallMs).toFixed(1)}×; ${r.reason ?? r.verdict})`);
}
