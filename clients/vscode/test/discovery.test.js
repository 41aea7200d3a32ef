'use strict';
/** Which server the extension picks (src/discovery.js), with stand-in executables in temporary folders. */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const { tmpdir } = require('./tmpdirs');

const discovery = require('../src/discovery');

const tmp = (name) => fs.realpathSync(tmpdir(`blastguard-discovery-${name}`));

/** A shell script standing in for an executable. */
function script(file, body) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/**
 * A stand-in Python: `-c` (the import probe) answers when Blastguard is installed in it, `-I`
 * (the bundled launcher) answers as launch.py does for a Python it has (or lacks) libraries for.
 */
function python(file, { blastguard = false, bundled = true } = {}) {
  return script(file, [
    'case "$1" in',
    `  -c) ${blastguard ? 'echo 0.1.0' : 'echo "ModuleNotFoundError: No module named \'blastguard\'" >&2; exit 1'} ;;`,
    `  -I) ${bundled ? 'echo "blastguard 0.1.0"' : 'echo "blastguard: the bundled server has no libraries for Python 3.10 (bundled: 3.11, 3.12, 3.13)" >&2; exit 3'} ;;`,
    'esac',
  ].join('\n'));
}

/** A workspace folder, an installed extension with a launcher, and a PATH with a python3. */
function world() {
  const folder = tmp('project');
  const extensionPath = tmp('extension');
  script(discovery.launcher(extensionPath), 'exit 1'); // never run: the stand-in pythons answer for it
  const bin = tmp('bin');
  const other = tmp('elsewhere');
  return {
    folder, extensionPath, bin,
    systemPython: python(path.join(bin, 'python3')),
    blastguard: script(path.join(other, 'blastguard'), 'echo "blastguard 0.1.0"'),
    interpreter: python(path.join(other, 'interpreter', 'python'), { blastguard: true }),
    selected: python(path.join(other, 'selected', 'python'), { blastguard: true }),
    venv: python(path.join(folder, '.venv', 'bin', 'python'), { blastguard: true }),
  };
}

const sources = (tried) => tried.map((t) => t.source);

test('the order: blastguard.path, blastguard.interpreter, the Python extension, the .venv, the bundled server', async () => {
  const w = world();
  const options = { path: w.blastguard, interpreter: w.interpreter, trusted: true, folder: w.folder,
    extensionPath: w.extensionPath, pythonExtension: async () => w.selected, env: { PATH: w.bin } };

  let { server, tried } = await discovery.findServer(options);
  assert.deepEqual(server, { command: w.blastguard, args: ['lsp'], source: 'blastguard.path',
    setting: 'blastguard.path', version: '0.1.0', cwd: w.folder });
  assert.deepEqual(tried, []);

  ({ server, tried } = await discovery.findServer({ ...options, path: '' }));
  assert.deepEqual(server, { command: w.interpreter, args: ['-m', 'blastguard', 'lsp'], source: 'blastguard.interpreter',
    setting: 'blastguard.interpreter', version: '0.1.0', cwd: w.folder });

  ({ server, tried } = await discovery.findServer({ ...options, path: '', interpreter: '' }));
  assert.equal(server.source, "the Python extension's interpreter");
  assert.deepEqual([server.command, ...server.args], [w.selected, '-m', 'blastguard', 'lsp']);

  ({ server, tried } = await discovery.findServer({ ...options, path: '', interpreter: '', pythonExtension: async () => undefined }));
  assert.equal(server.source, 'the workspace .venv');
  assert.deepEqual([server.command, ...server.args], [w.venv, '-m', 'blastguard', 'lsp']);
  assert.deepEqual(sources(tried), ["the Python extension's interpreter"]);

  fs.rmSync(path.join(w.folder, '.venv'), { recursive: true });
  ({ server, tried } = await discovery.findServer({ ...options, path: '', interpreter: '', pythonExtension: undefined }));
  assert.deepEqual(server, { command: w.systemPython, args: ['-I', discovery.launcher(w.extensionPath), 'lsp'],
    source: 'the bundled server', setting: 'blastguard.interpreter', version: '0.1.0', cwd: w.folder });
  assert.deepEqual(sources(tried), ["the Python extension's interpreter", 'the workspace .venv']);
  assert.deepEqual(discovery.bundledCommand(w.extensionPath, w.systemPython), { command: server.command, args: server.args });
});

