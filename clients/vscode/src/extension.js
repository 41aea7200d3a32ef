'use strict';
/**
 * The Blastguard extension: starts `blastguard lsp` over stdio and connects VS Code's language
 * client to it. All checking is the server's; this file only finds the command, passes the
 * settings and restarts the server when its command changes.
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

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
 * Expands `${workspaceFolder}` and `~/`; a relative path with a folder in it is taken from the
 * workspace folder, a bare name is left to be found on PATH.
 * @param {unknown} value
 * @param {string | undefined} folder
 */
function expand(value, folder) {
  let text = typeof value === 'string' ? value.trim() : '';
  if (!text) {
    return '';
  }
  if (folder) {
    text = text.replace(/\$\{workspaceFolder\}/g, folder);
  }
  if (text === '~' || text.startsWith('~/')) {
    text = path.join(os.homedir(), text.slice(1));
  }
  if (folder && !path.isAbsolute(text) && /[\\/]/.test(text)) {
    text = path.join(folder, text);
  }
  return text;
}

/**
 * The command that runs the server: `<interpreter> -m blastguard lsp` when
 * `blastguard.interpreter` is set, else `<blastguard.path> lsp`. No transport is given, so the
 * language client talks over the process's stdin/stdout and adds no `--stdio` flag.
 * @param {{get: (key: string, fallback?: any) => any}} config the `blastguard` section
 * @param {string | undefined} folder the first workspace folder
 * @returns {{command: string, args: string[], setting: string}}
 */
function serverCommand(config, folder) {
  const interpreter = expand(config.get('interpreter', ''), folder);
  if (interpreter) {
    return { command: interpreter, args: ['-m', 'blastguard', 'lsp'], setting: 'blastguard.interpreter' };
  }
  return { command: expand(config.get('path', 'blastguard'), folder) || 'blastguard', args: ['lsp'],
    setting: 'blastguard.path' };
}

/**
 * The full path of an executable: a path is checked as is, a bare name is looked up on PATH
 * (with PATHEXT on Windows). Undefined when there is none.
 * @param {string} command
 * @param {NodeJS.ProcessEnv} [env]
 */
function findExecutable(command, env = process.env) {
  const windows = process.platform === 'win32';
  const suffixes = windows ? ['', ...(env.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';')] : [''];
  const folders = /[\\/]/.test(command) ? [''] : (env.PATH || env.Path || '').split(path.delimiter).filter(Boolean);
  for (const folder of folders) {
    for (const suffix of suffixes) {
      const candidate = folder ? path.join(folder, command + suffix) : command + suffix;
      try {
        fs.accessSync(candidate, windows ? fs.constants.F_OK : fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) {
          return candidate;
        }
      } catch {
        // not here
      }
    }
  }
  return undefined;
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
    middleware: { workspace: { configuration } },
  };
}

/** @type {LanguageClient | undefined} */
let client;
/** @type {import('vscode').OutputChannel | undefined} */
let output;
// Starts and stops run one after another, so quick setting changes cannot leave two servers.
let queue = Promise.resolve();

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

async function start() {
  const config = vscode.workspace.getConfiguration(SECTION);
  const { command, args, setting } = serverCommand(config, firstFolder());
  const found = findExecutable(command);
  if (!found) {
    // Not a crash and not the language client's generic "couldn't create connection": say what to do.
    void complain(`Blastguard: cannot start the language server: "${command}" was not found. `
      + 'Install Blastguard (pip install blastguard), or set blastguard.path to the blastguard command '
      + 'or blastguard.interpreter to a Python that has it, then run "Blastguard: Restart Server".', setting);
    return;
  }
  log(`starting ${[found, ...args].join(' ')}`);
  const next = new LanguageClient(SECTION, 'Blastguard', { command: found, args },
    clientOptions(/** @type {import('vscode').OutputChannel} */ (output), serverSettings(config)));
  client = next;
  try {
    await next.start();
  } catch (error) {
    if (client === next) {
      client = undefined;
    }
    void complain(`Blastguard: the language server "${[found, ...args].join(' ')}" did not start: ${error}. `
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
  output = vscode.window.createOutputChannel('Blastguard');
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
  findExecutable,
  serverCommand,
  serverSettings,
  SERVER_KEYS,
  /** The running client, for tests. */
  get client() {
    return client;
  },
};
