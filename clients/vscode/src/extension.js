'use strict';
/**
 * The Blastguard extension: starts `blastguard lsp` over stdio and connects VS Code's language
 * client to it. All checking is the server's; this file only picks the server (discovery.js),
 * passes the settings and restarts the server when what picks it changes.
 */

const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const discovery = require('./discovery');
const review = require('./review');

const SECTION = 'blastguard';
const manifest = require('../package.json');

// Settings only the extension reads. Every other `blastguard.*` setting is the server's
// (server/blastguard/lsp/settings.py DEFAULTS, mirrored in package.json), and the server
// refuses the whole section when it holds a key it does not know, so these are never sent.
const CLIENT_ONLY = new Set(['path', 'interpreter', 'trace']);
const SERVER_KEYS = Object.keys(manifest.contributes.configuration.properties)
  .map((key) => key.slice(SECTION.length + 1).split('.')[0])
  .filter((key) => !CLIENT_ONLY.has(key));

// Language ids that VS Code or common extensions give to files the server reads. The server
// decides by file name and content, so a selector that is too wide costs nothing.
const LANGUAGES = manifest.activationEvents
  .filter((event) => event.startsWith('onLanguage:'))
  .map((event) => event.slice('onLanguage:'.length));
// Without a Terraform extension, .tf files are plain text; CloudFormation's .template has no language.
const PATTERNS = ['**/*.tf', '**/*.tfvars', '**/*.hcl', '**/*.template'];

/** @type {import('vscode-languageclient').DocumentSelector} */
const documentSelector = [
  ...LANGUAGES.map((language) => ({ scheme: 'file', language })),
  ...PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
];

/**
 * The server's settings from a `blastguard` configuration section (a WorkspaceConfiguration or
 * a plain object), as the flat object `settings.read` accepts: the server's keys only.
 * @param {{get?: (key: string) => unknown} | Record<string, unknown> | null | undefined} config
 * @returns {Record<string, unknown>}
 */
function serverSettings(config) {
  /** @type {Record<string, unknown>} */
  const out = {};
  if (!config || typeof config !== 'object') {
    return out;
  }
  for (const key of SERVER_KEYS) {
    const value = typeof config.get === 'function' ? config.get(key) : /** @type {any} */ (config)[key];
    if (value !== undefined) {
      out[key] = JSON.parse(JSON.stringify(value));
    }
  }
  return out;
}

/**
 * Answers the server's `workspace/configuration` request with the client-only keys removed.
 * @type {NonNullable<import('vscode-languageclient').Middleware['workspace']>['configuration']}
 */
async function configuration(params, token, next) {
  const values = await next(params, token);
  if (!Array.isArray(values)) {
    return values;
  }
  return values.map((value, index) =>
    params.items[index] && params.items[index].section === SECTION && value ? serverSettings(value) : value);
}

/**
 * The language client's options.
 * @param {import('vscode').OutputChannel} outputChannel
 * @param {Record<string, unknown>} initializationOptions
 * @returns {import('vscode-languageclient').LanguageClientOptions}
 */
function clientOptions(outputChannel, initializationOptions) {
  return {
    documentSelector,
    synchronize: { configurationSection: SECTION },
    initializationOptions,
    outputChannel,
    diagnosticCollectionName: SECTION,
    middleware: { workspace: { configuration }, executeCommand: review.executeCommand },
  };
}

/** @type {LanguageClient | undefined} */
let client;
/** @type {import('vscode').OutputChannel | undefined} */
let output;
// Starts and stops run one after another, so quick setting changes cannot leave two servers.
let queue = Promise.resolve();
/** @type {import('vscode').ExtensionContext | undefined} */
let extensionContext;
// The Python extension's environments API once its interpreter changes are watched.
let watchedEnvironments;

function firstFolder() {
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length ? folders[0].uri.fsPath : undefined;
}

/** @param {string} message */
function log(message) {
  output?.appendLine(`[${new Date().toISOString()}] ${message}`);
}

/** @param {string} message @param {string} setting */
async function complain(message, setting) {
  log(message);
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', setting);
  } else if (choice === 'Show Output') {
    output?.show(true);
  }
}

/** The folder the extension is installed in (set by activate). */
let extensionPath = path.resolve(__dirname, '..');

/**
 * `blastguard.path` and `blastguard.interpreter`: in an untrusted workspace the user's own
 * values only (a workspace's settings must not choose what VS Code runs).
 * @param {import('vscode').WorkspaceConfiguration} config
 * @param {string} key
 */
