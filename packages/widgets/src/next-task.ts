/**
 * Resolves in a task of its own (a zero-delay timer): what follows an `await nextTask()` runs
 * after the browser has had the chance to paint and to handle input. No DOM, so workers use it too.
 */
export const nextTask = (): Promise<void> => new Promise((done) => setTimeout(done, 0));
