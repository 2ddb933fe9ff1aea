// QEMU boots started by a small helper process instead of by tandem's own. Node starts a program
// with fork(): the kernel copies the page tables of tandem's ~70 MB process and tandem then takes
// a page fault for every page it writes, the child tears that copy down again when it execs, and
// tandem's event loop waits for the exec meanwhile; then setpriv starts, links itself and execs
// QEMU. Measured on the 2-core dev machine (load ~12), 120 starts of /bin/true: ~15 ms of CPU per
// start that way (tandem 4.6 ms, the children 10.3), ~10 ms through a perl process of a few MB
// that forks, sets the parent-death signal itself and execs at once; a request answered in 5–12
// ms against 13–35 ms of a blocked event loop. 35 short boots: 0.46 s less CPU in all.
//
// Dying with tandem stays as strong as with setpriv: the helper is started through setpriv (it
// dies with tandem), every child sets PR_SET_PDEATHSIG to SIGKILL before it execs (it dies with
// the helper), and every group is on the watchdog's list as soon as tandem learns its pid
// (parent-death.ts). Only Linux on x86-64 and arm64 (the prctl syscall number) with a perl on
// PATH; anywhere else, or when the helper fails, boots start through spawnGroup as before.
import { constants } from 'node:os';
import { adoptGroup, spawnGroup, type AdoptedGroup, type GroupProcess } from './process-group.js';
import { resolveProgram } from './executable.js';

type Exit = { code: number | null; signal: string | null };

/**
 * SYS_prctl and SYS_setsid per architecture: the helper uses only perl's builtins (its POSIX
 * module alone takes ~17 ms of CPU to load here).
 */
const SYSCALLS: Partial<Record<string, { prctl: number; setsid: number }>> = { x64: { prctl: 157, setsid: 112 }, arm64: { prctl: 167, setsid: 157 } };

// Requests on stdin, NUL-separated: a count, then the request id, the output path and the argv.
// Answers on stdout, a line each: `p <id> <pid>` started, `e <id>` not, `x <pid> <signal> <code>`
// a child ended. No shell is involved: argv goes to exec as a list. It waits in select(), not in a
// read: perl restarts an interrupted read before its SIGCHLD handler may run, so an exit would be
// told only with the next request. At end of input it waits for its children, then exits, so that
// tandem reaps it and their CPU time is counted as tandem's.
const SCRIPT = String.raw`
my ($sys_prctl, $sys_setsid, $tandem) = @ARGV;
syscall($sys_prctl + 0, 1, 9);
exit 0 if getppid() != $tandem;
my $self = $$;
$| = 1;
$SIG{CHLD} = sub { while ((my $pid = waitpid(-1, 1)) > 0) { print "x $pid ", $? & 127, " ", $? >> 8, "
"; } };
sub start {
  my ($id, $out, @argv) = @_;
  my $pid = fork();
  if (!defined $pid) { print "e $id
"; return; }
  if ($pid == 0) {
    syscall($sys_setsid + 0);
    syscall($sys_prctl + 0, 1, 9);
    exit 125 if getppid() != $self;
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>', $out) or exit 126;
    open(STDERR, '>&', \*STDOUT) or exit 126;
    exec { $argv[0] } @argv;
    print STDERR "tandem: cannot start $argv[0]: $!
";
    exit 127;
  }
  print "p $id $pid
";
}
my ($buf, $rin) = ('', '');
vec($rin, fileno(STDIN), 1) = 1;
for (;;) {
  next if select(my $rout = $rin, undef, undef, undef) < 1;
  my $got = sysread(STDIN, $buf, 65536, length $buf);
  next if !defined $got;
  last if $got == 0;
  while ((my $z = index($buf, "\0")) >= 0) {
    my $n = substr($buf, 0, $z);
    my @f = split /\0/, $buf, $n + 2;
    last if @f < $n + 2;
    $buf = pop @f;
    shift @f;
    start(@f);
  }
}
while ((my $pid = waitpid(-1, 0)) > 0) { print "x $pid ", $? & 127, " ", $? >> 8, "
"; }
`;

interface Helper {
  proc: GroupProcess;
  nextId: number;
  starts: Map<number, (pid: number | undefined) => void>;
  exits: Map<number, (e: Exit) => void>;
  /** Exits reported before their start (a child that ended at once). */
  early: Map<number, Exit>;
  running: number;
}

/** undefined: not started (yet, or again after close or a crash); null: not available here. */
let helper: Helper | null | undefined;
/** Helpers that died unasked: after the second, this process starts its boots itself. */
let crashes = 0;

