import type { CDPSession } from 'playwright-core';

/**
 * Chromium's network throttling for the page `cdp` is attached to (and its workers' requests):
 * `down` and `up` in bytes per second, `latencyMs` added to each request. `unthrottle` lifts it.
 * @example await throttle(await context.newCDPSession(page), { down: 120_000 });
 */
export async function throttle(
  cdp: CDPSession,
  { down, up = down, latencyMs = 0 }: { down: number; up?: number; latencyMs?: number },
): Promise<void> {
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: latencyMs,
    downloadThroughput: down,
    uploadThroughput: up,
  });
}

/** Lifts {@link throttle}: the network at full speed again. */
export const unthrottle = (cdp: CDPSession): Promise<void> => throttle(cdp, { down: -1, up: -1 });
