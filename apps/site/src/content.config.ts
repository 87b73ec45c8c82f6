import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

/**
 * One MDX file per lesson in `content/lessons/`; the file name (without `.mdx`) is the URL slug.
 * A lesson whose frontmatter breaks this schema fails the build with the field named.
 */
const lessons = defineCollection({
  loader: glob({ pattern: '**/*.mdx', base: '../../content/lessons' }),
  schema: z.object({
    title: z.string().min(1),
    summary: z.string().min(1).max(280),
    order: z.number().int().nonnegative(),
    section: z.string().min(1).optional(),
    minutes: z.number().int().positive().optional(),
    draft: z.boolean().default(false),
  }),
});

export const collections = { lessons };
