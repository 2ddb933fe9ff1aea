// The Renode side of a measured boot: TandemProbe.cs, compiled into the Renode process with the
// board's models, watches the plan (how, and why mostly at block starts, is said there). This module
// writes its plan file, builds its monitor commands and reads its records. Pure apart from files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeLog, ProbePlan, ProbeRecord } from '../../domain.js';
import { REPO_ROOT } from '../../version.js';
import { monitorName, monitorString } from './commands.js';

/** The C# probe, compiled like a board model (`include`), once per Renode process that measures. */
export const PROBE_SOURCE = join(REPO_ROOT, 'probes/renode/TandemProbe.cs');

/**
 * The plan as TandemProbe.cs reads it. Follow sites, vectors and switches inside exception handlers
 * are the QEMU plugin's: Renode closes a call at its return address and reports exceptions, with the
 * stack pointer that tells the threads apart, itself.
 */
export function probePlanText(plan: ProbePlan): string {
  const lines = plan.sites
    .filter((s) => s.role === 'entry' || s.role === 'window' || (s.role === 'switch' && !s.inException) || s.role === 'block')
    .map((s) => `${s.role} ${s.address.toString(16)} ${s.id}${s.role === 'switch' ? ` ${s.base ?? 13} ${s.offset ?? 0}` : ''}`);
  for (const c of plan.code ?? []) lines.push(`code ${c.start.toString(16)} ${c.end.toString(16)}`);
  return `${lines.join('\n')}\n`;
}

export function writeProbePlan(plan: ProbePlan, workDir: string): string {
  const file = join(workDir, 'probe.plan');
  writeFileSync(file, probePlanText(plan));
  return file;
}

/** After LoadELF, before `start`: the probe watches the plan's addresses on the machine's CPU. */
export function probeStartCommand(cpu: string, planFile: string): string {
  return `sysbus.${monitorName(cpu)} TandemProbeStart ${monitorString(planFile)}`;
}

/** Stops watching, keeping the records: before a snapshot, which cannot hold the probe's hooks. */
export function probeDetachCommand(cpu: string): string {
  return `sysbus.${monitorName(cpu)} TandemProbeDetach`;
}

/** Stops watching and writes the records to `file`. */
export function probeFinishCommand(cpu: string, file: string): string {
  return `sysbus.${monitorName(cpu)} TandemProbeFinish ${monitorString(file)}`;
}

/** The records file TandemProbeFinish wrote. Pure. */
export function parseProbeRecords(text: string): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    const [a, b, c] = [Number(f[1]), Number(f[2]), f[3] === undefined ? undefined : Number(f[3])];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    if (f[0] === 's') out.push({ kind: 'site', id: a, count: b, ...(c !== undefined && Number.isFinite(c) ? { key: c } : {}) });
    else if (f[0] === 'h') out.push({ kind: 'hits', id: a, count: b });
    else if (f[0] === 'x') out.push({ kind: 'exit', id: a, count: b });
    else if (f[0] === 'e') out.push({ kind: 'exception', end: a === 1, count: b, ...(c !== undefined && Number.isFinite(c) ? { key: c } : {}) });
  }
  return out;
}

/** The records, or why there are none (a stop that did not finish never wrote them). */
export function readProbeRecords(file: string | undefined): ProbeLog {
  if (!file) return { method: 'renode-block-hooks', records: [], problem: 'the Renode session ended before the probe was read' };
  try {
    return { method: 'renode-block-hooks', records: parseProbeRecords(readFileSync(file, 'utf8')) };
  } catch {
    return { method: 'renode-block-hooks', records: [], problem: 'the Renode probe wrote no records' };
  }
}
