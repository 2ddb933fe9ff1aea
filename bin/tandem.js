#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build`: dist/bundle/ (fast to load, see
// scripts/bundle.mjs) unless dist/harness/ was compiled after it, then dist/harness/.
import { statSync } from 'node:fs';

const mtime = (rel) => {
  try {
    return statSync(new URL(rel, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundled = mtime('../dist/bundle/cli.js');
const { runCli } = await import(bundled >= 0 && bundled >= mtime('../dist/harness/cli.js') ? '../dist/bundle/cli.js' : '../dist/harness/cli.js');
runCli();
