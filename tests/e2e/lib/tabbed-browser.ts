/**
 * Chromium as a reader has it: a window with tabs, where switching tabs hides the one left
 * behind (`document.visibilityState` becomes "hidden", timers are throttled). Headless Chromium
 * keeps every page visible, and so does any Chromium Playwright attaches to (its own emulation
 * keeps pages focused and visible), so this drives a headed Chromium on a virtual X display
 * (Xvfb) over the DevTools protocol directly: a small client, no mocks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_ARGS, CHROME_PATH } from './browser.ts';

const XVFB = '/usr/bin/Xvfb';

/** One tab: evaluate in it, and what went wrong in it. */
export interface Tab {
  targetId: string;
  /** Evaluates `expression` in the tab (awaiting a promise it gives) and returns its value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy. */
  waitFor(expression: string, timeoutMs?: number): Promise<void>;
  /** Uncaught exceptions and console errors in the tab. */
  problems: string[];
}

export interface TabbedBrowser {
  /** Opens `url` in a new tab of the window and brings it to the front. */
  open(url: string): Promise<Tab>;
  /** Brings `tab` to the front; the tab that was in front is hidden. */
  show(tab: Tab): Promise<void>;
  close(): Promise<void>;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wait(50);
  }
}

/**
 * Starts Xvfb on a free display; resolves to the display number and the process. Elsewhere than
 * Linux, Chrome opens its window on the desktop the tests run on, and there is no Xvfb to start.
 */
async function startXvfb(): Promise<{ display: string | null; proc: ChildProcess | null }> {
  if (process.platform !== 'linux') return { display: null, proc: null };
  try {
    accessSync(XVFB, constants.X_OK);
  } catch {
    throw new Error(
      `No Xvfb at ${XVFB}: the hidden-tab test needs a virtual display (Debian: apt-get install xvfb; \`npm test\` installs it).`,
    );
  }
  const proc = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it started`)));
    proc.stdio[3]!.once('data', (d) => resolve(String(d).trim()));
  });
  return { display, proc };
}

/** Launches headed Chromium on a virtual display, one window, driven over the DevTools protocol. */
export async function launchTabbedBrowser(): Promise<TabbedBrowser> {
  const x = await startXvfb();
  const profile = mkdtempSync(join(tmpdir(), 'rf-tabs-'));
  const chrome = spawn(
    CHROME_PATH,
    [
      ...BASE_ARGS,
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      '--window-size=1280,800',
      'about:blank',
    ],
    {
      env: x.display ? { ...process.env, DISPLAY: `:${x.display}` } : process.env,
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => chrome.once('exit', () => resolve()));
  /** Stops Chromium (and Xvfb), waiting for it to exit before its profile is removed. */
  const kill = async () => {
    if (chrome.exitCode === null && chrome.signalCode === null) {
      chrome.kill();
      const gone = await Promise.race([exited.then(() => true), wait(5_000).then(() => false)]);
      if (!gone) {
        chrome.kill('SIGKILL');
        await Promise.race([exited, wait(5_000)]);
      }
    }
    x.proc?.kill();
    // Chromium's helper processes may still hold the profile for a moment: the removal retries.
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  let ws: WebSocket;
  try {
    // Chromium writes the port it chose, and the browser's endpoint, to DevToolsActivePort.
    const [port, path] = await until(
      'Chromium to open its DevTools port',
      () => {
        try {
          const lines = readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n');
          return lines[1] ? [lines[0]!, lines[1]] : undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
    );
    ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve, { once: true });
      ws.addEventListener('error', () => reject(new Error('could not reach Chromium')), {
        once: true,
      });
    });
  } catch (err) {
    await kill();
    throw err;
  }

  let nextId = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners = new Map<string, (params: Record<string, unknown>) => void>();
  // A browser that dies fails every command still waiting on it, instead of leaving it hanging.
  ws.addEventListener('close', () => {
    for (const p of pending.values())
      p.reject(new Error('Chromium closed its DevTools connection'));
    pending.clear();
  });
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(String(e.data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
      method?: string;
      params?: Record<string, unknown>;
      sessionId?: string;
    };
    if (m.id !== undefined) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m.result);
    } else if (m.method && m.sessionId) {
      listeners.get(m.sessionId)?.({ method: m.method, ...m.params });
    }
  });
  const send = <T>(method: string, params: object = {}, sessionId?: string) =>
    new Promise<T>((resolve, reject) => {
      if (ws.readyState !== WebSocket.OPEN) {
        reject(new Error(`Chromium's DevTools connection is closed (sending ${method})`));
        return;
      }
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  const browser: TabbedBrowser = {
    async open(url) {
      const { targetId } = await send<{ targetId: string }>('Target.createTarget', {
        url: 'about:blank',
        newWindow: false,
      });
      const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', {
        targetId,
        flatten: true,
      });
      const problems: string[] = [];
      listeners.set(sessionId, (p) => {
        if (p['method'] === 'Runtime.exceptionThrown') {
          const d = p['exceptionDetails'] as { text: string; exception?: { description?: string } };
          problems.push(`uncaught: ${d.exception?.description ?? d.text}`);
        } else if (p['method'] === 'Runtime.consoleAPICalled' && p['type'] === 'error') {
          const args = p['args'] as { value?: unknown; description?: string }[];
          problems.push(
            `console.error: ${args.map((a) => a.description ?? String(a.value)).join(' ')}`,
          );
        }
      });
      await send('Runtime.enable', {}, sessionId);
      await send('Page.enable', {}, sessionId);
      await send('Target.activateTarget', { targetId });
      await send('Page.navigate', { url }, sessionId);
      const evaluate = async <T>(expression: string): Promise<T> => {
        const r = await send<{
          result: { value?: T };
          exceptionDetails?: { exception?: { description?: string }; text: string };
        }>(
          'Runtime.evaluate',
          { expression, awaitPromise: true, returnByValue: true, userGesture: true },
          sessionId,
        );
        if (r.exceptionDetails) {
          throw new Error(
            r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? 'failed',
          );
        }
        return r.result.value as T;
      };
      const tab: Tab = {
        targetId,
        evaluate,
        async waitFor(expression, timeoutMs = 60_000) {
          const end = Date.now() + timeoutMs;
          while (!(await evaluate<unknown>(expression).catch(() => false))) {
            if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
            await wait(200);
          }
        },
        problems,
      };
      await tab.waitFor('document.readyState === "complete"');
      return tab;
    },
    async show(tab) {
      await send('Target.activateTarget', { targetId: tab.targetId });
    },
    async close() {
      ws.close();
      await kill();
    },
  };
  return browser;
}
