// run.json: the one file every other report (and `tandem report`, and merged shards) is rebuilt
// from. The schema lives here as data so tests, docs and the loader share a single definition.
import { RUN_SCHEMA_VERSION, type RunRecord } from '../domain.js';
import { COST_DEFS, GATE_POLICY, MEASURES_SCHEMA, MEASURE_DEFS, RESULT_MEASURES } from './json-measures.js';

type Schema = Record<string, unknown>;

const str = { type: 'string' } as const;
const nonNegInt = { type: 'integer', minimum: 0 } as const;
const nonNegNum = { type: 'number', minimum: 0 } as const;
const lineNo = { type: 'integer', minimum: 1 } as const;

const VERDICTS = ['passed', 'failed', 'crashed', 'timeout', 'build-error', 'emulator-error', 'skipped'];
const CASE_STATUSES = ['pass', 'fail', 'skip', 'blocked', 'crash', 'timeout'];
const DIFF_CLASSES = ['same', 'regression', 'crash', 'hang', 'blocked', 'fix', 'both-fail', 'flaky', 'missing', 'new', 'known'];
const EMULATORS = ['qemu', 'renode', 'silicon'];
const PLATFORM_CLASSES = ['agree', 'capability', 'disagree'];
const OUTCOMES = ['passed', 'regressed', 'failed', 'incomplete', 'invalid', 'interrupted'];
const REASON_KINDS = ['worse', 'job-failed', 'gate', 'not-run', 'no-baseline', 'baseline-cut-short', 'no-jobs', 'shards-missing', 'identical', 'interrupted'];
const MEASURES = ['size', 'record', 'cost', 'platforms'];

function object(properties: Record<string, Schema>, required: string[], extra: Schema = {}): Schema {
  return { type: 'object', properties, required, ...extra };
}


function countsBy(keys: string[]): Schema {
  return { type: 'object', propertyNames: { enum: keys }, additionalProperties: nonNegInt };
}

function end(kind: string, properties: Record<string, Schema> = {}, optional: Record<string, Schema> = {}): Schema {
  return object({ kind: { const: kind }, ...properties, ...optional }, ['kind', ...Object.keys(properties)]);
}

/** Which clock ended a boot at a limit (harness/run/clock.ts); optional, absent in older runs. */
const LIMIT_CLOCK: Record<string, Schema> = {
  clock: { enum: ['guest', 'host'] },
  hostMs: nonNegNum,
  guestMs: nonNegNum,
  idle: { type: 'boolean' },
  backstop: { type: 'boolean' },
};

/**
 * JSON Schema (draft 2020-12) of run.json, schemaVersion 1. Objects accept unknown properties so
 * that adding a field stays compatible; enums are closed, because a reader cannot act on a
 * verdict or status it does not know (such a change bumps schemaVersion).
 */
