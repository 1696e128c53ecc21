// ferry as a library: load specs, compile plans, select parts of them and render them. The CLI is a
// thin layer over exactly these functions.

export { type CompileResult, compilePlan } from './compiler/compile.js';
export { type LoadedPlan, loadPlan } from './compiler/load-plan.js';
export type {
  Classification,
  ColumnPlan,
  DependencyEdge,
  EdgeKind,
  MigrationNode,
  Origin,
  Plan,
  PlanDecision,
  PlanWarning,
} from './compiler/plan.js';
export { type PlanProjectOptions, type PlanProjectResult, planProject } from './compiler/plan-project.js';
export { restrictPlan, type Selection, selectMigrations } from './compiler/select.js';
export {
  type Diagnostic,
  ERROR_CODES,
  type ErrorCode,
  FerryError,
  type Severity,
  type SourceLocation,
} from './errors.js';
export { type InitOptions, type InitResult, initProject } from './init/init-project.js';
export { type Lockfile, lockPlan } from './lock/lockfile.js';
export { formatDiagnostic, formatDiagnostics, githubAnnotation } from './report/diagnostics.js';
export { type GraphFormat, renderGraph } from './report/graph.js';
export { renderPlanMarkdown, renderPlanText } from './report/plan-report.js';
export { type LoadOptions, type LoadResult, loadSpecs } from './spec/load.js';
export type { MigrationSpec, ProjectSpec, QualifiedName, SpecSet } from './spec/types.js';
export { maskUrl } from './util/mask-url.js';
