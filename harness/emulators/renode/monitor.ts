// One Renode process and its monitor, driven over stdin/stdout.
//
// Why stdio: Renode's two network control paths (the telnet monitor `--port` and the Robot XML-RPC
// server `--robot-server-port`) both listen on every interface, not just 127.0.0.1. The console
// monitor (`--console`) opens no socket at all, so parallel Renodes cannot collide on ports and
// nothing is exposed to the network.
//
// Why a framing helper: the console monitor is an interactive shell (echo, prompts, log lines
// interleaved, errors only told apart by colour, which `--plain` removes). So at start-up the client
// defines one small IronPython function in the monitor; commands are then sent base64-encoded
// through it, in batches, executed by the monitor's own parser into a capturing writer, and answered
// with one line `@@tandem <id> ok|error <base64 output>.<base64 output>… <base64 error>`. Nothing a
// path or a guest prints can be mistaken for an answer, and errors are errors, not guessed from
// text. A round trip through the shell costs ~10 ms, so a boot sends its commands as one batch.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, createWriteStream, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGroup, type GroupProcess } from '../process-group.js';
import { RENODE_ARGS, monitorPath, monitorString } from './commands.js';
import { FileTail } from './tail.js';
import { RENODE_CONFIG, seedCompiledModels, userDirEnv } from './compiled-models.js';

/**
 * IronPython 2.7, run once in the monitor's Python scope (where `monitor` and `System` exist).
 * `tandem_run` takes a batch of commands (each base64, joined by `.`), runs them in order and stops
 * at the first that fails: one round trip through the shell for a whole boot instead of one each.
 *
 * `start` is the one command not handed to the monitor as is: Renode's StartAll starts the
 * emulation and then sleeps 100 ms on the calling thread, which would hold the monitor (and the
 * `pause` that ends a short suite) for longer than the suite runs. The helper calls the same
 * StartAll on a thread of its own and answers once the emulation reports itself started, before
 * that sleep; nothing happens after the sleep, so the guest sees no difference.
 */
const HELPER = [
  'from Antmicro.Renode.UserInterface import CommandInteractionEater as _TandemEater',
  'from Antmicro.Renode.Core import EmulationManager as _TandemEmulationManager',
  'def _tandem_b64(text):',
  '    return System.Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)) if text else "-"',
  'def _tandem_start():',
  '    emulation = _TandemEmulationManager.Instance.CurrentEmulation',
  '    if emulation.IsStarted:',
  '        return ""',
  '    state = {"done": False, "error": ""}',
  '    def run():',
  '        try:',
  '            emulation.StartAll()',
  '        except Exception as e:',
  '            state["error"] = "start: " + str(e)',
  '        state["done"] = True',
  '    thread = System.Threading.Thread(System.Threading.ThreadStart(run))',
  '    thread.IsBackground = True',
  '    thread.Start()',
  '    while not emulation.IsStarted and not state["done"]:',
  '        System.Threading.Thread.Sleep(1)',
  '    return state["error"]',
  'def tandem_run(tag, encoded):',
  '    outputs = []',
  '    status = "ok"',
  '    error = ""',
  '    for part in encoded.split("."):',
  '        command = System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String(part))',
  '        eater = _TandemEater()',
  '        try:',
  '            if command == "start":',
  '                error = _tandem_start()',
  '                ok = not error',
  '            else:',
  '                ok = monitor.Parse(command, eater)',
  '                error = eater.GetError()',
  '        except Exception as e:',
  '            ok = False',
  '            error = str(e)',
  '        outputs.append(_tandem_b64(eater.GetContents()))',
  '        if not ok or error:',
  '            status = "error"',
  '            break',
  "    print('@@tandem ' + tag + ' ' + status + ' ' + '.'.join(outputs) + ' ' + _tandem_b64(error) + ' @@')",
  '',
].join('\n');

// Empty fields are sent as `-` and the line ends in ` @@`: the shell's terminal trims trailing blanks.
// The outputs field holds one entry per command run, joined by `.` (base64 has no `.`).
const ANSWER = /@@tandem (\d+) (ok|error) ((?:[A-Za-z0-9+/=]+|-)(?:\.(?:[A-Za-z0-9+/=]+|-))*) ([A-Za-z0-9+/=]+|-) @@/;
const PROMPT = /\((monitor|[^()\r\n]*)\) $/;

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
function unb64(text: string): string {
  return text === '-' ? '' : Buffer.from(text, 'base64').toString('utf8');
}

