/**
 * Dynamic imports of code chunks that a Retry can really retry. A browser may keep a failed
 * module import in its module map and answer every later import of the same URL with the same
 * failure, without asking the network again (Chromium 150 does; 156 fetches again). Where the
 * error names the module's URL (Chromium's and Firefox's do), a later try imports that URL with
 * a fresh query instead, which the browser fetches as a new module.
 */

/** The module URL a failed dynamic import's error names, or null (Safari names none). */
export function failedModuleUrl(err: unknown): string | null {
  const message = String((err as Error | undefined)?.message ?? err ?? '');
  return (
    /(?:https?|file):\/\/[^\s'"()]+?\.m?[jt]s(?:\?[^\s'"()]*)?(?=[\s'"()]|$)/.exec(message)?.[0] ??
    null
  );
}

const failures = new Map<string, { url: string; tries: number }>();

/**
 * `load()` (an `import('./chunk.js')` the bundler resolves), or after a failure that named its
 * URL, that URL with `?retry=n`. `key` names the chunk (one record per chunk per page).
 * @example const { Scene } = await importChunk('scenes-3d', () => import('./scenes-3d.js'));
 */
export async function importChunk<T>(key: string, load: () => Promise<T>): Promise<T> {
  const failed = failures.get(key);
  try {
    if (!failed) return await load();
    failed.tries++;
    const url = `${failed.url}${failed.url.includes('?') ? '&' : '?'}retry=${failed.tries}`;
    return (await import(/* @vite-ignore */ url)) as T;
  } catch (err) {
    const url = failedModuleUrl(err);
    if (!failed && url) failures.set(key, { url, tries: 0 });
    throw err;
  }
}
