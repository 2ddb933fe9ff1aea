// A Zephyr test app's `testcase.yaml` (or a sample's `sample.yaml`), read the way twister reads it:
// every `tests:` entry is its own scenario (its own image), merged with `common:` by twister's
// rules; which platforms it may run on is decided by twister's static filters. Pure except
// `readTestcaseFile`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Platform, TwisterScenario } from '../domain.js';
import { parseYaml, type YamlValue } from '../scenario/yaml-reader.js';
import { readHarnessConfig } from './console-harness.js';

/** What tandem does with each key; the rest are recorded under `ignored`. */
const LIST_KEYS = {
  extra_configs: 'extraConfigs',
  extra_args: 'extraArgs',
  extra_conf_files: 'extraConfFiles',
  extra_overlay_confs: 'extraOverlayConfs',
  extra_dtc_overlay_files: 'extraDtcOverlayFiles',
  platform_allow: 'platformAllow',
  platform_exclude: 'platformExclude',
  arch_allow: 'archAllow',
  arch_exclude: 'archExclude',
  integration_platforms: 'integrationPlatforms',
  tags: 'tags',
} as const;

// twister concatenates these with common's instead of merging (config_parser.get_scenario).
const CONCATENATED_FILE_LISTS = new Set(['extra_conf_files', 'extra_overlay_confs', 'extra_dtc_overlay_files']);

type Raw = string | number | boolean | null | Raw[] | { [k: string]: Raw };

export const TESTCASE_FILES = ['testcase.yaml', 'sample.yaml'] as const;

