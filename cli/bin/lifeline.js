#!/usr/bin/env node
// The lifeline command: TypeScript sources run through tsx, so a clone needs no build step.
require('tsx/cjs');
require('../src/main.ts');
