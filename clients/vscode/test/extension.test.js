'use strict';
/** The extension's wiring, with stand-ins for `vscode` and the language client (no VS Code needed). */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test, beforeEach } = require('node:test');
const { tmpdir } = require('./tmpdirs');

const { stub, fakeVscode, FakeLanguageClient } = require('./stubs');
const manifest = require('../package.json');

const SERVER_KEYS = ['enable', 'select', 'ignore', 'severity', 'exclude', 'ruleDirs', 'debounceMs', 'maxFileSize',
  'diffBase', 'preexistingSeverity', 'insertedBlockMinLines'];
const bin = tmpdir('blastguard-vscode');
const folder = tmpdir('blastguard-vscode-project');
// An installed extension without a bundled server, so that only the settings under test count.
const extensionPath = tmpdir('blastguard-vscode-extension');

/** An executable file in a temporary folder: a stand-in `blastguard` that answers `--version`. */
function executable(name, version = '0.1.0') {
  const file = path.join(bin, name);
  fs.writeFileSync(file, `#!/bin/sh\necho "blastguard ${version}"\n`, { mode: 0o755 });
  return file;
}

/** The extension loaded afresh over a stand-in VS Code with these settings (see fakeVscode). */
function load(settings = {}, options = {}) {
  const vscode = fakeVscode({ ...defaults(), ...settings }, folder, options);
  stub('vscode', vscode);
  stub('vscode-languageclient/node', { LanguageClient: FakeLanguageClient });
  delete require.cache[require.resolve('../src/extension')];
  delete require.cache[require.resolve('../src/discovery')];
  const extension = require('../src/extension');
  const context = { subscriptions: [], extensionPath };
  return { vscode, extension, context };
}

/** package.json's defaults, as VS Code would give them. */
function defaults() {
  const out = {};
  for (const [key, schema] of Object.entries(manifest.contributes.configuration.properties)) {
    out[key] = schema.default;
  }
  return out;
}

/** Lets the restart queue settle: until `done()` holds (a restart probes the server first), or briefly. */
async function settle(done = () => false, ms = 5000) {
  const end = Date.now() + ms;
  do {
    await new Promise((resolve) => setTimeout(resolve, 10));
  } while (!done() && Date.now() < end);
}

beforeEach(() => {
  FakeLanguageClient.made.length = 0;
});

test('the document selector covers the server languages, on disk only', () => {
  const { extension } = load();
  const selector = extension.documentSelector;
  assert.ok(selector.every((filter) => filter.scheme === 'file'));
  const languages = selector.filter((f) => f.language).map((f) => f.language);
  for (const language of ['terraform', 'hcl', 'yaml', 'json', 'python']) {
    assert.ok(languages.includes(language), language);
  }
  const patterns = selector.filter((f) => f.pattern).map((f) => f.pattern);
  for (const pattern of ['**/*.tf', '**/*.tfvars', '**/*.hcl']) {
    assert.ok(patterns.includes(pattern), pattern);
  }
  // Every language the extension wakes up for is one it sends to the server, and back.
  const activation = manifest.activationEvents.filter((e) => e.startsWith('onLanguage:')).map((e) => e.slice(11));
  assert.deepEqual([...languages].sort(), [...activation].sort());
  assert.ok(manifest.activationEvents.includes('workspaceContains:**/.blastguard.yaml'));
});

test('the server keys are package.json settings less the extension-only ones', () => {
  const { extension } = load();
  assert.deepEqual([...extension.SERVER_KEYS].sort(), [...SERVER_KEYS].sort());
});

test('activate starts `<blastguard.path> lsp` with the settings as initializationOptions', async () => {
  const server = executable('blastguard-custom');
  const { vscode, extension, context } = load({
    'blastguard.path': server,
    'blastguard.select': ['TF1'],
    'blastguard.severity': { TF101: 'error' },
    'blastguard.debounceMs': 300,
    'blastguard.trace.server': 'verbose',
  });
  await extension.activate(context);
  assert.equal(FakeLanguageClient.made.length, 1);
  const client = FakeLanguageClient.made[0];
  assert.equal(client.id, 'blastguard'); // also the prefix of `blastguard.trace.server`
  assert.ok(client.running);
  // No transport: the client would add `--stdio`, which `blastguard lsp` does not take.
  assert.deepEqual(client.serverOptions, { command: server, args: ['lsp'], options: { cwd: folder } });
  const options = client.clientOptions;
  assert.deepEqual(options.synchronize, { configurationSection: 'blastguard' });
  assert.deepEqual(options.documentSelector, extension.documentSelector);
  assert.deepEqual(options.initializationOptions, {
    enable: true, select: ['TF1'], ignore: [], severity: { TF101: 'error' }, exclude: [], ruleDirs: [],
    debounceMs: 300, maxFileSize: '5MiB', diffBase: 'HEAD', preexistingSeverity: 'hint', insertedBlockMinLines: 3,
  });
  assert.equal(options.outputChannel, vscode.calls.channels[0]);
  assert.equal(options.outputChannel.name, 'Blastguard');
  assert.ok(vscode.calls.commands.has('blastguard.restart'));
  assert.deepEqual(vscode.calls.errors, []);
  await extension.deactivate();
  assert.ok(!client.running);
});

