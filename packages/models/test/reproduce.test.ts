import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const shippedLog = (name: string) =>
  JSON.parse(readFileSync(new URL(`../models/${name}.train.json`, import.meta.url), 'utf8'));

describe('the training script', () => {
  it('retraces the shipped logistic regression: its first epoch gives the same loss and accuracy, bit for bit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-train-'));
    try {
      execFileSync(
        process.execPath,
        ['scripts/train.ts', 'logreg', '--stop-after=1', `--out=${dir}`],
        { cwd: new URL('..', import.meta.url), stdio: 'pipe' },
      );
      const run = JSON.parse(readFileSync(join(dir, 'logreg.train.json'), 'utf8'));
      const shipped = shippedLog('logreg');
      expect(run.history).toHaveLength(1);
      expect(run.trainingExamples).toBe(60000);
      expect(run.history[0].loss).toBe(shipped.history[0].loss);
      expect(run.history[0].accuracy).toBe(shipped.history[0].accuracy);
      expect(run.history[0].lr).toBe(shipped.history[0].lr);
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
