// `tandem debug <run-dir> <job>`: the job's recorded image booted with the same Emulator.boot as a
// run, paused at reset with a GDB server on 127.0.0.1, console streamed to the terminal, and the
// exact debugger command printed. Ctrl-C or the debugger detaching ends it; nothing stays running.
import { parseArgs } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { createEmulators, closeEmulators } from '../emulators/registry.js';
import type { Session } from '../emulators/emulator.js';
import { checkRecordedImage } from '../build/recorded.js';
import { planRerun } from '../rerun/plan.js';
import { caseFunction, parseNm } from '../forensics/elf-text.js';
import { locateToolchain } from '../forensics/toolchain.js';
import { findOnPath } from '../emulators/executable.js';
import { LineSplitter } from '../run/line-splitter.js';
import { cleanText } from '../report/common.js';
import { freeLoopbackPort, listenersOn, startGdbProxy, waitForListener } from '../debug/gdb-proxy.js';
import { gdbCommandLine } from '../debug/gdb-command.js';
import { REPO_ROOT } from '../version.js';
import { modelsBeside } from '../emulators/renode/compiled-models.js';
import { EXIT, PORT_LIMIT, UsageError, catchInterrupts, display, loadRecord, positiveInt } from './common.js';

/** The debugger to suggest: one that knows ARM. */
export function findGdb(env: NodeJS.ProcessEnv = process.env): string {
  return ['gdb-multiarch', 'arm-none-eabi-gdb', 'arm-zephyr-eabi-gdb'].find((g) => findOnPath(g, env)) ?? 'gdb-multiarch';
}

/** A boot that failed: said plainly, exit 1 (not a usage error, not an internal one). */
class DebugBootError extends Error {}

/** Why Renode may refuse a state tandem saved: the models it names are not the ones loaded. */
function refusedSnapshotHint(snapshot: string): string {
  return existsSync(modelsBeside(snapshot))
    ? `  the board's C# models or the Renode version changed since the state was saved; \`tandem rerun\` the job to save a new one`
    : `  the state was saved without its compiled models (${display(modelsBeside(snapshot))}: older runs did not keep them): \`tandem rerun\` the job to save a new one`;
}

export async function cmdDebug(argv: string[]): Promise<number> {
  try {
    return await debugSession(argv);
  } catch (err) {
    if (!(err instanceof DebugBootError)) throw err;
    process.stderr.write(`tandem: ${err.message}\n`);
    return 1;
  }
}