test('a bare blastguard.path is looked up on PATH', async () => {
  const server = executable('blastguard');
  const saved = process.env.PATH;
  process.env.PATH = [bin, saved].join(path.delimiter);
  try {
    const { extension, context } = load({ 'blastguard.path': 'blastguard' });
    await extension.activate(context);
    assert.deepEqual(FakeLanguageClient.made[0].serverOptions, { command: server, args: ['lsp'], options: { cwd: folder } });
    await extension.deactivate();
  } finally {
    process.env.PATH = saved;
  }
});

test('when no server works, one notification says what is missing, with a button to the setting', async () => {
  const saved = process.env.PATH;
  process.env.PATH = bin; // no Python here: the bundled server cannot run either
  try {
    const { vscode, extension, context } = load({ 'blastguard.path': path.join(bin, 'no-such-blastguard') });
    await extension.activate(context);
    assert.equal(FakeLanguageClient.made.length, 0);
    assert.equal(vscode.calls.errors.length, 1);
    const { message, items } = vscode.calls.errors[0];
    assert.match(message, /no language server to start/);
    assert.match(message, /needs Python 3\.11, 3\.12 or 3\.13/);
    assert.match(message, /blastguard\.path \(".*no-such-blastguard" was not found\)/);
    assert.match(message, /the bundled server \(.*launch\.py is missing\)/);
    assert.deepEqual(items, ['Open Settings', 'Show Output']);
    const lines = vscode.calls.channels[0].lines.join('\n');
    assert.match(lines, /not using blastguard\.path: ".*no-such-blastguard" was not found/);
    assert.match(lines, /not using the workspace \.venv: .* does not exist/);
  } finally {
    process.env.PATH = saved;
  }
});

test('the output says which server started, its version and from where', async () => {
  const server = executable('blastguard-versioned', '9.8.7');
  const { vscode, extension, context } = load({ 'blastguard.path': server });
  await extension.activate(context);
  const started = vscode.calls.channels[0].lines.filter((line) => line.includes('starting'));
  assert.equal(started.length, 1);
  assert.match(started[0], new RegExp(`starting Blastguard 9\\.8\\.7 from blastguard\\.path: ${server} lsp$`));
  await extension.deactivate();
});

test('an untrusted workspace: its own blastguard.path is not used, the user\'s is; trust restarts', async () => {
  const workspaceServer = executable('blastguard-from-workspace');
  const userServer = executable('blastguard-from-user');
  // The workspace sets blastguard.path; the user has not: the server must not be the workspace's.
  let loaded = load({ 'blastguard.path': workspaceServer }, { trusted: false });
  await loaded.extension.activate(loaded.context);
  assert.equal(FakeLanguageClient.made.length, 0);
  assert.equal(loaded.vscode.calls.errors.length, 1);
  await loaded.extension.deactivate();
  FakeLanguageClient.made.length = 0;
  // A user setting counts, and the server runs outside the workspace folder.
  loaded = load({ 'blastguard.path': workspaceServer }, { trusted: false, user: { 'blastguard.path': userServer } });
  await loaded.extension.activate(loaded.context);
  assert.deepEqual(FakeLanguageClient.made[0].serverOptions,
    { command: userServer, args: ['lsp'], options: { cwd: extensionPath } });
  assert.match(loaded.vscode.calls.channels[0].lines.join('\n'), /from blastguard\.path \(untrusted workspace\)/);
  await loaded.extension.deactivate();
  FakeLanguageClient.made.length = 0;
  // Once trusted, the workspace's value applies.
  loaded = load({ 'blastguard.path': workspaceServer }, { trusted: false });
  await loaded.extension.activate(loaded.context);
  loaded.vscode.trust();
  await settle(() => FakeLanguageClient.made.some((c) => c.serverOptions.command === workspaceServer && c.running));
  const last = FakeLanguageClient.made[FakeLanguageClient.made.length - 1];
  assert.deepEqual(last.serverOptions, { command: workspaceServer, args: ['lsp'], options: { cwd: folder } });
  assert.ok(last.running);
  await loaded.extension.deactivate();
});

