// Bundles the compiled CLI (dist/harness/cli.js) and its npm dependencies into dist/bundle/, one
// chunk per command plus shared chunks. Why: Node resolves, reads and compiles every ES module
// file on its own, and `tandem run` loaded ~200 of them (yaml alone is 36) before its first boot;
// on a 2-core machine that was ~0.18 s of every run's wall time (measured: first boot 0.42 s after
// process start unbundled, 0.21 s bundled). bin/tandem.js prefers this bundle unless
// dist/harness is newer (a `tsc` without this step).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist/harness/cli.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // Some dependencies (execa's cross-spawn) are CommonJS and call require(): give every chunk one.
  banner: { js: "import { createRequire as __tandemRequire } from 'node:module'; const require = __tandemRequire(import.meta.url);" },
});
