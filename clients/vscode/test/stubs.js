'use strict';
/**
 * Stand-ins for the `vscode` module (which exists only inside VS Code) and for the language
 * client, installed by intercepting module resolution so that `require('vscode')` in the
 * extension gets them. Each records what the extension asked of it.
 */

const Module = require('module');

const STUBS = new Map();
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (STUBS.has(request)) {
    return `stub:${request}`;
  }
  return resolve.call(this, request, ...rest);
};

/** Makes `require(name)` return `exports` from now on. */
function stub(name, exports) {
  STUBS.set(name, exports);
  require.cache[`stub:${name}`] = { id: `stub:${name}`, filename: `stub:${name}`, loaded: true, exports };
}

/**
 * A configuration section over a flat map of `section.key` values, as WorkspaceConfiguration reads
 * it; `user` holds the values of user settings, which `inspect` reports as `globalValue`.
 */
function section(values, prefix, user = {}) {
  const get = (key, fallback) => {
    const full = prefix ? `${prefix}.${key}` : key;
    if (full in values) {
      return values[full];
    }
    // A parent key gathers its children, as VS Code does (`blastguard` -> {enable, ..., trace: {server}}).
    const children = Object.keys(values).filter((k) => k.startsWith(`${full}.`));
    if (children.length) {
      const out = {};
      for (const child of children) {
        const parts = child.slice(full.length + 1).split('.');
        let node = out;
        for (const part of parts.slice(0, -1)) {
          node = node[part] = node[part] || {};
        }
        node[parts[parts.length - 1]] = values[child];
      }
      return out;
    }
    return fallback;
  };
  const inspect = (key) => {
    const full = prefix ? `${prefix}.${key}` : key;
    return { key: full, globalValue: user[full], workspaceValue: full in user ? undefined : values[full] };
  };
  return { get, has: (key) => get(key) !== undefined, update: async () => {}, inspect };
}

/**
 * A fresh `vscode` stand-in over the given settings (`blastguard.path` and so on). `user` lists
 * which settings are user settings (the rest are the workspace's), `trusted` the workspace trust,
 * `python` the interpreter the Python extension has selected (no Python extension when undefined).
 */
