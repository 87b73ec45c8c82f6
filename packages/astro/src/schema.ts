/**
 * The frontmatter every lesson must have. The site's content collection uses it, so a lesson
 * whose frontmatter breaks it fails the build with the field named; the authoring page lists it.
 */
import { z } from 'astro/zod';

export const lessonSchema = z.object({
  title: z.string().min(1).describe('The lesson title, shown as its heading and in the list.'),
  summary: z
    .string()
    .min(1)
    .max(280)
    .describe('One sentence under the title and on the home page.'),
  order: z.number().int().nonnegative().describe('Position in the course (0, 1, 2, ...).'),
  section: z
    .string()
    .min(1)
    .optional()
    .describe('A kicker above the title, e.g. "Part 2 · Filters".'),
  minutes: z.number().int().positive().optional().describe('Reading time in minutes.'),
  draft: z.boolean().default(false).describe('Drafts are not built.'),
});

export type LessonFrontmatter = z.infer<typeof lessonSchema>;

/** One frontmatter field as the authoring page lists it. */
export interface FieldDoc {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  rules: string[];
  description: string;
}

/** The schema's fields, read from the schema itself (via its JSON Schema). */
export function lessonFields(): FieldDoc[] {
  const json = z.toJSONSchema(lessonSchema, { io: 'input' }) as {
    properties: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(json.properties).map(([name, p]) => {
    const rules: string[] = [];
    if (p['type'] === 'integer') rules.push('whole number');
    if (p['minLength'] !== undefined) rules.push(`at least ${p['minLength']} character`);
    if (p['maxLength'] !== undefined) rules.push(`at most ${p['maxLength']} characters`);
    if (p['minimum'] !== undefined) rules.push(`>= ${p['minimum']}`);
    if (p['exclusiveMinimum'] !== undefined) rules.push(`> ${p['exclusiveMinimum']}`);
    return {
      name,
      type: p['type'] === 'integer' ? 'number' : String(p['type']),
      required: json.required?.includes(name) ?? false,
      ...(p['default'] !== undefined ? { default: p['default'] } : {}),
      rules,
      description: String(p['description'] ?? ''),
    };
  });
}
