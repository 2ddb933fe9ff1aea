// Names and paths from a scenario end up as folder names (logs/<platform>/<variant>/<suite>.log,
// build/<platform>/<variant>/<suite>) and as arguments of programs. tandem never hands them to a
// shell, so nothing in them can run; these rules keep them from meaning something else: a folder
// outside the run, an option of the program that receives them, or a substitution that a reader
// would expect to have happened.

const NAME = /^[A-Za-z0-9_.-]+$/;

/** Why `name` cannot name a suite, variant or platform; undefined when it can. */
export function nameProblem(kind: 'suite' | 'variant' | 'platform', name: string): string | undefined {
  if (!NAME.test(name)) return `${kind} name '${name}' may only use letters, digits, '_', '.', '-'`;
  if (/^\.+$/.test(name)) return `${kind} name '${name}' would name a folder outside the run (logs/…/${name}.log)`;
  if (name.startsWith('-')) return `${kind} name '${name}' starts with '-', which the tools it is passed to would read as an option`;
  return undefined;
}

/** Why a path as written in the scenario cannot be used; undefined when it can. */
export function pathProblem(path: string): { problem: string; hint: string } | undefined {
  if (/\$\(|`/.test(path)) {
    return {
      problem: `'${path}' holds a shell command substitution; tandem runs no shell, so it would be taken literally`,
      hint: 'use ${VAR} (from the environment) or write the path out',
    };
  }
  if (path.startsWith('-')) {
    return { problem: `'${path}' starts with '-', which a build tool would read as an option`, hint: 'write ./' + path + ' if a folder really is called that' };
  }
  return undefined;
}
