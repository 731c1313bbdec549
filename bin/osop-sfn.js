#!/usr/bin/env node
'use strict';
// Thin launcher: the command line lives in lib/cli, built into one file (dist/cli.js)
// by `npm run build`, which `npm ci` / `npm install` run through the `prepare` script.
require('../dist/cli.js').runCli();
