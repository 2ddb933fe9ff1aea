#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build`; this shim keeps `bin` stable across layouts.
import { runCli } from '../dist/harness/cli.js';

runCli();
