/**
 * A remark plugin for MDX: every component of the integration that a lesson uses is imported
 * for it, so authors write `<KernelLab />` without an import line. A name the file imports or
 * defines itself is left alone.
 */

interface Node {
  type: string;
  name?: string | null;
  children?: Node[];
  data?: { estree?: { body?: EstreeNode[] } };
}
interface EstreeNode {
  type: string;
  specifiers?: { local?: { name?: string } }[];
  declaration?: { declarations?: { id?: { name?: string } }[] };
}

function usedNames(tree: Node, into = new Set<string>()): Set<string> {
  if ((tree.type === 'mdxJsxFlowElement' || tree.type === 'mdxJsxTextElement') && tree.name) {
    into.add(tree.name);
  }
  for (const child of tree.children ?? []) usedNames(child, into);
  return into;
}

function boundNames(tree: Node): Set<string> {
  const names = new Set<string>();
  for (const node of tree.children ?? []) {
    if (node.type !== 'mdxjsEsm') continue;
    for (const s of node.data?.estree?.body ?? []) {
      for (const spec of s.specifiers ?? []) if (spec.local?.name) names.add(spec.local.name);
      for (const d of s.declaration?.declarations ?? []) if (d.id?.name) names.add(d.id.name);
    }
  }
  return names;
}

/** An ESM node `import Name from 'path'` with the estree MDX compiles from. */
function importNode(name: string, path: string): Node & { value: string } {
  const raw = JSON.stringify(path);
  return {
    type: 'mdxjsEsm',
    value: `import ${name} from ${raw};`,
    data: {
      estree: {
        type: 'Program',
        sourceType: 'module',
        body: [
          {
            type: 'ImportDeclaration',
            specifiers: [{ type: 'ImportDefaultSpecifier', local: { type: 'Identifier', name } }],
            source: { type: 'Literal', value: path, raw },
            attributes: [],
          },
        ],
      },
    } as unknown as Node['data'],
  };
}

/**
 * @param components tag name -> absolute path of its `.astro` file
 * @example unified().use(remarkMdx).use(remarkAutoImport, { KernelLab: '/abs/KernelLab.astro' })
 */
export function remarkAutoImport(components: Record<string, string>) {
  return (tree: Node): void => {
    const used = usedNames(tree);
    const bound = boundNames(tree);
    const imports = Object.entries(components)
      .filter(([name]) => used.has(name) && !bound.has(name))
      .map(([name, path]) => importNode(name, path));
    tree.children?.unshift(...imports);
  };
}
