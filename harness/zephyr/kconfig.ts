// Kconfig as Zephyr writes it (`zephyr/.config`) and as people write it (fragments, `CONFIG_X=y`
// lines in a scenario or a testcase.yaml). Pure: text in, plain data out.

/** A merged `.config`: symbol → raw value as written (`y`, `64`, `"qemu_cortex_m3"`). */
export interface KconfigValues {
  /** Symbols with a value. `# CONFIG_X is not set` symbols are in `unset`, not here. */
  values: Map<string, string>;
  /** Symbols written as `# CONFIG_X is not set`: known to Kconfig, value n. */
  unset: Set<string>;
}

export interface KconfigAssignment {
  name: string;
  /** Raw value: `y`, `n`, a number, or a "quoted string" with its quotes. */
  value: string;
}

const ASSIGNMENT = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^#\s*(CONFIG_[A-Za-z0-9_]+) is not set\s*$/;

export function parseDotConfig(text: string): KconfigValues {
  const values = new Map<string, string>();
  const unset = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const off = NOT_SET.exec(line);
    if (off) {
      values.delete(off[1]!);
      unset.add(off[1]!);
      continue;
    }
    const on = ASSIGNMENT.exec(line);
    if (on) {
      // Later lines win, as in Kconfig's own merge.
      unset.delete(on[1]!);
      values.set(on[1]!, on[2]!);
    }
  }
  return { values, unset };
}

/** `CONFIG_X=y` → { name, value }; `# CONFIG_X is not set` → value n; anything else undefined. */
export function parseAssignment(line: string): KconfigAssignment | undefined {
  const t = line.trim();
  const off = NOT_SET.exec(t);
  if (off) return { name: off[1]!, value: 'n' };
  const on = ASSIGNMENT.exec(t);
  return on ? { name: on[1]!, value: on[2]!.trim() } : undefined;
}

/** True when the symbol is enabled (`y`), the way `#ifdef CONFIG_X` sees a bool. */
export function isEnabled(config: KconfigValues, name: string): boolean {
  return config.values.get(name) === 'y';
}

/** Value without string quotes; undefined when unset or absent. */
export function valueOf(config: KconfigValues, name: string): string | undefined {
  const v = config.values.get(name);
  if (v === undefined) return undefined;
  return unquote(v);
}

export function unquote(v: string): string {
  return /^".*"$/.test(v) ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

export interface AssignmentMismatch {
  requested: KconfigAssignment;
  /** What the build ended up with; undefined when the symbol is absent or unset. */
  actual: string | undefined;
}

/**
 * Requested assignments that did not survive into the build. Kconfig drops an assignment whose
 * dependencies are unmet with only a warning, so `CONFIG_GALE_WASM_LTO_MUTEX=y` without
 * `GALE_KERNEL_MUTEX` builds the plain image and a native-vs-wasm diff would compare two copies
 * of the same thing.
 */
export function unmetAssignments(config: KconfigValues, requested: readonly KconfigAssignment[]): AssignmentMismatch[] {
  const out: AssignmentMismatch[] = [];
  // Only the last assignment of a symbol counts, as in the merge.
  const last = new Map<string, KconfigAssignment>();
  for (const a of requested) last.set(a.name, a);
  for (const a of last.values()) {
    const actual = config.values.get(a.name);
    if (a.value === 'n') {
      if (actual !== undefined && actual !== 'n') out.push({ requested: a, actual });
      continue;
    }
    if (actual === undefined || !sameValue(actual, a.value)) out.push({ requested: a, actual });
  }
  return out;
}

function sameValue(actual: string, requested: string): boolean {
  if (actual === requested) return true;
  const n = (s: string) => (/^-?(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : Number.NaN);
  const a = n(actual);
  return !Number.isNaN(a) && a === n(requested);
}

/** The fragment file text for a list of `CONFIG_X=y` lines. */
export function fragmentText(header: string, lines: readonly string[]): string {
  return `# ${header}\n${lines.join('\n')}\n`;
}
