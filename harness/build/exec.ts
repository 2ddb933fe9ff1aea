// Runs one build step with its output streamed to the job's build log, killable as a group.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { spawnGroup } from '../emulators/process-group.js';

export interface StepResult {
  ok: boolean;
  code: number | null;
  /** The last part of the output, enough to find the error line without rereading the log. */
  tail: string;
}

const TAIL_BYTES = 64 * 1024;

export async function runStep(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; logFile: string; signal: AbortSignal; append?: boolean },
): Promise<StepResult> {
  const log = createWriteStream(options.logFile, { flags: options.append ? 'a' : 'w' });
  log.write(`$ ${argv.map(quoteForDisplay).join(' ')}\n`);
  let tail = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  const proc = spawnGroup(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env });
  proc.child.stdout?.on('data', keep);
  proc.child.stderr?.on('data', keep);
  const onAbort = () => void proc.kill(500);
  options.signal.addEventListener('abort', onAbort, { once: true });
  const exit = await proc.exited;
  options.signal.removeEventListener('abort', onAbort);
  const startError = proc.startError();
  if (startError) keep(Buffer.from(`error: cannot run ${argv[0]}: ${startError.message}\n`));
  log.end();
  await once(log, 'close');
  return { ok: exit.code === 0, code: exit.code, tail };
}

/** For the log only: how a person would retype the command. Never passed to a shell. */
function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
