'use strict';
/**
 * Reviewing a change in VS Code: the `blastguard.reviewBlock` command (selects an inserted block
 * the server names), "Show what this block destroys" shown as one dialog, and the status-bar
 * count of what the active file's change introduces.
 *
 * The count comes from the server's `blastguard/changeSummary` notification (sent after every
 * check of a document, with the counts for that version) rather than from the diagnostics: it
 * holds the destructive changes and the pre-existing findings that `hidden` leaves out, and it
 * says whether there is a base at all (outside git there is no count to show).
 */

const vscode = require('vscode');

const SUMMARY = 'blastguard/changeSummary';
const REVIEW_BLOCK = 'blastguard.reviewBlock';
const SHOW_BLOCK_REPORT = 'blastguard.showBlockReport';

/** @type {Map<string, {introduced: number|null, destroyed: number|null, preexisting: number|null, base: string|null, blocks: number}>} */
const summaries = new Map();
/** @type {import('vscode').StatusBarItem | undefined} */
let item;

/** An LSP range ({start: {line, character}, end}) as a VS Code Selection. */
function selection(range) {
  const { start, end } = range;
  return new vscode.Selection(new vscode.Position(start.line, start.character),
    new vscode.Position(end.line, end.character));
}

/**
 * Selects the block and brings it into view. Arguments as the server's code action gives them.
 * @param {string} uri @param {{start: {line: number, character: number}, end: {line: number, character: number}}} range
 */
async function reviewBlock(uri, range) {
  if (typeof uri !== 'string' || !range || !range.start || !range.end) {
    return undefined;
  }
  const target = vscode.Uri.parse(uri);
  const open = vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === target.toString());
  const editor = open ? await vscode.window.showTextDocument(open.document, open.viewColumn)
    : await vscode.window.showTextDocument(target);
  const selected = selection(range);
  editor.selection = selected;
  editor.revealRange(selected, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return selected;
}

/** The status-bar text and tooltip for a summary, or undefined when there is nothing to show. */
function describe(summary) {
  if (!summary || summary.introduced === null || summary.introduced === undefined) {
    return undefined;
  }
  const introduced = summary.introduced + (summary.destroyed || 0);
  const parts = [`${summary.introduced} finding${summary.introduced === 1 ? '' : 's'} introduced`,
    `${summary.destroyed || 0} destructive change${summary.destroyed === 1 ? '' : 's'}`,
    `${summary.preexisting || 0} pre-existing`];
  return {
    text: `$(${introduced ? 'warning' : 'check'}) ${introduced} introduced`,
    tooltip: `Blastguard, compared with ${summary.base}: ${parts.join(', ')}`
      + (summary.blocks ? `; ${summary.blocks} inserted block${summary.blocks === 1 ? '' : 's'} not reviewed` : ''),
  };
}

/** Shows the count for the active editor's file, or hides the item. */
function refresh() {
  if (!item) {
    return;
  }
  const editor = vscode.window.activeTextEditor;
  const shown = editor ? describe(summaries.get(editor.document.uri.toString())) : undefined;
  if (!shown) {
    item.hide();
    return;
  }
  item.text = shown.text;
  item.tooltip = shown.tooltip;
  item.show();
}

/** Language client middleware: the block report in one dialog rather than a one-line toast. */
async function executeCommand(command, args, next) {
  if (command !== SHOW_BLOCK_REPORT) {
    return next(command, args);
  }
  const text = await next(command, [...args.slice(0, 2), { show: false }]);
  if (typeof text === 'string') {
    const [head, ...rest] = text.split('\n');
    await vscode.window.showInformationMessage(head, { modal: true, detail: rest.join('\n') });
  }
  return text;
}

/** Listens to one language client's summaries (a restarted server starts from nothing). */
function attach(client) {
  summaries.clear();
  refresh();
  client.onNotification(SUMMARY, (params) => {
    if (params && typeof params.uri === 'string') {
      summaries.set(params.uri, params);
      refresh();
    }
  });
}

/** @param {import('vscode').ExtensionContext} context */
function activate(context) {
  item = vscode.window.createStatusBarItem('blastguard.introduced', vscode.StatusBarAlignment.Left, 0);
  item.name = 'Blastguard: introduced by this change';
  item.command = 'workbench.actions.view.problems';
  context.subscriptions.push(
    item,
    vscode.commands.registerCommand(REVIEW_BLOCK, reviewBlock),
    vscode.window.onDidChangeActiveTextEditor(refresh),
    vscode.workspace.onDidCloseTextDocument((document) => {
      summaries.delete(document.uri.toString());
      refresh();
    }),
  );
}

module.exports = { activate, attach, describe, executeCommand, refresh, reviewBlock, summaries,
  get item() {
    return item;
  } };
