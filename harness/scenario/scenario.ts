// scenario.yaml: which suites, in which variants, on which platforms, compared how, built how.
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ClockKind, Comparison, MeasureSpec, Platform, Suite, Timeouts, Variant } from '../domain.js';
import { findPlatform } from './platform.js';
import { ConfigError, readYaml, type YamlValue } from './yaml-reader.js';
import { nameProblem, pathProblem } from './names.js';
import { isScalar } from 'yaml';
import { existsSync } from 'node:fs';
import { findTestcaseFile, readTestcaseFile, suiteNameOf } from '../zephyr/testcase.js';
import { globMatch } from './expand.js';
import type { KnownList } from '../domain.js';
import { readKnownFile } from './known-file.js';
import { readMeasureKeys, type MeasureKeys } from './measure-keys.js';

/** `build.cache`: what besides the app, the arguments and the toolchain decides an image. */
export interface CacheSpec {
  enabled: boolean;
  /** Files or trees hashed into the key (the Zephyr tree, module sources). */
  inputs: string[];
  /** Toolchain probe argv; default: the compiler CMake recorded, else the environment's. */
  toolchain?: string[];
}

export type BuildSpec =
  | { kind: 'prebuilt'; images: string; twisterOut?: string; zephyrBase?: string }
  | { kind: 'cmake'; generator: string; args: string[]; env: Record<string, string>; buildRoot: string; image: string; cache?: CacheSpec }
  | {
      kind: 'west';
      args: string[];
      env: Record<string, string>;
      buildRoot: string;
      image: string;
      pristine: 'auto' | 'always' | 'never';
      westArgs?: string[];
      workspace?: string;
      cache?: CacheSpec;
    }
  | { kind: 'command'; argv: string[]; env: Record<string, string>; buildRoot: string; image: string; args?: string[]; cache?: CacheSpec };

export interface Scenario {
  name: string;
  /** As given by the user, for messages. */
  file: string;
  /** Folder relative paths in the scenario resolve against. */
  dir: string;
  sha256: string;
  description?: string;
  platforms: Platform[];
  suites: Suite[];
  variants: Variant[];
  comparisons: Comparison[];
  build: BuildSpec;
  timeouts: Timeouts;
  /** `known:`: differences that are shown and counted but do not gate. */
  known?: KnownList;
  /** `compare.from_twister:`: a twister.json whose results are the baseline (not run). */
  baselineFromTwister?: string;
  /** `allow_identical: true`: baseline and candidate may boot the same image (a harness self-test). */
  allowIdentical?: boolean;
  /** `size:` and `records:` gates (off when absent). */
  gates?: MeasureKeys['gates'];
  /** `records:`: figures to capture from the consoles of the suites it names. */
  records?: MeasureKeys['records'];
  /** `measure:`: functions whose cost and reach every job records. */
  measure?: MeasureSpec;
  /** `measure.gate_ratio`: a candidate costing more than this × the baseline per call gates. */
  costGate?: number;
}

/** Guest seconds by default (the emulator's clock, see harness/run/clock.ts); 60 is twister's default timeout. */
export const DEFAULT_TIMEOUTS: Timeouts = { wallSeconds: 60, silenceSeconds: 60, crashGraceSeconds: 0.5 };

const TOP_KEYS = ['name', 'description', 'platforms', 'suites', 'variants', 'compare', 'build', 'images', 'twister_out', 'timeouts', 'known', 'allow_identical', 'size', 'records', 'measure'];

export interface LoadOptions {
  /** Folders searched for platforms/<name>.yaml, in order. */
  platformDirs: string[];
}