test('a setting that does not work is passed over, with the reason', async () => {
  const w = world();
  const withoutBlastguard = python(path.join(w.bin, 'python3.12'));
  const { server, tried } = await discovery.findServer({ path: path.join(w.bin, 'missing'), interpreter: withoutBlastguard,
    trusted: true, folder: w.folder, extensionPath: w.extensionPath,
    pythonExtension: async () => withoutBlastguard, env: { PATH: w.bin } });
  assert.equal(server.source, 'the workspace .venv');
  assert.deepEqual(tried, [
    { source: 'blastguard.path', reason: `"${path.join(w.bin, 'missing')}" was not found` },
    { source: 'blastguard.interpreter',
      reason: `${withoutBlastguard}: Blastguard is not importable there (ModuleNotFoundError: No module named 'blastguard')` },
    { source: "the Python extension's interpreter",
      reason: `${withoutBlastguard}: Blastguard is not importable there (ModuleNotFoundError: No module named 'blastguard')` },
  ]);
});

test('the bundled server runs on the newest Python it has libraries for, and says why not', async () => {
  const w = world();
  const old = python(path.join(w.bin, 'python3.13'), { bundled: false });
  const base = { trusted: true, folder: w.folder, extensionPath: w.extensionPath, env: { PATH: w.bin } };
  fs.rmSync(path.join(w.folder, '.venv'), { recursive: true });
  let { server, tried } = await discovery.findServer(base);
  assert.equal(server.command, w.systemPython); // python3.13 refused (exit 3), python3 taken

  fs.rmSync(w.systemPython);
  ({ server, tried } = await discovery.findServer(base));
  assert.equal(server, undefined);
  assert.deepEqual(tried[tried.length - 1], { source: 'the bundled server',
    reason: 'blastguard: the bundled server has no libraries for Python 3.10 (bundled: 3.11, 3.12, 3.13)' });

  fs.rmSync(old);
  ({ server, tried } = await discovery.findServer(base));
  assert.match(tried[tried.length - 1].reason, /needs Python 3\.11, 3\.12 or 3\.13, and none of python3\.13, .* is on PATH/);
  fs.rmSync(discovery.launcher(w.extensionPath));
  ({ server, tried } = await discovery.findServer(base));
  assert.match(tried[tried.length - 1].reason, /launch\.py is missing/);
});

test('an untrusted workspace: nothing of the workspace runs, only user settings and the bundled server', async () => {
  const w = world();
  let asked = false;
  const pythonExtension = async () => {
    asked = true;
    return w.selected;
  };
  // Values that point into the workspace, and a .venv that would answer: none is used.
  const { server, tried } = await discovery.findServer({ path: '${workspaceFolder}/.venv/bin/blastguard',
    interpreter: '.venv/bin/python', trusted: false, folder: w.folder, extensionPath: w.extensionPath,
    pythonExtension, env: { PATH: w.bin } });
  assert.equal(asked, false);
  assert.deepEqual([server.source, server.command, server.cwd], ['the bundled server', w.systemPython, w.extensionPath]);
  assert.deepEqual(tried, [
    { source: 'blastguard.path', reason: '"${workspaceFolder}/.venv/bin/blastguard" is in the workspace, which is not trusted' },
    { source: 'blastguard.interpreter', reason: '".venv/bin/python" is in the workspace, which is not trusted' },
  ]);
  // An absolute path from the user's settings is used.
  const user = await discovery.findServer({ interpreter: w.interpreter, trusted: false, folder: w.folder,
    extensionPath: w.extensionPath, pythonExtension, env: { PATH: w.bin } });
  assert.deepEqual([user.server.source, user.server.command, user.server.cwd],
    ['blastguard.interpreter', w.interpreter, w.extensionPath]);
  assert.equal(asked, false);
});

test('expand: ${workspaceFolder}, ~ and folder-relative paths; bare names stay for PATH', () => {
  assert.equal(discovery.expand('.venv/bin/python', '/work/project'), path.join('/work/project', '.venv/bin/python'));
  assert.equal(discovery.expand('${workspaceFolder}/py', '/w'), '/w/py');
  assert.equal(discovery.expand('~/bin/blastguard', '/w'), path.join(os.homedir(), 'bin/blastguard'));
  assert.equal(discovery.expand('blastguard', '/w'), 'blastguard');
  assert.equal(discovery.expand('  ', '/w'), '');
  assert.equal(discovery.expand('/opt/bg/bin/blastguard', '/w', false), '/opt/bg/bin/blastguard');
  assert.equal(discovery.expand('.venv/bin/python', '/w', false), undefined);
  assert.equal(discovery.expand('.venv/bin/python', undefined), undefined);
});
