'use strict';
/**
 * Just enough of the `vscode` API for the real language client (vscode-languageclient) to run a
 * server, open documents in it and collect diagnostics. What is written out here is what the
 * client reads; every other name is a callable stand-in (see `fallback`) that registers nothing.
 */

const url = require('node:url');

/** A callable, constructible object whose every property is another: for APIs the test ignores. */
function fallback(name) {
  return new Proxy(function () {}, {
    get(_, key) {
      if (typeof key === 'symbol' || key === 'then' || key === 'toJSON') {
        return undefined;
      }
      return key === 'dispose' ? () => {} : fallback(`${name}.${key}`);
    },
    apply: () => fallback(`${name}()`),
    construct: () => fallback(`new ${name}`),
  });
}

/** Lets `vscode.X` be a real value when given, a fallback otherwise. */
function withFallback(name, values) {
  return new Proxy(values, {
    get(target, key) {
      if (key in target || typeof key === 'symbol' || key === 'then' || key === 'toJSON') {
        return target[key];
      }
      return fallback(`${name}.${String(key)}`);
    },
  });
}

class Disposable {
  constructor(fn) {
    this.dispose = fn || (() => {});
  }

  static from(...items) {
    return new Disposable(() => items.forEach((item) => item && item.dispose && item.dispose()));
  }
}

class EventEmitter {
  constructor() {
    this.listeners = [];
    this.event = (listener, thisArg) => {
      const bound = thisArg ? listener.bind(thisArg) : listener;
      this.listeners.push(bound);
      return new Disposable(() => this.listeners.splice(this.listeners.indexOf(bound), 1));
    };
  }

  fire(value) {
    [...this.listeners].forEach((listener) => listener(value));
  }

  dispose() {
    this.listeners = [];
  }
}

class Uri {
  constructor(scheme, fsPath) {
    Object.assign(this, { scheme, fsPath, path: fsPath, authority: '', query: '', fragment: '' });
  }

  static file(fsPath) {
    return new Uri('file', fsPath);
  }

  static parse(text) {
    return text.startsWith('file:') ? new Uri('file', url.fileURLToPath(text)) : new Uri(text.split(':')[0], text);
  }

  toString() {
    return this.scheme === 'file' ? url.pathToFileURL(this.fsPath).href : this.path;
  }

  toJSON() {
    return this.toString();
  }
}

class Position {
  constructor(line, character) {
    Object.assign(this, { line, character });
  }
}

class Range {
  constructor(a, b, c, d) {
    [this.start, this.end] = a instanceof Position ? [a, b] : [new Position(a, b), new Position(c, d)];
  }
}

class Diagnostic {
  constructor(range, message, severity) {
    Object.assign(this, { range, message, severity });
  }
}

class Selection extends Range {
  constructor(anchor, active) {
    super(anchor, active);
    Object.assign(this, { anchor, active });
  }
}

class CancellationTokenSource {
  constructor() {
    const cancelled = new EventEmitter();
    this.token = { isCancellationRequested: false, onCancellationRequested: cancelled.event };
    this.cancel = () => {
      this.token.isCancellationRequested = true;
      cancelled.fire(undefined);
    };
    this.dispose = () => cancelled.dispose();
  }
}

class TabInputText {
  constructor(uri) {
    this.uri = uri;
  }
}

class CodeActionKind {
  constructor(value) {
    this.value = value;
  }

  append(part) {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }

  contains(other) {
    return !this.value || other.value === this.value || other.value.startsWith(`${this.value}.`);
  }

  intersects(other) {
    return this.contains(other) || other.contains(this);
  }
}
for (const [name, value] of Object.entries({ Empty: '', QuickFix: 'quickfix', Refactor: 'refactor',
  RefactorExtract: 'refactor.extract', RefactorInline: 'refactor.inline', RefactorRewrite: 'refactor.rewrite',
  Source: 'source', SourceOrganizeImports: 'source.organizeImports', SourceFixAll: 'source.fixAll' })) {
  CodeActionKind[name] = new CodeActionKind(value);
}

// The extension's patterns are all of the form "**/*.ext".
function globMatch(pattern, fsPath) {
  const match = /^\*\*\/\*(\.[\w.]+)$/.exec(pattern);
  if (!match) {
    throw new Error(`the stand-in cannot match ${pattern}`);
  }
  return fsPath.endsWith(match[1]);
}

/** A text document as VS Code gives it to extensions. */
function textDocument(fsPath, languageId, text, version = 1) {
  const lines = text.split(/\r\n|\r|\n/);
  return { uri: Uri.file(fsPath), fileName: fsPath, languageId, version, isClosed: false, isDirty: false,
    isUntitled: false, lineCount: lines.length, eol: 1, getText: () => text, save: async () => true };
}

