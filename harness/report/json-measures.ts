// run.json schema of the measurement rooms (harness/measure/): per job `footprint`, `records`,
// `cost` and `reach`, per comparison `measures.*`, and their gate policy. Kept beside
// json.ts, which places them into the record's schema.
type Schema = Record<string, unknown>;

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const nonNegInt = { type: 'integer', minimum: 0 } as const;
const num = { type: 'number' } as const;
const nonNegNum = { type: 'number', minimum: 0 } as const;
const lineNo = { type: 'integer', minimum: 1 } as const;
const KINDS = ['text', 'rodata', 'data', 'bss', 'noinit'];
const kind = { enum: KINDS } as const;

function object(properties: Record<string, Schema>, required: string[]): Schema {
  return { type: 'object', properties, required };
}

const sizeDelta = { baseline: nonNegInt, candidate: nonNegInt, delta: int, pct: num };
const pair = { platform: str, suite: str, baselineVariant: str, candidateVariant: str };
const itemDelta = object({ name: str, ...sizeDelta, change: { enum: ['new', 'gone', 'grown', 'shrunk'] }, kind, below: nonNegInt }, ['name', 'baseline', 'candidate', 'delta', 'change']);

export const MEASURE_DEFS: Record<string, Schema> = {
  Footprint: object(
    {
      flash: nonNegInt,
      ram: nonNegInt,
      flashAvailable: nonNegInt,
      ramAvailable: nonNegInt,
      sections: { type: 'array', items: object({ name: str, kind, flash: nonNegInt, ram: nonNegInt }, ['name', 'kind', 'flash', 'ram']) },
      objects: { type: 'array', items: object({ name: str, flash: nonNegInt, ram: nonNegInt, kinds: { type: 'object', propertyNames: { enum: KINDS }, additionalProperties: nonNegInt } }, ['name', 'flash', 'ram', 'kinds']) },
      symbols: { type: 'array', items: object({ name: str, bytes: nonNegInt, kind, object: str }, ['name', 'bytes', 'kind']) },
      symbolCount: nonNegInt,
      map: str,
      regions: { enum: ['map', 'architecture'] },
    },
    ['flash', 'ram', 'sections', 'symbols', 'symbolCount', 'regions'],
  ),
  Records: object(
    {
      rows: { type: 'array', items: object({ line: lineNo, values: { type: 'object', additionalProperties: str } }, ['line', 'values']) },
      note: str,
      dropped: nonNegInt,
    },
    ['rows'],
  ),
  FootprintDiff: object(
    {
      ...pair,
      image: str,
      flash: object(sizeDelta, ['baseline', 'candidate', 'delta']),
      ram: object(sizeDelta, ['baseline', 'candidate', 'delta']),
      flashAvailable: nonNegInt,
      ramAvailable: nonNegInt,
      kinds: { type: 'array', items: object({ kind, region: { enum: ['flash', 'ram'] }, ...sizeDelta }, ['kind', 'region', 'baseline', 'candidate', 'delta']) },
      sections: { type: 'array', items: object({ name: str, kind, ...sizeDelta }, ['name', 'kind', 'baseline', 'candidate', 'delta']) },
      objects: { type: 'array', items: itemDelta },
      symbols: { type: 'array', items: itemDelta },
    },
    ['platform', 'suite', 'baselineVariant', 'candidateVariant', 'flash', 'ram', 'kinds', 'sections', 'objects', 'symbols'],
  ),
  RecordDiff: object(
    {
      ...pair,
      rows: {
        type: 'array',
        items: object({ key: str, figure: str, baseline: num, candidate: num, ratio: nonNegNum, gate: nonNegNum, over: { type: 'boolean' } }, ['key', 'figure']),
      },
      note: str,
    },
    ['platform', 'suite', 'baselineVariant', 'candidateVariant', 'rows'],
  ),
};

