import { describe, expect, it } from 'vitest';
import { failedModuleUrl, importChunk } from '../src/import-chunk.js';

describe('failedModuleUrl', () => {
  it("reads the module's URL out of Chromium's and Firefox's errors, and none out of Safari's", () => {
    const url = 'http://127.0.0.1:4321/_astro/scenes-3d.fbSmaYa4.js';
    expect(
      failedModuleUrl(new TypeError(`Failed to fetch dynamically imported module: ${url}`)),
    ).toBe(url);
    expect(
      failedModuleUrl(new TypeError(`error loading dynamically imported module: ${url}`)),
    ).toBe(url);
    expect(failedModuleUrl(new TypeError(`(${url}?retry=1)`))).toBe(`${url}?retry=1`);
    expect(failedModuleUrl(new TypeError('Importing a module script failed.'))).toBeNull();
    expect(failedModuleUrl(undefined)).toBeNull();
  });
});

describe('importChunk', () => {
  it('imports the named URL with a fresh query after a failure that named it', async () => {
    // The first load fails naming a real module; the retry imports that module by its URL.
    const target = new URL('./helpers/chunk.ts', import.meta.url).href;
    let loads = 0;
    const failing = () => {
      loads++;
      return Promise.reject(
        new TypeError(`Failed to fetch dynamically imported module: ${target}`),
      );
    };
    await expect(importChunk('test-chunk', failing)).rejects.toThrow(/Failed to fetch/);
    const m = (await importChunk('test-chunk', failing)) as { CHUNK: string };
    expect(m.CHUNK).toBe('loaded');
    // The bundler's import is not asked again: the browser would answer it from its module map.
    expect(loads).toBe(1);
  });

  it('loads as the bundler resolved it while nothing has failed', async () => {
    const m = await importChunk('other-chunk', () => Promise.resolve({ answer: 42 }));
    expect(m.answer).toBe(42);
  });
});
