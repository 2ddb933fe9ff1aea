import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ConsoleLog } from '../harness/run/console-log.js';
import { scratch } from './helpers/tmp.js';

describe('console log', () => {
  it('batches writes, keeps every byte under the cap and says how much it dropped past it', async () => {
    const s = scratch();
    try {
      const path = `${s.dir}/c.log`;
      const log = new ConsoleLog(path, 1000);
      for (let i = 0; i < 30; i++) log.write(Buffer.from(`line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}\r\n`));
      await log.close();
      const text = readFileSync(path, 'latin1');
      expect(text.startsWith('line 000 ')).to.equal(true);
      const [kept, note] = text.split('\n[tandem: ');
      expect(kept!.length).to.equal(1000);
      expect(note).to.equal(`log capped at 1000 bytes; ${30 * 51 - 1000} more bytes of console output were dropped]\n`);
    } finally {
      s.cleanup();
    }
  });
});