export function loadScenario(file: string, options: LoadOptions): Scenario {
  const yf = readYaml(file);
  const root = yf.root;
  root.allowKeys(TOP_KEYS);
  const dir = dirname(resolve(file));
  const at = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));

  const platformsNode = root.get('platforms');
  const platforms = platformsNode.strings().map((name, i) => {
    const badName = nameProblem('platform', name);
    if (badName) (platformsNode.isList() ? platformsNode.items()[i]! : platformsNode).fail(badName);
    try {
      return findPlatform(name, [resolve(dir, 'platforms'), resolve(dir, '..', 'platforms'), ...options.platformDirs]);
    } catch (err) {
      if (err instanceof ConfigError && err.line === 0) platformsNode.items()[i]?.fail(err.problem, err.hint) ?? platformsNode.fail(err.problem, err.hint);
      throw err;
    }
  });
  if (platforms.length === 0) platformsNode.fail('needs at least one platform', 'e.g. platforms: [qemu_cortex_m3]');

  // Apps that tandem will build must exist now; a wrong ZEPHYR_BASE should not become N build errors.
  const buildNode = root.get('build');
  const requireSources = buildNode.present && buildNode.isMap() && buildNode.get('kind').optionalString() !== 'prebuilt';
  const suites = readSuites(root.get('suites'), at, requireSources);
  const variants = readVariants(root.get('variants'));
  const comparisons = readComparisons(root.get('compare'), variants);
  const timeouts = readTimeouts(root.get('timeouts'), DEFAULT_TIMEOUTS);
  const build = readBuild(root, at);

  const scenario: Scenario = {
    name: root.get('name').string(),
    file,
    dir,
    sha256: createHash('sha256').update(yf.text).digest('hex'),
    platforms,
    suites,
    variants,
    comparisons,
    build,
    timeouts,
  };
  const description = root.get('description').optionalString();
  if (description !== undefined) scenario.description = description;
  const compare = root.get('compare');
  const fromTwister = compare.present && compare.isMap() ? compare.get('from_twister') : undefined;
  if (fromTwister?.present) {
    const path = at(fromTwister.string());
    if (!existsSync(path)) fromTwister.fail(`file not found: ${path}`, "the twister.json of the run to compare against (twister writes it in its output folder), relative to the scenario");
    scenario.baselineFromTwister = path;
  }
  const allowIdentical = root.get('allow_identical');
  if (allowIdentical.boolean(false)) scenario.allowIdentical = true;
  const measure = readMeasureKeys(root);
  if (Object.keys(measure.gates).length) scenario.gates = measure.gates;
  if (measure.records) scenario.records = measure.records;
  const known = root.get('known');
  if (known.present) {
    const path = at(known.string());
    if (!existsSync(path)) known.fail(`file not found: ${path}`, 'known: names a YAML list of known differences (or a twister quarantine file), relative to the scenario');
    scenario.known = readKnownFile(path, relative(process.cwd(), path) || path);
  }
  readMeasure(root.get('measure'), scenario);
  return scenario;
}

/** `measure: { functions: [k_mutex_unlock, 'k_msgq_*'], gate_ratio: 2 }` */
function readMeasure(node: YamlValue, scenario: Scenario): void {
  if (!node.present) return;
  node.allowKeys(['functions', 'gate_ratio']);
  const list = node.get('functions');
  if (!list.present) node.fail('needs functions', 'measure: { functions: [k_mutex_unlock, z_impl_k_sem_give] } (names or globs)');
  const functions = list.strings();
  functions.forEach((f, i) => {
    if (!/^[A-Za-z_*?][\w.*?$]*$/.test(f)) list.items()[i]!.fail(`'${f}' is not a function name or glob`, 'a C symbol, * and ? allowed: k_msgq_*');
  });
  if (functions.length) scenario.measure = { functions };
  const gate = node.get('gate_ratio');
  if (gate.present) scenario.costGate = gate.positive();
}

