// Layer 5: the plan-review report of a cdktf synth output. Pure Node: nothing here loads cdktf.
export * from './model';
export { extractStack, redactUrl } from './extract';
export { readSynthOutput, SynthOutputError } from './read';
export { diffReports, grantKey, hasChanges } from './diff';
export { renderReportMarkdown, renderDiffMarkdown, mermaidDiagram, cell } from './markdown';
export type { MarkdownOptions } from './markdown';
