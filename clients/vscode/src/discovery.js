'use strict';
/**
 * Which Blastguard server to start, first that works: `blastguard.path`, `blastguard.interpreter`,
 * the Python extension's interpreter when Blastguard is importable there, the workspace folder's
 * `.venv`, then the server bundled with the extension (bundled/tool/launch.py on a Python
 * 3.11-3.13 from PATH). In an untrusted workspace only the user's own settings and the bundled
 * server are used, so nothing from the workspace is run. No `vscode` here: the Node tests and the
 * packaging test (tests/test_vsix.py) run this file as it ships.
 */

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const WINDOWS = process.platform === 'win32';
// Newest first: the first of these on PATH whose version the extension bundles runs the server.
const PYTHON_NAMES = WINDOWS ? ['python3.13', 'python3.12', 'python3.11', 'python3', 'python', 'py']
  : ['python3.13', 'python3.12', 'python3.11', 'python3'];
const IMPORT_VERSION = 'import blastguard; print(blastguard.__version__)';
const NO_LIBRARIES = 3; // launch.py's exit status when this Python has no bundled libraries

/** Where the bundled launcher lives in the installed extension. */
function launcher(extensionPath) {
  return path.join(extensionPath, 'bundled', 'tool', 'launch.py');
}

/** The command that runs the bundled server with `python` (what tests/test_vsix.py runs too). */
function bundledCommand(extensionPath, python) {
  // -I: no PYTHONPATH, no user site-packages, not the current folder: only the bundled libraries.
  return { command: python, args: ['-I', launcher(extensionPath), 'lsp'] };
}

/**
 * Expands `${workspaceFolder}` and `~/`; a relative path with a folder in it is taken from the
 * workspace folder, a bare name is left to be found on PATH. Undefined when the value needs the
 * workspace folder and that may not be used (untrusted).
 * @param {unknown} value
 * @param {string | undefined} folder
 * @param {boolean} [trusted]
 */
function expand(value, folder, trusted = true) {
  let text = typeof value === 'string' ? value.trim() : '';
  if (!text) {
    return '';
  }
  const inFolder = text.includes('${workspaceFolder}') || (!path.isAbsolute(text) && /[\\/]/.test(text)
    && !text.startsWith('~'));
  if (inFolder && (!trusted || !folder)) {
    return undefined;
  }
  text = text.replace(/\$\{workspaceFolder\}/g, folder || '');
  if (text === '~' || text.startsWith('~/')) {
    text = path.join(os.homedir(), text.slice(1));
  }
  if (!path.isAbsolute(text) && /[\\/]/.test(text)) {
    text = path.join(/** @type {string} */ (folder), text);
  }
  return text;
}

/**
 * The full path of an executable: a path is checked as is, a bare name is looked up on PATH
 * (with PATHEXT on Windows). Undefined when there is none.
 * @param {string} command
 * @param {NodeJS.ProcessEnv} [env]
 */
function findExecutable(command, env = process.env) {
  const suffixes = WINDOWS ? ['', ...(env.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';')] : [''];
  const folders = /[\\/]/.test(command) ? [''] : (env.PATH || env.Path || '').split(path.delimiter).filter(Boolean);
  for (const folder of folders) {
    for (const suffix of suffixes) {
      const candidate = folder ? path.join(folder, command + suffix) : command + suffix;
      try {
        fs.accessSync(candidate, WINDOWS ? fs.constants.F_OK : fs.constants.X_OK);
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
 * Runs a short command and reports how it ended (never throws).
 * @returns {Promise<{code: number | null, stdout: string, stderr: string}>}
 */
function probe(command, args, { cwd, env = process.env, timeout = 20_000 } = {}) {
  return new Promise((resolve) => {
    childProcess.execFile(command, args, { cwd, env, timeout, windowsHide: true }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (error && !stderr ? error.message : '')) });
    });
  });
}

/** The last word of a command's first line: `blastguard 0.1.0` -> `0.1.0`. */
function versionOf(stdout) {
  const words = stdout.trim().split(/\s+/);
  return words[words.length - 1] || '?';
}

/** The first line of a failed probe's output, for the log and the notification. */
function why(result) {
  const text = (result.stderr || result.stdout).trim().split(/\r?\n/).filter(Boolean);
  return text.length ? text[text.length - 1].slice(0, 200) : `exit status ${result.code}`;
}

/**
 * @typedef {{command: string, args: string[], source: string, setting: string, version: string, cwd: string}} Server
 * @typedef {{source: string, reason: string}} Tried
 * @typedef {{
 *   path?: string, interpreter?: string, trusted: boolean, folder?: string, extensionPath: string,
 *   pythonExtension?: () => Promise<string | undefined>, env?: NodeJS.ProcessEnv,
 *   probe?: typeof probe,
 * }} Options
 */