export class RenodeCommandError extends Error {
  constructor(
    readonly command: string,
    readonly detail: string,
    /** Outputs of the commands of the same batch that ran before this one. */
    readonly before: string[] = [],
  ) {
    super(`renode: \`${command}\` failed: ${detail.trim() || 'no detail'}`);
    this.name = 'RenodeCommandError';
  }
}

export class RenodeDiedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenodeDiedError';
  }
}

export interface ExecOptions {
  timeoutMs?: number;
}

export interface MonitorOptions {
  binary: string;
  /** How long the process may take to show its first prompt (mono start-up). */
  startTimeoutMs?: number;
  /** Renode log lines (its stdout besides the protocol) and stderr go here, line by line. */
  onLog?: (line: string) => void;
  /** Compiled models kept with a snapshot (compiled-models.ts), loaded instead of compiling anew. */
  compiledModels?: string;
}

interface Pending {
  id: number;
  commands: readonly string[];
  resolve: (outputs: string[]) => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

export interface ExitState {
  code: number | null;
  signal: string | null;
}

/**
 * A live Renode process. Commands run one at a time, in order. If a command times out or the
 * process dies, every pending and later command fails and the process is killed: a monitor in an
 * unknown state is never reused.
 */
export class RenodeMonitor {
  readonly pid: number;
  readonly exited: Promise<ExitState>;
  /** Private scratch of this process: TMPDIR (Renode's temp files) and its config file. */
  readonly scratch: string;
  private readonly proc: GroupProcess;
  private readonly pending = new Map<number, Pending>();
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private buffer = '';
  private dead?: ExitState;
  private deathReason?: string;
  private readonly recent: string[] = [];
  private onLog?: (line: string) => void;
  private logFile?: WriteStream;
  private logTail?: FileTail;
  private nextMark = 1;
  private readonly marks = new Map<string, (ok: boolean) => void>();
  private promptSeen!: () => void;
  private readonly prompt: Promise<void>;

  private constructor(options: MonitorOptions) {
    this.onLog = options.onLog;
    sweepStaleScratch();
    this.scratch = mkdtempSync(join(tmpdir(), SCRATCH_PREFIX));
    writeFileSync(join(this.scratch, 'owner'), String(process.pid));
    const config = join(this.scratch, 'renode.config');
    writeFileSync(config, RENODE_CONFIG);
    if (options.compiledModels) seedCompiledModels(options.compiledModels, this.scratch);
    this.prompt = new Promise<void>((r) => (this.promptSeen = r));
    // `--hide-log`: Renode logs from its own threads, and on the console those lines land in the
    // middle of monitor answers. The log goes to a file instead (see start()), read back by a tail.
    this.proc = spawnGroup(options.binary, [...RENODE_ARGS, '--hide-log', '--config', config], {
      stdin: 'pipe',
      env: { TMPDIR: this.scratch, ...userDirEnv(this.scratch) },
    });
    this.pid = this.proc.pid;
    this.proc.child.stdout?.setEncoding('utf8');
    this.proc.child.stderr?.setEncoding('utf8');
    this.proc.child.stdout?.on('data', (chunk: string) => this.onStdout(chunk));
    let errBuf = '';
    this.proc.child.stderr?.on('data', (chunk: string) => {
      errBuf += chunk;
      const lines = errBuf.split(/\r?\n/);
      errBuf = lines.pop() ?? '';
      for (const l of lines) this.log(l);
    });
    // A closed stdin (the process is gone) must not become an unhandled 'error'.
    this.proc.child.stdin?.on('error', () => undefined);
    this.exited = this.proc.exited.then(async (state) => {
      // The leader is the `renode` launcher script; mono runs as its child in the same group and
      // may still be going down. The process is only over when its whole group is.
      await waitGroupGone(this.proc.pid);
      this.dead = state;
      const why = this.deathReason ?? `renode exited (code ${state.code ?? '-'}, signal ${state.signal ?? '-'})`;
      await this.logTail?.finish();
      this.failAll(new RenodeDiedError(`${why}${this.tail()}`));
      rmSync(this.scratch, { recursive: true, force: true });
      this.logFile?.end();
      return state;
    });
  }