function readSuites(node: YamlValue, at: (p: string) => string, requireSources = false): Suite[] {
  if (!node.present) node.fail('is required', 'a list of test apps, e.g. suites: [{ name: mutex, path: tests/kernel/mutex/mutex_api }]');
  const seen = new Map<string, string>();
  return node.items().flatMap((item) => {
    let suite: Suite;
    let testcase: YamlValue | undefined;
    let pick: string[] = [];
    if (!item.isMap()) {
      // A bare path: the suite is named after its last folder, as twister names test apps.
      const path = item.string();
      checkPath(item, path);
      suite = { name: path.replace(/\/+$/, '').split('/').pop()!, path: at(path) };
    } else {
      item.allowKeys(['name', 'path', 'timeouts', 'testcase', 'scenarios']);
      suite = { name: item.get('name').string() };
      const path = item.get('path').optionalString();
      if (path !== undefined) checkPath(item.get('path'), path), (suite.path = at(path));
      if (item.get('timeouts').present) suite.timeouts = readTimeouts(item.get('timeouts'), {});
      testcase = item.get('testcase');
      pick = item.get('scenarios').strings();
    }
    const badName = nameProblem('suite', suite.name);
    if (badName) (item.isMap() ? item.get('name') : item).fail(badName);
    if (requireSources && suite.path && !existsSync(suite.path)) {
      (item.isMap() ? item.get('path') : item).fail(`no such folder: ${suite.path}`, 'the build needs the app sources; check the path (and ZEPHYR_BASE if it uses it)');
    }
    const expanded = expandTestcase(suite, testcase, pick, item, at);
    for (const s of expanded) {
      const other = seen.get(s.name);
      if (other !== undefined) {
        if (!s.twister) item.fail(`suite '${s.name}' is listed twice`);
        item.fail(`twister scenario '${s.name}' of ${s.group} is already a suite (from ${other})`, 'scenario ids are unique in a Zephyr tree; list each app once');
      }
      seen.set(s.name, s.group ?? s.name);
    }
    return expanded;
  });
}

/**
 * A Zephyr app with a testcase.yaml becomes one suite per twister scenario (each its own image),
 * named by the scenario id; `testcase: false` keeps it a single plain suite, `testcase: <file>`
 * names the file, `scenarios:` picks some ids (globs).
 */
function expandTestcase(suite: Suite, testcase: YamlValue | undefined, pick: string[], item: YamlValue, at: (p: string) => string): Suite[] {
  let file: string | undefined;
  if (testcase?.present && isScalar(testcase.node) && typeof testcase.node.value === 'boolean') {
    if (!testcase.boolean(true)) return [suite];
    file = suite.path ? findTestcaseFile(suite.path) : undefined;
    if (!file) testcase.fail(`no testcase.yaml or sample.yaml in ${suite.path ?? '(no path)'}`);
  } else if (testcase?.present) {
    file = at(testcase.string());
    if (!existsSync(file)) testcase.fail(`file not found: ${file}`);
  } else if (suite.path) {
    file = findTestcaseFile(suite.path);
  }
  if (!file) {
    if (pick.length) item.get('scenarios').fail('needs a testcase.yaml to pick scenarios from');
    return [suite];
  }
  let scenarios = readTestcaseFile(file);
  if (pick.length) {
    scenarios = scenarios.filter((t) => pick.some((p) => globMatch(p, t.id)));
    if (scenarios.length === 0) item.get('scenarios').fail(`matches no scenario of ${file}`, `scenarios there: ${readTestcaseFile(file).map((t) => t.id).join(', ')}`);
  }
  return scenarios.map((t) => {
    const s: Suite = { name: suiteNameOf(t.id), group: suite.name, twister: t };
    if (suite.path) s.path = suite.path;
    // An explicit timeouts: in the scenario wins over the testcase.yaml's timeout.
    const timeouts: Partial<Timeouts> = t.timeout !== undefined ? { wallSeconds: t.timeout } : {};
    for (const [k, v] of Object.entries(suite.timeouts ?? {})) if (v !== undefined) Object.assign(timeouts, { [k]: v });
    if (Object.keys(timeouts).length) s.timeouts = timeouts;
    return s;
  });
}