export const runJsonSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:tandem:run-json:1',
  title: 'tandem run record',
  description: 'Everything one `tandem run` found: jobs, per-case results, the baseline/candidate diff and its summary.',
  ...object(
    {
      schema: { const: 'tandem-run' },
      schemaVersion: { const: RUN_SCHEMA_VERSION },
      runId: str,
      scenario: object({ name: str, file: str, sha256: str }, ['name', 'file', 'sha256']),
      comparisons: { type: 'array', items: object({ baseline: str, candidate: str }, ['baseline', 'candidate']) },
      startedAt: { type: 'string', format: 'date-time' },
      finishedAt: { type: 'string', format: 'date-time' },
      wallMs: nonNegNum,
      host: object({ hostname: str, platform: str, cpus: nonNegInt, node: str }, ['hostname', 'platform', 'cpus', 'node']),
      tandemVersion: str,
      interrupted: { type: 'boolean' },
      results: { type: 'array', items: { $ref: '#/$defs/RunResult' } },
      diff: { type: 'array', items: { $ref: '#/$defs/DiffEntry' } },
      platforms: { type: 'array', items: { $ref: '#/$defs/PlatformEntry' } },
      summary: { $ref: '#/$defs/RunSummary' },
      mergedFrom: { type: 'array', items: object({ runId: str, hostname: str, jobs: nonNegInt }, ['runId', 'hostname', 'jobs']) },
      rerunOf: object({ runId: str, dir: str, jobs: { type: 'array', items: str } }, ['runId', 'dir', 'jobs']),
      runToRun: object({ before: str, after: str }, ['before', 'after']),
      plan: object(
        {
          jobs: { type: 'array', items: object({ id: str, platform: str, variant: str, suite: str, attempt: lineNo, shard: lineNo }, ['id', 'platform', 'variant', 'suite', 'attempt']) },
          shard: object({ index: lineNo, count: lineNo }, ['index', 'count']),
          shards: object({ count: lineNo, merged: { type: 'array', items: lineNo } }, ['count', 'merged']),
          selection: str,
        },
        ['jobs'],
      ),
      policy: object({ allowIncomplete: { type: 'boolean' }, allowIdentical: { type: 'boolean' }, platforms: { type: 'boolean' }, ...GATE_POLICY }, []),
      gates: { type: 'array', items: object({ measure: { enum: MEASURES }, subject: str, message: str }, ['measure', 'subject', 'message']) },
      measures: MEASURES_SCHEMA,
      judgement: { $ref: '#/$defs/Judgement' },
    },
    [
      'schema',
      'schemaVersion',
      'runId',
      'scenario',
      'comparisons',
      'startedAt',
      'finishedAt',
      'wallMs',
      'host',
      'tandemVersion',
      'interrupted',
      'results',
      'diff',
      'summary',
    ],
  ),
  $defs: {
    JobRef: object(
      {
        id: str,
        suite: str,
        variant: str,
        platform: str,
        emulator: { enum: EMULATORS },
        attempt: lineNo,
      },
      ['id', 'suite', 'variant', 'platform', 'emulator', 'attempt'],
    ),
    CaseResult: object(
      {
        suite: str,
        name: str,
        status: { enum: CASE_STATUSES },
        durationMs: nonNegNum,
        detail: str,
        line: lineNo,
        detailLine: lineNo,
      },
      ['suite', 'name', 'status'],
    ),
    RunEnd: {
      oneOf: [
        end('project', { success: { type: 'boolean' } }, { console: str }),
        end('fatal', { reason: str }),
        end('silence', { seconds: nonNegNum }, LIMIT_CLOCK),
        end('wall', { seconds: nonNegNum }, LIMIT_CLOCK),
        end('exit', { code: { type: ['integer', 'null'] }, signal: { type: ['string', 'null'] } }),
        end('aborted'),
        end('emulator-error', { message: str }),
        end('build-error', { message: str }),
        end('skipped', { reason: str }),
      ],
    },
    Fatal: object(
      { reason: str, line: str, lineNumber: nonNegInt, fault: str, pc: str, thread: str },
      ['reason', 'line', 'lineNumber'],
    ),
    UnmodelledAccess: object(
      {
        address: { type: 'string', pattern: '^0x[0-9a-f]+$' },
        access: { enum: ['read', 'write'] },
        width: { type: 'integer', minimum: 1 },
        count: { type: 'integer', minimum: 1 },
        pc: str,
        value: str,
        region: str,
        node: str,
        nodeStatus: str,
      },
      ['address', 'access', 'width', 'count'],
    ),
    Provenance: object(
      {
        tandemVersion: str,
        emulator: object(
          {
            kind: { enum: EMULATORS },
            version: str,
            command: { type: 'array', items: str },
            timing: str,
          },
          ['kind'],
        ),
        imageSha256: str,
        image: str,
        platform: object({ name: str, emulator: { enum: EMULATORS }, board: str, arch: str, timeoutMultiplier: nonNegNum }, ['name', 'emulator']),
        timeouts: object({ wallSeconds: nonNegNum, silenceSeconds: nonNegNum, crashGraceSeconds: nonNegNum }, ['wallSeconds', 'silenceSeconds', 'crashGraceSeconds']),
        zephyrVersion: str,
        host: str,
        measure: { $ref: '#/$defs/MeasureSpec' },
      },
      ['tandemVersion', 'host'],
    ),
    CodeSite: object(
      {
        address: str,
        symbol: str,
        offset: nonNegInt,
        file: str,
        line: lineNo,
        inlined: { type: 'array', items: object({ function: str, file: str, line: lineNo }, ['function']) },
        object: str,
        wasmLto: { type: 'boolean' },
      },
      ['address'],
    ),
    Instruction: object({ address: str, bytes: str, text: str }, ['address', 'bytes', 'text']),
    Forensics: object(
      {
        fault: str,
        details: { type: 'array', items: str },
        fatal: object({ code: nonNegInt, reason: str }, ['code', 'reason']),
        noFrame: { const: true },
        registers: { type: 'object', additionalProperties: str },
        pc: { $ref: '#/$defs/CodeSite' },
        lr: { $ref: '#/$defs/CodeSite' },
        faultAddress: object({ register: { enum: ['BFAR', 'MMFAR'] }, address: str, symbol: str, offset: nonNegInt }, ['register', 'address']),
        thread: object({ address: str, name: str, symbol: str }, []),
        instruction: object({ address: str, bytes: str, text: str, window: { type: 'array', items: { $ref: '#/$defs/Instruction' } } }, ['address', 'bytes', 'text', 'window']),
        pcLine: lineNo,
        tools: { type: 'array', items: str },
        unresolved: { type: 'array', items: str },
      },
      ['details', 'registers'],
    ),
    Snapshot: object({ file: str, bytes: nonNegInt, ms: nonNegNum, error: str }, []),
    RunResult: object(
      {
        job: { $ref: '#/$defs/JobRef' },
        verdict: { enum: VERDICTS },
        reason: str,
        end: { $ref: '#/$defs/RunEnd' },
        cases: { type: 'array', items: { $ref: '#/$defs/CaseResult' } },
        fatal: { $ref: '#/$defs/Fatal' },
        log: str,
        buildLog: str,
        startedAt: { type: 'string', format: 'date-time' },
        wallMs: nonNegNum,
        virtualMs: nonNegNum,
        unmodelled: { type: 'array', items: { $ref: '#/$defs/UnmodelledAccess' } },
        provenance: { $ref: '#/$defs/Provenance' },
        forensics: { $ref: '#/$defs/Forensics' },
        snapshot: { $ref: '#/$defs/Snapshot' },
        ...RESULT_MEASURES,
      },
      ['job', 'verdict', 'end', 'cases', 'startedAt', 'wallMs', 'provenance'],
    ),
    ...MEASURE_DEFS,
    ...COST_DEFS,
    DiffEntry: object(
      {
        platform: str,
        suite: str,
        case: str,
        baselineVariant: str,
        candidateVariant: str,
        baseline: { enum: CASE_STATUSES },
        candidate: { enum: CASE_STATUSES },
        class: { enum: DIFF_CLASSES },
        detail: str,
        baselineMs: nonNegNum,
        candidateMs: nonNegNum,
        durationRatio: nonNegNum,
        slower: { type: 'boolean' },
        attempts: object({ baseline: countsBy(CASE_STATUSES), candidate: countsBy(CASE_STATUSES) }, ['baseline', 'candidate']),
      },
      ['platform', 'suite', 'case', 'baselineVariant', 'candidateVariant', 'class'],
    ),
    PlatformEntry: object(
      {
        suite: str,
        variant: str,
        case: str,
        statuses: { type: 'object', additionalProperties: { enum: [...CASE_STATUSES, 'filtered', 'missing'] } },
        class: { enum: PLATFORM_CLASSES },
      },
      ['suite', 'variant', 'case', 'statuses', 'class'],
    ),
    Judgement: object(
      {
        outcome: { enum: OUTCOMES },
        exitCode: { enum: [0, 1, 2, 3, 130] },
        regressed: { type: 'array', items: { $ref: '#/$defs/JudgeReason' } },
        incomplete: { type: 'array', items: { $ref: '#/$defs/JudgeReason' } },
        invalid: { type: 'array', items: { $ref: '#/$defs/JudgeReason' } },
        incompleteAccepted: { type: 'boolean' },
      },
      ['outcome', 'exitCode', 'regressed', 'incomplete', 'invalid'],
    ),
    JudgeReason: object({ kind: { enum: REASON_KINDS }, message: str, items: { type: 'array', items: str } }, ['kind', 'message']),
    RunSummary: object(
      {
        jobs: nonNegInt,
        verdicts: countsBy(VERDICTS),
        cases: countsBy(CASE_STATUSES),
        diff: countsBy(DIFF_CLASSES),
        regressed: { type: 'boolean' },
        platforms: countsBy(PLATFORM_CLASSES),
      },
      ['jobs', 'verdicts', 'cases', 'diff', 'regressed'],
    ),
  },
};