  /** Starts Renode and installs the framing helper; resolves once the monitor answers. */
  static async start(options: MonitorOptions): Promise<RenodeMonitor> {
    const monitor = new RenodeMonitor(options);
    if (monitor.pid < 0) {
      await monitor.exited;
      throw new RenodeDiedError(`could not start ${options.binary}`);
    }
    const timeoutMs = options.startTimeoutMs ?? 120_000;
    try {
      await withTimeout(
        Promise.race([monitor.prompt, monitor.exited.then(() => Promise.reject(new RenodeDiedError(`renode exited during start-up${monitor.tail()}`)))]),
        timeoutMs,
        () => new RenodeDiedError(`renode showed no monitor prompt within ${timeoutMs / 1000} s${monitor.tail()}`),
      );
      monitor.send(`python "exec(System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String('${b64(HELPER)}')))"`);
      await monitor.exec('version', { timeoutMs });
      const logPath = join(monitor.scratch, 'renode.log');
      await monitor.exec(`logFile ${monitorPath(logPath)} true`, { timeoutMs });
      await monitor.followLog(logPath);
    } catch (err) {
      await monitor.kill();
      throw err;
    }
    return monitor;
  }

  get alive(): boolean {
    return this.dead === undefined && this.deathReason === undefined;
  }

  /** Mirrors Renode's log into `path` (per boot) besides the `onLog` callback. */
  setLog(path: string | undefined, onLog?: (line: string) => void): void {
    this.logFile?.end();
    this.logFile = path ? createWriteStream(path, { flags: 'a' }) : undefined;
    this.logFile?.on('error', () => undefined);
    this.onLog = onLog;
  }

  /** Reads Renode's log file as it grows and hands its lines to the log sinks. */
  private async followLog(path: string): Promise<void> {
    const tail = new FileTail(path, 50);
    await tail.start();
    this.logTail = tail;
    void (async () => {
      let partial = '';
      for await (const chunk of tail) {
        partial += Buffer.from(chunk).toString('utf8');
        const lines = partial.split(/\r?\n/);
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.log(line);
      }
      if (partial.trim()) this.log(partial);
    })();
  }

  /** Runs one monitor command; resolves with its output, rejects with its error. */
  async exec(command: string, options: ExecOptions = {}): Promise<string> {
    const [output] = await this.execBatch([command], options);
    return output ?? '';
  }

