'use strict';
/** The review command, the status-bar count and the block report dialog (src/review.js), on stand-ins. */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test, beforeEach } = require('node:test');
const { tmpdir } = require('./tmpdirs');

const { stub, fakeVscode, FakeLanguageClient } = require('./stubs');
const manifest = require('../package.json');

const A = 'file:///work/project/main.tf';
const B = 'file:///work/project/other.tf';

/** The extension activated over a stand-in VS Code; its review module and the started client. */
async function activated() {
  const settings = {};
  for (const [key, schema] of Object.entries(manifest.contributes.configuration.properties)) {
    settings[key] = schema.default;
  }
  // A stand-in `blastguard` that answers `--version`, as the extension checks before starting it.
  const server = path.join(tmpdir('blastguard-review'), 'blastguard');
  fs.writeFileSync(server, '#!/bin/sh\necho "blastguard 0.1.0"\n', { mode: 0o755 });
  settings['blastguard.path'] = server;
  // A folder that exists: the server's --version is asked for in it.
  const vscode = fakeVscode(settings, tmpdir('blastguard-review-project'));
  stub('vscode', vscode);
  stub('vscode-languageclient/node', { LanguageClient: FakeLanguageClient });
  for (const module of ['../src/extension', '../src/review', '../src/discovery']) {
    delete require.cache[require.resolve(module)];
  }
  const extension = require('../src/extension');
  // An installed extension without a bundled server: only blastguard.path counts.
  const context = { subscriptions: [], extensionPath: tmpdir('blastguard-ext') };
  await extension.activate(context);
  return { vscode, extension, review: require('../src/review'), client: FakeLanguageClient.made.at(-1) };
}

const summary = (uri, counts) => ({ uri, version: 1, base: 'HEAD', introduced: 0, destroyed: 0, preexisting: 0,
  findings: 0, blocks: 0, ...counts });

beforeEach(() => {
  FakeLanguageClient.made.length = 0;
});

test('blastguard.reviewBlock selects the block the server names and reveals it', async () => {
  const { vscode, extension } = await activated();
  const command = vscode.calls.commands.get('blastguard.reviewBlock');
  assert.ok(command, 'the command is registered on activation');
  const range = { start: { line: 4, character: 0 }, end: { line: 14, character: 0 } };
  const selected = await command(A, range);
  const editor = vscode.window.activeTextEditor;
  assert.equal(editor.document.uri.toString(), A);
  assert.deepEqual([editor.selection.start, editor.selection.end].map((p) => [p.line, p.character]), [[4, 0], [14, 0]]);
  assert.equal(editor.selection, selected);
  assert.deepEqual(editor.revealed.map((r) => r.how), [vscode.TextEditorRevealType.InCenterIfOutsideViewport]);
  // Arguments that are not a uri and a range (a stale or foreign action) do nothing.
  assert.equal(await command(undefined, range), undefined);
  assert.equal(await command(A, { start: { line: 1, character: 0 } }), undefined);
  await extension.deactivate();
});

test('the status bar counts what the active file\'s change introduces', async () => {
  const { vscode, extension, client } = await activated();
  const [item] = vscode.calls.items;
  assert.equal(item.id, 'blastguard.introduced');
  assert.equal(item.command, 'workbench.actions.view.problems');
  assert.ok(!item.visible, 'nothing to count before the server says anything');

  vscode.activate(A);
  client.notify('blastguard/changeSummary', summary(A, { introduced: 2, destroyed: 1, preexisting: 5, blocks: 1 }));
  assert.ok(item.visible);
  assert.equal(item.text, '$(warning) 3 introduced');
  assert.equal(item.tooltip, 'Blastguard, compared with HEAD: 2 findings introduced, 1 destructive change, '
    + '5 pre-existing; 1 inserted block not reviewed');

  // Another file's summary does not change the count of the active one.
  client.notify('blastguard/changeSummary', summary(B, { introduced: 0, preexisting: 1 }));
  assert.equal(item.text, '$(warning) 3 introduced');
  vscode.activate(B);
  assert.equal(item.text, '$(check) 0 introduced');

  // A file with no base (outside git, diffBase "") shows nothing; nor does no editor.
  client.notify('blastguard/changeSummary', { ...summary(B, {}), base: null, introduced: null, destroyed: null });
  assert.ok(!item.visible);
  vscode.activate(A);
  assert.ok(item.visible);
  vscode.activate(undefined);
  assert.ok(!item.visible);

  // Closing a file forgets its count; a restarted server starts from nothing.
  vscode.activate(A);
  vscode.close(A);
  assert.ok(!item.visible);
  client.notify('blastguard/changeSummary', summary(A, { introduced: 1 }));
  assert.ok(item.visible);
  await vscode.calls.commands.get('blastguard.restart')();
  assert.ok(!item.visible);
  assert.equal(FakeLanguageClient.made.length, 2);
  FakeLanguageClient.made.at(-1).notify('blastguard/changeSummary', summary(A, { introduced: 4 }));
  assert.equal(item.text, '$(warning) 4 introduced');
  await extension.deactivate();
});

test('the block report is asked for as text and shown as one dialog', async () => {
  const { vscode, extension, review, client } = await activated();
  assert.equal(client.clientOptions.middleware.executeCommand, review.executeCommand);
  const calls = [];
  const next = async (command, args) => {
    calls.push([command, args]);
    return 'Blastguard: the block inserted at 14:02 (10 lines), lines 3-12:\ndestroys nothing.\nfindings (1):';
  };
  const text = await review.executeCommand('blastguard.showBlockReport', [A, 7], next);
  assert.deepEqual(calls, [['blastguard.showBlockReport', [A, 7, { show: false }]]]);
  assert.match(text, /^Blastguard: the block inserted at 14:02/);
  assert.deepEqual(vscode.calls.infos, [{
    message: 'Blastguard: the block inserted at 14:02 (10 lines), lines 3-12:',
    items: [{ modal: true, detail: 'destroys nothing.\nfindings (1):' }],
  }]);
  // Other commands pass through untouched.
  calls.length = 0;
  await review.executeCommand('blastguard.other', [1], next);
  assert.deepEqual(calls, [['blastguard.other', [1]]]);
  await extension.deactivate();
});
