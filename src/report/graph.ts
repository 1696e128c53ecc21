// The dependency graph of a Plan in four formats: text for terminals, Mermaid (renders on GitHub as
// is), Graphviz DOT, and JSON. Each is a pure function of the Plan.

import type { MigrationNode, Plan } from '../compiler/plan.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import { plainStyle, type Style } from './style.js';

export type GraphFormat = 'text' | 'mermaid' | 'dot' | 'json';

export function renderGraph(plan: Plan, format: GraphFormat, style: Style = plainStyle): string {
  switch (format) {
    case 'text':
      return graphText(plan, style);
    case 'mermaid':
      return graphMermaid(plan);
    case 'dot':
      return graphDot(plan);
    case 'json':
      return `${JSON.stringify(graphJson(plan), null, 2)}\n`;
  }
}

function parentsOf(plan: Plan): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const edge of plan.edges) {
    const list = parents.get(edge.child) ?? [];
    if (!list.includes(edge.parent)) list.push(edge.parent);
    parents.set(edge.child, list);
  }
  return parents;
}

function movement(m: MigrationNode): string {
  return `${formatQualifiedName(m.from)} → ${formatQualifiedName(m.to)}`;
}

function graphText(plan: Plan, style: Style): string {
  const byName = new Map(plan.migrations.map((m) => [m.name, m]));
  const parents = parentsOf(plan);
  const width = Math.max(0, ...plan.migrations.map((m) => m.name.length));
  const lines = [
    `${plan.migrations.length} migration${plan.migrations.length === 1 ? '' : 's'} in ${plan.layers.length} layer${plan.layers.length === 1 ? '' : 's'}`,
  ];
  plan.layers.forEach((layer, i) => {
    lines.push('', style.bold(`layer ${i + 1}`));
    for (const name of layer) {
      const m = byName.get(name) as MigrationNode;
      const after = parents.get(name);
      const notes = [
        ...(after?.length ? [`after ${after.sort().join(', ')}`] : []),
        ...(m.fixups.length ? [`fix-up ${m.fixups.join(', ')}`] : []),
      ];
      const suffix = notes.length ? `  ${style.dim(`(${notes.join('; ')})`)}` : '';
      lines.push(`  ${style.cyan(name.padEnd(width))}  ${movement(m)}${suffix}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

/** Mermaid labels are double-quoted; quotes and angle brackets become Mermaid entity codes. */
function mermaidText(text: string): string {
  return text.replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;');
}

/** Migrations a Mermaid picture marks: changed against a base branch, or downstream of a change. */
export interface MermaidHighlight {
  readonly changed: readonly string[];
  readonly affected: readonly string[];
}

/** Mermaid's own limits (maxEdges, maxTextSize): past them it draws an error instead of the graph. */
export const MERMAID_MAX_EDGES = 500;
export const MERMAID_MAX_TEXT = 50_000;

/**
 * The graph as a Mermaid flowchart, one subgraph per layer. With `highlight`, changed migrations are
 * filled and affected ones outlined (classDef), so a reviewer sees what a change reaches.
 */
export function graphMermaid(plan: Plan, highlight?: MermaidHighlight): string {
  const ids = new Map(plan.migrations.map((m, i) => [m.name, `m${i}`]));
  const byName = new Map(plan.migrations.map((m) => [m.name, m]));
  const lines = ['flowchart LR'];
  plan.layers.forEach((layer, i) => {
    lines.push(`  subgraph layer${i + 1}["layer ${i + 1}"]`);
    for (const name of layer) {
      const m = byName.get(name) as MigrationNode;
      lines.push(
        `    ${ids.get(name)}["${mermaidText(name)}<br/><small>${mermaidText(movement(m))}</small>"]`,
      );
    }
    lines.push('  end');
  });
  for (const [pair, declaredOnly] of mermaidArrows(plan)) {
    const [parent, child] = pair.split('\u0000') as [string, string];
    lines.push(`  ${ids.get(parent)} ${declaredOnly ? '-.->' : '-->'} ${ids.get(child)}`);
  }
  for (const m of plan.migrations) {
    if (m.fixups.length === 0) continue;
    const id = ids.get(m.name);
    lines.push(`  ${id} -.->|"fix-up ${mermaidText(m.fixups.join(', '))}"| ${id}`);
  }
  if (highlight) lines.push(...highlightLines(highlight, ids));
  return `${lines.join('\n')}\n`;
}

/**
 * One arrow per parent and child, however many edges join them (a `ref` and the foreign key behind it
 * are one dependency to a reader): dashed only when every edge is a bare `dependsOn`.
 */
function mermaidArrows(plan: Plan): Map<string, boolean> {
  const arrows = new Map<string, boolean>();
  for (const edge of plan.edges) {
    const pair = `${edge.parent}\u0000${edge.child}`;
    arrows.set(pair, (arrows.get(pair) ?? true) && edge.kind === 'dependsOn');
  }
  return arrows;
}

/** The lines Mermaid counts against its edge limit: the arrows and the fix-up loops. */
export function mermaidEdgeCount(plan: Plan): number {
  return mermaidArrows(plan).size + plan.migrations.filter((m) => m.fixups.length > 0).length;
}

function highlightLines(highlight: MermaidHighlight, ids: ReadonlyMap<string, string>): string[] {
  const idsOf = (names: readonly string[]) => names.flatMap((n) => ids.get(n) ?? []);
  const changed = idsOf(highlight.changed);
  const affected = idsOf(highlight.affected);
  return [
    '  classDef changed fill:#fff1c2,stroke:#b7791f,stroke-width:3px,color:#1a1a1a',
    '  classDef affected stroke:#b7791f,stroke-width:2px,stroke-dasharray:5 3',
    ...(changed.length ? [`  class ${changed.join(',')} changed`] : []),
    ...(affected.length ? [`  class ${affected.join(',')} affected`] : []),
  ];
}

function dotText(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

function graphDot(plan: Plan): string {
  const byName = new Map(plan.migrations.map((m) => [m.name, m]));
  const lines = ['digraph ferry {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  for (const layer of plan.layers) {
    for (const name of layer) {
      const m = byName.get(name) as MigrationNode;
      lines.push(`  ${dotText(name)} [label=${dotText(`${name}\n${movement(m)}`)}];`);
    }
    lines.push(`  { rank=same; ${layer.map(dotText).join('; ')}; }`);
  }
  for (const edge of plan.edges) {
    const style = edge.kind === 'dependsOn' ? ' [style=dashed]' : '';
    lines.push(`  ${dotText(edge.parent)} -> ${dotText(edge.child)}${style};`);
  }
  for (const m of plan.migrations) {
    if (m.fixups.length)
      lines.push(
        `  ${dotText(m.name)} -> ${dotText(m.name)} [style=dotted, label=${dotText(`fix-up ${m.fixups.join(', ')}`)}];`,
      );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function graphJson(plan: Plan) {
  const layerOf = new Map(plan.layers.flatMap((layer, i) => layer.map((name) => [name, i + 1] as const)));
  const parents = parentsOf(plan);
  return {
    layers: plan.layers,
    migrations: plan.migrations.map((m) => ({
      name: m.name,
      from: m.from,
      to: m.to,
      layer: layerOf.get(m.name),
      parents: (parents.get(m.name) ?? []).sort(),
      fixups: m.fixups,
      file: m.location.file,
    })),
    edges: plan.edges,
  };
}
