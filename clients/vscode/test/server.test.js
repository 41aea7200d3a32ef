'use strict';
/**
 * The extension with the real language client against the real server (`blastguard lsp` from
 * the repository's .venv, or BLASTGUARD_SERVER): the settings VS Code sends are accepted, and
 * a finding comes back as a diagnostic with the severity the settings gave it.
 */

const assert = require('node:assert/strict');
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
