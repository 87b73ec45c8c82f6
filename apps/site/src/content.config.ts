import { defineCollection } from 'astro:content';
import { lessonSchema } from '@receptive/astro/schema';
import { glob } from 'astro/loaders';

/**
 * One MDX file per lesson in `content/lessons/`; the file name (without `.mdx`) is the URL slug.
 * A lesson whose frontmatter breaks the schema fails the build with the field named.
 */
const lessons = defineCollection({
  loader: glob({ pattern: '**/*.mdx', base: '../../content/lessons' }),
  schema: lessonSchema,
});

export const collections = { lessons };