function readVariants(node: YamlValue): Variant[] {
  if (!node.present) node.fail('is required', 'e.g. variants: [{ name: native }, { name: wasm, kconfig: [CONFIG_X=y] }]');
  const seen = new Set<string>();
  return node.items().map((item) => {
    item.allowKeys(['name', 'kconfig', 'cmake_args', 'env', 'suites', 'platforms']);
    const name = item.get('name').string();
    const badName = nameProblem('variant', name);
    if (badName) item.get('name').fail(badName);
    if (seen.has(name)) item.get('name').fail(`variant '${name}' is listed twice`);
    seen.add(name);
    const kconfigNode = item.get('kconfig');
    const kconfig = kconfigNode.strings();
    kconfig.forEach((line, i) => {
      // twister's `arch:<arch>:` / `platform:<name>:` prefixes make a line apply to some platforms only.
      if (!/^(?:(?:arch|platform):[^:\s]+:)?CONFIG_[A-Za-z0-9_]+=.+$/.test(line)) {
        (kconfigNode.isList() ? kconfigNode.items()[i]! : kconfigNode).fail(`'${line}' is not a Kconfig assignment`, 'write CONFIG_NAME=y (or =n, a number, a "string"), optionally prefixed platform:<name>: or arch:<arch>:');
      }
    });
    const variant: Variant = { name, kconfig, cmakeArgs: item.get('cmake_args').strings(), env: item.get('env').stringMap() };
    if (item.get('suites').present) variant.suites = item.get('suites').strings();
    if (item.get('platforms').present) variant.platforms = item.get('platforms').strings();
    return variant;
  });
}

function readComparisons(node: YamlValue, variants: Variant[]): Comparison[] {
  const names = variants.map((v) => v.name);
  if (!node.present) {
    // Without a compare block the first variant is the baseline for all the others.
    return variants.slice(1).map((v) => ({ baseline: variants[0]!.name, candidate: v.name }));
  }
  node.allowKeys(['baseline', 'candidate', 'candidates', 'from_twister']);
  const baseline = node.get('baseline').string();
  if (!names.includes(baseline)) node.get('baseline').fail(`no variant named '${baseline}'`, `variants: ${names.join(', ')}`);
  const candNode = node.get('candidates').present ? node.get('candidates') : node.get('candidate');
  const candidates = candNode.present ? candNode.strings() : names.filter((n) => n !== baseline);
  candidates.forEach((c, i) => {
    if (!names.includes(c)) (candNode.isList() ? candNode.items()[i]! : candNode).fail(`no variant named '${c}'`, `variants: ${names.join(', ')}`);
    if (c === baseline) candNode.fail(`'${c}' is the baseline; a variant cannot be its own candidate`);
  });
  return candidates.map((candidate) => ({ baseline, candidate }));
}

/**
 * Seconds. A day is beyond any ztest suite, and keeps every timer tandem sets from it exact: node's
 * timers hold at most 2^31-1 ms (24.8 days; a longer delay fires at once), and the backstop is 3 ×
 * the platform's timeout_multiplier (at most 8) × the limit.
 */
export const TIMEOUT_LIMIT = { max: 86_400, why: 'one day, in seconds' };

function readTimeouts(node: YamlValue, defaults: Partial<Timeouts>): Timeouts {
  if (node.present) node.allowKeys(['wall', 'silence', 'crash_grace', 'clock']);
  // A key left out keeps the default (suite-level timeouts give only what they change).
  const get = (k: string, d: number | undefined) => (node.present && node.get(k).present ? node.get(k).positive(undefined, TIMEOUT_LIMIT) : d);
  const timeouts = {
    wallSeconds: get('wall', defaults.wallSeconds)!,
    silenceSeconds: get('silence', defaults.silenceSeconds)!,
    crashGraceSeconds: get('crash_grace', defaults.crashGraceSeconds)!,
  } as Timeouts;
  const clock = node.present ? node.get('clock') : undefined;
  if (clock?.present) {
    const value = clock.string();
    if (value !== 'guest' && value !== 'host') clock.fail(`'${value}' is not a clock`, 'write clock: guest (the emulator\'s virtual time, the default) or clock: host');
    timeouts.clock = value as ClockKind;
  } else if (defaults.clock) timeouts.clock = defaults.clock;
  return timeouts;
}

