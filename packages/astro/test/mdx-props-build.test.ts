import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ASTRO_CLI, siteEnv } from './astro-cli.ts';

// Real `astro build`s of sites whose lesson gives a component a prop it cannot take: each build
// must stop, and say where and what.

const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Builds the fixture site `name`; resolves to its exit code and its output, without colours. */
async function build(name: string): Promise<{ code: number | null; output: string }> {
  const root = fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));
  const outDir = mkdtempSync(join(tmpdir(), `rf-${name}-`));
  outDirs.push(outDir);
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [ASTRO_CLI, 'build', '--root', root, '--outDir', outDir],
      { env: siteEnv(), maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? 1) : 0,
          output: `${stdout}\n${stderr}`,
        }),
    );
    child.stdin?.end();
  });
  const colour = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  return { code: result.code, output: result.output.replace(colour, '') };
}

describe('a lesson with a bad prop', () => {
  it('written as it is: fails the build naming the MDX file, line and column, the component, the prop and what it expects', async () => {
    const { code, output } = await build('bad-prop');
    expect(code, output).not.toBe(0);
    // The file and where in it: line 15, where the kernel prop starts.
    expect(output).toContain('src/pages/lesson.mdx');
    expect(output).toMatch(/lesson\.mdx:15:24/);
    expect(output).toContain(
      '<KernelLab> kernel: received "sharpen", expected one of identity, box-blur, horizontal-edge, laplacian',
    );
    // The computed digit on line 11 is left to the page's render, and is good: nothing else.
    expect(output).not.toContain('<Pooling>');
  }, 180_000);

  it('computed in the lesson: fails when the page renders, naming the file and the element’s line too', async () => {
    const { code, output } = await build('bad-computed-prop');
    expect(code, output).not.toBe(0);
    expect(output).toContain(
      'src/pages/lesson.mdx:11:1: <Pooling> digit: received 10000, expected',
    );
  }, 180_000);
});
