#!/usr/bin/env node
// Runs the built CLI (out/main/cli.js, produced by `npm run build`, which
// `npm install` runs through the prepare script).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!fs.existsSync(fileURLToPath(cli))) {
  process.stderr.write('classboard: not built yet; run `npm run build` (or `npm install`) in the Classboard folder first.\n');
  process.exit(1);
}
await import(cli.href);
