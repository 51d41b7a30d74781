// Layer 5: the plan-review report of a cdktf synth output and of Terraform plans. Pure Node: nothing here loads cdktf.
export * from './model';
export { extractStack } from './extract';
export { redactUrl } from '../../base/validation';
export { readSynthOutput, SynthOutputError, parseJsonQuietly } from './read';
export { diffReports, grantKey, hasChanges } from './diff';
export { renderReportMarkdown, renderDiffMarkdown, mermaidDiagram, cell } from './synth-report-markdown';
export type { MarkdownOptions } from './synth-report-markdown';
export { readKkpMetadata, constructPathOf, additiveGrantFromInput } from '../../contracts/review-metadata';
export type {
  KkpMetadata,
  KkpManagementMetadata,
  KkpPermissionMetadata,
  KkpEntityPermissionsMetadata,
  KkpAdditiveGrantMetadata,
  KkpRoleMetadata,
  KkpTemplateMetadata,
} from '../../contracts/review-metadata';
export { expressionInWords } from './words';
export { planReport, checkPlanDocument, PlanInputError, SENSITIVE, UNKNOWN } from './plan';
export type { PlanInput } from './plan';
export { renderPlanMarkdown, GITHUB_COMMENT_LIMIT } from './plan-report-markdown';
export type { PlanMarkdownOptions } from './plan-report-markdown';
