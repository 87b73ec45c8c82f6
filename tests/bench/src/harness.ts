import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** One measured comparison: our figure, the peer's, and the ratio that the goal is about. */
export interface Row {
  /** What was measured, e.g. 'LeNet-style CNN forward, batch 1'. */
  workload: string;
  peer: string;
  /** 'us/run' (lower is better) or 'examples/s' (higher is better). */
  unit: 'us/run' | 'examples/s';
  ours: number;
  theirs: number;
  /** How many times faster we are (>1: faster). */
  speedup: number;
  /** The goal for `speedup`, or null when there is none. */
  goal: number | null;
  runs: number;
}

/** A group of benchmarks in its own file under src/suites/, run by src/run.ts. */
export interface Suite {
  name: string;
  run(log: (line: string) => void): Promise<Row[]>;
}

/** Median of an array of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `f` `warmup` times untimed (as many as timed, by default, so the JIT has settled), then `runs` times timed one by one; median microseconds. */
export async function timeMedian(f: () => unknown, runs: number, warmup = runs): Promise<number> {
  for (let i = 0; i < warmup; i++) await f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    times.push((performance.now() - t0) * 1000);
  }
  return median(times);
}

/** Same as {@link timeMedian} for synchronous work (no await between runs). */
export function timeMedianSync(f: () => unknown, runs: number, warmup = runs): number {
  for (let i = 0; i < warmup; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push((performance.now() - t0) * 1000);
  }
  return median(times);
}

/** Version of an installed package, read from its package.json next to this package. */
export function versionOf(pkg: string): string {
  const path = fileURLToPath(new URL(`../node_modules/${pkg}/package.json`, import.meta.url));
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/** The machine in one line. */
export function machine(): string {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown CPU'}, ${c.length} logical cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${process.platform} ${process.arch}, Node ${process.version}`;
}