function commandSetting(config, key) {
  if (vscode.workspace.isTrusted !== false) {
    return config.get(key, '');
  }
  const inspected = config.inspect ? config.inspect(key) : undefined;
  return (inspected && inspected.globalValue) || '';
}

/** The executable of the interpreter selected in the Python extension, if it is installed. */
async function pythonExtensionInterpreter() {
  const extension = vscode.extensions && vscode.extensions.getExtension('ms-python.python');
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const environments = api && api.environments;
    if (!environments) {
      return undefined;
    }
    if (watchedEnvironments !== environments && environments.onDidChangeActiveEnvironmentPath && extensionContext) {
      // Another interpreter selected there may be (or stop being) the one with Blastguard.
      watchedEnvironments = environments;
      extensionContext.subscriptions.push(environments.onDidChangeActiveEnvironmentPath(() => void restart()));
    }
    const folders = vscode.workspace.workspaceFolders;
    const active = environments.getActiveEnvironmentPath(folders && folders.length ? folders[0].uri : undefined);
    const resolved = active && await environments.resolveEnvironment(active);
    return resolved && resolved.executable && resolved.executable.uri ? resolved.executable.uri.fsPath : undefined;
  } catch (error) {
    log(`the Python extension did not give its interpreter: ${error}`);
    return undefined;
  }
}

async function start() {
  const config = vscode.workspace.getConfiguration(SECTION);
  const trusted = vscode.workspace.isTrusted !== false;
  const { server, tried } = await discovery.findServer({
    path: commandSetting(config, 'path'), interpreter: commandSetting(config, 'interpreter'), trusted,
    folder: firstFolder(), extensionPath, pythonExtension: pythonExtensionInterpreter,
  });
  for (const { source, reason } of tried) {
    log(`not using ${source}: ${reason}`);
  }
  if (!server) {
    const setting = tried.some((t) => t.source === 'blastguard.path') ? 'blastguard.path' : 'blastguard.interpreter';
    // One message that says what is missing, not the language client's generic "couldn't create connection".
    void complain('Blastguard: no language server to start. The bundled server needs Python 3.11, 3.12 or 3.13 '
      + 'on PATH; or set blastguard.interpreter to a Python that has Blastguard (pip install blastguard), '
      + `or blastguard.path to the blastguard command. Tried: ${tried.map((t) => `${t.source} (${t.reason})`).join('; ')}.`,
    setting);
    return;
  }
  const { command, args, source, setting, version, cwd } = server;
  log(`starting Blastguard ${version} from ${source}${trusted ? '' : ' (untrusted workspace)'}: `
    + `${[command, ...args].join(' ')}`);
  const next = new LanguageClient(SECTION, 'Blastguard', { command, args, options: { cwd } },
    clientOptions(/** @type {import('vscode').OutputChannel} */ (output), serverSettings(config)));
  client = next;
  review.attach(next);
  try {
    await next.start();
  } catch (error) {
    if (client === next) {
      client = undefined;
    }
    void complain(`Blastguard: the language server "${[command, ...args].join(' ')}" did not start: ${error}. `
      + 'The Blastguard output has its messages.', setting);
  }
}

async function stop() {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      log(`stopping the server failed: ${error}`);
    }
  }
}

/** Stops the server if it runs, then starts it with the current settings. */
function restart() {
  queue = queue.then(stop).then(start).catch((error) => log(`restart failed: ${error}`));
  return queue;
}

/** @param {import('vscode').ExtensionContext} context */
async function activate(context) {
  extensionContext = context;
  watchedEnvironments = undefined;
  extensionPath = context.extensionPath || extensionPath;
  output = vscode.window.createOutputChannel('Blastguard');
  review.activate(context);
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('blastguard.restart', restart),
    vscode.commands.registerCommand('blastguard.showOutput', () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // Other server settings travel over workspace/didChangeConfiguration; a new command needs a new process.
      if (event.affectsConfiguration('blastguard.path') || event.affectsConfiguration('blastguard.interpreter')) {
        void restart();
      }
    }),
  );
  if (vscode.workspace.onDidGrantWorkspaceTrust) {
    // Trust lets the workspace's settings, its .venv and the Python extension's choice count.
    context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()));
  }
  await restart();
}

function deactivate() {
  queue = queue.then(stop);
  return queue;
}

module.exports = {
  activate,
  deactivate,
  restart,
  clientOptions,
  configuration,
  documentSelector,
  serverSettings,
  SERVER_KEYS,
  /** The running client, for tests. */
  get client() {
    return client;
  },
};