test("the Python extension's interpreter is used when Blastguard imports there, not in an untrusted workspace", async () => {
  const python = path.join(bin, 'selected-python');
  fs.writeFileSync(python, '#!/bin/sh\n[ "$1" = -c ] && echo 0.1.0\n', { mode: 0o755 });
  let loaded = load({}, { python });
  await loaded.extension.activate(loaded.context);
  assert.deepEqual(FakeLanguageClient.made[0].serverOptions,
    { command: python, args: ['-m', 'blastguard', 'lsp'], options: { cwd: folder } });
  assert.match(loaded.vscode.calls.channels[0].lines.join('\n'),
    /starting Blastguard 0\.1\.0 from the Python extension's interpreter: .*selected-python -m blastguard lsp/);
  // Selecting another interpreter there restarts the server on it.
  const other = path.join(bin, 'other-python');
  fs.copyFileSync(python, other);
  fs.chmodSync(other, 0o755);
  loaded.vscode.selectPython(other);
  await settle(() => FakeLanguageClient.made.length === 2 && FakeLanguageClient.made[1].running);
  assert.deepEqual(FakeLanguageClient.made.map((c) => [c.serverOptions.command, c.running]), [[python, false], [other, true]]);
  await loaded.extension.deactivate();
  FakeLanguageClient.made.length = 0;
  loaded = load({}, { python, trusted: false });
  await loaded.extension.activate(loaded.context);
  assert.equal(FakeLanguageClient.made.length, 0);
  await loaded.extension.deactivate();
});

test('a server that fails to start is reported and leaves no client', async () => {
  const server = executable('blastguard-broken');
  const { vscode, extension, context } = load({ 'blastguard.path': server });
  const start = FakeLanguageClient.prototype.start;
  FakeLanguageClient.prototype.start = async () => {
    throw new Error('connection closed');
  };
  try {
    await extension.activate(context);
  } finally {
    FakeLanguageClient.prototype.start = start;
  }
  assert.equal(extension.client, undefined);
  assert.match(vscode.calls.errors[0].message, /did not start: Error: connection closed/);
});

test('changing blastguard.path restarts the server; other settings do not', async () => {
  const first = executable('blastguard-one');
  const second = executable('blastguard-two');
  const { vscode, extension, context } = load({ 'blastguard.path': first });
  await extension.activate(context);
  vscode.change({ 'blastguard.select': ['K8S'] });
  await settle(() => false, 200); // no restart is coming
  assert.equal(FakeLanguageClient.made.length, 1);
  vscode.change({ 'blastguard.path': second });
  await settle(() => FakeLanguageClient.made.length === 2 && FakeLanguageClient.made[1].running);
  assert.equal(FakeLanguageClient.made.length, 2);
  assert.ok(!FakeLanguageClient.made[0].running);
  assert.ok(FakeLanguageClient.made[1].running);
  assert.equal(FakeLanguageClient.made[1].serverOptions.command, second);
  assert.deepEqual(FakeLanguageClient.made[1].clientOptions.initializationOptions.select, ['K8S']);
  await extension.deactivate();
});

test('the restart command stops the server and starts a new one', async () => {
  const server = executable('blastguard-restart');
  const { vscode, extension, context } = load({ 'blastguard.path': server });
  await extension.activate(context);
  await vscode.calls.commands.get('blastguard.restart')();
  assert.equal(FakeLanguageClient.made.length, 2);
  assert.deepEqual(FakeLanguageClient.made.map((c) => c.running), [false, true]);
  await extension.deactivate();
});

test('workspace/configuration answers carry the server keys only', async () => {
  const { extension } = load();
  const { configuration } = extension.clientOptions({}, {}).middleware.workspace;
  const full = { ...Object.fromEntries(SERVER_KEYS.map((k) => [k, k === 'enable'])), path: 'blastguard',
    interpreter: '', trace: { server: 'off' } };
  const answer = await configuration(
    { items: [{ section: 'blastguard' }, { section: 'editor' }, { section: 'blastguard' }] },
    undefined,
    () => [full, { tabSize: 4 }, null],
  );
  assert.deepEqual(Object.keys(answer[0]).sort(), [...SERVER_KEYS].sort());
  assert.equal(answer[0].enable, true);
  assert.deepEqual(answer[1], { tabSize: 4 });
  assert.equal(answer[2], null);
  // An error from the default handler passes through.
  const error = new Error('nope');
  assert.equal(await configuration({ items: [{ section: 'blastguard' }] }, undefined, () => error), error);
});
