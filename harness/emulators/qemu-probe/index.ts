// The QEMU side of a measured boot: the plugin arguments for the plan, and the records afterwards.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeLog, ProbePlan } from '../../domain.js';
import { qemuProbePlugin } from './plugin.js';
import { planText, readProbeOutput } from './output.js';

/** Room for records: 24 bytes each in a sparse file, so only what is written takes space. */
const RECORDS = 1 << 22;

export interface QemuProbe {
  /** `-plugin <so>,plan=…,out=…`. */
  readonly args: string[];
  /** After QEMU has stopped: what the plugin recorded. */
  finish(): ProbeLog;
}

/** QEMU's option syntax doubles a ',' inside a value. */
const optionValue = (s: string) => s.replace(/,/g, ',,');

export async function openQemuProbe(qemu: string, plan: ProbePlan, workDir: string): Promise<QemuProbe | { problem: string }> {
  const plugin = await qemuProbePlugin(qemu);
  if ('problem' in plugin) return plugin;
  mkdirSync(workDir, { recursive: true });
  const planFile = join(workDir, 'probe.plan');
  const out = join(workDir, 'probe.out');
  writeFileSync(planFile, planText(plan));
  return {
    args: ['-plugin', `${optionValue(plugin.path)},plan=${optionValue(planFile)},out=${optionValue(out)},records=${RECORDS}`],
    finish: () => readProbeOutput(out),
  };
}
