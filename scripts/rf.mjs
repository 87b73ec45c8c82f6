#!/usr/bin/env node
// The two quick-start commands behind `npm start` and `npm test`. They run on whatever Node the
// machine has (20 or newer), fetch the pinned pnpm when it is missing, install the workspace
// (which brings the Node 24 that every workspace script then runs on) and go on from there.
// Only Node's built-in modules may be used here: nothing is installed yet when this starts.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MIN_NODE_MAJOR = 20;
const DEFAULT_PORT = 4321;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const PNPM_VERSION = pkg.packageManager.replace(/^pnpm@/, '');

const env = {
  ...process.env,
  ASTRO_TELEMETRY_DISABLED: '1',
  TURBO_TELEMETRY_DISABLED: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
  DO_NOT_TRACK: '1',
};

/** Prints one sentence that says what to do, and exits. */
function fail(sentence, code = 1) {
  console.error(`\n${sentence}\n`);
  process.exit(code);
}

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_NODE_MAJOR) {
    fail(
      `Receptive Field needs Node.js ${MIN_NODE_MAJOR} or newer to start (this is ${process.version}): install a current Node.js from https://nodejs.org or your package manager and run the command again.`,
    );
  }
}

/** The pnpm to run: the one on PATH if it is the pinned major version, else the pinned one via npx. */
function pnpmCommand() {
  try {
    const found = execFileSync('pnpm', ['--version'], { encoding: 'utf8', env }).trim();
    if (found.split('.')[0] === PNPM_VERSION.split('.')[0]) return ['pnpm'];
  } catch {
    // Not installed: fall through to npx.
  }
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
}

function run(cmd, args, failure) {
  const result = spawnSync(cmd, args, { cwd: ROOT, env, stdio: 'inherit' });
  if (result.error?.code === 'ENOENT') fail(`\`${cmd}\` was not found on PATH: ${failure}`);
  if (result.status !== 0) {
    if (failure) fail(failure, result.status ?? 1);
    process.exit(result.status ?? 1);
  }
}

function install(pnpm) {
  const frozen = existsSync(join(ROOT, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
  run(
    pnpm[0],
    [...pnpm.slice(1), 'install', ...frozen],
    'Installing the dependencies failed (pnpm says why above): check that the npm registry is reachable and run the command again.',
  );
}

const isExecutable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const CHROME_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** True where Debian's packages can be installed here (root on Debian with apt-get). */
const canApt = () =>
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  existsSync('/etc/debian_version') &&
  isExecutable('/usr/bin/apt-get');

/** Installs Debian packages with apt-get; true when it succeeded. */
function aptInstall(packages) {
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { env: aptEnv, stdio: 'inherit' });
  const res = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], {
    env: aptEnv,
    stdio: 'inherit',
  });
  return res.status === 0;
}

/**
 * The virtual display the hidden-tab test runs a headed Chromium on (headless Chromium keeps
 * every tab visible): Xvfb, installed from Debian's "xvfb" package where it is missing.
 */
function ensureXvfb() {
  if (isExecutable('/usr/bin/Xvfb')) return;
  if (canApt()) {
    console.log('No Xvfb found: installing Debian\'s "xvfb" package with apt-get (once).');
    if (aptInstall(['xvfb']) && isExecutable('/usr/bin/Xvfb')) return;
    fail('Installing Xvfb with apt-get failed (apt says why above): install it yourself.');
  }
  fail(
    'No Xvfb was found for the hidden-tab browser test: install it (Debian/Ubuntu: sudo apt-get install xvfb), then run the command again.',
  );
}

/** Finds Chrome/Chromium for the real-browser tests; installs Debian's when root on Debian. */
function ensureChrome() {
  if (process.env.CHROME_PATH) {
    if (isExecutable(process.env.CHROME_PATH)) return process.env.CHROME_PATH;
    fail(
      `CHROME_PATH is set to ${process.env.CHROME_PATH}, but no executable is there: point it at a Chrome or Chromium executable, or unset it.`,
    );
  }
  const found = CHROME_CANDIDATES.find(isExecutable);
  if (found) return found;
  if (canApt()) {
    console.log('No Chromium found: installing Debian\'s "chromium" package with apt-get (once).');
    if (aptInstall(['chromium', 'fonts-dejavu-core']) && isExecutable('/usr/bin/chromium')) {
      return '/usr/bin/chromium';
    }
    fail(
      'Installing Chromium with apt-get failed (apt says why above): fix that, or install Chrome or Chromium yourself and set CHROME_PATH to it.',
    );
  }
  fail(
    'No Chrome or Chromium was found for the browser tests: install one (Debian/Ubuntu: sudo apt-get install chromium; macOS: Google Chrome) or set CHROME_PATH=/path/to/chrome, then run the command again.',
  );
}

const portIsFree = (port) =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/** True when our own dev server already answers on the port (Astro allows one per project). */
async function servesThisSite(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return (await res.text()).includes('<title>Receptive Field');
  } catch {
    return false;
  }
}

async function choosePort() {
  if (await servesThisSite(process.env.PORT || DEFAULT_PORT)) {
    fail(
      `Receptive Field is already running at http://127.0.0.1:${process.env.PORT || DEFAULT_PORT}/ : open that, or stop it (Ctrl+C in its terminal) before starting another.`,
      0,
    );
  }
  if (process.env.PORT) {
    const port = Number(process.env.PORT);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      fail(`PORT is set to "${process.env.PORT}", which is not a port number: use 1 to 65535.`);
    }
    if (!(await portIsFree(port))) {
      fail(
        `Port ${port} is already in use by another program: stop that program, or choose another port, e.g. PORT=${port + 1} npm start.`,
      );
    }
    return port;
  }
  for (let port = DEFAULT_PORT; port < DEFAULT_PORT + 50; port++) {
    if (await portIsFree(port)) {
      if (port !== DEFAULT_PORT) console.log(`Port ${DEFAULT_PORT} is in use, so using ${port}.`);
      return port;
    }
  }
  fail(
    `Ports ${DEFAULT_PORT}-${DEFAULT_PORT + 49} are all in use: free one, or set PORT to a free port and run npm start again.`,
  );
}

async function waitForServer(url, child) {
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

async function start(pnpm) {
  install(pnpm);
  run(
    pnpm[0],
    [...pnpm.slice(1), 'exec', 'turbo', 'run', 'build', '--filter=@receptive/site^...'],
    'Building the packages the site uses failed (the error is above).',
  );
  const port = await choosePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = spawn(
    pnpm[0],
    [
      ...pnpm.slice(1),
      '--filter',
      '@receptive/site',
      'exec',
      'astro',
      'dev',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    { cwd: ROOT, env, stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
  if (await waitForServer(url, child)) {
    console.log(`\nReceptive Field is running at ${url}  (Ctrl+C stops it)\n`);
  }
}

function test(pnpm) {
  install(pnpm);
  env.CHROME_PATH = ensureChrome();
  if (process.platform === 'linux') ensureXvfb();
  console.log(`Browser tests use ${env.CHROME_PATH}`);
  run(pnpm[0], [...pnpm.slice(1), 'run', 'check']);
}

checkNode();
const command = process.argv[2];
const pnpm = pnpmCommand();
if (command === 'start') await start(pnpm);
else if (command === 'test') test(pnpm);
else fail(`Unknown command "${command ?? ''}": use \`npm start\` or \`npm test\`.`);
