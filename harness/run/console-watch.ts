// What a boot's console is read for besides ztest (Job.console): twister's console harness, which
// then judges the image, and record patterns, whose rows become the job's recorded figures. The
// runner hands it every line; it says when the console has decided the boot. Pure.
import type { CaseResult, ConsoleSpec, Records, RunEnd } from '../domain.js';
import { ConsoleHarness } from '../zephyr/console-harness.js';
import { RecordReader, readsZero } from '../measure/records/read.js';
import { SUITE_START } from '../ztest/grammar.js';

export class ConsoleWatch {
  private readonly harness?: ConsoleHarness;
  private readonly records?: RecordReader;
  private lines = 0;
  private ztest = false;

  constructor(spec: ConsoleSpec) {
    if (spec.harness) this.harness = new ConsoleHarness(spec.harness);
    if (spec.records?.length) this.records = new RecordReader(spec.records);
  }

  /** One console line; the boot's end when the console has said all it will. */
  line(text: string): RunEnd | undefined {
    this.lines++;
    if (SUITE_START.test(text)) this.ztest = true;
    this.records?.push(text, this.lines);
    if (this.harness) {
      this.harness.push(text);
      return this.harness.passed ? { kind: 'project', success: true, console: this.harness.progress() } : undefined;
    }
    // A microbenchmark that is not a ztest image prints its figures and stops: its end line is its verdict.
    if (!this.ztest && this.records?.ended) return { kind: 'project', success: true, console: 'the recorded figures ended (the record end line came; no ztest output)' };
    return undefined;
  }

  /** `PROJECT EXECUTION …`: with a console harness, its patterns decide what that means. */
  projectEnd(success: boolean): RunEnd | undefined {
    return this.harness?.projectEnd(success);
  }

  /**
   * The job's cases (a console harness's one case instead of ztest's) and its recorded figures;
   * `noCycleCounter` is the emulator's note for figures that read 0 because it models no DWT.
   */
  finish(end: RunEnd, cases: CaseResult[], scenario: string, noCycleCounter?: string): { cases: CaseResult[]; records?: Records } {
    const out: { cases: CaseResult[]; records?: Records } = { cases: this.harness ? [this.harness.result(scenario, end)] : cases };
    if (this.records) {
      const records = this.records.result();
      if (noCycleCounter && readsZero(records)) records.note = noCycleCounter;
      out.records = records;
    }
    return out;
  }
}
