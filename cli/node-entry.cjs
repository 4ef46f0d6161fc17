// Starts one of the project's .ts entry points after checking that this Node can run it:
//   node cli/node-entry.cjs local/demo/start.ts --config my.yml
// The npm scripts and the failoverctl bin go through here. Node runs .ts files itself only from
// 22.18 (type stripping); an older Node dies on the .ts file with ERR_UNKNOWN_FILE_EXTENSION, a
// message that says nothing about the Node version. This file is plain CommonJS with no syntax
// newer than Node 12, so an old Node reads it far enough to say what is wrong.
'use strict';
const path = require('node:path');
const url = require('node:url');

/** The oldest release line that runs .ts files without a flag (22.18 backport; 23.6 on 23). */
const NEEDED = '22.18';

/** Whether this Node runs .ts files as they are (false too when stripping is switched off). */
function runsTypeScript() {
  return Boolean(process.features.typescript);
}

/** The one sentence a person gets when this Node cannot run the project. */
function tooOldMessage() {
  const [major, minor] = process.version.replace(/^v/, '').split('.').map(Number);
  const recent = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
  if (recent) {
    return `failover-controller runs its .ts files with Node.js type stripping, which is switched off in this Node.js ${process.version} (${process.execPath}): remove --no-experimental-strip-types from the command line or NODE_OPTIONS and run it again.`;
  }
  return `failover-controller needs Node.js ${NEEDED} or newer (it runs its .ts files directly), but this is Node.js ${process.version} (${process.execPath}): install Node.js 22 (https://nodejs.org/en/download, or \`nvm install 22\`), put it first on PATH and run the command again.`;
}

/**
 * Runs `file` (a .ts ES module) as if Node had been started on it, or prints why it cannot and
 * sets exit code 1.
 * @example require('./node-entry.cjs').runEntry(path.join(__dirname, 'failoverctl.ts'));
 */
function runEntry(file) {
  if (!runsTypeScript()) {
    process.stderr.write(`${tooOldMessage()}\n`);
    process.exitCode = 1;
    return;
  }
  // The entry reads its arguments from process.argv.slice(2), as when started directly.
  process.argv[1] = file;
  // A rejection here is an uncaught error of the entry point: Node reports it and exits 1.
  import(url.pathToFileURL(file).href);
}

module.exports = { runEntry, tooOldMessage };

if (require.main === module) {
  const entry = process.argv[2];
  if (entry === undefined) {
    process.stderr.write('usage: node cli/node-entry.cjs <file.ts> [arguments...]\n');
    process.exitCode = 2;
  } else {
    process.argv.splice(2, 1);
    runEntry(path.resolve(entry));
  }
}