/** The testcase.yaml (or sample.yaml) of an app folder, if it has one. */
export function findTestcaseFile(appDir: string): string | undefined {
  for (const f of TESTCASE_FILES) {
    const p = join(appDir, f);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export function readTestcaseFile(file: string, displayName = file): TwisterScenario[] {
  return parseTestcaseYaml(readFileSync(file, 'utf8'), displayName);
}

export function parseTestcaseYaml(text: string, file: string): TwisterScenario[] {
  const root = parseYaml(text, file).root;
  if (!root.isMap()) root.fail('expected a mapping with a tests: section');
  const tests = root.get('tests');
  if (!tests.present) root.fail("has no 'tests:' section", 'twister needs at least one scenario under tests:');
  if (!tests.isMap()) tests.fail('expected a mapping of scenario names to their settings');
  const common = root.get('common');
  const commonRaw = common.present ? asMap(common) : {};
  return tests.keys().map((id) => {
    const entry = tests.get(id);
    const own = entry.present ? asMap(entry) : {};
    return toScenario(id, file, mergeCommon(commonRaw, own), entry);
  });
}

/** twister's config_parser.get_scenario: lists and strings concatenate, scalars are replaced. */
export function mergeCommon(common: Record<string, Raw>, own: Record<string, Raw>): Record<string, Raw> {
  const d: Record<string, Raw> = { ...common };
  for (const [k, v] of Object.entries(own)) {
    if (!(k in d)) {
      d[k] = v;
      continue;
    }
    const c = d[k]!;
    if (k === 'filter') d[k] = `(${String(c)}) and (${String(v)})`;
    else if (CONCATENATED_FILE_LISTS.has(k)) d[k] = [...toList(c), ...toList(v)];
    else if (typeof c === 'string' && Array.isArray(v)) d[k] = [...splitWords(c), ...v];
    else if (Array.isArray(c) && typeof v === 'string') d[k] = [...c, ...splitWords(v)];
    else if (Array.isArray(c) && Array.isArray(v)) d[k] = [...c, ...v];
    else if (typeof c === 'string' && typeof v === 'string') d[k] = `${c} ${v}`;
    else d[k] = v;
  }
  return d;
}

function toScenario(id: string, file: string, d: Record<string, Raw>, at: YamlValue): TwisterScenario {
  const s: TwisterScenario = {
    id,
    file,
    extraConfigs: [],
    extraArgs: [],
    extraConfFiles: [],
    extraOverlayConfs: [],
    extraDtcOverlayFiles: [],
    platformAllow: [],
    platformExclude: [],
    archAllow: [],
    archExclude: [],
    integrationPlatforms: [],
    tags: [],
    buildOnly: false,
    skip: false,
    ignored: {},
  };
  let harnessConfig: Raw | undefined;
  for (const [k, v] of Object.entries(d)) {
    if (k in LIST_KEYS) {
      s[LIST_KEYS[k as keyof typeof LIST_KEYS]] = toList(v);
      continue;
    }
    switch (k) {
      case 'timeout':
        s.timeout = int(v, k, at);
        break;
      case 'min_ram':
        s.minRamKb = int(v, k, at);
        break;
      case 'min_flash':
        s.minFlashKb = int(v, k, at);
        break;
      case 'build_only':
        s.buildOnly = v === true;
        break;
      case 'skip':
        s.skip = v === true;
        break;
      case 'filter':
        if (typeof v === 'string' && v.trim()) s.filter = v.replace(/\s+/g, ' ').trim();
        break;
      case 'harness':
        if (typeof v === 'string') s.harness = v;
        break;
      case 'harness_config':
        harnessConfig = v;
        break;
      case 'type':
        if (typeof v === 'string') s.type = v;
        break;
      default:
        s.ignored[k] = v;
    }
  }
  if (harnessConfig !== undefined || s.harness === 'console') {
    try {
      const spec = readHarnessConfig(s.harness, harnessConfig, file);
      if (spec.harness || spec.records) s.console = spec;
    } catch (err) {
      (at.get('harness_config').present ? at.get('harness_config') : at).fail((err as Error).message);
    }
  }
  // OVERLAY_CONFIG / CONF_FILE / DTC_OVERLAY_FILE inside extra_args are deprecated spellings of
  // the file lists; twister moves them there so they merge with the rest.
  const moved = extractFileArgs(s.extraArgs);
  s.extraArgs = moved.rest;
  s.extraConfFiles = [...moved.CONF_FILE, ...s.extraConfFiles];
  s.extraOverlayConfs = [...moved.OVERLAY_CONFIG, ...s.extraOverlayConfs];
  s.extraDtcOverlayFiles = [...moved.DTC_OVERLAY_FILE, ...s.extraDtcOverlayFiles];
  return s;
}

function extractFileArgs(args: string[]): { rest: string[]; CONF_FILE: string[]; OVERLAY_CONFIG: string[]; DTC_OVERLAY_FILE: string[] } {
  const out = { rest: [] as string[], CONF_FILE: [] as string[], OVERLAY_CONFIG: [] as string[], DTC_OVERLAY_FILE: [] as string[] };
  for (const a of args) {
    const m = /^(CONF_FILE|OVERLAY_CONFIG|DTC_OVERLAY_FILE)=(.*)$/.exec(a);
    if (m) out[m[1] as 'CONF_FILE'].push(m[2]!.replace(/^['"]|['"]$/g, ''));
    else out.rest.push(a);
  }
  return out;
}

/** Entries of a list valid for this platform: `arch:<a>:X` and `platform:<p>:X` are conditional. */
export function forPlatform(list: readonly string[], platform: Platform): string[] {
  const out: string[] = [];
  for (const item of list) {
    const parts = item.split(':');
    if (parts.length === 3 && parts[0] === 'arch') {
      if (parts[1] === platform.arch) out.push(parts[2]!);
    } else if (parts.length === 3 && parts[0] === 'platform') {
      if (parts[1] === platform.name || parts[1] === platform.board) out.push(parts[2]!);
    } else if (parts.length === 3 && parts[0] === 'simulation') {
      if (parts[1] === platform.emulator) out.push(parts[2]!);
    } else {
      out.push(item);
    }
  }
  return out;
}

/** twister's defaults for a platform description without ram/flash. */
const DEFAULT_PLATFORM_RAM_KB = 128;
const DEFAULT_PLATFORM_FLASH_KB = 512;

/** Harnesses tandem judges: ztest output, or twister's console harness (zephyr/console-harness.ts). */
const ZTEST_HARNESSES = new Set(['', 'test', 'ztest', 'console']);

/**
 * Why twister would not build this scenario for this platform (its static filters, in its
 * wording, with the values that decided); empty when it would. `filter:` needs the build's
 * .config and is evaluated after configuring. `integration_platforms` only matters to twister's
 * --integration mode and `platform_key` to its de-duplication; neither filters here.
 */
export function staticFilterReasons(s: TwisterScenario, platform: Platform): string[] {
  const reasons: string[] = [];
  const names = [platform.name, platform.board];
  const listed = (list: string[]) => `${list.join(', ')}`;
  if (s.skip) reasons.push('Skip filter');
  if (s.type === 'unit') reasons.push('unit test (runs on the host, not on a platform)');
  if (s.archAllow.length && !s.archAllow.includes(platform.arch)) reasons.push(`Not in testsuite arch allow list (${listed(s.archAllow)})`);
  if (s.archExclude.includes(platform.arch)) reasons.push(`In testsuite arch exclude (${platform.arch})`);
  if (s.platformExclude.some((p) => names.includes(p))) reasons.push(`In testsuite platform exclude (${platform.name})`);
  if (s.platformAllow.length && !s.platformAllow.some((p) => names.includes(p))) {
    reasons.push(`Not in testsuite platform allow list (${listed(s.platformAllow)})`);
  }
  const ram = platform.ramKb ?? DEFAULT_PLATFORM_RAM_KB;
  if (s.minRamKb !== undefined && ram < s.minRamKb) reasons.push(`Not enough RAM (${ram} KB < min_ram ${s.minRamKb} KB)`);
  const flash = platform.flashKb ?? DEFAULT_PLATFORM_FLASH_KB;
  if (s.minFlashKb !== undefined && flash < s.minFlashKb) reasons.push(`Not enough FLASH (${flash} KB < min_flash ${s.minFlashKb} KB)`);
  if (s.harness !== undefined && !ZTEST_HARNESSES.has(s.harness)) {
    reasons.push(`harness '${s.harness}' is not a ztest or console harness (tandem judges runs by ztest output or console regexes)`);
  }
  return reasons;
}

/** A twister scenario id as a tandem suite name (ids, file names and report keys). */
export function suiteNameOf(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function toList(v: Raw): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map((x) => String(x));
  if (typeof v === 'string') return splitWords(v);
  return [String(v)];
}

function splitWords(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

function int(v: Raw, key: string, at: YamlValue): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n)) return at.get(key).present ? at.get(key).fail(`expected a whole number, found ${JSON.stringify(v)}`) : at.fail(`${key}: expected a whole number, found ${JSON.stringify(v)}`);
  return n;
}

/** The raw YAML value of a mapping, without the scenario reader's ${VAR} expansion (twister has none). */
function asMap(v: YamlValue): Record<string, Raw> {
  if (!v.isMap()) v.fail('expected a mapping');
  return toRaw(v.node as Node) as Record<string, Raw>;
}

function toRaw(node: Node | null | undefined): Raw {
  if (node === null || node === undefined) return null;
  if (isScalar(node)) return node.value as Raw;
  if (isSeq(node)) return node.items.map((n) => toRaw(n as Node));
  if (isMap(node)) {
    const out: Record<string, Raw> = {};
    for (const p of node.items) out[isScalar(p.key) ? String(p.key.value) : String(p.key)] = toRaw(p.value as Node);
    return out;
  }
  return null;
}
