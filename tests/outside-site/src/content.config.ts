import { defineCollection } from 'astro:content';
import { lessonSchema } from '@receptive/astro/schema';
import { glob } from 'astro/loaders';

const lessons = defineCollection({
  loader: glob({ pattern: '**/*.mdx', base: './src/content/lessons' }),
  schema: lessonSchema,
});

export const collections = { lessons };