function fakeVscode(settings = {}, folder = '/work/project', { user = {}, trusted = true, python } = {}) {
  const listeners = [];
  const trustListeners = [];
  const calls = { errors: [], commands: new Map(), executed: [], channels: [], items: [], infos: [] };
  const pythonListeners = [];
  const environments = {
    getActiveEnvironmentPath: () => ({ id: 'selected', path: python }),
    resolveEnvironment: async (env) => ({ executable: { uri: { fsPath: env.path } } }),
    onDidChangeActiveEnvironmentPath: (listener) => {
      pythonListeners.push(listener);
      return { dispose: () => pythonListeners.splice(pythonListeners.indexOf(listener), 1) };
    },
  };
  const activeEditorListeners = [];
  const closeListeners = [];
  const vscode = {
    version: '1.82.0',
    calls,
    settings,
    extensions: {
      getExtension: (id) => (id === 'ms-python.python' && python !== undefined
        ? { isActive: false, activate: async () => ({ environments }) } : undefined),
    },
    workspace: {
      isTrusted: trusted,
      onDidGrantWorkspaceTrust: (listener) => {
        trustListeners.push(listener);
        return { dispose() {} };
      },
      workspaceFolders: folder ? [{ uri: { fsPath: folder, scheme: 'file' }, name: 'project', index: 0 }] : undefined,
      getConfiguration: (prefix) => section({ ...vscode.settings, ...user }, prefix, user),
      onDidChangeConfiguration: (listener) => {
        listeners.push(listener);
        return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
      },
      onDidCloseTextDocument: (listener) => {
        closeListeners.push(listener);
        return { dispose: () => closeListeners.splice(closeListeners.indexOf(listener), 1) };
      },
    },
    window: {
      createOutputChannel: (name) => {
        const channel = { name, lines: [], appendLine: (line) => channel.lines.push(line), append() {}, show() {},
          dispose() {} };
        calls.channels.push(channel);
        return channel;
      },
      showErrorMessage: async (message, ...items) => {
        calls.errors.push({ message, items });
        return undefined;
      },
      showInformationMessage: async (message, ...items) => {
        calls.infos.push({ message, items });
        return undefined;
      },
      activeTextEditor: undefined,
      visibleTextEditors: [],
      showTextDocument: async (target) => {
        const uri = target.uri || target;
        let editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
        if (!editor) {
          editor = textEditor(uri);
          vscode.window.visibleTextEditors.push(editor);
        }
        vscode.window.activeTextEditor = editor;
        return editor;
      },
      onDidChangeActiveTextEditor: (listener) => {
        activeEditorListeners.push(listener);
        return { dispose: () => activeEditorListeners.splice(activeEditorListeners.indexOf(listener), 1) };
      },
      createStatusBarItem: (id, alignment, priority) => {
        const item = { id, alignment, priority, text: '', tooltip: '', visible: false, show() {
          item.visible = true;
        }, hide() {
          item.visible = false;
        }, dispose() {} };
        calls.items.push(item);
        return item;
      },
    },
    Uri: { parse: (text) => fakeUri(text) },
    Position: class {
      constructor(line, character) {
        Object.assign(this, { line, character });
      }
    },
    Selection: class {
      constructor(anchor, active) {
        Object.assign(this, { anchor, active, start: anchor, end: active });
      }
    },
    StatusBarAlignment: { Left: 1, Right: 2 },
    TextEditorRevealType: { Default: 0, InCenter: 1, InCenterIfOutsideViewport: 2, AtTop: 3 },
    commands: {
      registerCommand: (id, handler) => {
        calls.commands.set(id, handler);
        return { dispose: () => calls.commands.delete(id) };
      },
      executeCommand: async (...args) => {
        calls.executed.push(args);
      },
    },
    /** Selects another interpreter in the Python extension and tells the listeners. */
    selectPython(path) {
      python = path;
      for (const listener of [...pythonListeners]) {
        listener({ id: 'selected', path });
      }
    },
    /** Trusts the workspace and tells the listeners, as VS Code does. */
    trust() {
      vscode.workspace.isTrusted = true;
      for (const listener of [...trustListeners]) {
        listener();
      }
    },
    /** Makes the editor of `uri` the active one, as clicking its tab does. */
    activate(uri) {
      vscode.window.activeTextEditor = uri ? textEditor(fakeUri(uri)) : undefined;
      activeEditorListeners.forEach((listener) => listener(vscode.window.activeTextEditor));
    },
    close(uri) {
      closeListeners.forEach((listener) => listener({ uri: fakeUri(uri) }));
    },
    /** Changes settings and tells the listeners, as VS Code does. */
    change(values) {
      Object.assign(vscode.settings, values);
      const event = { affectsConfiguration: (name) => Object.keys(values).some((k) => k === name || k.startsWith(`${name}.`)) };
      for (const listener of [...listeners]) {
        listener(event);
      }
    },
  };
  return vscode;
}

function fakeUri(text) {
  return { scheme: 'file', toString: () => text };
}

/** A text editor over a document that is only its uri, recording selection and reveals. */
function textEditor(uri) {
  return { document: { uri }, selection: undefined, revealed: [], viewColumn: 1,
    revealRange(range, how) {
      this.revealed.push({ range, how });
    } };
}

/** A LanguageClient stand-in that records how it was built and whether it runs. */
class FakeLanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, running: false, handlers: new Map() });
    FakeLanguageClient.made.push(this);
  }

  onNotification(method, handler) {
    this.handlers.set(method, handler);
    return { dispose: () => this.handlers.delete(method) };
  }

  /** A notification from the server, as the real client would dispatch it. */
  notify(method, params) {
    this.handlers.get(method)(params);
  }

  async start() {
    this.running = true;
  }

  async stop() {
    this.running = false;
  }
}
FakeLanguageClient.made = [];

module.exports = { stub, fakeVscode, FakeLanguageClient, section };
