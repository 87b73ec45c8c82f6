// Collects the runs of scripts/experiment.ts kept in experiments/*.log into experiments/SUMMARY.md:
// one row per run with its settings and what it measured, read from the log, never typed.
// Run: pnpm --filter @receptive/models exec node scripts/experiment-summary.ts
// With --check it writes nothing and fails if SUMMARY.md is not what the logs give (a test runs it).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('../experiments/', import.meta.url);
const rows: string[] = [];
const missedLists: number[][] = [];

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
  const m = final?.match(/validation ([\d.]+)% \((\d+) of (\d+)\), shift consistency ([\d.]+)%/);
  if (!m) throw new Error(`${file}: no FINAL line; is the run finished?`);
  const model = (settings.model as string | undefined) ?? 'cnn';
  const missed = lines.find((l) => l.startsWith('MISSED'));
  if (missed && model === 'cnn')
    missedLists.push(JSON.parse(missed.slice('MISSED '.length)) as number[]);
  const net =
    model === 'cnn'
      ? `CNN ${settings.c1}/${settings.c2}, ${settings.kernel}x${settings.kernel}, padding ${settings.padding}, ${settings.pool} pool`
      : `the \`${model}\` recipe's layers`;
  const notes: string[] = [];
  const avg = lines
    .find((l) => l.startsWith('AVERAGED'))
    ?.match(/over (\d+) epochs.*\((\d+) of \d+\)/);
  if (avg) notes.push(`weights averaged over the last ${avg[1]} epochs: ${avg[2]} correct`);
  const clean = Number(settings.clean ?? 0);
  if (clean > 0) notes.push(`the last ${clean} epochs without augmentation`);
  const teacher = settings.teacher as {
    pool: string;
    c1: number;
    c2: number;
    epochs: number;
  } | null;
  if (teacher) {
    const taught = lines
      .find((l) => l.startsWith('TEACHER'))
      ?.match(/\((\d+) of \d+\), shift consistency ([\d.]+)%/);
    notes.push(
      `distilled (T ${settings.temperature}, alpha ${settings.alpha}) from a CNN ${teacher.c1}/${teacher.c2} with ${teacher.pool} pool trained ${teacher.epochs} epochs${taught ? `, which reads ${taught[1]} (shift consistency ${taught[2]}%)` : ''}`,
    );
  }
  rows.push(
    `| [${file}](${file}) | ${net} | ${augmentation(settings.augment as Record<string, unknown> | null)} | ${settings.epochs} | ${settings.lr} | ${m[2]} of ${m[3]} (${m[1]}%) | ${m[4]}% | ${notes.join('; ')} |`,
  );
}
const table = [
  '# Candidate recipes on the validation split',
  '',
  'Written by `scripts/experiment-summary.ts` from the logs in this folder (each log starts with',
  'the full settings of its run). Every run trains on 55,000 of the 60,000 MNIST training digits',
  'and is measured on the other 5,000 (500 of each digit, seeded; `validationSplit` in',
  '`scripts/lib/data.ts`). The official 10,000 test digits are never used here. The runs on the',
  'earlier 8,000-digit training set are kept, with their own summary, in `8000-digits/`.',
  '',
  '| log | network | augmentation | epochs | lr | correct | shift consistency | also |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
  ...(missedLists.length > 1
    ? [
        `Validation digits that all ${missedLists.length} CNN runs missed (indices into the training digits): ${missedLists[0]!.filter((i) => missedLists.every((l) => l.includes(i))).join(', ')}.`,
        '',
      ]
    : []),
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