/** A stand-in `vscode` over settings (`blastguard.path` and so on), a folder and open documents. */
function vscodeApi({ settings = {}, folder, documents = [], section }) {
  const recorded = { messages: [], diagnostics: new Map(), output: [], items: [], commands: new Map() };
  const configurationChanged = new EventEmitter();
  const activeEditorChanged = new EventEmitter();
  /** An editor of one of `documents`, recording its selection and what was revealed. */
  const editorOf = (document) => ({ document, selection: undefined, viewColumn: 1, revealed: [],
    revealRange(range) {
      this.revealed.push(range);
    } });
  const collection = (name) => withFallback('DiagnosticCollection', {
    name,
    set: (uri, items) => recorded.diagnostics.set(uri.toString(), items || []),
    delete: (uri) => recorded.diagnostics.delete(uri.toString()),
    get: (uri) => recorded.diagnostics.get(uri.toString()),
    has: (uri) => recorded.diagnostics.has(uri.toString()),
    forEach: () => {},
    clear: () => recorded.diagnostics.clear(),
    dispose: () => {},
  });
  const message = (kind) => async (text, ...items) => {
    recorded.messages.push({ kind, text, items: items.filter((i) => typeof i === 'string') });
    return undefined;
  };
  const event = () => new Disposable();
  const api = withFallback('vscode', {
    version: '1.82.0',
    recorded,
    Disposable, EventEmitter, Uri, Position, Range, Selection, Diagnostic,
    StatusBarAlignment: { Left: 1, Right: 2 },
    TextEditorRevealType: { Default: 0, InCenter: 1, InCenterIfOutsideViewport: 2, AtTop: 3 }, TabInputText, CodeActionKind, CancellationTokenSource,
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    DiagnosticTag: { Unnecessary: 1, Deprecated: 2 },
    env: { appName: 'Visual Studio Code', language: 'en', uiKind: 1, machineId: 'test', sessionId: 'test' },
    extensions: withFallback('vscode.extensions', { getExtension: () => undefined }),
    workspace: withFallback('vscode.workspace', {
      isTrusted: true,
      workspaceFolders: folder ? [{ uri: Uri.file(folder), name: 'project', index: 0 }] : undefined,
      textDocuments: documents,
      getConfiguration: (prefix) => section(settings, prefix),
      onDidChangeConfiguration: configurationChanged.event,
      onDidOpenTextDocument: event, onDidChangeTextDocument: event, onDidCloseTextDocument: event,
      /** Stand-in for the editor tab being clicked: that document's editor becomes the active one. */
      activate(document) {
        api.window.activeTextEditor = editorOf(document);
        api.window.visibleTextEditors = [api.window.activeTextEditor];
        activeEditorChanged.fire(api.window.activeTextEditor);
      },
      onDidSaveTextDocument: event, onWillSaveTextDocument: event, onDidChangeWorkspaceFolders: event,
    }),
    window: withFallback('vscode.window', {
      activeTextEditor: undefined,
      visibleTextEditors: [],
      onDidChangeActiveTextEditor: activeEditorChanged.event,
      showTextDocument: async (target) => {
        const uri = (target.uri || target).toString();
        const editor = api.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri)
          || editorOf(documents.find((d) => d.uri.toString() === uri));
        api.window.activeTextEditor = editor;
        return editor;
      },
      createStatusBarItem: (id, alignment, priority) => {
        const item = { id, alignment, priority, text: '', tooltip: '', visible: false,
          show: () => { item.visible = true; }, hide: () => { item.visible = false; }, dispose() {} };
        recorded.items.push(item);
        return item;
      },
      tabGroups: { all: [{ tabs: documents.map((doc) => ({ input: new TabInputText(doc.uri) })) }],
        onDidChangeTabs: event, onDidChangeTabGroups: event },
      createOutputChannel: (name) => withFallback('OutputChannel', {
        name, append: (text) => recorded.output.push(text), appendLine: (text) => recorded.output.push(`${text}\n`),
        replace() {}, clear() {}, show() {}, hide() {}, dispose() {},
      }),
      showErrorMessage: message('error'),
      showWarningMessage: message('warning'),
      showInformationMessage: message('info'),
    }),
    languages: withFallback('vscode.languages', {
      createDiagnosticCollection: collection,
      match: (selector, document) => (selector.some((filter) => (filter.scheme === undefined
        || filter.scheme === document.uri.scheme)
        && (filter.language === undefined || filter.language === document.languageId)
        && (filter.pattern === undefined || globMatch(filter.pattern, document.uri.fsPath)))
        ? 10 : 0),
    }),
    commands: withFallback('vscode.commands', {
      registerCommand: (id, handler) => {
        recorded.commands.set(id, handler);
        return new Disposable(() => recorded.commands.delete(id));
      },
      executeCommand: async () => undefined,
    }),
  });
  return api;
}

module.exports = { vscodeApi, textDocument };
