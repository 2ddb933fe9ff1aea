// Reads YAML with every value still tied to its file and line, so a validation error can say
// `scenarios/demo.yaml:12:5: variants[1].kconfig: …` instead of "invalid config".
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { NESTING_HINT, isNestingOverflow, sizeProblem, structureProblem, type LimitProblem } from './yaml-limits.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly field: string,
    readonly problem: string,
    readonly hint?: string,
  ) {
    super(`${file}:${line}:${column}: ${field ? `${field}: ` : ''}${problem}${hint ? `\n  hint: ${hint}` : ''}`);
    this.name = 'ConfigError';
  }
}

/** A YAML value together with where it stands; accessors throw ConfigError naming the field. */
export class YamlValue {
  constructor(
    private readonly doc: YamlFile,
    readonly node: Node | null | undefined,
    readonly path: string,
    private readonly fallbackOffset: number,
  ) {}

  get present(): boolean {
    return this.node !== undefined && this.node !== null && !(isScalar(this.node) && this.node.value === null);
  }

  fail(problem: string, hint?: string): never {
    const offset = this.node?.range?.[0] ?? this.fallbackOffset;
    const pos = this.doc.lines.linePos(offset);
    throw new ConfigError(this.doc.file, pos.line, pos.col, this.path, problem, hint);
  }

  /** `file:line` of the value, for records of where something was declared. */
  location(): string {
    return `${this.doc.file}:${this.doc.lines.linePos(this.node?.range?.[0] ?? this.fallbackOffset).line}`;
  }

  get(key: string): YamlValue {
    if (!isMap(this.node)) this.fail(`expected a mapping, found ${describe(this.node)}`);
    const pair = this.node.items.find((p) => isScalar(p.key) && p.key.value === key);
    const offset = pair?.key && isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : (this.node.range?.[0] ?? 0);
    return new YamlValue(this.doc, pair?.value as Node | undefined, join(this.path, key), offset);
  }

  keys(): string[] {
    if (!isMap(this.node)) this.fail(`expected a mapping, found ${describe(this.node)}`);
    return this.node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
  }

  /** Unknown keys are almost always typos; naming the allowed ones fixes them fastest. */
  allowKeys(allowed: readonly string[]): void {
    if (!isMap(this.node)) return;
    for (const pair of this.node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '?';
      if (!allowed.includes(k)) {
        const at = new YamlValue(this.doc, pair.key as Node, join(this.path, k), 0);
        at.fail(`unknown key '${k}'`, `allowed here: ${allowed.join(', ')}`);
      }
    }
  }

  isList(): boolean {
    return isSeq(this.node);
  }

  isMap(): boolean {
    return isMap(this.node);
  }

  items(): YamlValue[] {
    if (!this.present) return [];
    if (!isSeq(this.node)) this.fail(`expected a list, found ${describe(this.node)}`);
    return this.node.items.map(
      (n, i) => new YamlValue(this.doc, n as Node, `${this.path}[${i}]`, this.node?.range?.[0] ?? 0),
    );
  }

  string(): string;
  string(fallback: string): string;
  string(fallback?: string): string {
    if (!this.present) {
      if (fallback !== undefined) return fallback;
      this.fail('is required');
    }
    if (!isScalar(this.node) || typeof this.node.value === 'object') this.fail(`expected a string, found ${describe(this.node)}`);
    return expandEnv(String(this.node.value), this);
  }

  optionalString(): string | undefined {
    return this.present ? this.string() : undefined;
  }

  number(fallback?: number): number {
    if (!this.present) {
      if (fallback !== undefined) return fallback;
      this.fail('is required');
    }
    const v = isScalar(this.node) ? this.node.value : undefined;
    if (typeof v === 'number' && !Number.isFinite(v)) {
      // YAML reads `1e400` and `.inf` as Infinity (`.nan` as NaN): numbers, but none a limit can be.
      const written = (this.node as { source?: string }).source ?? String(v);
      this.fail(Number.isNaN(v) ? `'${written}' is not a number` : `'${written}' is infinite (beyond the largest number a double holds)`, 'write a finite number');
    }
    if (typeof v !== 'number') this.fail(`expected a number, found ${describe(this.node)}`);
    return v;
  }

  /** A number > 0, and at most `limit.max` when given (`limit.why` says why, in the message). */
  positive(fallback?: number, limit?: { max: number; why: string }): number {
    const v = this.number(fallback);
    if (v <= 0) this.fail(`must be greater than 0 (got ${v})`);
    if (limit && v > limit.max) this.fail(`${v} is out of range: at most ${limit.max} (${limit.why})`);
    return v;
  }

  boolean(fallback: boolean): boolean {
    if (!this.present) return fallback;
    const v = isScalar(this.node) ? this.node.value : undefined;
    if (typeof v !== 'boolean') this.fail(`expected true or false, found ${describe(this.node)}`);
    return v;
  }

  /** A list of strings; a single string is accepted as a list of one. */
  strings(): string[] {
    if (!this.present) return [];
    if (isScalar(this.node)) return [this.string()];
    return this.items().map((i) => i.string());
  }

  /** A mapping of string to string (environment variables). */
  stringMap(): Record<string, string> {
    if (!this.present) return {};
    const out: Record<string, string> = {};
    for (const k of this.keys()) out[k] = this.get(k).string();
    return out;
  }

  oneOf<T extends string>(allowed: readonly T[], fallback?: T): T {
    const v = this.present ? this.string() : fallback;
    if (v === undefined) this.fail('is required', `one of: ${allowed.join(', ')}`);
    if (!allowed.includes(v as T)) this.fail(`'${v}' is not one of: ${allowed.join(', ')}`);
    return v as T;
  }
}

export interface YamlFile {
  file: string;
  text: string;
  lines: LineCounter;
  root: YamlValue;
}

export function readYaml(file: string, displayName = file): YamlFile {
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new ConfigError(displayName, 0, 0, '', stat.isDirectory() ? 'is a folder, not a YAML file' : 'is not a regular file');
    refuse(displayName, sizeProblem(stat.size));
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(displayName, 0, 0, '', code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`);
  }
  return parseYaml(text, displayName);
}

function refuse(file: string, problem: LimitProblem | undefined): void {
  if (problem) throw new ConfigError(file, problem.line, problem.column, '', problem.problem, problem.hint);
}

export function parseYaml(text: string, file: string): YamlFile {
  refuse(file, sizeProblem(Buffer.byteLength(text)));
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yf = { file, text, lines } as YamlFile;
  const first = doc.errors[0];
  if (first) {
    const pos = lines.linePos(first.pos[0]);
    const message = first.message.split('\n')[0]!;
    throw new ConfigError(file, pos.line, pos.col, '', isNestingOverflow(message) ? `${NESTING_HINT} (the parser gave up here)` : `YAML syntax: ${message}`);
  }
  refuse(file, structureProblem(doc, lines));
  yf.root = new YamlValue(yf, doc.contents as Node, '', 0);
  if (!yf.root.present) throw new ConfigError(file, 1, 1, '', 'the file is empty');
  return yf;
}

/** `${VAR}` and `${VAR:-default}` from the environment; an unset variable is a config error. */
function expandEnv(value: string, at: YamlValue): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, def: string | undefined) => {
    const v = process.env[name];
    if (v !== undefined && v !== '') return v;
    if (def !== undefined) return def;
    return at.fail(`environment variable ${name} is not set`, `export ${name}=… or pass it on the command line`);
  });
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describe(node: Node | null | undefined): string {
  if (node === undefined || node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'nothing';
    return `${typeof node.value} ${JSON.stringify(node.value)}`;
  }
  return 'an unsupported value';
}
