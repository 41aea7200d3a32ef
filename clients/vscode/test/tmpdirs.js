'use strict';
/** Temporary folders for the tests, removed when the test file's process exits. */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const made = [];
// node --test runs each test file in its own process, so its exit is the end of that file's tests.
process.on('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the system's temporary folder, named `<prefix>-XXXXXX`. */
function tmpdir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  made.push(dir);
  return dir;
}

module.exports = { tmpdir };
