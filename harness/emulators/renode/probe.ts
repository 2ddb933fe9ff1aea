// The Renode side of a measured boot, as IronPython run in the monitor's helper scope (monitor.ts,
// `py …`). Renode runs a hook by stopping the CPU at a breakpoint, which costs far more than the
// instruction it watches, so the probe watches as few as it can and reads registers instead:
// - a measured function's entry: the call's return address (LR) gets a hook of its own, and the
//   call ends when execution reaches it again with the same stack pointer: tail calls and returns
//   need no following;
// - exceptions: Renode's interrupt begin/end callbacks, which stop nothing;
// - context switches: the save/restore instructions, hooked only while a call is open, their key
//   read from the base register the plan names;
// - blocks: a block's hook goes away once it has run in a case and comes back at the next case.
// The records it hands over mean what the QEMU plugin's do (harness/domain-cost.ts ProbeRecord).
import { readFileSync } from 'node:fs';
import type { ProbeLog, ProbePlan, ProbeRecord } from '../../domain.js';

/** Defines tandem_probe_start / _detach / _finish in the helper scope (IronPython 2.7, .NET only). */
const PROBE = [
  'from Antmicro.Renode.Peripherals.CPU import CpuAddressHook as _TpHook',
  'from Antmicro.Renode.Core import EmulationManager as _TpEm',
  '_tp = {}',
  '_tp_cpus = []',
  'def _tp_cpu():',
  '    machine = list(_TpEm.Instance.CurrentEmulation.Machines)[0]',
  '    return list(machine.SystemBus.GetCPUs())[0]',
  'def _tp_add(address, hook):',
  '    _tp["cpu"].AddHook(address, hook)',
  '    _tp["active"].append((address, hook))',
  'def _tp_remove(address, hook):',
  '    _tp["cpu"].RemoveHook(address, hook)',
  '    _tp["active"].remove((address, hook))',
  'def _tp_reg(cpu, n):',
  '    return cpu.GetRegister(n).RawValue & 0xffffffff',
  'def _tp_switches(on):',
  '    if on == _tp["switching"]:',
  '        return',
  '    _tp["switching"] = on',
  '    for (address, hook) in _tp["switch"]:',
  '        if on:',
  '            _tp_add(address, hook)',
  '        else:',
  '            _tp_remove(address, hook)',
  'def _tp_returned(cpu, pc):',
  '    key = (pc, _tp_reg(cpu, 13))',
  '    ids = _tp["open"].pop(key, None)',
  '    if ids is None:',
  '        return',
  '    count = cpu.ExecutedInstructions',
  '    for i in reversed(ids):',
  '        _tp["out"].append("x %d %d" % (i, count))',
  '    if not _tp["open"]:',
  '        _tp_switches(False)',
  'def _tp_entry(i):',
  '    def hook(cpu, pc):',
  '        _tp["out"].append("s %d %d" % (i, cpu.ExecutedInstructions))',
  '        ret = _tp_reg(cpu, 14) & ~1',
  '        key = (ret, _tp_reg(cpu, 13))',
  '        _tp["open"].setdefault(key, []).append(i)',
  '        if ret not in _tp["returns"]:',
  '            _tp["returns"][ret] = _TpHook(_tp_returned)',
  '            _tp_add(ret, _tp["returns"][ret])',
  '        _tp_switches(True)',
  '    return _TpHook(hook)',
  'def _tp_switch(i, base, offset):',
  '    def hook(cpu, pc):',
  '        key = (_tp_reg(cpu, base) + offset) & 0xffffffff',
  '        _tp["out"].append("s %d %d %d" % (i, cpu.ExecutedInstructions, key))',
  '    return _TpHook(hook)',
  'def _tp_block(i, address):',
  '    def hook(cpu, pc):',
  '        _tp["hit"].append(i)',
  '        _tp_remove(address, _tp["blocks"][i][1])',
  '    return _TpHook(hook)',
  'def _tp_window(i):',
  '    def hook(cpu, pc):',
  '        for b in _tp["hit"]:',
  '            _tp["out"].append("h %d 1" % b)',
  '            _tp_add(_tp["blocks"][b][0], _tp["blocks"][b][1])',
  '        _tp["hit"] = []',
  '        _tp["out"].append("s %d %d" % (i, cpu.ExecutedInstructions))',
  '    return _TpHook(hook)',
  'def _tp_exception(end):',
  '    def hook(index):',
  '        if "out" in _tp:',
  '            _tp["out"].append("e %d %d" % (end, _tp["cpu"].ExecutedInstructions))',
  '    return System.Action[System.UInt64](hook)',
  'def tandem_probe_start(encoded):',
  '    try:',
  '        tandem_probe_detach()',
  '    except Exception:',
  '        pass',
  '    _tp.clear()',
  '    cpu = _tp_cpu()',
  '    _tp.update({"cpu": cpu, "out": [], "open": {}, "returns": {}, "switch": [], "switching": False, "blocks": {}, "hit": [], "active": []})',
  '    for line in System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String(encoded)).split("\\n"):',
  '        f = line.split(" ")',
  '        if len(f) < 3:',
  '            continue',
  '        (role, address, i) = (f[0], int(f[1], 16), int(f[2]))',
  '        if role == "entry":',
  '            _tp_add(address, _tp_entry(i))',
  '        elif role == "window":',
  '            _tp_add(address, _tp_window(i))',
  '        elif role == "switch":',
  '            _tp["switch"].append((address, _tp_switch(i, int(f[3]), int(f[4]))))',
  '        elif role == "block":',
  '            _tp["blocks"][i] = (address, _tp_block(i, address))',
  '            _tp_add(address, _tp["blocks"][i][1])',
  // Renode cannot remove interrupt callbacks (RemoveHookAtInterruptBegin is private): they stay
  // on the CPU and record only while a probe runs.
  '    if not any(c is cpu for c in _tp_cpus):',
  '        _tp_cpus.append(cpu)',
  '        cpu.AddHookAtInterruptBegin(_tp_exception(0))',
  '        cpu.AddHookAtInterruptEnd(_tp_exception(1))',
  '    return ""',
  'def tandem_probe_detach():',
  '    if "cpu" not in _tp:',
  '        return ""',
  '    for (address, hook) in list(_tp["active"]):',
  '        _tp_remove(address, hook)',
  '    return ""',
  'def tandem_probe_finish(path):',
  '    tandem_probe_detach()',
  '    out = _tp.get("out", [])',
  '    for b in _tp.get("hit", []):',
  '        out.append("h %d 1" % b)',
  '    _tp.clear()',
  '    System.IO.File.WriteAllText(path, "\\n".join(out) + "\\n")',
  '    return str(len(out))',
  '',
].join('\n');

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Loads the probe's functions into a Renode process (once per process). */
export const LOAD_PROBE = `py tandem_load('${b64(PROBE)}')`;

