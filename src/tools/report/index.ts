/**
 * The plan-review report: who gets which vSphere privileges where, read from a cdktf synth output
 * ({@link readSynthOutput}), compared with another ({@link diffReports}), and what a saved Terraform plan of each stack
 * will really change ({@link planReport}); each rendered as Markdown for a pull-request comment. Plain Node: nothing
 * here loads cdktf. The `cdktf-kkp-vsphere report` command wraps it.
 *
 * ```ts
 * import { readSynthOutput, renderReportMarkdown } from 'cdktf-kkp-vsphere/report';
 * ```
 * @module cdktf-kkp-vsphere/report
 */
export * from './model';
export { readSynthOutput, SynthOutputError } from './read';
export { diffReports, hasChanges } from './diff';
export { renderReportMarkdown, renderDiffMarkdown } from './synth-report-markdown';
export type { MarkdownOptions } from './synth-report-markdown';
export { readKkpMetadata } from '../../contracts/review-metadata';
export type {
  KkpMetadata,
  KkpManagementMetadata,
  KkpPermissionMetadata,
  KkpEntityPermissionsMetadata,
  KkpAdditiveGrantMetadata,
  KkpRoleMetadata,
  KkpTemplateMetadata,
} from '../../contracts/review-metadata';
export { planReport, PlanInputError } from './plan';
export type { PlanInput } from './plan';
export { renderPlanMarkdown } from './plan-report-markdown';
export type { PlanMarkdownOptions } from './plan-report-markdown';

// For the CLI, verify and the tests: not part of the package's API.
/** @internal */
export { extractStack } from './extract';
/** @internal */
export { redactUrl } from '../../base/validation';
/** @internal */
export { parseJsonQuietly } from './read';
/** @internal */
export { grantKey } from './diff';
/** @internal */
export { mermaidDiagram, cell } from './synth-report-markdown';
/** @internal */
export { constructPathOf, additiveGrantFromInput } from '../../contracts/review-metadata';
/** @internal */
export { expressionInWords } from './words';
/** @internal */
export { checkPlanDocument, SENSITIVE, UNKNOWN } from './plan';
/** @internal */
export { GITHUB_COMMENT_LIMIT } from './plan-report-markdown';
