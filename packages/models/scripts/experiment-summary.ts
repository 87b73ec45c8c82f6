// Collects the runs of scripts/experiment.ts kept in experiments/*.log into experiments/SUMMARY.md:
// one row per run with its settings and what it measured, read from the log, never typed.
// Run: pnpm --filter @receptive/models exec node scripts/experiment-summary.ts
// With --check it writes nothing and fails if SUMMARY.md is not what the logs give (a test runs it).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('../experiments/', import.meta.url);
const DEFAULT_FOLD = 0;
const rows: string[] = [];
const missedByFold = new Map<number, number[][]>();

/** The augmentation of a run in a few words. */
function augmentation(a: Record<string, unknown> | null): string {
  if (!a) return 'none';
  return Object.entries(a)
    .map(([k, v]) =>
      typeof v === 'object' && v ? `${k} ${Object.values(v as object).join('/')}` : `${k} ${v}`,
    )
    .join(', ');
}
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.log'))
  .sort()) {
  const lines = readFileSync(new URL(file, dir), 'utf8').split('\n');
  const settings = JSON.parse(lines[0]!) as Record<string, unknown>;
  const final = lines.find((l) => l.startsWith('FINAL'));
  const m = final?.match(/validation ([\d.]+)% \((\d+) of 1000\), shift consistency ([\d.]+)%/);
  if (!m) throw new Error(`${file}: no FINAL line; is the run finished?`);
  const missed = lines.find((l) => l.startsWith('MISSED'));
  const fold = (settings.fold as number | undefined) ?? DEFAULT_FOLD;
  const net = `${settings.c1}/${settings.c2}, ${settings.kernel}x${settings.kernel}, padding ${settings.padding}, ${settings.pool} pool`;
  if (missed) {
    const list = missedByFold.get(fold) ?? [];
    list.push(JSON.parse(missed.slice('MISSED '.length)) as number[]);
    missedByFold.set(fold, list);
  }
  const notes: string[] = [];
  const tail = (settings.tailEpochs as number | undefined) ?? 0;
  if (tail > 0) {
    notes.push(
      `last ${tail} epochs with ${augmentation(settings.tailAugment as Record<string, unknown> | null)}`,
    );
  }
  const avg = lines
    .find((l) => l.startsWith('AVERAGED'))
    ?.match(/over (\d+) epochs.*\((\d+) of 1000\)/);
  if (avg) notes.push(`weights averaged over the last ${avg[1]} epochs: ${avg[2]} correct`);
  rows.push(
    `| [${file}](${file}) | ${fold} | ${net} | ${augmentation(settings.augment as Record<string, unknown> | null)} | ${settings.epochs} | ${settings.lr} | ${m[2]} | ${m[3]}% | ${notes.join('; ')} |`,
  );
}
const common = [...missedByFold.entries()]
  .sort(([a], [b]) => a - b)
  .filter(([, lists]) => lists.length > 1)
  .map(([fold, lists]) => {
    const all = lists[0]!.filter((i) => lists.every((l) => l.includes(i)));
    return `- Fold ${fold}: ${lists.length} runs logged which digits they missed; all of them missed ${all.length} (training-list positions ${all.join(', ')}).`;
  });
const table = [
  '# Candidate CNN recipes on the validation folds',
  '',
  'Written by `scripts/experiment-summary.ts` from the logs in this folder (each log starts with',
  'the full settings of its run). Every run trains on 7,000 of the 8,000 training digits and is',
  'measured on the other 1,000 (fold f: the f-th hundred of each digit, see `scripts/experiment.ts`).',
  'The held-out 2,000 are never used here.',
  '',
  '| log | fold | network | augmentation | epochs | lr | correct of 1000 | shift consistency | also |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
  'Digits that every run missed (from the runs whose log lists them):',
  '',
  ...common,
  '',
].join('\n');
const summary = new URL('SUMMARY.md', dir);
if (process.argv.includes('--check')) {
  if (readFileSync(summary, 'utf8') !== table) {
    console.error(
      'experiments/SUMMARY.md is stale: run scripts/experiment-summary.ts to rewrite it.',
    );
    process.exit(1);
  }
} else {
  writeFileSync(summary, table);
  console.log(table);
}
