// How every report words the accesses a guest made to addresses with no model. A failing job
// already leads its reason with the last of them; a passing one that touched a missing peripheral
// passed on a platform that is not the silicon, and the reader should know. Pure.
import type { RunRecord, RunResult, UnmodelledAccess } from '../domain.js';
import { whereOf } from '../emulators/unmodelled.js';

/** Jobs that reported unmodelled accesses, in run order. */
export function jobsWithUnmodelled(record: RunRecord): RunResult[] {
  return record.results.filter((r) => r.unmodelled?.length);
}

/** `write 0x50060800 ×2 (4 B; `rng@50060800`, not modelled on nucleo_g474re; pc 0x8001a2c)` */
export function accessText(a: UnmodelledAccess, platform: string): string {
  const times = a.count > 1 ? ` ×${a.count}` : '';
  const pc = a.pc ? `; pc ${a.pc}` : '';
  const value = a.value ? ` = ${a.value}` : '';
  return `${a.access} ${a.address}${value}${times} (${a.width} B; ${whereOf(a, platform)}${pc})`;
}

/** One line per job: how many addresses and which nodes, for lists that only have a line. */
export function unmodelledSummary(r: RunResult): string {
  const list = r.unmodelled ?? [];
  const names = [...new Set(list.map((a) => a.node ?? a.region ?? a.address))];
  const shown = names.slice(0, 4).join(', ') + (names.length > 4 ? ', …' : '');
  return `${list.length} unmodelled access${list.length === 1 ? '' : 'es'}: ${shown}`;
}
