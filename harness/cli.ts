// Command line: parse the command word, dispatch to harness/commands/<command>.ts. The exit code of
// a finished run is the judge's (harness/judge/); here only usage errors (2) and tandem's own
// crashes (70: one line, the stack trace in a file) are mapped.
import { ConfigError } from './scenario/yaml-reader.js';
import { RunFolderError } from './storage-error.js';
import { killAllGroups } from './emulators/process-group.js';
import { REPO_ROOT, TANDEM_VERSION } from './version.js';
import { EXIT, UsageError, display } from './commands/common.js';
import { reportInternalError } from './commands/internal-error.js';

export { EXIT } from './commands/common.js';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // Each command loads only its own modules: start-up is on every run's critical path.
      case 'run':
        return await (await import('./commands/run.js')).cmdRun(rest);
      case 'report':
        return await (await import('./commands/report.js')).cmdReport(rest);
      case 'diff':
        return await (await import('./commands/diff.js')).cmdDiff(rest);
      case 'merge':
        return await (await import('./commands/merge.js')).cmdMerge(rest);
      case 'demo':
        return await (await import('./commands/demo.js')).cmdDemo(rest);
      case 'rerun':
        return await (await import('./commands/rerun.js')).cmdRerun(rest);
      case 'debug':
        return await (await import('./commands/debug.js')).cmdDebug(rest);
      case 'doctor':
        return await (await import('./doctor.js')).doctor(REPO_ROOT);
      case undefined:
      case 'help':
      case '-h':
      case '--help':
        console.log((await import('./commands/help.js')).HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case '--version':
        console.log(TANDEM_VERSION);
        return EXIT.ok;
      default:
        throw new UsageError(`unknown command '${command}' (try: tandem help)`);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof RunFolderError) {
      console.error(`tandem: ${err.message}`);
      return EXIT.usage;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`tandem: ${(err as Error).message}`);
      return EXIT.usage;
    }
    throw err;
  }
}

/**
 * bin/tandem starts node without NODE_EXTRA_CA_CERTS (node would load it before any JavaScript,
 * for connections tandem never makes) and passes it on under another name: every process tandem
 * starts (builds, west, emulators) sees the variable as the user set it.
 */
export function restoreCaCertificates(env: NodeJS.ProcessEnv): void {
  const kept = env.TANDEM_NODE_EXTRA_CA_CERTS;
  if (kept === undefined) return;
  delete env.TANDEM_NODE_EXTRA_CA_CERTS;
  if (env.NODE_EXTRA_CA_CERTS === undefined) env.NODE_EXTRA_CA_CERTS = kept;
}

/** Entry point of bin/tandem.js. */
export function runCli(argv = process.argv.slice(2)): void {
  restoreCaCertificates(process.env);
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      killAllGroups();
      // At once: a run that broke may still hold timers and pipes that would keep node alive.
      // Exit handlers still run (the run folder's lock is released, temp folders removed).
      process.exit(reportInternalError(err, argv, display));
    },
  );
}
