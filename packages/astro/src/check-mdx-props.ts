/**
 * A remark plugin for MDX: the props a lesson writes on our components are checked while the
 * lesson compiles, so a bad one fails the build with the lesson's file, line and column, the
 * component, the prop and what it expects. Values written as literals (`kernel="edge"`,
 * `digit={3}`, `layers={['conv1']}`) are checked here; a computed value (`digit={n}`) is left to
 * the component, which checks every prop when the page renders.
 */
import { checkProps, componentDoc, PropError, SOURCE_PROP } from './docs.ts';

interface Point {
  line: number;
  column: number;
}
interface Position {
  start: Point;
  end: Point;
}
interface EstreeNode {
  type: string;
  [key: string]: unknown;
}
interface JsxAttribute {
  type: 'mdxJsxAttribute' | 'mdxJsxExpressionAttribute';
  name?: string;
  value?: string | null | { type: string; value: string; data?: { estree?: EstreeNode } };
  position?: Position;
}
interface Node {
  type: string;
  name?: string | null;
  attributes?: JsxAttribute[];
  children?: Node[];
  position?: Position;
}
/** The part of a VFile the plugin uses. */
interface File {
  path?: string;
  cwd?: string;
  fail(reason: string, place?: Position | Point): never;
}

/** Not a literal: the value is computed when the page renders. */
const COMPUTED = Symbol('computed');

/** The value of an estree expression made only of literals, else {@link COMPUTED}. */
export function literalValue(node: EstreeNode | undefined): unknown {
  if (!node) return COMPUTED;
  switch (node.type) {
    case 'Program': {
      const body = node['body'] as EstreeNode[];
      return body.length === 1 && body[0]!.type === 'ExpressionStatement'
        ? literalValue(body[0]!['expression'] as EstreeNode)
        : COMPUTED;
    }
    case 'Literal':
      return 'regex' in node || 'bigint' in node ? COMPUTED : node['value'];
    case 'TemplateLiteral': {
      const quasis = node['quasis'] as { value: { cooked: string } }[];
      return (node['expressions'] as unknown[]).length === 0 ? quasis[0]!.value.cooked : COMPUTED;
    }
    case 'UnaryExpression': {
      const v = literalValue(node['argument'] as EstreeNode);
      if (typeof v !== 'number') return COMPUTED;
      if (node['operator'] === '-') return -v;
      return node['operator'] === '+' ? v : COMPUTED;
    }
    case 'ArrayExpression': {
      const out: unknown[] = [];
      for (const el of node['elements'] as (EstreeNode | null)[]) {
        const v = el ? literalValue(el) : COMPUTED;
        if (v === COMPUTED) return COMPUTED;
        out.push(v);
      }
      return out;
    }
    case 'ObjectExpression': {
      const out: Record<string, unknown> = {};
      for (const p of node['properties'] as EstreeNode[]) {
        if (p.type !== 'Property' || p['computed'] || p['kind'] !== 'init') return COMPUTED;
        const key = p['key'] as EstreeNode;
        const name = key.type === 'Identifier' ? key['name'] : key['value'];
        if (typeof name !== 'string' && typeof name !== 'number') return COMPUTED;
        const v = literalValue(p['value'] as EstreeNode);
        if (v === COMPUTED) return COMPUTED;
        out[String(name)] = v;
      }
      return out;
    }
    default:
      return COMPUTED;
  }
}

/** Whether `name` is one of the integration's components. */
function isComponent(name: string): boolean {
  try {
    componentDoc(name);
    return true;
  } catch {
    return false;
  }
}

function checkElement(node: Node, file: File, bound: Set<string>): void {
  const name = node.name;
  if (!name || bound.has(name) || !isComponent(name)) return;
  const props: Record<string, unknown> = {};
  const places = new Map<string, Position | undefined>();
  let complete = true;
  for (const attr of node.attributes ?? []) {
    if (attr.type !== 'mdxJsxAttribute' || !attr.name) {
      complete = false; // {...spread}: some props are not known until the page renders
      continue;
    }
    places.set(attr.name, attr.position);
    const raw = attr.value;
    // `<Pooling animate />` is `animate={true}`.
    const value =
      raw === null || raw === undefined
        ? true
        : typeof raw === 'string'
          ? raw
          : literalValue(raw.data?.estree);
    if (value === COMPUTED) {
      complete = false;
      continue;
    }
    props[attr.name] = value;
  }
  try {
    checkProps(name, props, { partial: !complete });
  } catch (err) {
    if (!(err instanceof PropError)) throw err;
    const where = places.get(err.prop) ?? node.position;
    file.fail(`${file.path ?? 'MDX'}: ${err.message}`, where);
  }
  // A value computed in the lesson is checked when the page renders: the component's error
  // then names this place in the lesson too.
  if (!complete && node.position) {
    const at = node.position.start;
    node.attributes!.push({
      type: 'mdxJsxAttribute',
      name: SOURCE_PROP,
      value: `${relativePath(file)}:${at.line}:${at.column}`,
    });
  }
}

/** The file's path from where the build runs (the site's folder), as editors link it. */
function relativePath(file: File): string {
  const path = file.path ?? 'MDX';
  const cwd = file.cwd?.replace(/\/+$/, '');
  return cwd && path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
}

/**
 * Names the file imports from elsewhere than this package, or declares: components of its own
 * that happen to share a name with ours.
 */
function boundNames(tree: Node): Set<string> {
  const names = new Set<string>();
  for (const node of tree.children ?? []) {
    if (node.type !== 'mdxjsEsm') continue;
    const body = ((node as { data?: { estree?: EstreeNode } }).data?.estree?.['body'] ??
      []) as EstreeNode[];
    for (const s of body) {
      const from = (s['source'] as { value?: unknown } | undefined)?.value;
      if (typeof from === 'string' && from.startsWith('@receptive/astro')) continue;
      for (const spec of (s['specifiers'] ?? []) as { local?: { name?: string } }[]) {
        if (spec.local?.name) names.add(spec.local.name);
      }
      const decl = s['declaration'] as { declarations?: { id?: { name?: string } }[] } | undefined;
      for (const d of decl?.declarations ?? []) if (d.id?.name) names.add(d.id.name);
    }
  }
  return names;
}

/**
 * @example unified().use(remarkMdx).use(remarkCheckProps)
 * // <KernelLab kernel="sharpen" /> on line 12 of lesson.mdx fails the compile with
 * // "lesson.mdx:12:12: lesson.mdx: <KernelLab> kernel: received "sharpen", expected one of ..."
 */
export function remarkCheckProps() {
  return (tree: Node, file: File): void => {
    const bound = boundNames(tree);
    const visit = (node: Node) => {
      if (node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') {
        checkElement(node, file, bound);
      }
      for (const child of node.children ?? []) visit(child);
    };
    visit(tree);
  };
}
