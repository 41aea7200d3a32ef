'use strict';
/**
 * The extension with the real language client against the real server (`blastguard lsp` from
 * the repository's .venv, or BLASTGUARD_SERVER): the settings VS Code sends are accepted, and
 * a finding comes back as a diagnostic with the severity the settings gave it.
 */

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');

const { stub, section } = require('./stubs');
const { vscodeApi, textDocument } = require('./vscode-api');
const manifest = require('../package.json');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER = process.env.BLASTGUARD_SERVER || [
  path.join(ROOT, '.venv', 'bin', 'blastguard'),
  path.join(ROOT, '.venv', 'Scripts', 'blastguard.exe'),
].find((file) => fs.existsSync(file));

/** Waits until `check` returns something, or fails after `ms` with `what()`. */
async function until(check, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) {
      return value;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('the real client and server: settings accepted, diagnostics pulled', {
  skip: SERVER ? false : 'no server: set BLASTGUARD_SERVER or install the project into .venv (.ci/run does)',
  timeout: 60_000,
}, async () => {
  const folder = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'blastguard-vscode-e2e-')));
  const file = path.join(folder, 'main.tf');
  const text = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  acl    = "public-read"\n}\n';
  fs.writeFileSync(file, text);
  const settings = {};
  for (const [key, schema] of Object.entries(manifest.contributes.configuration.properties)) {
    settings[key] = schema.default;
  }
  // TF402 (public S3 ACL) is a warning by default; the setting makes it an error.
  Object.assign(settings, { 'blastguard.path': SERVER, 'blastguard.severity': { TF402: 'error' },
    'blastguard.trace.server': 'messages' });
  // Without the terraform language (no Terraform extension), the file is matched by its name.
  const vscode = vscodeApi({ settings, folder, documents: [textDocument(file, 'plaintext', text)], section });
  stub('vscode', vscode);
  const extension = require('../src/extension');
  await extension.activate({ subscriptions: [] });
  try {
    assert.ok(extension.client, `the server did not start:\n${vscode.recorded.output.join('')}`);
    const uri = vscode.Uri.file(file).toString();
    const diagnostics = await until(() => {
      const items = vscode.recorded.diagnostics.get(uri);
      return items && items.length ? items : undefined;
    }, 30_000, () => `diagnostics for ${uri}:\n${vscode.recorded.output.join('')}`);
    const found = diagnostics.find((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'TF402');
    assert.ok(found, JSON.stringify(diagnostics));
    assert.equal(found.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(found.range.start.line, 2);
    // The server re-reads its settings on workspace/didChangeConfiguration (the language client
    // sends one at start, and again after registration); they are the settings it started with,
    // so nothing is reloaded and no warning is shown.
    await until(() => (vscode.recorded.output.join('').match(/Sending response 'workspace\/configuration/g) || []).length >= 2,
      20_000, () => `the server pulling its settings:\n${vscode.recorded.output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(vscode.recorded.messages, []);
    assert.ok(!vscode.recorded.output.join('').includes('workspace/diagnostic/refresh'),
      'settings that did not change must not make the client pull every diagnostic again');
  } finally {
    await extension.deactivate();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

/** A git repository in a temporary folder with `files` committed. */
function repository(files) {
  const folder = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'blastguard-vscode-git-')));
  const git = (...args) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com',
    '-c', 'commit.gpgsign=false', ...args], { cwd: folder, stdio: 'pipe' });
  git('init', '-q');
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(folder, name), text);
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  return folder;
}

function hasGit() {
  try {
    execFileSync('git', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

test('the real client and server: the status bar counts what the open file introduces against HEAD', {
  skip: !SERVER ? 'no server: set BLASTGUARD_SERVER or install the project into .venv (.ci/run does)'
    : !hasGit() ? 'git is not installed' : false,
  timeout: 120_000,
}, async () => {
  const committed = 'resource "aws_s3_bucket" "b" {\n  bucket        = "x"\n  force_destroy = true\n}\n';
  const folder = repository({ 'main.tf': committed });
  const file = path.join(folder, 'main.tf');
  // Not saved yet: a public ACL typed above the old finding.
  const text = committed.replace('  force_destroy', '  acl           = "public-read"\n  force_destroy');
  const settings = {};
  for (const [key, schema] of Object.entries(manifest.contributes.configuration.properties)) {
    settings[key] = schema.default;
  }
  settings['blastguard.path'] = SERVER;
  const document = textDocument(file, 'terraform', text);
  const vscode = vscodeApi({ settings, folder, documents: [document], section });
  stub('vscode', vscode);
  // The extension and the language client as loaded by an earlier test hold that test's `vscode`.
  for (const key of Object.keys(require.cache)) {
    if (key.includes(`${path.sep}vscode-languageclient${path.sep}`) || key.includes(`${path.sep}src${path.sep}`)) {
      delete require.cache[key];
    }
  }
  const extension = require('../src/extension');
  await extension.activate({ subscriptions: [] });
  try {
    vscode.workspace.activate(document);
    const [item] = vscode.recorded.items;
    await until(() => item.visible, 90_000, () => `the status bar item:\n${vscode.recorded.output.join('')}`);
    assert.equal(item.text, '$(warning) 1 introduced');
    assert.match(item.tooltip, /compared with HEAD: 1 finding introduced, 0 destructive changes, 1 pre-existing/);
    const uri = vscode.Uri.file(file).toString();
    // The summary comes with the check; the client pulls the diagnostics on its own schedule.
    const diagnostics = await until(() => {
      const items = vscode.recorded.diagnostics.get(uri);
      return items && items.length === 2 ? items : undefined;
    }, 60_000, () => `diagnostics for ${uri}:\n${vscode.recorded.output.join('')}`);
    const code = (d) => (typeof d.code === 'object' ? d.code.value : d.code);
    const acl = diagnostics.find((d) => code(d) === 'TF402');
    const destroy = diagnostics.find((d) => code(d) === 'TF101');
    assert.equal(acl.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(acl.message, /\[introduced by this change\]$/);
    assert.equal(destroy.severity, vscode.DiagnosticSeverity.Hint);
  } finally {
    await extension.deactivate();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
