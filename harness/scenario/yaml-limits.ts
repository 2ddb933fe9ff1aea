// A scenario is a person's file, but it may come from a pull request: bounds that no real scenario,
// platform or testcase.yaml comes near, each failing with file and line rather than a hang, an
// exhausted heap or a stack trace.
import { isAlias, isCollection, isPair, type Document, type LineCounter, type Node } from 'yaml';

/** Real scenarios are a few KB; the gale matrix with every kernel suite is under 20 KB. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Scenario data is a few levels deep; Zephyr's testcase.yaml files reach five. */
export const MAX_YAML_DEPTH = 64;
/** Zephyr's testcase.yaml files use a handful of `<<: *anchor` merges; a bomb uses thousands. */
export const MAX_YAML_ALIASES = 100;
/**
 * Nodes the document would have with every alias written out. The classic bomb needs only ~80
 * aliases, nine deep, to stand for a billion strings: it is the expansion that is bounded.
 */
export const MAX_YAML_EXPANDED_NODES = 100_000;

export interface LimitProblem {
  line: number;
  column: number;
  problem: string;
  hint?: string;
}

export function sizeProblem(bytes: number): LimitProblem | undefined {
  if (bytes <= MAX_YAML_BYTES) return undefined;
  return {
    line: 1,
    column: 1,
    problem: `the file is ${(bytes / 1048576).toFixed(1)} MiB; tandem reads YAML files of at most ${MAX_YAML_BYTES / 1048576} MiB`,
    hint: 'is this the right file? a scenario lists suites and variants, not data',
  };
}

/** The parser's own recursion gives out long before the heap does: say what that means. */
export function isNestingOverflow(message: string): boolean {
  return /Maximum call stack size exceeded/.test(message);
}

export const NESTING_HINT = `YAML nested deeper than ${MAX_YAML_DEPTH} levels`;

/** Nesting depth and alias count, walked without recursion (the input is what is in doubt). */
export function structureProblem(doc: Document, lines: LineCounter): LimitProblem | undefined {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 1 }];
  let aliases = 0;
  const at = (node: unknown) => {
    const offset = (node as Node | null)?.range?.[0] ?? 0;
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (isAlias(node) && ++aliases > MAX_YAML_ALIASES) {
      return { ...at(node), problem: `more than ${MAX_YAML_ALIASES} YAML aliases (*${node.source}); refusing what looks like an alias bomb`, hint: 'write the values out, or use fewer anchors' };
    }
    if (!isCollection(node)) continue;
    if (depth > MAX_YAML_DEPTH) return { ...at(node), problem: `${NESTING_HINT}; no scenario needs that` };
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 });
        stack.push({ node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  // Bounded now: depth ≤ MAX_YAML_DEPTH per level of aliasing, ≤ MAX_YAML_ALIASES levels.
  const sizes = new Map<unknown, number>();
  let biggest: { node: unknown; size: number } | undefined;
  const expanded = (node: unknown): number => {
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let size = 1;
    if (isAlias(node)) {
      size = expanded(node.resolve(doc));
      if (!biggest || size > biggest.size) biggest = { node, size };
    } else if (isCollection(node)) {
      for (const item of node.items) {
        size += isPair(item) ? expanded(item.key) + expanded(item.value) : expanded(item);
        if (size > MAX_YAML_EXPANDED_NODES) break;
      }
    }
    sizes.set(node, Math.min(size, MAX_YAML_EXPANDED_NODES + 1));
    return Math.min(size, MAX_YAML_EXPANDED_NODES + 1);
  };
  if (expanded(doc.contents) > MAX_YAML_EXPANDED_NODES) {
    return {
      ...at(biggest?.node),
      problem: `YAML aliases expand to more than ${MAX_YAML_EXPANDED_NODES} values; refusing what looks like an alias bomb`,
      hint: 'write the values out, or use fewer anchors',
    };
  }
  return undefined;
}