  /**
   * Runs commands in order in one round trip and resolves with their outputs. The first that fails
   * rejects the whole batch with a RenodeCommandError naming it; the ones after it do not run.
   * `timeoutMs` bounds the whole batch.
   */
  execBatch(commands: readonly string[], options: ExecOptions = {}): Promise<string[]> {
    const run = () =>
      new Promise<string[]>((resolve, reject) => {
        if (!this.alive) {
          reject(new RenodeDiedError(`renode is not running (${this.deathReason ?? 'exited'})${this.tail()}`));
          return;
        }
        if (!commands.length) {
          resolve([]);
          return;
        }
        const id = this.nextId++;
        const p: Pending = { id, commands, resolve, reject };
        const timeoutMs = options.timeoutMs ?? 60_000;
        const what = commands.length === 1 ? `\`${commands[0]}\`` : `${commands.length} commands (\`${commands[0]}\` …)`;
        p.timer = setTimeout(() => {
          this.deathReason = `renode did not answer ${what} within ${timeoutMs / 1000} s`;
          this.failAll(new RenodeDiedError(`${this.deathReason}${this.tail()}`));
          void this.proc.kill(500);
        }, timeoutMs);
        this.pending.set(id, p);
        this.send(`python "tandem_run('${id}','${commands.map(b64).join('.')}')"`);
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Ends the process group (SIGTERM, SIGKILL after a grace) and waits for it. */
  async kill(reason = 'killed by tandem'): Promise<ExitState> {
    if (this.dead) return this.dead;
    this.deathReason ??= reason;
    this.failAll(new RenodeDiedError(reason));
    this.proc.child.stdin?.end();
    await this.proc.kill(1000);
    return this.exited;
  }

  /** The last lines Renode logged, for error messages. */
  recentLog(): string[] {
    return [...this.recent];
  }

  private tail(): string {
    const lines = this.recent.slice(-8);
    return lines.length ? `; last renode output:\n  ${lines.join('\n  ')}` : '';
  }

  private send(line: string): void {
    const stdin = this.proc.child.stdin;
    if (!stdin || stdin.destroyed) return;
    stdin.write(line + '\n');
  }

  private onStdout(chunk: string): void {
    this.buffer += chunk;
    if (PROMPT.test(this.buffer)) this.promptSeen();
    const parts = this.buffer.split(/\r\n|\n\r|\n|\r/);
    this.buffer = parts.pop() ?? '';
    // A partial line that is only a prompt stays in the buffer; that is fine, it is never an answer.
    for (const line of parts) this.onLine(line);
  }

  private onLine(line: string): void {
    const m = ANSWER.exec(line);
    if (m) {
      const p = this.pending.get(Number(m[1]));
      if (!p) return;
      this.pending.delete(p.id);
      if (p.timer) clearTimeout(p.timer);
      const outputs = (m[3] ?? '-').split('.').map(unb64);
      const error = unb64(m[4] ?? '');
      if (m[2] === 'ok') p.resolve(outputs);
      else {
        const failed = Math.max(0, outputs.length - 1);
        p.reject(new RenodeCommandError(p.commands[failed] ?? p.commands[0] ?? '', error || outputs[failed] || '', outputs.slice(0, failed)));
      }
      return;
    }
    const text = line.replace(PROMPT_PREFIX, '');
    // The shell echoes what we type; that is noise, not log.
    if (!text.trim() || text.startsWith('python "tandem_run(') || text.startsWith('python "exec(')) return;
    this.log(text);
  }

  /**
   * A monitor command that logs a marker through Renode's logger, and a promise that resolves
   * (true) once the marker has come back through the log file, or false after `timeoutMs`. Renode
   * writes its log from a thread of its own and folds repeated entries into one line written when
   * the next different entry arrives: once the marker is back, every line logged before it has
   * been handed to the log sinks, so a boot's lines cannot spill into the next boot's.
   */
  logMarker(timeoutMs = 2000): { command: string; seen: () => Promise<boolean> } {
    const marker = `tandem-log-mark-${this.nextMark++}`;
    let found!: (ok: boolean) => void;
    const seen = new Promise<boolean>((r) => (found = r));
    this.marks.set(marker, found);
    return {
      command: `log ${monitorString(marker)}`,
      seen: async () => {
        const until = performance.now() + timeoutMs;
        // The tail polls every 50 ms; a stop should not wait for the next poll.
        while (this.marks.has(marker) && performance.now() < until && this.alive) {
          this.logTail?.poke();
          await Promise.race([seen, new Promise((r) => setTimeout(r, 5))]);
        }
        if (this.marks.delete(marker)) found(false);
        return seen;
      },
    };
  }

  private log(line: string): void {
    for (const [marker, found] of this.marks) {
      if (line.includes(marker)) {
        this.marks.delete(marker);
        found(true);
        return;
      }
    }
    this.recent.push(line);
    if (this.recent.length > 50) this.recent.shift();
    this.logFile?.write(line + '\n');
    this.onLog?.(line);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}

const PROMPT_PREFIX = /^(\([^()\r\n]*\) )+/;
const SCRATCH_PREFIX = 'tandem-renode-';
let swept = false;

/**
 * Removes scratch folders left by a tandem that was killed outright (SIGKILL gives no chance to
 * clean up; Renode itself quits when its stdin closes). A folder belongs to a dead tandem when the
 * pid in its `owner` file is gone.
 */
function sweepStaleScratch(): void {
  if (swept) return;
  swept = true;
  try {
    for (const name of readdirSync(tmpdir())) {
      if (!name.startsWith(SCRATCH_PREFIX)) continue;
      const dir = join(tmpdir(), name);
      let owner: number;
      try {
        owner = Number(readFileSync(join(dir, 'owner'), 'utf8'));
      } catch {
        continue;
      }
      if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid) continue;
      try {
        process.kill(owner, 0);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ESRCH') rmSync(dir, { recursive: true, force: true });
      }
    }
  } catch {
    // best effort
  }
}

function groupAlive(pgid: number): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until no process of the group is left (SIGKILL again every 0.5 s), at most 10 s. */
async function waitGroupGone(pgid: number): Promise<void> {
  for (let i = 0; i < 500 && groupAlive(pgid); i++) {
    if (i % 25 === 0) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