/** `measures` of the record: one key per room. */
export const MEASURES_SCHEMA: Schema = object(
  {
    footprint: { type: 'array', items: { $ref: '#/$defs/FootprintDiff' } },
    records: { type: 'array', items: { $ref: '#/$defs/RecordDiff' } },
    cost: { type: 'array', items: { $ref: '#/$defs/CostDiff' } },
    reach: { type: 'array', items: { $ref: '#/$defs/ReachDiff' } },
  },
  [],
);

/** The gates' part of `policy`. */
export const GATE_POLICY: Record<string, Schema> = {
  size: object({ ramPct: nonNegNum, flashPct: nonNegNum }, []),
  records: { type: 'object', additionalProperties: nonNegNum },
  cost: object({ ratio: nonNegNum }, ['ratio']),
};

/** The RunResult properties the rooms add. */
export const RESULT_MEASURES: Record<string, Schema> = {
  footprint: { $ref: '#/$defs/Footprint' },
  records: { $ref: '#/$defs/Records' },
  cost: { $ref: '#/$defs/JobCost' },
  reach: { $ref: '#/$defs/JobReach' },
};

// Cost and reach (harness/domain-cost.ts): per job, then per comparison in `measures`.
const figure = { calls: nonNegInt, min: nonNegInt, median: nonNegInt, max: nonNegInt };
const blockAt = { address: str, file: str, line: lineNo, instructions: nonNegInt, assert: { type: 'boolean' } };
export const COST_DEFS: Record<string, Schema> = {
  MeasureSpec: object({ functions: { type: 'array', items: str } }, ['functions']),
  CallStats: object({ ...figure, values: { type: 'array', items: { type: 'array', items: nonNegInt } } }, ['calls', 'min', 'median', 'max', 'values']),
  CostFigure: object(figure, ['calls', 'min', 'median', 'max']),
  JobCost: object(
    {
      method: str,
      functions: { type: 'array', items: object({ name: str, addresses: { type: 'array', items: str }, size: nonNegInt }, ['name', 'addresses', 'size']) },
      missing: { type: 'array', items: str },
      cases: { type: 'array', items: object({ case: str, functions: { type: 'object', additionalProperties: { $ref: '#/$defs/CallStats' } } }, ['case', 'functions']) },
      unfinished: { type: 'object', additionalProperties: nonNegInt },
      notes: { type: 'array', items: str },
    },
    ['functions', 'cases'],
  ),
  JobReach: object(
    { functions: { type: 'array', items: object({ function: str, blocks: { type: 'array', items: object({ ...blockAt, cases: { type: 'array', items: str } }, ['address', 'instructions', 'cases']) } }, ['function', 'blocks']) } },
    ['functions'],
  ),
  CostDiff: object(
    {
      platform: str,
      suite: str,
      baselineVariant: str,
      candidateVariant: str,
      function: str,
      baseline: { $ref: '#/$defs/CostFigure' },
      candidate: { $ref: '#/$defs/CostFigure' },
      ratio: nonNegNum,
      casesCompared: nonNegInt,
      cases: { type: 'array', items: object({ case: str, baseline: { $ref: '#/$defs/CostFigure' }, candidate: { $ref: '#/$defs/CostFigure' }, ratio: nonNegNum }, ['case']) },
    },
    ['platform', 'suite', 'baselineVariant', 'candidateVariant', 'function', 'casesCompared', 'cases'],
  ),
  ReachSide: object(
    {
      job: str,
      blocks: nonNegInt,
      reached: nonNegInt,
      unreached: { type: 'array', items: object(blockAt, ['address', 'instructions']) },
      onlyBy: { type: 'array', items: object({ address: str, file: str, line: lineNo, case: str }, ['address', 'case']) },
    },
    ['job', 'blocks', 'reached', 'unreached', 'onlyBy'],
  ),
  ReachDiff: object(
    { platform: str, suite: str, baselineVariant: str, candidateVariant: str, function: str, baseline: { $ref: '#/$defs/ReachSide' }, candidate: { $ref: '#/$defs/ReachSide' } },
    ['platform', 'suite', 'baselineVariant', 'candidateVariant', 'function'],
  ),
};
