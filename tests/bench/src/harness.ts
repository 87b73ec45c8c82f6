import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** One measured comparison: our figure, the peer's, and the ratio that the goal is about. */
export interface Row {
  /** What was measured, e.g. 'LeNet-style CNN forward, batch 1'. */
  workload: string;
  peer: string;
  /**
   * 'us/run' (lower is better) or 'examples/s' (higher is better); budget rows also use 'KB',
   * 'ms' (lower is better) and 'score' (a Lighthouse score, higher is better).
   */
  unit: 'us/run' | 'examples/s' | 'KB' | 'ms' | 'score';
  ours: number;
  theirs: number;
  /** How many times faster we are (>1: faster). */
  speedup: number;
  /** The goal for `speedup`, or null when there is none. */
  goal: number | null;
  runs: number;
  /** When `ours` is not a median of `runs`: what `runs` counts and which statistic it is, e.g. 'strokes, p95'. */
  stat?: string;
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

/** One contender of {@link timeInterleaved}: synchronous work, or work that returns a promise. */
export interface Contender {
  name: string;
  run: () => unknown;
  /** True when `run` returns a promise to wait for (it is awaited inside the timed span). */
  async?: boolean;
}

/** What {@link timeInterleaved} measured for one contender. */
export interface Timing {
  /** Median microseconds over all timed runs of every round. */
  median: number;
  /** Median of each round on its own: their spread shows how steady the machine was. */
  rounds: number[];
  runs: number;
}

/**
 * Times several contenders under the same conditions: each is warmed up `warmup` times first
 * (all of them, before any timing, so no one is measured while another's library is still
 * loading), then `rounds` rounds take `perRound` timed runs of each contender in turn. A
 * slow spell of the shared machine (another job, a GC of someone's heap) then lands on every
 * contender alike instead of on whoever happened to run during it.
 */
export async function timeInterleaved(
  contenders: readonly Contender[],
  opts: { warmup: number; rounds: number; perRound: number },
): Promise<Map<string, Timing>> {
  for (const c of contenders) {
    for (let i = 0; i < opts.warmup; i++) {
      if (c.async) await c.run();
      else c.run();
    }
  }
  const all = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const rounds = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < opts.rounds; r++) {
    for (const c of contenders) {
      const times: number[] = [];
      for (let i = 0; i < opts.perRound; i++) {
        const t0 = performance.now();
        if (c.async) await c.run();
        else c.run();
        times.push((performance.now() - t0) * 1000);
      }
      all.get(c.name)!.push(...times);
      rounds.get(c.name)!.push(median(times));
    }
  }
  return new Map(
    contenders.map((c) => {
      const xs = all.get(c.name)!;
      return [c.name, { median: median(xs), rounds: rounds.get(c.name)!, runs: xs.length }];
    }),
  );
}

/** A round-median spread as text, e.g. '61.2-64.0 us over 5 rounds'. */
export function spread(t: Timing): string {
  const lo = Math.min(...t.rounds);
  const hi = Math.max(...t.rounds);
  return `${lo.toFixed(1)}-${hi.toFixed(1)} us over ${t.rounds.length} rounds`;
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

/**
 * A row that holds a figure in ms to a budget it must stay under: the ratio is budget / measured
 * (the measured figure raised to `floor` first, so that a zero stays finite), the goal 1x.
 * `peer` defaults to 'budget <budget> ms'.
 */
export function budgetRow(o: {
  workload: string;
  ours: number;
  budget: number;
  runs: number;
  peer?: string;
  floor?: number;
  stat?: string;
}): Row {
  return {
    workload: o.workload,
    peer: o.peer ?? `budget ${o.budget} ms`,
    unit: 'ms',
    ours: o.ours,
    theirs: o.budget,
    speedup: o.budget / Math.max(o.ours, o.floor ?? 0),
    goal: 1,
    runs: o.runs,
    ...(o.stat ? { stat: o.stat } : {}),
  };
}
