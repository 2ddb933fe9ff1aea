// The measurement rooms' vocabulary (harness/measure/): what the console is read for besides
// ztest, what an image weighs, the figures a console printed, and how baseline and candidate
// compare on them. Plain data, re-exported by domain.ts.

/** testcase.yaml `harness: console` with its `harness_config`, as twister's Console harness reads it. */
export interface ConsoleHarnessSpec {
  type: 'one_line' | 'multi_line';
  /** Searched in each line (Python `re.search`); `one_line` uses the first only. */
  regex: string[];
  /** `multi_line`: in this order (twister's default) or in any order. */
  ordered: boolean;
}

/** Figures to capture from the console: every line a regex matches is one row of its named groups. */
export interface RecordSpec {
  regex: string[];
  /** Capture stops at the first line this matches (`=== END ===`); an image without ztest output ends its boot there. */
  end?: string;
  /** twister's `record: { merge, as_json }`: how twister.json's `recording` shows the rows. */
  merge?: boolean;
  asJson?: string[];
  /** Where it was declared: `<testcase.yaml>` or `<scenario>:<line>`. */
  source: string;
}

export interface ConsoleSpec {
  harness?: ConsoleHarnessSpec;
  records?: RecordSpec[];
}

/** Kinds of allocated section, by their flags and where they run. */
export type SectionKind = 'text' | 'rodata' | 'data' | 'bss' | 'noinit';
export const SECTION_KINDS: readonly SectionKind[] = ['text', 'rodata', 'data', 'bss', 'noinit'];

/** One allocated ELF section, counted where it lives: `.data` is in flash (its load image) and in RAM. */
export interface FootprintSection {
  name: string;
  kind: SectionKind;
  /** Bytes it takes in flash (its load image) and in RAM (where it runs); 0 where it does not live. */
  flash: number;
  ram: number;
}

/** What one input object or library member put into the image (zephyr.map), per section kind. */
export interface FootprintObject {
  /** `libkernel.a(mutex.c.obj)`, or the last parts of an object's path. */
  name: string;
  flash: number;
  ram: number;
  kinds: Partial<Record<SectionKind, number>>;
}

export interface FootprintSymbol {
  name: string;
  bytes: number;
  kind: SectionKind;
  /** The object it came from, when zephyr.map was read. */
  object?: string;
}

export interface Footprint {
  /** Bytes of flash and RAM the image uses: the sum of its sections where they live (no padding). */
  flash: number;
  ram: number;
  /** The platform's `flash_kb`/`ram_kb` in bytes, when it gives them. */
  flashAvailable?: number;
  ramAvailable?: number;
  sections: FootprintSection[];
  /** From zephyr.map: every object with bytes in the image, largest first. */
  objects?: FootprintObject[];
  /** The largest symbols, largest first. */
  symbols: FootprintSymbol[];
  /** Sized symbols in the image; more than `symbols` holds when the list was cut. */
  symbolCount: number;
  /** The map file read, when one was found beside the image or in its build folder. */
  map?: string;
  /** How flash and RAM were told apart: the map's memory regions, or the Cortex-M address map. */
  regions: 'map' | 'architecture';
}

/** One console line a record pattern matched: its named groups as printed (trimmed). */
export interface RecordRow {
  line: number;
  values: Record<string, string>;
}

export interface Records {
  rows: RecordRow[];
  /** Why figures read 0 here (an emulator without a cycle counter), when some do. */
  note?: string;
  /** Matching lines past the cap, not kept. */
  dropped?: number;
}

/** One image compared: the same platform and suite, baseline variant against candidate. */
export interface MeasuredPair {
  platform: string;
  suite: string;
  baselineVariant: string;
  candidateVariant: string;
}

/** Bytes on each side and the change; `pct` is relative to the baseline (absent when it is 0). */
export interface SizeDelta {
  baseline: number;
  candidate: number;
  delta: number;
  pct?: number;
}

export type ItemChange = 'new' | 'gone' | 'grown' | 'shrunk';

export interface ItemDelta extends SizeDelta {
  name: string;
  change: ItemChange;
  kind?: SectionKind;
  /** The side without it lists only items of at least this many bytes: it had this one below that, if at all. */
  below?: number;
}

export interface FootprintDiff extends MeasuredPair {
  /** The candidate's image file, as recorded. */
  image?: string;
  flash: SizeDelta;
  ram: SizeDelta;
  flashAvailable?: number;
  ramAvailable?: number;
  /** Per section kind (text, rodata, data, bss, noinit), counted where each lives. */
  kinds: Array<SizeDelta & { kind: SectionKind; region: 'flash' | 'ram' }>;
  /** Per ELF section, the changed ones. */
  sections: Array<SizeDelta & { name: string; kind: SectionKind }>;
  /** The largest changes per object (zephyr.map) and per symbol, by bytes either way. */
  objects: ItemDelta[];
  symbols: ItemDelta[];
}

/** One figure compared: a record row's labels (`op=k_mutex_unlock`) and one of its numbers (`cyc`). */
export interface RecordDelta {
  /** The row's non-numeric groups, `op=k_mutex_unlock`; empty when it has none. */
  key: string;
  figure: string;
  /** The median when the key was printed more than once (or booted more than once). */
  baseline?: number;
  candidate?: number;
  /** candidate / baseline, when both are there and the baseline is not 0. */
  ratio?: number;
  /** The gate's limit for this figure, and whether the ratio is over it. */
  gate?: number;
  over?: boolean;
}

export interface RecordDiff extends MeasuredPair {
  rows: RecordDelta[];
  /** Why some figures read 0 (an emulator without a cycle counter). */
  note?: string;
}
