// run.json schema of the measurement rooms (harness/measure/): per job `footprint` and `records`,
// per comparison `measures.footprint` and `measures.records`, and their gate policy. Kept beside
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
