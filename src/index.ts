// ferry as a library: load specs, compile and resolve plans, apply them and read back what was
// applied. The CLI is a thin layer over exactly these functions.

export { createExternalAgent } from './agents/external.js';
export type { Agent, AgentAnswer, AgentRequest, Proposal } from './agents/protocol.js';
export { buildAgents } from './agents/registry.js';
export { introspectPostgres } from './catalog/postgres/introspect.js';
export type { Catalog, CatalogColumn, CatalogTable } from './catalog/types.js';
export { readBaseLock } from './compiler/base-lock.js';
export { type CompileOptions, type CompileResult, compilePlan } from './compiler/compile.js';
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
  SourceTimeZone,
  ZoneSensitiveColumn,
} from './compiler/plan.js';
export { type PlanProjectOptions, type PlanProjectResult, planProject } from './compiler/plan-project.js';
export { restrictPlan, type Selection, selectMigrations } from './compiler/select.js';
export {
  type BaseLock,
  type ChangeKind,
  compareWithBase,
  type MigrationChange,
  type StateComparison,
} from './compiler/state-modified.js';
export { type DiffOptions, type DiffResult, type DiffSummary, diffProject } from './diff/diff-project.js';
export {
  DIFFERENCE_KINDS,
  type Difference,
  type DifferenceKind,
} from './diff/differences.js';
export { type DoctorOptions, doctorProject } from './doctor/doctor.js';
export type { CheckResult, CheckStatus, DoctorResult } from './doctor/types.js';
export {
  type Diagnostic,
  ERROR_CODES,
  type ErrorCode,
  FerryError,
  type Severity,
  type SourceLocation,
} from './errors.js';
export {
  type FinalizedMigration,
  type FinalizeOptions,
  type FinalizeResult,
  finalizeProject,
} from './finalize/finalize-project.js';
export { type InitOptions, type InitResult, initProject } from './init/init-project.js';
export { type Lockfile, lockPlan } from './lock/lockfile.js';
export type { PlanBasis } from './plan-file/basis.js';
export { planSavedPlan } from './plan-file/plan-saved-plan.js';
export { readBasis } from './plan-file/read-basis.js';
export { readSavedPlan, type SavedPlanFile, writeSavedPlan } from './plan-file/saved-plan-file.js';
export { formatDiagnostic, formatDiagnostics, githubAnnotation } from './report/diagnostics.js';
export { type DiffFormat, renderDiffJson, renderDiffMarkdown, renderDiffText } from './report/diff-report.js';
export { type GraphFormat, renderGraph } from './report/graph.js';
export {
  COMMENT_MAX_BYTES,
  type PlanReportInput,
  type RenderedPlanReport,
  renderPlanFailure,
  renderPlanReport,
} from './report/plan-comment.js';
export { renderPlanMarkdown, renderPlanText } from './report/plan-report.js';
export {
  type RollbackOptions,
  type RollbackResult,
  type RolledBackMigration,
  rollbackProject,
} from './rollback/rollback.js';
export { type ApplyOptions, type ApplyResult, applyProject } from './runner/apply.js';
export type { RunnerEvent } from './runner/events.js';
export type { SequenceAdvance } from './runner/sequences.js';
export { type LoadOptions, type LoadResult, loadSpecs } from './spec/load.js';
export type { MigrationSpec, ProjectSpec, QualifiedName, SpecSet } from './spec/types.js';
export { dropState, readStateContents, type StateContents, type StateObject } from './state/drop-state.js';
export { type MigrationStatus, readStatus } from './state/index.js';
export { maskUrl } from './util/mask-url.js';
export type {
  ColumnDifference,
  MigrationVerdict,
  OrphanFinding,
  RowProblem,
  SequenceFinding,
  VerifyResult,
  VerifyStatus,
} from './verify/types.js';
export { type VerifyOptions, verifyProject } from './verify/verify-project.js';