/**
 * The first server that answers, and why each one before it was passed over.
 * @param {Options} options
 * @returns {Promise<{server?: Server, tried: Tried[]}>}
 */
async function findServer(options) {
  const { trusted, folder, extensionPath, env = process.env } = options;
  const run = options.probe || probe;
  // Probes and servers run outside the workspace unless it is trusted: `python -c`/`-m` put the
  // current folder first on sys.path.
  const cwd = trusted && folder ? folder : extensionPath;
  /** @type {Tried[]} */
  const tried = [];
  const skip = (source, reason) => {
    tried.push({ source, reason });
    return undefined;
  };

  /** `<python> -m blastguard lsp` when Blastguard imports in that Python. */
  const viaInterpreter = async (python, source, setting) => {
    const result = await run(python, ['-c', IMPORT_VERSION], { cwd, env });
    if (result.code !== 0) {
      return skip(source, `${python}: Blastguard is not importable there (${why(result)})`);
    }
    return { command: python, args: ['-m', 'blastguard', 'lsp'], source, setting, version: versionOf(result.stdout), cwd };
  };

  /** The executable a command setting names; undefined (with the reason) or '' when unset. */
  const fromSetting = (setting, raw) => {
    const value = expand(raw, folder, trusted);
    if (value === undefined) {
      return skip(setting, `"${raw}" is in the workspace, which is not trusted`);
    }
    return value && (findExecutable(value, env) || skip(setting, `"${value}" was not found`));
  };

  const candidates = [
    async () => {
      const found = fromSetting('blastguard.path', options.path);
      if (!found) {
        return undefined;
      }
      const result = await run(found, ['--version'], { cwd, env });
      if (result.code !== 0) {
        return skip('blastguard.path', `${found} --version failed (${why(result)})`);
      }
      return { command: found, args: ['lsp'], source: 'blastguard.path', setting: 'blastguard.path',
        version: versionOf(result.stdout), cwd };
    },
    async () => {
      const found = fromSetting('blastguard.interpreter', options.interpreter);
      return found ? viaInterpreter(found, 'blastguard.interpreter', 'blastguard.interpreter') : undefined;
    },
    async () => {
      if (!trusted) {
        return undefined;
      }
      const python = options.pythonExtension ? await options.pythonExtension() : undefined;
      return python ? viaInterpreter(python, "the Python extension's interpreter", 'blastguard.interpreter')
        : skip("the Python extension's interpreter", 'no Python extension, or no interpreter selected');
    },
    async () => {
      if (!trusted || !folder) {
        return undefined;
      }
      const python = path.join(folder, '.venv', WINDOWS ? 'Scripts' : 'bin', WINDOWS ? 'python.exe' : 'python');
      return fs.existsSync(python) ? viaInterpreter(python, 'the workspace .venv', 'blastguard.interpreter')
        : skip('the workspace .venv', `${python} does not exist`);
    },
    async () => bundled(extensionPath, env, cwd, run, tried),
  ];
  for (const candidate of candidates) {
    const server = await candidate();
    if (server) {
      return { server, tried };
    }
  }
  return { tried };
}

/** The bundled server on the first Python from PATH that the extension has libraries for. */
async function bundled(extensionPath, env, cwd, run, tried) {
  const source = 'the bundled server';
  if (!fs.existsSync(launcher(extensionPath))) {
    tried.push({ source, reason: `${launcher(extensionPath)} is missing` });
    return undefined;
  }
  const seen = new Set();
  const refused = [];
  for (const name of PYTHON_NAMES) {
    const python = findExecutable(name, env);
    const real = python && fs.realpathSync(python);
    if (!python || seen.has(real)) {
      continue;
    }
    seen.add(real);
    const { command, args } = bundledCommand(extensionPath, python);
    const result = await run(command, [...args.slice(0, -1), '--version'], { cwd, env });
    if (result.code === 0) {
      return { command, args, source, setting: 'blastguard.interpreter', version: versionOf(result.stdout), cwd };
    }
    refused.push(result.code === NO_LIBRARIES ? why(result) : `${python}: ${why(result)}`);
  }
  tried.push({ source, reason: refused.length ? refused.join('; ')
    : `it needs Python 3.11, 3.12 or 3.13, and none of ${PYTHON_NAMES.join(', ')} is on PATH` });
  return undefined;
}

module.exports = { bundledCommand, expand, findExecutable, findServer, launcher, probe, PYTHON_NAMES };