const signalNames = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

function startHelper(): Helper | null {
  const sys = SYSCALLS[process.arch];
  const perl = process.platform === 'linux' && sys !== undefined && !process.env.TANDEM_NO_SPAWN_HELPER ? resolveProgram('perl') : undefined;
  if (!perl || !sys) return null;
  const proc = spawnGroup(perl, ['-e', SCRIPT, String(sys.prctl), String(sys.setsid), String(process.pid)], { stdin: 'pipe' });
  const h: Helper = { proc, nextId: 1, starts: new Map(), exits: new Map(), early: new Map(), running: 0 };
  const { stdin, stdout, stderr } = proc.child;
  stdin?.on('error', () => undefined);
  stderr?.resume();
  let text = '';
  stdout?.setEncoding('latin1');
  stdout?.on('data', (d: string) => {
    text += d;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      answer(h, text.slice(0, nl).split(' '));
      text = text.slice(nl + 1);
    }
  });
  void proc.exited.then(() => {
    // Its children died with it (their parent-death signal); nothing more will be reported. After
    // an exit tandem did not ask for (closeSpawnHelper) the next boot starts a new helper, once.
    if (helper === h) helper = ++crashes < 2 ? undefined : null;
    for (const start of h.starts.values()) start(undefined);
    for (const exit of h.exits.values()) exit({ code: null, signal: 'SIGKILL' });
    h.starts.clear();
    h.exits.clear();
  });
  hold(h, false);
  return h;
}

function answer(h: Helper, [kind, a, b, c]: string[]): void {
  if (kind === 'p' || kind === 'e') {
    const start = h.starts.get(Number(a));
    h.starts.delete(Number(a));
    start?.(kind === 'p' ? Number(b) : undefined);
  } else if (kind === 'x') {
    const pid = Number(a);
    const signal = Number(b);
    const exit: Exit = signal ? { code: null, signal: signalNames.get(signal) ?? `SIG${signal}` } : { code: Number(c), signal: null };
    const done = h.exits.get(pid);
    h.exits.delete(pid);
    if (done) done(exit);
    else h.early.set(pid, exit);
  }
}

/** The helper keeps tandem's event loop alive only while one of its children runs. */
function hold(h: Helper, on: boolean): void {
  const { child } = h.proc;
  const handles = [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null>;
  for (const x of handles) (on ? x?.ref : x?.unref)?.call(x);
}

/**
 * Starts `file args` in a process group of its own, stdout and stderr opened on `outputPath`, through
 * the helper; undefined when there is no helper here or it could not start it (then spawnGroup).
 */
export async function startThroughHelper(file: string, args: readonly string[], outputPath: string): Promise<AdoptedGroup | undefined> {
  if (helper === undefined) helper = startHelper();
  const h = helper;
  if (!h || !h.proc.child.stdin) return undefined;
  const id = h.nextId++;
  const fields = [id, outputPath, file, ...args].map(String);
  if (fields.some((f) => f.includes('\0'))) return undefined;
  // Held from the request to the child's exit: nothing else may keep tandem waiting for them.
  if (h.running++ === 0) hold(h, true);
  const release = () => {
    if (--h.running === 0) hold(h, false);
  };
  const pid = await new Promise<number | undefined>((resolve) => {
    h.starts.set(id, resolve);
    h.proc.child.stdin!.write(`${[String(fields.length), ...fields].join('\0')}\0`);
  });
  if (pid === undefined) {
    release();
    return undefined;
  }
  const leaderExit = new Promise<Exit>((resolve) => {
    const early = h.early.get(pid);
    h.early.delete(pid);
    if (early) resolve(early);
    else h.exits.set(pid, resolve);
  }).finally(release);
  return adoptGroup(pid, leaderExit);
}

/**
 * Ends the helper once its children have: it reaps them and exits, and tandem reaps it, so their
 * CPU time is counted as tandem's (`time`, getrusage, the bench). A later boot starts a new one.
 */
export async function closeSpawnHelper(): Promise<void> {
  const h = helper;
  if (!h) return;
  helper = undefined;
  h.proc.child.stdin?.end();
  // Waits only when nothing of it runs: the emulators of another run in this process may still.
  if (h.running > 0) return;
  hold(h, true);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([h.proc.exited, new Promise((r) => (timer = setTimeout(r, 2000)))]);
  clearTimeout(timer);
  hold(h, false);
}
