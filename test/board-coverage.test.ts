// Every peripheral a Zephyr 4.x nucleo_g474re build enables has a model in boards/nucleo_g474re.repl
// or a row in boards/README.md saying it is not modelled, why, and what a guest touching it sees.
// The devicetree is a fixture from a real 4.1.99 build (its memory-mapped nodes).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/version.js';
import { parseRepl } from '../harness/emulators/renode/repl.js';
import { enabledPeripherals, parseDts } from '../harness/zephyr/dts.js';

const tree = parseDts(readFileSync(join(REPO_ROOT, 'test/fixtures/zephyr/nucleo_g474re-4.1.99.dts'), 'utf8'));
const repl = parseRepl(readFileSync(join(REPO_ROOT, 'boards/nucleo_g474re.repl'), 'utf8'));
const readme = readFileSync(join(REPO_ROOT, 'boards/README.md'), 'utf8');

interface Row {
  node: string;
  model: string;
  notes: string;
}

/** The rows of the devicetree coverage table: `| \`node\` | label | compatible | model | notes |`. */
function coverageRows(text: string): Row[] {
  const start = text.indexOf('## Devicetree coverage');
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      const cells = l.split('|').slice(1, -1).map((c) => c.trim());
      return { node: cells[0]!.replace(/`/g, ''), model: cells[3]!, notes: cells[4]! };
    });
}

describe('boards: devicetree coverage of nucleo_g474re (Zephyr 4.1.99)', () => {
  const rows = coverageRows(readme);
  const byNode = new Map(rows.map((r) => [r.node, r]));
  const enabled = enabledPeripherals(tree);

  it('the fixture holds the enabled peripherals of a real build, not a handful', () => {
    expect(enabled.length).to.be.greaterThan(25);
    expect(enabled.map((n) => n.name)).to.include.members(['rng@50060800', 'can@40006400', 'rtc@40002800', 'serial@40008000']);
  });

  it('lists every enabled node, once', () => {
    const missing = enabled.filter((n) => !byNode.has(n.name)).map((n) => n.name);
    expect(missing, 'enabled in the devicetree, absent from boards/README.md').to.deep.equal([]);
    expect(rows.length).to.equal(byNode.size);
    const stale = rows.filter((r) => !enabled.some((n) => n.name === r.node)).map((r) => r.node);
    expect(stale, 'in boards/README.md, not enabled in the devicetree').to.deep.equal([]);
  });

  it('a node listed with a model has that model in the .repl, at its address', () => {
    for (const row of rows.filter((r) => r.model !== 'not modelled')) {
      const m = /^`(\w+)`: ([\w.]+)$/.exec(row.model);
      expect(m, `${row.node}: model cell "${row.model}"`).to.not.equal(null);
      const p = repl.peripherals.find((x) => x.name === m![1]);
      expect(p, `${row.node}: ${m![1]} in the .repl`).to.not.equal(undefined);
      expect(p!.type, row.node).to.equal(m![2]);
      const node = tree.nodes.find((n) => n.name === row.node)!;
      // The NVIC model starts at the System Control Space, 0x100 below the devicetree's NVIC.
      expect(p!.address! <= node.reg[0]!.start && node.reg[0]!.start < p!.address! + 0x1000, row.node).to.equal(true);
    }
  });

  it('a node listed as not modelled has no model at its address, and says what a guest sees', () => {
    const starts = repl.peripherals.filter((p) => p.address !== undefined).map((p) => p.address!);
    for (const row of rows.filter((r) => r.model === 'not modelled')) {
      const node = tree.nodes.find((n) => n.name === row.node)!;
      for (const r of node.reg) {
        const inside = starts.filter((a) => a >= r.start && a < r.start + r.size);
        expect(inside, `${row.node} is listed as not modelled but the .repl maps something there`).to.deep.equal([]);
      }
      expect(row.notes.length, `${row.node}: why, and what a guest sees`).to.be.greaterThan(40);
    }
  });
});
