#!/usr/bin/env node
// The `failoverctl` bin (`npx failoverctl status`): checks the Node version, then runs failoverctl.ts.
'use strict';
require('./node-entry.cjs').runEntry(require('node:path').join(__dirname, 'failoverctl.ts'));
