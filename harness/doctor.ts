// `tandem doctor`: what this machine can run, and what to do about what it cannot.
import { execa } from './lazy-execa.js';
import { createQemuEmulator } from './emulators/qemu.js';
import { createRenodeEmulator } from './emulators/renode/index.js';
import { TANDEM_VERSION } from './version.js';
import { TOOL_NAMES, locateToolchain } from './forensics/toolchain.js';
import { findGdb } from './commands/debug.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Needed for the built-in demo on QEMU; the others widen what tandem can do. */
  required: boolean;
}

async function tool(name: string, args: string[], required: boolean, fix: string): Promise<Check> {
  const r = await execa(name, args, { reject: false, timeout: 10_000 });
  const first = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.trim()) ?? '';
  return r.exitCode === 0 ? { name, ok: true, detail: first.trim(), required } : { name, ok: false, detail: fix, required };
}

/** The tools crash forensics uses on PATH (a build's own toolchain, named in its CMakeCache.txt, is tried first). */
function forensicsChecks(): Check[] {
  const { tools, missing } = locateToolchain(undefined);
  return TOOL_NAMES.map((t) => ({
    name: t,
    ok: Boolean(tools[t]),
    detail: tools[t] ? `${tools[t]} (crash forensics)` : `missing: crash reports show raw addresses only; apt-get install binutils-arm-none-eabi (${missing.find((m) => m.startsWith(t)) ?? t})`,
    required: false,
  }));
}

export async function doctor(repoRoot: string): Promise<number> {
  const qemu = await createQemuEmulator().available();
  const renodeEmu = createRenodeEmulator({ repoRoot, workers: 1 });
  const renode = await renodeEmu.available();
  await renodeEmu.close();
  const checks: Check[] = [
    { name: 'qemu-system-arm', ok: qemu.ok, detail: qemu.ok ? `QEMU ${qemu.version}` : (qemu.reason ?? ''), required: true },
    {
      name: 'renode',
      ok: renode.ok,
      detail: renode.ok
        ? `Renode ${renode.version}`
        : `${renode.reason}; install a release from the Renode project's downloads (portable Linux build), then put it on PATH`,
      required: false,
    },
    await tool('arm-none-eabi-gcc', ['--version'], true, 'apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi'),
    await tool('cmake', ['--version'], true, 'apt-get install cmake'),
    await tool('ninja', ['--version'], true, 'apt-get install ninja-build'),
    await tool('west', ['--version'], false, 'pip install west (only for scenarios with build.kind: west)'),
    ...forensicsChecks(),
    await tool(findGdb(), ['--version'], false, 'apt-get install gdb-multiarch (the debugger tandem debug tells you to attach)'),
  ];
  console.log(`tandem ${TANDEM_VERSION} doctor (${repoRoot})`);
  for (const c of checks) {
    console.log(`  ${c.ok ? 'ok  ' : c.required ? 'MISS' : 'skip'}  ${c.name.padEnd(18)} ${c.detail}`);
  }
  const missing = checks.filter((c) => c.required && !c.ok);
  if (missing.length) console.log(`\n${missing.length} required tool(s) missing: bash scripts/setup.sh installs them (as root).`);
  return missing.length ? 1 : 0;
}
