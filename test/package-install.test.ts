// What a new user gets: the repository packed (prepack builds dist/ from a clean copy of the
// sources, as a git install does), installed into an empty project with npm, and run with npx.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, TANDEM_VERSION } from '../harness/version.js';
import type { RunRecord } from '../harness/domain.js';
import { scratch } from './helpers/tmp.js';
import { taggedProcesses, testTag } from './helpers/tagged-processes.js';

const exec = promisify(execFile);
const { tag, env } = testTag();

interface Outcome { code: number; stdout: string; stderr: string }
async function sh(cmd: string, args: string[], cwd: string): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(cmd, args, { cwd, env, maxBuffer: 32 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

/** The files a fresh clone has (tracked, plus new files not ignored), without dist/ or builds. */
async function cleanCopy(to: string): Promise<void> {
  const { stdout } = await exec('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO_ROOT, maxBuffer: 32 << 20 });
  for (const rel of stdout.split('\0').filter(Boolean)) {
    const from = join(REPO_ROOT, rel);
    if (!existsSync(from)) continue; // deleted in the work tree, not yet committed
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    cpSync(from, join(to, rel));
  }
  // prepack compiles with the repository's TypeScript; installing it again would only cost time.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(to, 'node_modules'));
}

describe('the npm package, installed into an empty project', function () {
  this.timeout(900_000);
  const tmp = scratch('tandem-pkg-');
  const src = join(tmp.dir, 'src');
  const project = join(tmp.dir, 'project');
  let tarball: string;
  let files: string[];

  before(async () => {
    await cleanCopy(src);
    expect(existsSync(join(src, 'dist'))).to.equal(false);
    const packed = await sh('npm', ['pack', '--json', '--pack-destination', tmp.dir], src);
    expect(packed.code, packed.stderr).to.equal(0);
    const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(tmp.dir, info[0]!.filename);
    files = info[0]!.files.map((f) => f.path);
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'try-tandem', version: '1.0.0', private: true }));
    // README's install line, with the tarball for the package.
    const installed = await sh('npm', ['install', '--save-dev', tarball, '--no-audit', '--no-fund', '--prefer-offline'], project);
    expect(installed.code, installed.stderr).to.equal(0);
  });
  after(() => {
    for (const pid of taggedProcesses(tag)) process.kill(pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('holds what a user runs and nothing else', () => {
    for (const f of ['bin/tandem', 'bin/tandem.js', 'dist/bundle/cli.js', 'dist/harness/cli.js', 'dist/harness/version.js', 'platforms/qemu_cortex_m3.yaml', 'boards/nucleo_g474re.repl',
      'boards/models/STM32G4_RCC.cs', 'probes/qemu/tandem-probe.c', 'probes/renode/TandemProbe.cs', 'scenarios/demo.yaml', 'firmware/tests/sem/src/main.c', 'firmware/cmake/tandem_demo.cmake', 'README.md', 'LICENSE', 'package.json']) {
      expect(files, f).to.include(f);
    }
    const strays = files.filter((f) => /^(test|bench|harness|scripts|reports|build|node_modules)\//.test(f) || f.startsWith('dist/test') || f.startsWith('dist/bench') || f.endsWith('.ts'));
    expect(strays).to.deep.equal([]);
    expect(readFileSync(join(project, 'node_modules/tandem/LICENSE'), 'utf8')).to.match(/Apache License\s+Version 2\.0/);
  });

  it('npx tandem --version prints the package version', async () => {
    const out = await sh('npx', ['--no-install', 'tandem', '--version'], project);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout.trim()).to.equal(TANDEM_VERSION);
  });

  it('npx tandem doctor finds the tools and reports the installed package as its root', async () => {
    const out = await sh('npx', ['--no-install', 'tandem', 'doctor'], project);
    expect(out.code, out.stdout + out.stderr).to.equal(0);
    expect(out.stdout).to.include(`(${join(project, 'node_modules/tandem')})`);
    expect(out.stdout).to.match(/ok\s+qemu-system-arm/);
  });

  it('the GitHub Action installs the same tarball with `package:` and hands later steps its CLI', async () => {
    const ghEnv = join(tmp.dir, 'gh-env');
    writeFileSync(ghEnv, '');
    const r = await exec('bash', [join(REPO_ROOT, 'action/install-tandem.sh')], {
      env: { ...env, INPUT_PACKAGE: tarball, RUNNER_TEMP: join(tmp.dir, 'runner'), GITHUB_ENV: ghEnv, GITHUB_OUTPUT: join(tmp.dir, 'gh-out') },
      maxBuffer: 32 << 20,
    });
    const cli = join(tmp.dir, 'runner/tandem-cli/node_modules/tandem/bin/tandem');
    expect(readFileSync(ghEnv, 'utf8')).to.equal(`TANDEM_CLI=${cli}\n`);
    expect(r.stdout).to.include(`tandem ${TANDEM_VERSION} (${cli})`);
  });

  it('npx tandem demo builds in the project, not in node_modules, and finds the demo regressions', async () => {
    const out = await sh('npx', ['--no-install', 'tandem', 'demo', '--platform', 'qemu_cortex_m3', '--jobs', '2', '-q'], project);
    expect(out.code, out.stdout + out.stderr).to.equal(0);
    expect(out.stdout).to.include('the wasm candidate regressed');
    const runs = readdirSync(join(project, 'reports')).filter((d) => d !== 'latest');
    expect(runs).to.have.length(1);
    const record = JSON.parse(readFileSync(join(project, 'reports', runs[0]!, 'run.json'), 'utf8')) as RunRecord;
    expect(record.summary.regressed).to.equal(true);
    const classes = record.diff.filter((d) => d.class !== 'same').map((d) => `${d.case}:${d.class}`);
    expect(classes).to.include.members(['mutex_api_1cpu.test_mutex_priority_inheritance:regression', 'sem_api.test_sem_limit_saturates:crash', 'msgq_api.test_msgq_put_until_full:hang']);
    expect(existsSync(join(project, 'build/demo/qemu_cortex_m3/wasm/sem/zephyr/zephyr.elf'))).to.equal(true);
    const pkgDir = join(project, 'node_modules/tandem');
    expect(readdirSync(pkgDir).sort()).to.deep.equal(['LICENSE', 'README.md', 'bin', 'boards', 'dist', 'docs', 'firmware', 'package.json', 'platforms', 'probes', 'scenarios']);
    expect(taggedProcesses(tag)).to.deep.equal([]);
  });
});
