/**
 * The published packages, in the order they build on each other. Each has an API reference at
 * `/api/<slug>/`, generated from its TSDoc when the site builds (src/integrations/api-docs.ts);
 * each package's README links that path.
 */
import astro from '@receptive/astro/package.json' with { type: 'json' };
import core from '@receptive/core/package.json' with { type: 'json' };
import models from '@receptive/models/package.json' with { type: 'json' };
import onnx from '@receptive/onnx/package.json' with { type: 'json' };
import render3d from '@receptive/render3d/package.json' with { type: 'json' };
import widgets from '@receptive/widgets/package.json' with { type: 'json' };

export interface PublishedPackage {
  /** `core` for `@receptive/core`: its API reference is at `/api/core/`. */
  slug: string;
  name: string;
  description: string;
}

export const PACKAGES: readonly PublishedPackage[] = [
  core,
  onnx,
  models,
  render3d,
  widgets,
  astro,
].map(({ name, description }) => ({
  slug: name.replace(/^@receptive\//, ''),
  name,
  description,
}));

/** `path` (no leading slash) under the site's base (`import.meta.env.BASE_URL`, `config.base`). */
export const withBase = (base: string, path = ''): string => `${base.replace(/\/$/, '')}/${path}`;

/** The path of a package's API reference, or of the list of them, under the site's base. */
export const apiHref = (base: string, slug?: string): string =>
  withBase(base, slug ? `api/${slug}/` : 'api/');
