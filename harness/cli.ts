// Command line: parse the command word, dispatch to harness/commands/<command>.ts, map outcomes to
// exit codes. Exit codes: 0 no regression, 1 the candidate regressed, 2 usage or configuration
// error, 130 interrupted.
import { ConfigError } from './scenario/yaml-reader.js';
import { RunFolderError } from './storage-error.js';
import { killAllGroups } from './emulators/process-group.js';
import { HELP } from './commands/help.js';
import { REPO_ROOT, TANDEM_VERSION } from './version.js';
import { doctor } from './doctor.js';
import { EXIT, UsageError } from './commands/common.js';
import { cmdRun } from './commands/run.js';
import { cmdReport } from './commands/report.js';
import { cmdDiff } from './commands/diff.js';
import { cmdMerge } from './commands/merge.js';
import { cmdDemo } from './commands/demo.js';
import { cmdRerun } from './commands/rerun.js';
import { cmdDebug } from './commands/debug.js';

export { EXIT } from './commands/common.js';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await cmdRun(rest);
      case 'report':
        return await cmdReport(rest);
      case 'diff':
        return await cmdDiff(rest);
      case 'merge':
        return await cmdMerge(rest);
      case 'demo':
        return await cmdDemo(rest);
      case 'rerun':
        return await cmdRerun(rest);
      case 'debug':
        return await cmdDebug(rest);
      case 'doctor':
        return await doctor(REPO_ROOT);
      case undefined:
      case 'help':
      case '-h':
      case '--help':
        console.log(HELP);
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

/** Entry point of bin/tandem.js. */
export function runCli(argv = process.argv.slice(2)): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`tandem: internal error: ${(err as Error).stack ?? String(err)}`);
      killAllGroups();
      process.exitCode = 70;
    },
  );
}
