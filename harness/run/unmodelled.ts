// Names the devicetree node behind each unmodelled access of a boot, from the zephyr.dts the
// build left next to the image, and says what the guest did last when it ended without a verdict.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunEnd, UnmodelledAccess } from '../domain.js';
import { parseDts, type Devicetree } from '../zephyr/dts.js';
import { unmodelledLead, withNodes } from '../emulators/unmodelled.js';

/** `zephyr.dts` next to the image, else in the build folder's `zephyr/` (build/zephyr/zephyr.elf). */
export function dtsPathOf(image: string): string | undefined {
  const dir = dirname(image);
  return [join(dir, 'zephyr.dts'), join(dir, 'zephyr', 'zephyr.dts'), join(dirname(dir), 'zephyr', 'zephyr.dts')].find((p) => existsSync(p));
}

const trees = new Map<string, Devicetree | undefined>();

/** The image's devicetree, read once per file; undefined when there is none or it cannot be read. */
export function devicetreeOf(image: string): Devicetree | undefined {
  const path = dtsPathOf(image);
  if (!path) return undefined;
  if (!trees.has(path)) {
    let tree: Devicetree | undefined;
    try {
      tree = parseDts(readFileSync(path, 'utf8'));
    } catch {
      // An unreadable devicetree costs the node names, not the run.
      tree = undefined;
    }
    trees.set(path, tree);
  }
  return trees.get(path);
}

export function withDevicetree(accesses: UnmodelledAccess[], image: string): UnmodelledAccess[] {
  if (!accesses.length) return accesses;
  const tree = devicetreeOf(image);
  return tree ? withNodes(accesses, tree) : accesses;
}

/** What the guest did after its last unmodelled access, for the ends that leave no verdict. */
function afterwards(end: RunEnd): string | undefined {
  switch (end.kind) {
    case 'silence':
      return 'stopped printing';
    case 'wall':
      return 'did not finish in time';
    default:
      return undefined;
  }
}

/**
 * For a boot that ended without a verdict after touching addresses with no model: the access it
 * stopped after, as the lead of its reason ("the guest wrote to … and then stopped printing").
 */
export function stuckOn(end: RunEnd, accesses: readonly UnmodelledAccess[], platform: string): string | undefined {
  const then = afterwards(end);
  return then ? unmodelledLead(accesses, platform, then) : undefined;
}
