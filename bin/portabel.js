#!/usr/bin/env node
// The `portabel` command (npx portabel …): runs the compiled CLI; `npm install` builds it.
require('../dist/src/cli/portabel.js');
