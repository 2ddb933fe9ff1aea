// A reader for the flattened devicetree a Zephyr build writes (build/zephyr/zephyr.dts): which node
// owns an address, and whether the build enabled it. Pure: text in, nodes out. It reads what that
// file holds (one source, no includes, no overlays left to apply) and nothing more.

export interface DtsRange {
  start: number;
  /** Bytes. */
  size: number;
}

export interface DtsNode {
  /** `name@unit` as written (`rng@50060800`). */
  name: string;
  /** Full path (`/soc/rng@50060800`). */
  path: string;
  labels: string[];
  compatible: string[];
  /** `okay` when absent, as the devicetree specification says. */
  status: string;
  /** `reg` in CPU address space (`ranges` taken as identity, as Zephyr's SoC files use them); empty when the node is not memory-mapped (a device on an I2C bus). */
  reg: DtsRange[];
}

export interface Devicetree {
  nodes: DtsNode[];
}

type Token =
  | { t: 'word'; v: string; line: number }
  | { t: 'string'; v: string; line: number }
  | { t: 'cells'; v: string; line: number }
  | { t: 'bytes'; v: string; line: number }
  | { t: 'punct'; v: '{' | '}' | ';' | '=' | ','; line: number };

export class DtsSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'DtsSyntaxError';
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      line += countNewlines(text, i, end);
      i = end;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '"') {
      let j = i + 1;
      let v = '';
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < n) j++;
        v += text[j];
        j++;
      }
      tokens.push({ t: 'string', v, line });
      line += countNewlines(text, i, j);
      i = j + 1;
    } else if (c === '<' || c === '[') {
      const close = text.indexOf(c === '<' ? '>' : ']', i + 1);
      if (close < 0) throw new DtsSyntaxError(line, `unterminated ${c}`);
      tokens.push({ t: c === '<' ? 'cells' : 'bytes', v: text.slice(i + 1, close), line });
      line += countNewlines(text, i, close);
      i = close + 1;
    } else if (c === '{' || c === '}' || c === ';' || c === '=' || c === ',') {
      tokens.push({ t: 'punct', v: c, line });
      i++;
    } else {
      let j = i;
      // Commas belong to names (`zephyr,console`); between values they stand alone (above).
      while (j < n && !/[\s{};="<[]/.test(text[j]!)) j++;
      if (j === i) throw new DtsSyntaxError(line, `unexpected ${JSON.stringify(c)}`);
      tokens.push({ t: 'word', v: text.slice(i, j), line });
      i = j;
    }
  }
  return tokens;
}

function countNewlines(text: string, from: number, to: number): number {
  let k = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) k++;
  return k;
}

interface RawNode {
  name: string;
  labels: string[];
  props: Map<string, Token[]>;
  children: RawNode[];
}

function parseTree(tokens: Token[]): RawNode {
  const root: RawNode = { name: '/', labels: [], props: new Map(), children: [] };
  let i = 0;
  const peek = () => tokens[i];
  const parseBody = (node: RawNode) => {
    for (;;) {
      const tok = tokens[i];
      if (!tok) throw new DtsSyntaxError(tokens[tokens.length - 1]?.line ?? 1, `node ${node.name} is not closed`);
      if (tok.t === 'punct' && tok.v === '}') {
        i++;
        if (peek()?.t === 'punct' && peek()!.v === ';') i++;
        return;
      }
      const labels: string[] = [];
      while (tokens[i]?.t === 'word' && tokens[i]!.v.endsWith(':')) labels.push(tokens[i++]!.v.slice(0, -1));
      const nameTok = tokens[i++];
      if (!nameTok || nameTok.t !== 'word') throw new DtsSyntaxError(nameTok?.line ?? tok.line, 'expected a property or node name');
      const next = tokens[i];
      if (next?.t === 'punct' && next.v === '{') {
        i++;
        const child: RawNode = { name: nameTok.v, labels, props: new Map(), children: [] };
        parseBody(child);
        node.children.push(child);
      } else if (next?.t === 'punct' && next.v === '=') {
        i++;
        const value: Token[] = [];
        while (tokens[i] && !(tokens[i]!.t === 'punct' && tokens[i]!.v === ';')) value.push(tokens[i++]!);
        i++;
        node.props.set(nameTok.v, value);
      } else if (next?.t === 'punct' && next.v === ';') {
        i++;
        node.props.set(nameTok.v, []);
      } else throw new DtsSyntaxError(nameTok.line, `expected '{', '=' or ';' after ${nameTok.v}`);
    }
  };
  while (i < tokens.length) {
    const tok = tokens[i]!;
    if (tok.t === 'word' && tok.v.startsWith('/') && tok.v !== '/') {
      // /dts-v1/; /memreserve/ …;
      while (tokens[i] && !(tokens[i]!.t === 'punct' && tokens[i]!.v === ';')) i++;
      i++;
    } else if (tok.t === 'word' && tok.v === '/' && tokens[i + 1]?.t === 'punct' && tokens[i + 1]!.v === '{') {
      i += 2;
      parseBody(root);
    } else throw new DtsSyntaxError(tok.line, `unexpected ${tok.v} at top level`);
  }
  return root;
}

