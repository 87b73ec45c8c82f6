// The recipes live in src/recipes.ts, published as `@receptive/models/recipes`; the scripts read
// them from the source so that a change to a recipe needs no build before training.
export { MODEL_NAMES, type ModelName } from '../../src/names.ts';
export * from '../../src/recipes.ts';
