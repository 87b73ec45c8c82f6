// Runs every suite in src/suites/, prints a side-by-side table and writes RESULTS.md from the
// numbers measured in this run. Add a benchmark by adding a file to src/suites/ that
// default-exports a Suite.
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine, type Row, type Suite, versionOf } from './harness.ts';

const here = new URL('.', import.meta.url);
const only = process.argv[2];
const files = readdirSync(new URL('suites/', here))
  .filter((f) => f.endsWith('.ts') && (!only || f.includes(only)))
  .sort();

const versions = ['@receptive/core', '@tensorflow/tfjs', 'onnxruntime-web'].map(
  (p) => `${p} ${versionOf(p)}`,
);
const header = [`machine: ${machine()}`, `versions: ${versions.join(', ')}`];
for (const line of header) console.log(line);

const fmt = (v: number, unit: Row['unit']) =>
  unit === 'us/run'
    ? `${v.toFixed(1)} us`
    : unit === 'KB'
      ? `${v.toFixed(1)} KB`
      : unit === 'ms'
        ? `${v.toFixed(2)} ms`
        : unit === 'score'
          ? v.toFixed(0)
          : `${v.toFixed(0)} ex/s`;
const sections: { suite: string; rows: Row[]; log: string[] }[] = [];
for (const f of files) {
  const suite = (await import(new URL(`suites/${f}`, here).href)).default as Suite;
  console.log(`\n## ${suite.name}`);
  const log: string[] = [];
  const rows = await suite.run((line) => {
    log.push(line);
    console.log(`  ${line}`);
  });
  for (const r of rows) {
    const verdict =
      r.goal === null
        ? ''
        : r.speedup >= r.goal
          ? `goal >= ${r.goal}x: met`
          : `goal >= ${r.goal}x: MISSED`;
    console.log(
      `  ${r.workload} | vs ${r.peer}: ours ${fmt(r.ours, r.unit)}, theirs ${fmt(r.theirs, r.unit)} -> ${r.speedup.toFixed(2)}x (${verdict ? `${verdict}; ` : ''}${r.stat ? `${r.runs} ${r.stat}` : `median of ${r.runs}`})`,
    );
  }
  sections.push({ suite: suite.name, rows, log });
}

if (!only) {
  const lines = [
    '# Benchmark results',
    '',
    'Written by `pnpm bench` (tests/bench/src/run.ts) from the numbers of its last run; do not edit by hand.',
    '',
    `- date: ${new Date().toISOString().slice(0, 10)}`,
    `- ${header[0]}`,
    `- ${header[1]}`,
    '',
  ];
  for (const s of sections) {
    lines.push(`## ${s.suite}`, '', ...s.log.map((l) => `- ${l}`), '');
    lines.push(
      "| workload | peer | ours | peer's | speedup (ours vs peer) | goal | result | runs (median of) |",
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const r of s.rows) {
      const result = r.goal === null ? '' : r.speedup >= r.goal ? 'met' : '**missed**';
      lines.push(
        `| ${r.workload} | ${r.peer} | ${fmt(r.ours, r.unit)} | ${fmt(r.theirs, r.unit)} | ${r.speedup.toFixed(2)}x | ${r.goal === null ? '' : `>= ${r.goal}x`} | ${result} | ${r.stat ? `${r.runs} ${r.stat}` : r.runs} |`,
      );
    }
    lines.push('');
  }
  writeFileSync(fileURLToPath(new URL('../RESULTS.md', here)), `${lines.join('\n')}\n`);
  console.log('\nwrote tests/bench/RESULTS.md');
}
