// twister's `filter:` expressions (testcase.yaml), evaluated the way twister's expr_parser does
// once a build's `.config` exists: `CONFIG_X`, `not`, `and`, `or`, `==`, `!=`, `<`…, `in [...]`,
// `:` (regex match), parentheses. Devicetree functions (`dt_compat_enabled(...)`) and symbols
// that come from CMake's cache or the environment cannot be known from a `.config`; they evaluate
// to "unknown" and the logic is three-valued, so `CONFIG_A and dt_x()` is still false when
// CONFIG_A is off, and a filter that stays unknown never filters anything out. Pure.

export type Tri = true | false | 'unknown';

type Token =
  | { t: 'sym'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'op'; v: string };

type Node =
  | { k: 'and' | 'or'; a: Node; b: Node }
  | { k: 'not'; a: Node }
  | { k: 'exists'; sym: string }
  | { k: 'cmp'; op: string; sym: string; value: string | number }
  | { k: 'in'; sym: string; list: (string | number)[] }
  | { k: 'match'; sym: string; re: string }
  | { k: 'call'; name: string };

export class FilterSyntaxError extends Error {}

const KEYWORDS = new Set(['and', 'or', 'not', 'in']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '<=', '>='].includes(two)) {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('()[],<>:'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new FilterSyntaxError(`unterminated string at ${i}`);
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|-?\d+)/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[1]) });
      i += num[1]!.length;
      continue;
    }
    const sym = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (sym) {
      out.push(KEYWORDS.has(sym[0]) ? { t: 'op', v: sym[0] } : { t: 'sym', v: sym[0] });
      i += sym[0].length;
      continue;
    }
    throw new FilterSyntaxError(`unexpected '${c}' at ${i}`);
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  parse(): Node {
    const n = this.or();
    if (this.i < this.toks.length) throw new FilterSyntaxError(`unexpected '${String(this.toks[this.i]!.v)}'`);
    return n;
  }

  private peek(v: string): boolean {
    const t = this.toks[this.i];
    return t?.t === 'op' && t.v === v;
  }

  private take(v: string): void {
    if (!this.peek(v)) throw new FilterSyntaxError(`expected '${v}'`);
    this.i++;
  }

  private or(): Node {
    let a = this.and();
    while (this.peek('or')) {
      this.i++;
      a = { k: 'or', a, b: this.and() };
    }
    return a;
  }

  private and(): Node {
    let a = this.not();
    while (this.peek('and')) {
      this.i++;
      a = { k: 'and', a, b: this.not() };
    }
    return a;
  }

  private not(): Node {
    if (this.peek('not')) {
      this.i++;
      return { k: 'not', a: this.not() };
    }
    return this.primary();
  }

  private primary(): Node {
    if (this.peek('(')) {
      this.i++;
      const n = this.or();
      this.take(')');
      return n;
    }
    const t = this.toks[this.i++];
    if (t?.t !== 'sym') throw new FilterSyntaxError(`expected a symbol, found ${t ? `'${String(t.v)}'` : 'the end'}`);
    if (this.peek('(')) {
      // A function call: skip its balanced argument list; its value is never known here.
      let depth = 0;
      do {
        const x = this.toks[this.i++];
        if (!x) throw new FilterSyntaxError(`unclosed call to ${t.v}()`);
        if (x.t === 'op' && x.v === '(') depth++;
        if (x.t === 'op' && x.v === ')') depth--;
      } while (depth > 0);
      return { k: 'call', name: t.v };
    }
    const op = this.toks[this.i];
    if (op?.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(op.v)) {
      this.i++;
      return { k: 'cmp', op: op.v, sym: t.v, value: this.value() };
    }
    if (op?.t === 'op' && op.v === 'in') {
      this.i++;
      this.take('[');
      const list: (string | number)[] = [];
      while (!this.peek(']')) {
        list.push(this.value());
        if (this.peek(',')) this.i++;
      }
      this.take(']');
      return { k: 'in', sym: t.v, list };
    }
    if (op?.t === 'op' && op.v === ':') {
      this.i++;
      const v = this.value();
      return { k: 'match', sym: t.v, re: String(v) };
    }
    return { k: 'exists', sym: t.v };
  }

  private value(): string | number {
    const t = this.toks[this.i++];
    if (t?.t === 'str' || t?.t === 'num') return t.v;
    // twister accepts a bare word as a value (e.g. ARCH == arm).
    if (t?.t === 'sym') return t.v;
    throw new FilterSyntaxError('expected a value');
  }
}

export function parseFilter(expr: string): Node {
  return new Parser(tokenize(expr)).parse();
}

/**
 * `lookup(name)` returns the symbol's value (quotes removed), '' for a symbol known to be
 * unset, or undefined when the symbol's value cannot be known (not a Kconfig symbol).
 */
export function evaluateFilter(expr: string, lookup: (name: string) => string | undefined): Tri {
  return evalNode(parseFilter(expr), lookup);
}

function evalNode(n: Node, lookup: (name: string) => string | undefined): Tri {
  switch (n.k) {
    case 'and': {
      const a = evalNode(n.a, lookup);
      if (a === false) return false;
      const b = evalNode(n.b, lookup);
      if (b === false) return false;
      return a === true && b === true ? true : 'unknown';
    }
    case 'or': {
      const a = evalNode(n.a, lookup);
      if (a === true) return true;
      const b = evalNode(n.b, lookup);
      if (b === true) return true;
      return a === false && b === false ? false : 'unknown';
    }
    case 'not': {
      const a = evalNode(n.a, lookup);
      return a === 'unknown' ? a : !a;
    }
    case 'call':
      return 'unknown';
    case 'exists': {
      const v = lookup(n.sym);
      // twister: bool(str(value)) — any non-empty value counts, even "0".
      return v === undefined ? 'unknown' : v !== '';
    }
    case 'cmp': {
      const v = lookup(n.sym);
      if (v === undefined) return 'unknown';
      if (n.op === '==' || n.op === '!=') {
        const eq = v === String(n.value);
        return n.op === '==' ? eq : !eq;
      }
      const x = toInt(v);
      const y = typeof n.value === 'number' ? n.value : toInt(n.value);
      switch (n.op) {
        case '<':
          return x < y;
        case '<=':
          return x <= y;
        case '>':
          return x > y;
        default:
          return x >= y;
      }
    }
    case 'in': {
      const v = lookup(n.sym);
      if (v === undefined) return 'unknown';
      return n.list.some((x) => String(x) === v);
    }
    case 'match': {
      const v = lookup(n.sym);
      if (v === undefined) return 'unknown';
      // Python's re.match anchors at the start only.
      return new RegExp(`^(?:${n.re})`).test(v);
    }
  }
}

function toInt(v: string): number {
  if (v === '') return 0;
  const n = /^0x/i.test(v) ? parseInt(v, 16) : parseInt(v, 10);
  return Number.isNaN(n) ? 0 : n;
}
