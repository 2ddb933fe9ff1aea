// The run pool's slots belong to emulators: a job hands its slot on once its emulator is done with
// (run.ts races runJob's emulatorDone against its result), and the pool gives a freed slot to the
// next waiting job before the finished job's caller goes on to close its log, record its result
// and resolve its crash.
import { expect } from 'chai';
import { priorityLimit } from '../harness/run/longest-first.js';

describe('run: slots', () => {
  for (const outcome of ['resolves', 'rejects'] as const) {
    it(`a task that ${outcome} hands its slot on before its caller resumes`, async () => {
      const events: string[] = [];
      const run = priorityLimit(1);
      let finishA!: () => void;
      const a = run(1, () => new Promise<string>((resolve, reject) => (finishA = () => (outcome === 'resolves' ? resolve('a') : reject(new Error('a'))))));
      const b = run(1, async () => {
        events.push('b started');
        return 'b';
      });
      const aDone = a.then(
        () => events.push('a caller resumed'),
        () => events.push('a caller resumed'),
      );
      // Let the pool give the slot to a, and b queue behind it.
      await new Promise((r) => setImmediate(r));
      expect(events).to.deep.equal([]);
      finishA();
      await Promise.all([aDone, b]);
      expect(events).to.deep.equal(['b started', 'a caller resumed']);
    });
  }

  it('never more than the slots at once while handing on', async () => {
    const run = priorityLimit(2);
    let now = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        run(i % 3, async () => {
          now++;
          most = Math.max(most, now);
          await new Promise((r) => setImmediate(r));
          now--;
        }),
      ),
    );
    expect(most).to.equal(2);
  });
});
