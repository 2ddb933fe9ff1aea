import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/version.js';
import { DtsSyntaxError, enabledPeripherals, nodeAt, parseDts } from '../harness/zephyr/dts.js';

// The shape of a Zephyr 4.1 nucleo_g474re build/zephyr/zephyr.dts: origin comments, labels,
// property names with commas, a flash controller whose flash has partitions (offsets, not
// addresses), an I2C bus whose children are bus addresses, and a node with two reg ranges.
const G474 = `/dts-v1/;

/* node '/' defined in zephyr/dts/common/skeleton.dtsi:9 */
/ {
	#address-cells = < 0x1 >;
	#size-cells = < 0x1 >;
	chosen {
		zephyr,entropy = &rng;          /* in zephyr/dts/arm/st/g4/stm32g4.dtsi:24 */
	};
	soc {
		#address-cells = < 0x1 >;
		#size-cells = < 0x1 >;
		ranges;
		compatible = "st,stm32g474",
		             "simple-bus";
		flash: flash-controller@40022000 {
			reg = < 0x40022000 0x400 >;
			#address-cells = < 0x1 >;
			#size-cells = < 0x1 >;
			flash0: flash@8000000 {
				reg = < 0x8000000 0x80000 >;
				partitions {
					compatible = "fixed-partitions";
					#address-cells = < 0x1 >;
					#size-cells = < 0x1 >;
					boot_partition: partition@0 {
						label = "mcuboot";
						reg = < 0x0 0x8800 >;
					};
				};
			};
		};
		i2c1: arduino_i2c: i2c@40005400 {
			compatible = "st,stm32-i2c-v2";
			#address-cells = < 0x1 >;
			#size-cells = < 0x0 >;
			reg = < 0x40005400 0x400 >;
			status = "okay";
			sensor@48 {
				reg = < 0x48 >;
			};
		};
		fdcan1: can@40006400 {
			reg = < 0x40006400 0x400 >,
			      < 0x4000a400 0x350 >;
			reg-names = "m_can", "message_ram";
			status = "disabled";
		};
		rng: rng@50060800 {
			compatible = "st,stm32-rng";
			reg = < 0x50060800 0x400 >;
			interrupts = < 0x5a 0x0 >;
			clocks = < &rcc 0x4c 0x4000000 >;
			status = "okay";
		};
	};
	sram0: memory@20000000 {
		reg = < 0x20000000 0x20000 >;
	};
};
`;

describe('zephyr.dts reader', () => {
  const tree = parseDts(G474);

  it('reads node names, labels, compatibles, status and reg ranges', () => {
    const rng = tree.nodes.find((n) => n.name === 'rng@50060800')!;
    expect(rng).to.deep.include({ path: '/soc/rng@50060800', labels: ['rng'], compatible: ['st,stm32-rng'], status: 'okay' });
    expect(rng.reg).to.deep.equal([{ start: 0x50060800, size: 0x400 }]);
    const i2c = tree.nodes.find((n) => n.name === 'i2c@40005400')!;
    expect(i2c.labels).to.deep.equal(['i2c1', 'arduino_i2c']);
    expect(tree.nodes.find((n) => n.name === 'can@40006400')!.reg).to.deep.equal([
      { start: 0x40006400, size: 0x400 },
      { start: 0x4000a400, size: 0x350 },
    ]);
  });

  it('names the node owning an address, the smallest range winning, and none outside every range', () => {
    expect(nodeAt(tree, 0x50060804)?.name).to.equal('rng@50060800');
    expect(nodeAt(tree, 0x50060c00)).to.equal(undefined);
    expect(nodeAt(tree, 0x4000a400 + 0x34f)?.name).to.equal('can@40006400');
    expect(nodeAt(tree, 0x08001000)?.name).to.equal('flash@8000000');
    expect(nodeAt(tree, 0x2001ffff)?.name).to.equal('memory@20000000');
  });

  it('keeps bus addresses and flash partitions out of the CPU address space', () => {
    expect(tree.nodes.find((n) => n.name === 'sensor@48')!.reg).to.deep.equal([]);
    expect(tree.nodes.find((n) => n.name === 'partition@0')!.reg).to.deep.equal([]);
    expect(nodeAt(tree, 0x48)).to.equal(undefined);
    expect(nodeAt(tree, 0x0)).to.equal(undefined);
  });

  it('status: absent means okay; enabledPeripherals leaves out disabled nodes', () => {
    expect(tree.nodes.find((n) => n.name === 'flash-controller@40022000')!.status).to.equal('okay');
    const names = enabledPeripherals(tree).map((n) => n.name);
    expect(names).to.include.members(['rng@50060800', 'i2c@40005400', 'memory@20000000']);
    expect(names).to.not.include('can@40006400');
  });

  it('reports the line of text it cannot read', () => {
    expect(() => parseDts('/ {\n\tfoo = < 0x1 >;\n\tbar baz;\n};\n')).to.throw(DtsSyntaxError, /line 3/);
    expect(() => parseDts('/ {\n\tnode {\n')).to.throw(DtsSyntaxError, /not closed/);
  });

  it("reads the demo boards' devicetrees that the firmware build copies next to the image", () => {
    for (const board of ['qemu_cortex_m3', 'nucleo_g474re']) {
      const t = parseDts(readFileSync(join(REPO_ROOT, 'firmware/boards', board, 'zephyr.dts'), 'utf8'));
      expect(enabledPeripherals(t).length, board).to.be.greaterThan(2);
    }
    const g4 = parseDts(readFileSync(join(REPO_ROOT, 'firmware/boards/nucleo_g474re/zephyr.dts'), 'utf8'));
    expect(nodeAt(g4, 0x50060800)?.name).to.equal('rng@50060800');
    const lm3s = parseDts(readFileSync(join(REPO_ROOT, 'firmware/boards/qemu_cortex_m3/zephyr.dts'), 'utf8'));
    expect(nodeAt(lm3s, 0x400fc010)?.name).to.equal('hibernation@400fc000');
  });
});