async function debugSession(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { case: { type: 'string' }, port: { type: 'string' }, 'from-snapshot': { type: 'boolean' } },
  });
  if (positionals.length !== 2) throw new UsageError('tandem debug takes a run folder and a job, e.g. tandem debug reports/latest qemu_cortex_m3/wasm/sem');
  const runDir = resolve(positionals[0]!);
  const record = await loadRecord(runDir);
  const wanted = positionals[1]!;
  const plan = planRerun(record, { jobs: [wanted] });
  const ids = [...new Set(record.results.map((r) => r.job.id))];
  if (plan.problems.length) throw new UsageError(plan.problems.join('\n'));
  if (plan.jobs.length !== 1) {
    throw new UsageError(`${plan.jobs.length === 0 ? 'no job' : 'more than one job'} of ${display(runDir)} matches '${wanted}' (jobs: ${ids.join(', ')})`);
  }
  const job = plan.jobs[0]!;
  const earlier = plan.earlier[0]!;
  const checked = await checkRecordedImage(job.image!, { acceptChanged: true, runId: record.runId });
  if ('problem' in checked) throw new UsageError(checked.problem);
  if (job.image!.sha256 && checked.image.sha256 !== job.image!.sha256) {
    process.stderr.write(`tandem: warning: ${job.image!.path} changed since run ${record.runId}; debugging it as it is now\n`);
  }
  const elf = checked.image.path;

  let snapshot: string | undefined;
  if (values['from-snapshot']) {
    const file = earlier.snapshot?.file;
    if (!file) throw new UsageError(`${job.id} has no saved state in ${display(runDir)}${earlier.snapshot?.error ? ` (${earlier.snapshot.error})` : ' (snapshots are taken of Renode jobs that crashed or timed out)'}`);
    snapshot = join(runDir, file);
    if (!existsSync(snapshot)) throw new UsageError(`the snapshot ${display(snapshot)} is gone`);
  }

  let breakAt: string | undefined;
  if (values.case) {
    const [suite, test] = values.case.includes('.') ? values.case.split('.', 2) : [undefined, values.case];
    const buildDir = typeof job.image!.provenance?.buildDir === 'string' ? job.image!.provenance.buildDir : undefined;
    const nm = locateToolchain(buildDir).tools.nm;
    if (!nm) throw new UsageError('--case needs nm (arm-none-eabi-nm or llvm-nm) to find the test function: apt-get install binutils-arm-none-eabi');
    const symbols = parseNm((await execa(nm, ['-n', '--defined-only', elf])).stdout);
    const suites = [...new Set(earlier.cases.map((c) => c.suite))];
    const fn = caseFunction(symbols, suite ?? earlier.cases.find((c) => c.name === test)?.suite, test!);
    if (!fn) throw new UsageError(`no function for case '${values.case}' in ${elf} (cases of this job: ${earlier.cases.map((c) => `${c.suite}.${c.name}`).join(', ') || 'none recorded'}; suites: ${suites.join(', ')})`);
    breakAt = fn.name;
  }

  const port = values.port === undefined ? await freeLoopbackPort() : positiveInt('port', values.port, 0, PORT_LIMIT);
  const inner = await freeLoopbackPort();
  const emulators = createEmulators({ workers: 1, repoRoot: REPO_ROOT });
  const emulator = emulators.get(job.platform.emulator);
  const workDir = mkdtempSync(join(tmpdir(), 'tandem-debug-'));
  const interrupts = catchInterrupts(runDir, 'stopping the emulator');
  let session: Session | undefined;
  let why = 'stopped';
  try {
    const availability = emulator ? await emulator.available() : { ok: false, reason: `no ${job.platform.emulator} backend` };
    if (!emulator || !availability.ok) throw new UsageError(`cannot debug ${job.id}: ${availability.reason ?? 'emulator unavailable'}`);
    const proxy = await startGdbProxy(port, inner).catch((err: Error) => {
      throw new UsageError(`cannot listen on 127.0.0.1:${port}: ${err.message}`);
    });
    try {
      session = await emulator
        .boot(checked.image, job.platform, { signal: interrupts.signal, workDir, debug: { port: inner, ...(snapshot ? { snapshot } : {}) } })
        .catch((err: Error) => {
          const why = err.message.split('\n').slice(0, 2).join(' ');
          throw new DebugBootError(`cannot boot ${job.id} for debugging: ${why}${snapshot && /incompatible/i.test(why) ? `\n${refusedSnapshotHint(snapshot)}` : ''}`);
        });
      if (!(await waitForListener(inner, 60_000, interrupts.signal))) throw new DebugBootError(`the emulator's GDB server did not open 127.0.0.1:${inner}`);
      const out = process.stdout;
      const exposed = listenersOn(inner).filter((a) => a !== '0100007F');
      if (exposed.length) {
        process.stderr.write(`tandem: warning: ${job.platform.emulator}'s own GDB server listens on every interface (port ${inner}), not only on 127.0.0.1; debug on a trusted network or firewall that port (see README, "When something is red")\n`);
      }
      out.write(`tandem debug: ${job.id} ${snapshot ? `from ${display(snapshot)}` : 'paused at reset'}; GDB server on 127.0.0.1:${proxy.port}\n`);
      out.write(`  ${gdbCommandLine({ gdb: findGdb(), elf, port: proxy.port, ...(breakAt ? { breakAt } : {}) })}\n`);
      out.write(`Ctrl-C or detaching the debugger ends the session. Console:\n`);
      const splitter = new LineSplitter((line) => out.write(`${cleanText(line)}\n`));
      const pump = (async () => {
        for await (const chunk of session!.console) splitter.push(chunk);
        splitter.flush();
      })();
      const aborted = new Promise<void>((r) => interrupts.signal.addEventListener('abort', () => r(), { once: true }));
      why = await Promise.race([
        proxy.detached.then(() => 'the debugger detached'),
        session.exited.then((e) => `the emulator exited (code ${e.code ?? '-'}${e.signal ? `, ${e.signal}` : ''})`),
        aborted.then(() => 'interrupted'),
      ]);
      await session.stop();
      await pump.catch(() => undefined);
    } finally {
      await session?.stop();
      await proxy.close();
    }
  } finally {
    await closeEmulators(emulators);
    interrupts.release();
    rmSync(workDir, { recursive: true, force: true });
  }
  process.stdout.write(`tandem debug: ${why}; emulator stopped\n`);
  return why === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}
