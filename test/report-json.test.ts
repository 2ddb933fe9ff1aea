import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { RunJsonError, parseRunJson, renderRunJson, runJsonSchema, validateRunRecord } from '../harness/report/json.js';
import { readRunRecord } from '../harness/report/index.js';
import { buildFixture } from './fixtures/report/fixture.js';

// ajv ships CommonJS with a `default` export; under NodeNext either shape can arrive.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as new (opts: object) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null };
};

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('report: run.json', () => {
  const { record } = buildFixture();
  // `format` is an annotation in 2020-12; tandem's own checker treats it so too.
  const ajvValidate = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(runJsonSchema);

  it('the schema compiles under ajv strict mode and accepts a realistic record', () => {
    const ok = ajvValidate(clone(record));
    expect(ajvValidate.errors ?? [], JSON.stringify(ajvValidate.errors)).to.deep.equal([]);
    expect(ok).to.equal(true);
    expect(validateRunRecord(clone(record))).to.deep.include({ valid: true });
  });

  it('the hostile record (control characters, markup) round-trips through run.json unchanged', () => {
    const hostile = buildFixture({ hostile: true }).record;
    const text = renderRunJson(hostile);
    expect(text.endsWith('\n')).to.equal(true);
    expect(parseRunJson(text)).to.deep.equal(JSON.parse(JSON.stringify(hostile)));
  });

  // Each mutation breaks one rule; tandem's checker and ajv must both reject it, and the checker's
  // message must point at the broken field.
  const mutations: Array<[string, (r: any) => void, RegExp]> = [
    ['unknown verdict', (r) => (r.results[0].verdict = 'exploded'), /results\[0\]\.verdict: must be one of/],
    ['missing job', (r) => delete r.results[1].job, /results\[1\]: missing required property "job"/],
    ['attempt 0', (r) => (r.results[0].job.attempt = 0), /results\[0\]\.job\.attempt: must be >= 1/],
    ['fractional line', (r) => (r.results[5].cases[0].line = 1.5), /results\[5\]\.cases\[0\]\.line: must be integer/],
    ['end kind unknown', (r) => (r.results[0].end = { kind: 'melted' }), /results\[0\]\.end: matches none/],
    ['end missing field', (r) => (r.results[0].end = { kind: 'silence' }), /results\[0\]\.end: missing required property "seconds"/],
    ['exit code as string', (r) => (r.results[0].end = { kind: 'exit', code: '1', signal: null }), /end\.code: must be integer or null/],
    ['diff class unknown', (r) => (r.diff[0].class = 'worse'), /diff\[0\]\.class: must be one of/],
    ['summary key unknown', (r) => (r.summary.verdicts.exploded = 1), /summary\.verdicts: property name "exploded" is not allowed/],
    ['negative count', (r) => (r.summary.cases.pass = -1), /summary\.cases\.pass: must be >= 0/],
    ['interrupted as string', (r) => (r.interrupted = 'no'), /interrupted: must be boolean/],
    ['no provenance host', (r) => delete r.results[2].provenance.host, /results\[2\]\.provenance: missing required property "host"/],
  ];
  for (const [name, mutate, message] of mutations) {
    it(`rejects ${name}, in agreement with ajv`, () => {
      const bad = clone(record);
      mutate(bad);
      expect(ajvValidate(bad), 'ajv').to.equal(false);
      const v = validateRunRecord(bad);
      expect(v.valid).to.equal(false);
      if (!v.valid) expect(v.errors.join('\n')).to.match(message);
    });
  }

  it('accepts fields it does not know (additive changes keep schemaVersion 1), like ajv', () => {
    const extended = clone(record) as any;
    extended.newTopLevel = { anything: true };
    extended.results[0].job.arch = 'arm';
    extended.results[0].provenance.toolchain = 'gnuarmemb';
    expect(ajvValidate(extended)).to.equal(true);
    expect(validateRunRecord(extended).valid).to.equal(true);
  });

  it('parseRunJson names the file and the problem, version before shape', () => {
    expect(() => parseRunJson('{', 'x/run.json')).to.throw(RunJsonError, /^x\/run\.json: is not JSON/);
    expect(() => parseRunJson('[]', 'x/run.json')).to.throw(/x\/run\.json: is not a JSON object/);
    expect(() => parseRunJson('{"schema":"other"}', 'x/run.json')).to.throw(/not a tandem run record/);
    const future = { ...clone(record), schemaVersion: 2, results: 'whatever' };
    expect(() => parseRunJson(JSON.stringify(future), 'x/run.json')).to.throw(
      /^x\/run\.json: schemaVersion 2 is not supported \(this tandem reads schemaVersion 1\)$/,
    );
    const broken = clone(record) as any;
    broken.results[3].verdict = 'exploded';
    delete broken.summary;
    try {
      parseRunJson(JSON.stringify(broken), 'x/run.json');
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(RunJsonError);
      expect((e as RunJsonError).problems).to.have.length(2);
      expect((e as Error).message).to.contain('x/run.json: not a valid run record');
      expect((e as Error).message).to.contain('results[3].verdict');
      expect((e as Error).message).to.contain('missing required property "summary"');
    }
  });

  it('readRunRecord loads a run folder, and says which file is missing or wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-json-'));
    try {
      await readRunRecord(dir).then(
        () => expect.fail('should throw'),
        (e: Error) => expect(e.message).to.equal(`${join(dir, 'run.json')}: not found (is this a tandem run folder?)`),
      );
      writeFileSync(join(dir, 'run.json'), renderRunJson(record));
      expect(await readRunRecord(dir)).to.deep.equal(JSON.parse(JSON.stringify(record)));
      writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...record, schemaVersion: 7 }));
      await readRunRecord(dir).then(
        () => expect.fail('should throw'),
        (e: Error) => expect(e.message).to.match(/run\.json: schemaVersion 7 is not supported/),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docs/run-json.md documents every field the schema names', () => {
    const doc = readFileSync(new URL('../docs/run-json.md', import.meta.url), 'utf8');
    const names = new Set<string>();
    const walk = (s: any) => {
      if (!s || typeof s !== 'object') return;
      for (const k of Object.keys(s.properties ?? {})) names.add(k);
      for (const v of Object.values(s)) walk(v);
    };
    walk(runJsonSchema);
    const undocumented = [...names].filter((n) => !doc.includes(`\`${n}\``));
    expect(undocumented).to.deep.equal([]);
    expect(doc).to.match(/schemaVersion.{0,40}1/);
  });
});