/** Hooks the plan's sites on the machine's CPU: run after LoadELF, before `start`. */
export function probeStartCommand(plan: ProbePlan): string {
  // Following sites and vectors are QEMU's: Renode closes calls at their return address and
  // reports exceptions itself.
  const lines = plan.sites
    .filter((s) => s.role === 'entry' || s.role === 'window' || s.role === 'switch' || s.role === 'block')
    .map((s) => `${s.role} ${s.address.toString(16)} ${s.id}${s.role === 'switch' ? ` ${s.base ?? 13} ${s.offset ?? 0}` : ''}`);
  return `py tandem_probe_start('${b64(lines.join('\n'))}')`;
}

/** Removes the hooks (the records stay): before a snapshot, which cannot hold Python hooks. */
export const PROBE_DETACH = 'py tandem_probe_detach()';

/** Removes the hooks and writes the records to `file`. */
export function probeFinishCommand(file: string): string {
  if (/['\\\n]/.test(file)) throw new Error(`path cannot be passed to the Renode probe: ${file}`);
  return `py tandem_probe_finish('${file}')`;
}

/** The records file written by tandem_probe_finish. Pure. */
export function parseProbeRecords(text: string): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    const [a, b, c] = [Number(f[1]), Number(f[2]), f[3] === undefined ? undefined : Number(f[3])];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    if (f[0] === 's') out.push({ kind: 'site', id: a, count: b, ...(c !== undefined && Number.isFinite(c) ? { key: c } : {}) });
    else if (f[0] === 'h') out.push({ kind: 'hits', id: a, count: b });
    else if (f[0] === 'x') out.push({ kind: 'exit', id: a, count: b });
    else if (f[0] === 'e') out.push({ kind: 'exception', end: a === 1, count: b });
  }
  return out;
}

export function readProbeRecords(file: string | undefined, why?: string): ProbeLog {
  if (!file) return { method: 'renode-hooks', records: [], problem: why ?? 'the Renode probe was not read' };
  try {
    return { method: 'renode-hooks', records: parseProbeRecords(readFileSync(file, 'utf8')) };
  } catch {
    return { method: 'renode-hooks', records: [], problem: why ?? 'the Renode probe wrote no records' };
  }
}
