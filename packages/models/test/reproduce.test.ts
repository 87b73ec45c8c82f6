import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelBytes } from './helpers.ts';

describe('the training script', () => {
  it('reproduces the shipped logistic regression bit for bit from its seed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-train-'));
    try {
      execFileSync(process.execPath, ['scripts/train.ts', 'logreg', `--out=${dir}`], {
        cwd: new URL('..', import.meta.url),
        stdio: 'pipe',
      });
      expect(new Uint8Array(readFileSync(join(dir, 'logreg.onnx')))).toEqual(modelBytes('logreg'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('the candidate runs', () => {
  it('are summarised in experiments/SUMMARY.md exactly as their logs say', () => {
    // Throws (with the script's message) when the summary and the logs disagree.
    execFileSync(process.execPath, ['scripts/experiment-summary.ts', '--check'], {
      cwd: new URL('..', import.meta.url),
      stdio: 'pipe',
    });
  });
});
