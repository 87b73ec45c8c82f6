import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ASTRO_CLI, siteEnv } from './astro-cli.ts';

// A real `astro build` of a site whose lesson gives <KernelLab> a kernel it does not know
// (test/fixtures/bad-prop): the build must stop, and say where and what.

const FIXTURE = fileURLToPath(new URL('./fixtures/bad-prop/', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'rf-bad-prop-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('a lesson with a bad prop', () => {
  it('fails the build naming the MDX file, its line, the component, the prop and what it expects', async () => {
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [ASTRO_CLI, 'build', '--root', FIXTURE, '--outDir', outDir],
        { env: siteEnv(), maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) =>
          resolve({
            code: err ? ((err as { code?: number }).code ?? 1) : 0,
            output: `${stdout}\n${stderr}`,
          }),
      );
      child.stdin?.end();
    });
    const output = result.output.replace(
      new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'),
      '',
    );
    expect(result.code, output).not.toBe(0);
    // The file and where in it: line 15, where the kernel prop starts.
    expect(output).toContain('src/pages/lesson.mdx');
    expect(output).toMatch(/lesson\.mdx:15:24/);
    expect(output).toContain('<KernelLab> kernel: received "sharpen", expected one of');
    expect(output).toContain('edge');
    // The computed digit on line 11 was left to the page's render: the build names nothing else.
    expect(output).not.toContain('<Pooling>');
  }, 180_000);
});
