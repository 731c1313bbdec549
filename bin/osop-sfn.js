#!/usr/bin/env node
'use strict';
// Thin launcher: the command line lives in lib/cli, built to dist/cli.js by `npm run build`
// (run automatically by `npm ci` / `npm install` through the `prepare` script).
require('../dist/cli.js');
