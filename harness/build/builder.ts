// A Builder turns (suite, variant, platform) into an image. West, plain CMake, a user command and
// "already built" are interchangeable behind it; the run pool only sees Images or build errors.
import type { Image, Job } from '../domain.js';

export interface BuildRequest {
  job: Job;
  /** Build folder of this (platform, variant, suite). */
  buildDir: string;
  /** Where the build's output is streamed (kept per job for the reports). */
  logFile: string;
  signal: AbortSignal;
}

export type BuildOutcome =
  | { ok: true; image: Image }
  /**
   * `message` is the line a person needs (the compiler's or linker's error, the Kconfig option that
   * makes the image invalid), not "exit 1". `kind: 'filtered'` means the configured build showed
   * the job must not run (twister's runtime `filter:`): a skip, not an error.
   */
  | { ok: false; message: string; kind?: 'build-error' | 'filtered' };

export interface Builder {
  readonly kind: string;
  build(request: BuildRequest): Promise<BuildOutcome>;
}

/** Same (platform, variant, suite) → same image, whatever the attempt number. */
export function buildKey(job: Job): string {
  return `${job.platform.name}/${job.variant.name}/${job.suite.name}`;
}

// Most specific first: a RAM overflow says "will not fit" and then by how much; the amount is
// what a person wants to read.
const ERROR_PATTERNS = [
  /uses VFP register arguments/,
  /region `?[\w.]+'? overflowed by \d+ bytes/,
  /will not fit in region|overflowed by \d+ bytes/,
  /undefined reference to/,
  /multiple definition of/,
  // Before "CMake Error": a failing configure step ends in a CMake Error that only says the
  // command failed; the tool's own error above it is the one to show.
  // Lower case: gcc, ld, Kconfig and CMake's scripts say "error:"; west's own "FATAL ERROR:" only
  // repeats the command that failed.
  /\berror:/,
  /CMake Error/,
  /FAILED:/,
  /No such file or directory/,
];

/** The most useful line of a failed build log: the first error, else the last non-empty line. */
export function firstErrorLine(log: string): string {
  const lines = log.split(/\r?\n/);
  for (const p of ERROR_PATTERNS) {
    const i = lines.findIndex((l) => p.test(l));
    if (i < 0) continue;
    const line = lines[i]!;
    if (/CMake Error/.test(line) && /:\s*$/.test(line)) {
      // "CMake Error at x.cmake:12 (message):" — the message is the indented paragraph below.
      const body: string[] = [];
      for (const l of lines.slice(i + 1)) {
        if (l.trim() === '') {
          if (body.length) break;
          continue;
        }
        if (!/^\s/.test(l)) break;
        body.push(l.trim());
      }
      if (body.length) return shorten(`${line.trim()} ${body.join(' ')}`);
    }
    if (/Aborting due to Kconfig warnings/.test(line)) {
      const warning = lines.slice(0, i).find((l) => /^warning: /.test(l.trim()));
      if (warning) return shorten(warning);
    }
    return shorten(line);
  }
  return shorten([...lines].reverse().find((l) => l.trim() !== '') ?? 'build failed with no output');
}

/** `/opt/zephyr-sdk/arm-zephyr-eabi/bin/…/ld.bfd: x` → `ld.bfd: x`: the tool matters, its path does not. */
function shorten(line: string): string {
  return line.trim().replace(/^\S*\/((?:[\w-]+-)?(?:ld|ld\.bfd|ld\.lld|collect2|gcc|g\+\+|as|ar)(?:\.exe)?):/, '$1:');
}
