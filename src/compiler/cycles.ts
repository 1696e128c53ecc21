// Finds dependency cycles and reports each with its members in order (a → b → c → a), so the user
// sees exactly which references to change.

import type { DirectedGraph } from 'graphology';

/** Strongly connected components with more than one node (Tarjan, iterative so deep graphs are safe). */
export function cyclicComponents(graph: DirectedGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];

  for (const root of [...graph.nodes()].sort()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; neighbours: string[]; next: number }> = [];
    const visit = (node: string) => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, neighbours: [...graph.outNeighbors(node)].sort(), next: 0 });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as (typeof work)[number];
      const neighbour = frame.neighbours[frame.next++];
      if (neighbour !== undefined) {
        if (!index.has(neighbour)) visit(neighbour);
        else if (onStack.has(neighbour)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(neighbour) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent)
        low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      for (;;) {
        const member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
        if (member === frame.node) break;
      }
      if (component.length > 1) components.push(component.sort());
    }
  }
  return components;
}

/** One cycle through `component`, starting at its first member: [a, b, c, a]. */
export function cycleThrough(graph: DirectedGraph, component: readonly string[]): string[] {
  const members = new Set(component);
  const start = component[0] as string;
  const previous = new Map<string, string>();
  const queue = [start];
  // Breadth-first from start until an edge leads back to it: the shortest cycle through start.
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of [...graph.outNeighbors(node)].sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at))
          path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [...component, start];
}