function cellsOf(value: Token[] | undefined): number[] | undefined {
  if (!value) return undefined;
  const cells: number[] = [];
  for (const tok of value) {
    if (tok.t !== 'cells') continue;
    for (const word of tok.v.trim().split(/\s+/).filter(Boolean)) {
      const n = Number(word);
      // A phandle reference (&label) or an expression: not a number this reader needs.
      cells.push(Number.isFinite(n) ? n : NaN);
    }
  }
  return cells;
}

function stringsOf(value: Token[] | undefined): string[] {
  return (value ?? []).filter((t) => t.t === 'string').map((t) => t.v);
}

/** Parses a zephyr.dts; throws DtsSyntaxError (with its line) on text it cannot read. */
export function parseDts(text: string): Devicetree {
  const root = parseTree(tokenize(text));
  const nodes: DtsNode[] = [];
  const walk = (node: RawNode, path: string, addressCells: number, sizeCells: number, mapped: boolean) => {
    for (const child of node.children) {
      const childPath = path === '/' ? `/${child.name}` : `${path}/${child.name}`;
      const reg: DtsRange[] = [];
      const cells = mapped ? cellsOf(child.props.get('reg')) : undefined;
      const stride = addressCells + sizeCells;
      if (cells && stride > 0 && sizeCells > 0) {
        for (let k = 0; k + stride <= cells.length; k += stride) {
          const start = combine(cells.slice(k, k + addressCells));
          const size = combine(cells.slice(k + addressCells, k + stride));
          if (Number.isFinite(start) && Number.isFinite(size)) reg.push({ start, size });
        }
      }
      nodes.push({
        name: child.name,
        path: childPath,
        labels: child.labels,
        compatible: stringsOf(child.props.get('compatible')),
        status: stringsOf(child.props.get('status'))[0] ?? 'okay',
        reg,
      });
      const ac = cellsOf(child.props.get('#address-cells'))?.[0];
      const sc = cellsOf(child.props.get('#size-cells'))?.[0];
      // Zephyr's dts gives memory-mapped children absolute addresses, with or without `ranges`
      // (pin-controller, flash-controller); a bus whose children have no size (I2C, SPI: devices
      // addressed on the bus) and flash partitions (offsets into their flash) leave the CPU's
      // address space.
      const partitions = stringsOf(child.props.get('compatible')).includes('fixed-partitions');
      walk(child, childPath, ac ?? 2, sc ?? 1, mapped && (sc ?? 1) > 0 && !partitions);
    }
  };
  const ac = cellsOf(root.props.get('#address-cells'))?.[0] ?? 2;
  const sc = cellsOf(root.props.get('#size-cells'))?.[0] ?? 1;
  walk(root, '/', ac, sc, true);
  return { nodes };
}

/** Big-endian cells as one number (64-bit addresses stay exact up to 2^53). */
function combine(cells: number[]): number {
  return cells.reduce((acc, c) => acc * 2 ** 32 + c, 0);
}

/**
 * The node whose `reg` holds `address`: the smallest such range, so a peripheral wins over the
 * bus or memory region around it.
 */
export function nodeAt(tree: Devicetree, address: number): DtsNode | undefined {
  let best: { node: DtsNode; size: number } | undefined;
  for (const node of tree.nodes) {
    for (const r of node.reg) {
      if (address >= r.start && address < r.start + r.size && (!best || r.size < best.size)) best = { node, size: r.size };
    }
  }
  return best?.node;
}

/** Enabled (`okay`) nodes with a memory-mapped `reg`: the peripherals a build may touch. */
export function enabledPeripherals(tree: Devicetree): DtsNode[] {
  return tree.nodes.filter((n) => n.status === 'okay' && n.reg.length > 0);
}
