/**
 * Element ids for the components' captions and labels: unique within a build and the same on
 * every build (a counter, where `Math.random()` made each build's HTML differ).
 */
let next = 0;

/** @example uniqueId('rf-maps') // 'rf-maps-1' */
export function uniqueId(prefix: string): string {
  next += 1;
  return `${prefix}-${next}`;
}