function readBuild(root: YamlValue, at: (p: string) => string): BuildSpec {
  const build = root.get('build');
  const images = root.get('images');
  const twisterOut = root.get('twister_out');
  if (!build.present) {
    if (twisterOut.present) return prebuiltFromTwister(twisterOut, undefined, at);
    if (!images.present) root.fail("needs either 'build:' (how to build images), 'images:' (a path template of prebuilt images) or 'twister_out:' (a twister output folder)", "e.g. images: build/{platform}/{variant}/{suite}/zephyr/zephyr.elf");
    return { kind: 'prebuilt', images: at(checkTemplate(images)) };
  }
  build.allowKeys(['kind', 'generator', 'args', 'env', 'build_root', 'image', 'argv', 'pristine', 'west_args', 'workspace', 'cache', 'twister_out', 'zephyr_base']);
  const kind = build.get('kind').oneOf(['cmake', 'west', 'command', 'prebuilt'] as const);
  const buildRoot = at(build.get('build_root').string('../build/{scenario}'));
  const image = build.get('image').string('{build_dir}/zephyr/zephyr.elf');
  const env = build.get('env').stringMap();
  const cache = readCache(build.get('cache'), at);
  switch (kind) {
    case 'prebuilt': {
      const tw = build.get('twister_out').present ? build.get('twister_out') : twisterOut;
      if (tw.present) return prebuiltFromTwister(tw, build.get('zephyr_base'), at);
      return { kind, images: at(checkTemplate(images.present ? images : build.get('image'))) };
    }
    case 'cmake':
      return { kind, generator: build.get('generator').string('Ninja'), args: build.get('args').strings(), env, buildRoot, image, cache };
    case 'west': {
      const spec: BuildSpec = { kind, args: build.get('args').strings(), env, buildRoot, image, pristine: readPristine(build.get('pristine')), cache };
      if (build.get('west_args').present) spec.westArgs = build.get('west_args').strings();
      const workspace = build.get('workspace').optionalString();
      if (workspace !== undefined) spec.workspace = at(workspace);
      return spec;
    }
    case 'command': {
      const argv = build.get('argv');
      if (!argv.isList()) argv.fail('expected the build command as a list of arguments (no shell)', 'e.g. argv: [make, -C, "{suite_path}", "BOARD={board}"]');
      return { kind, argv: argv.strings(), env, buildRoot, image, args: build.get('args').strings(), cache };
    }
  }
}

function prebuiltFromTwister(node: YamlValue, zephyrBase: YamlValue | undefined, at: (p: string) => string): BuildSpec {
  const out = at(checkTemplate(node));
  const spec: BuildSpec = { kind: 'prebuilt', images: `${out}/<platform>/<app path>/<scenario>/zephyr/zephyr.elf`, twisterOut: out };
  const base = zephyrBase?.present ? zephyrBase.string() : undefined;
  if (base !== undefined) spec.zephyrBase = at(base);
  return spec;
}

/** `pristine:` as west spells it; true/false for always/never. */
function readPristine(node: YamlValue): 'auto' | 'always' | 'never' {
  if (!node.present) return 'auto';
  if (isScalar(node.node) && typeof node.node.value === 'boolean') return node.boolean(false) ? 'always' : 'never';
  return node.oneOf(['auto', 'always', 'never'] as const);
}

function readCache(node: YamlValue, at: (p: string) => string): CacheSpec {
  if (!node.present) return { enabled: true, inputs: [] };
  if (!node.isMap()) return { enabled: node.boolean(true), inputs: [] };
  node.allowKeys(['enabled', 'inputs', 'toolchain']);
  const spec: CacheSpec = { enabled: node.get('enabled').boolean(true), inputs: node.get('inputs').strings().map(at) };
  const toolchain = node.get('toolchain');
  if (toolchain.present) {
    if (!toolchain.isList()) toolchain.fail('expected the probe command as a list of arguments', 'e.g. toolchain: [arm-none-eabi-gcc, --version]');
    spec.toolchain = toolchain.strings();
  }
  return spec;
}

const PLACEHOLDERS = ['platform', 'board', 'variant', 'suite', 'suite_path', 'build_dir', 'scenario'];

function checkTemplate(node: YamlValue): string {
  const t = node.string();
  for (const m of t.matchAll(/\{([^}]*)\}/g)) {
    if (!PLACEHOLDERS.includes(m[1]!)) node.fail(`unknown placeholder {${m[1]}}`, `placeholders: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`);
  }
  return t;
}

function checkPath(at: YamlValue, path: string): void {
  const bad = pathProblem(path);
  if (bad) at.fail(bad.problem, bad.hint);
}