/** run.json text: two-space indented, newline-terminated, so diffs of two records stay readable. */
export function renderRunJson(record: RunRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

export type Validation = { valid: true; record: RunRecord } | { valid: false; errors: string[] };

/**
 * Checks a parsed value against `runJsonSchema`. A small interpreter of the keywords the schema
 * uses, so loading a record needs no runtime dependency; tests hold it to agree with ajv.
 */
export function validateRunRecord(value: unknown, maxErrors = 20): Validation {
  const errors: string[] = [];
  check(runJsonSchema, value, '', errors, maxErrors);
  return errors.length === 0 ? { valid: true, record: value as RunRecord } : { valid: false, errors };
}

export class RunJsonError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `not a valid run record:\n  - ${problems.join('\n  - ')}`}`);
    this.name = 'RunJsonError';
  }
}

/**
 * Parses run.json text. The version is checked before the shape so that a record written by a
 * newer tandem says so, instead of listing every field that moved.
 */
export function parseRunJson(text: string, file = 'run.json'): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new RunJsonError(file, [`is not JSON (${(e as Error).message})`]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RunJsonError(file, ['is not a JSON object']);
  }
  const head = value as { schema?: unknown; schemaVersion?: unknown };
  if (head.schema !== 'tandem-run') {
    throw new RunJsonError(file, [`is not a tandem run record (schema is ${JSON.stringify(head.schema)}, expected "tandem-run")`]);
  }
  if (head.schemaVersion !== RUN_SCHEMA_VERSION) {
    throw new RunJsonError(file, [
      `schemaVersion ${JSON.stringify(head.schemaVersion)} is not supported (this tandem reads schemaVersion ${RUN_SCHEMA_VERSION})`,
    ]);
  }
  const v = validateRunRecord(value);
  if (!v.valid) throw new RunJsonError(file, v.errors);
  return v.record;
}

// ---------------------------------------------------------------------------------------------

function at(path: string): string {
  return path === '' ? '(root)' : path;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function resolve(schema: Schema): Schema {
  const ref = schema['$ref'];
  if (typeof ref !== 'string') return schema;
  const name = ref.replace(/^#\/\$defs\//, '');
  const defs = runJsonSchema['$defs'] as Record<string, Schema>;
  const target = defs[name];
  if (!target) throw new Error(`schema: unresolved $ref ${ref}`);
  return target;
}

function check(raw: Schema, v: unknown, path: string, errors: string[], max: number): void {
  if (errors.length >= max) return;
  const s = resolve(raw);
  const push = (msg: string) => {
    if (errors.length < max) errors.push(`${at(path)}: ${msg}`);
  };

  if ('const' in s && v !== s['const']) return push(`must be ${JSON.stringify(s['const'])}, got ${JSON.stringify(v)}`);
  const en = s['enum'] as unknown[] | undefined;
  if (en && !en.includes(v)) return push(`must be one of ${en.join(', ')}; got ${JSON.stringify(v)}`);
  const t = s['type'] as string | string[] | undefined;
  if (t !== undefined) {
    const types = Array.isArray(t) ? t : [t];
    if (!types.some((x) => hasType(v, x))) return push(`must be ${types.join(' or ')}, got ${typeOf(v)}`);
  }
  if (typeof v === 'number' && typeof s['minimum'] === 'number' && v < s['minimum']) {
    return push(`must be >= ${s['minimum']}, got ${v}`);
  }

  const oneOf = s['oneOf'] as Schema[] | undefined;
  if (oneOf) {
    const matches = oneOf.filter((alt) => {
      const sub: string[] = [];
      check(alt, v, path, sub, 1);
      return sub.length === 0;
    });
    if (matches.length !== 1) {
      const kind = typeof v === 'object' && v !== null ? (v as { kind?: unknown }).kind : undefined;
      // For tagged unions the useful message names the tag, or the fields the tagged variant lacks.
      const tagged = oneOf.find((alt) => (alt['properties'] as Record<string, Schema> | undefined)?.['kind']?.['const'] === kind);
      if (tagged) return check(tagged, v, path, errors, max);
      return push(matches.length === 0 ? `matches none of the allowed shapes${kind !== undefined ? ` (kind ${JSON.stringify(kind)} unknown)` : ''}` : 'matches more than one allowed shape');
    }
  }

  if (Array.isArray(v) && s['items']) {
    v.forEach((item, i) => check(s['items'] as Schema, item, `${path}[${i}]`, errors, max));
  }

  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    for (const key of (s['required'] as string[] | undefined) ?? []) {
      if (!(key in obj)) push(`missing required property "${key}"`);
    }
    const props = (s['properties'] as Record<string, Schema> | undefined) ?? {};
    const names = s['propertyNames'] as Schema | undefined;
    const additional = s['additionalProperties'] as Schema | boolean | undefined;
    for (const [key, child] of Object.entries(obj)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (names) {
        const sub: string[] = [];
        check(names, key, childPath, sub, 1);
        if (sub.length > 0) {
          push(`property name "${key}" is not allowed`);
          continue;
        }
      }
      if (props[key]) check(props[key]!, child, childPath, errors, max);
      else if (additional === false) push(`unknown property "${key}"`);
      else if (typeof additional === 'object') check(additional, child, childPath, errors, max);
    }
  }
}
