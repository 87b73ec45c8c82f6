/** A module for import-chunk.test.ts to import by URL. */
export const CHUNK = 'loaded';
