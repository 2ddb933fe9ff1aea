// twister's regexes are Python's `re`; JavaScript reads most of them as they are. What differs in
// the patterns testcase.yaml files use: named groups `(?P<name>…)`, back references `(?P=name)`,
// `\A`/`\Z`, and inline flags at the start (`(?i)`). Pure.

export function pythonRegex(source: string): RegExp {
  let flags = '';
  let body = source;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    for (const f of inline[1]!) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  body = body
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '(?![\\s\\S])');
  return new RegExp(body, flags);
}

/** Why `source` is not a usable regex, for a ConfigError; undefined when it is. */
export function regexProblem(source: string): string | undefined {
  try {
    pythonRegex(source);
    return undefined;
  } catch (err) {
    return `'${source}' is not a regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}
