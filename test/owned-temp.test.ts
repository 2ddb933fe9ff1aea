// Temporary folders that name their owner: a tandem killed outright leaves them behind, the next
// one removes them, and never a folder a live tandem still uses.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOwner, startTicksOf, sweepStale } from '../harness/owned-temp.js';
import { scratch } from './helpers/tmp.js';

describe('owned temporary folders', () => {
  it('reads the owner line, with and without the start time', () => {
    expect(parseOwner('123 4567\n')).to.deep.equal({ pid: 123, startTicks: 4567 });
    expect(parseOwner('123')).to.deep.equal({ pid: 123 });
    expect(parseOwner('')).to.equal(undefined);
    expect(parseOwner('x 1')).to.equal(undefined);
  });

  it('sweeps the folders of dead or recycled owners, keeps live owners\', its own and unowned ones', () => {
    const tmp = scratch('tandem-owned-');
    try {
      // The pid of a process that has exited.
      const dead = Number(execFileSync('sh', ['-c', 'sh -c "echo \\$\\$"']).toString().trim());
      const parentTicks = startTicksOf(process.ppid)!;
      const folders: Record<string, string | undefined> = {
        dead: `${dead} 1`,
        'dead-old-format': String(dead),
        recycled: `${process.ppid} ${parentTicks + 1}`,
        alive: `${process.ppid} ${parentTicks}`,
        'alive-old-format': String(process.ppid),
        mine: `${process.pid} ${startTicksOf(process.pid)}`,
        unowned: undefined,
      };
      for (const [name, owner] of Object.entries(folders)) {
        mkdirSync(join(tmp.dir, `tandem-fifo-${name}`));
        if (owner !== undefined) writeFileSync(join(tmp.dir, `tandem-fifo-${name}`, 'owner'), owner);
      }
      writeFileSync(join(tmp.dir, 'other-dead'), String(dead));
      sweepStale('tandem-fifo-', tmp.dir);
      expect(readdirSync(tmp.dir).sort()).to.deep.equal(['other-dead', 'tandem-fifo-alive', 'tandem-fifo-alive-old-format', 'tandem-fifo-mine', 'tandem-fifo-unowned']);
      expect(existsSync(join(tmp.dir, 'tandem-fifo-mine', 'owner'))).to.equal(true);
    } finally {
      tmp.cleanup();
    }
  });
});
