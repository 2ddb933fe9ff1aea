// QEMU's console through a FIFO read every few milliseconds (fifo-console.ts): what arrives, how
// often it is read, and the FIFO handed on clean to the next boot.
import { expect } from 'chai';
import { writeSync } from 'node:fs';
import { openFifoConsole, type FifoConsole } from '../harness/emulators/fifo-console.js';
import { spawnGroup } from '../harness/emulators/process-group.js';

async function collect(con: FifoConsole): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const c of con) chunks.push(Buffer.from(c));
  return chunks;
}

/** Runs `sh -c script` with stdout and stderr on the console; ends the console when it exits. */
async function writer(script: string): Promise<{ chunks: Buffer[]; code: number | null }> {
  const con = (await openFifoConsole())!;
  const proc = spawnGroup('/bin/sh', ['-c', script], { output: con.writeFd });
  con.spawned();
  const got = collect(con);
  const { code } = await proc.exited;
  con.end();
  return { chunks: await got, code };
}

describe('console FIFO read in batches', function () {
  this.timeout(60_000);

  it('1,000 one-byte writes waiting in the pipe arrive in one read', async () => {
    const con = (await openFifoConsole())!;
    for (let i = 0; i < 1000; i++) writeSync(con.writeFd, String(i % 10));
    con.spawned();
    const it = con[Symbol.asyncIterator]();
    const first = await it.next();
    expect(Buffer.from(first.value as Uint8Array).length).to.equal(1000);
    con.end();
    expect((await it.next()).done).to.equal(true);
  });

  it("a process's stdout and stderr, every byte in order, in far fewer reads than writes", async () => {
    // 2,000 writes of one character (printf is a shell builtin: one write(2) each), then stderr.
    const { chunks, code } = await writer('i=0; while [ $i -lt 2000 ]; do printf x; i=$((i+1)); done; echo done >&2');
    expect(code).to.equal(0);
    expect(Buffer.concat(chunks).toString()).to.equal(`${'x'.repeat(2000)}done\n`);
    expect(chunks.length).to.be.below(500);
  });

  it('drain() delivers what is waiting before any timer runs', async () => {
    const con = (await openFifoConsole())!;
    const it = con[Symbol.asyncIterator]();
    const next = it.next();
    writeSync(con.writeFd, 'PROJECT EXECUTION SUCCESSFUL\n');
    con.drain();
    const first = await Promise.race([next, new Promise<'late'>((r) => setImmediate(() => r('late')))]);
    expect(first).to.not.equal('late');
    expect(Buffer.from((first as IteratorResult<Uint8Array>).value).toString()).to.equal('PROJECT EXECUTION SUCCESSFUL\n');
    con.end();
  });

  it('consoles read on one shared timer each get exactly their own bytes, hurried or not', async () => {
    const runs = Array.from({ length: 6 }, (_, i) =>
      writer(`i=0; while [ $i -lt 300 ]; do printf ${String.fromCharCode(97 + i)}; i=$((i+1)); done; printf '\\n'`),
    );
    const got = await Promise.all(runs);
    got.forEach(({ chunks, code }, i) => {
      expect(code).to.equal(0);
      expect(Buffer.concat(chunks).toString()).to.equal(`${String.fromCharCode(97 + i).repeat(300)}\n`);
    });
    const con = (await openFifoConsole())!;
    const it = con[Symbol.asyncIterator]();
    con.hurry();
    writeSync(con.writeFd, 'PROJECT EXECUTION FAILED\n');
    expect(Buffer.from((await it.next()).value as Uint8Array).toString()).to.equal('PROJECT EXECUTION FAILED\n');
    con.end();
  });

  it('a flood bigger than the pipe is read whole while the writer waits for room', async () => {
    const { chunks, code } = await writer('head -c 3000000 /dev/zero');
    expect(code).to.equal(0);
    expect(chunks.reduce((n, c) => n + c.length, 0)).to.equal(3_000_000);
  });

  it('end() reads what is left; the FIFO, handed to the next console, starts empty', async () => {
    const a = (await openFifoConsole())!;
    writeSync(a.writeFd, 'tail of boot a');
    a.spawned();
    const got = collect(a);
    a.end();
    expect(Buffer.concat(await got).toString()).to.equal('tail of boot a');
    // Every console the reservoir has ready now, each drained: none holds boot a's bytes.
    const next = await Promise.all(Array.from({ length: 8 }, () => openFifoConsole()));
    for (const c of next) {
      c!.spawned();
      const rest = collect(c!);
      c!.end();
      expect(Buffer.concat(await rest).length).to.equal(0);
    }
  });
});
