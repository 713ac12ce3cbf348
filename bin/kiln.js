#!/usr/bin/env node
// The `kiln` command: the committed CLI bundle, no build step needed after `npm ci`.
import '../dist/cli/index.js';
