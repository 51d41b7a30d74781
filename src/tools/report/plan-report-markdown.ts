// The plan report as a pull-request comment. Like tfcmt's plan comment it leads with Terraform's own counts and
// names every replaced and destroyed resource; unlike it, it says what each change means on vCenter (who gains or
// loses which role where) and shouts when a permission the stack never granted goes. Counts first, details folded,
// and the whole comment kept under GitHub's 65,536-character limit by cutting the longest lists, never the counts.
import { lostPermissionLines } from './synth-report-markdown';
import { cell, code, details, finish, inline, plural, table } from './markdown-blocks';
import { PlanItemChange, PlannedChangeFact, PlanPermissionChange, PlanReport, PlanStackReport } from './model';

/** GitHub refuses issue and pull-request comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65536;

/** Options of the plan renderer. */
export interface PlanMarkdownOptions {
  /** The heading of the comment; escaped, so it is always plain text. @default 'vSphere plan review' */
  readonly title?: string;
  /**
   * The longest the Markdown may be, in characters (UTF-16 code units, as GitHub counts). Lists are cut (with the
   * number left out) until it fits.
   * @default 60000 - room for a marker and a few lines around it below GitHub's limit
   */
  readonly maxLength?: number;
}

const ACTION_WORDS: Record<PlannedChangeFact['action'], string> = {
  create: 'create',
  update: 'update in place',
  delete: 'destroy',
  replace: 'replace (destroy and create)',
};

function why(c: PlannedChangeFact): string {
  return [
    c.forcedBy?.length ? `forced by ${c.forcedBy.map(code).join(', ')}` : '',
    c.reason ? `because ${cell(c.reason)}` : '',
  ]
    .filter((x) => x)
    .join(', ');
}

function permissionRows(rows: readonly PlanPermissionChange[]): string[][] {
  return rows.map((p) => [
    cell(p.object),
    cell(`${p.principal}${p.isGroup ? ' (group)' : ''}`),
    p.change === 'added' ? '➕ added' : p.change === 'removed' ? (p.origin === 'granted' ? '➖ removed' : '⛔ **removed**') : '🔄 changed',
    cell(p.beforeRole !== undefined ? `${p.beforeRole} → ${p.role}` : p.role),
    p.beforePropagate !== undefined ? `${p.beforePropagate ? 'yes' : 'no'} → ${p.propagate ? 'yes' : 'no'}` : p.propagate ? 'yes' : 'no',
    cell(p.management),
    cell(p.origin === 'kept' ? 'kept (existing)' : p.origin === 'foreign' ? 'NOT granted by this stack' : p.change === 'removed' ? 'this stack' : ''),
    cell(p.address),
  ]);
}

function itemLines(items: readonly PlanItemChange[]): string[] {
  return items.map(
    (i) =>
      `- ${ACTION_WORDS[i.action]}: ${i.beforeName !== undefined ? `${cell(i.beforeName)} → ` : ''}${cell(i.name)} ${code(i.address)}` +
      `${why(i) ? ` (${why(i)})` : ''}`,
  );
}

function counts(s: PlanStackReport): string {
  return `Plan: ${s.counts.add} to add, ${s.counts.change} to change, ${s.counts.destroy} to destroy.`;
}

/** Cuts a list to `limit` entries, saying how many were left out. */
function cut<T>(items: readonly T[], limit: number, render: (kept: readonly T[]) => string[]): string[] {
  if (items.length <= limit) return render(items);
  return [...render(items.slice(0, limit)), '', `… and ${items.length - limit} more, left out to fit a GitHub comment (see \`report --format json\`).`];
}

function stackSection(s: PlanStackReport, multi: boolean, limit: number): string[] {
  const out: string[] = [];
  if (multi) out.push(`### Stack ${code(s.name)}: ${counts(s)}`, '');
  if (s.errored) out.push('> [!WARNING]', '> This plan errored: Terraform stopped before planning everything, so this list is incomplete.', '');
  const perm = (k: PlanPermissionChange['change']) => s.permissions.filter((p) => p.change === k).length;
  const roleCount = (a: PlannedChangeFact['action']) => s.roles.filter((r) => r.action === a).length;
  const itemCount = (items: readonly PlannedChangeFact[], a: PlannedChangeFact['action']) => items.filter((r) => r.action === a).length;
  const row = (what: string, items: readonly PlannedChangeFact[]) => [
    what,
    String(itemCount(items, 'create')),
    String(itemCount(items, 'update')),
    String(itemCount(items, 'replace')),
    String(itemCount(items, 'delete')),
  ];
  const countRows = [
    ['Roles', String(roleCount('create')), String(roleCount('update')), String(roleCount('replace')), String(roleCount('delete'))],
    row('Folders', s.folders),
    row('Templates', s.templates),
    row('Kubernetes secrets', s.secrets),
    row('Other resources', s.other),
  ].filter((r) => r.slice(1).some((n) => n !== '0'));
  if (countRows.length) out.push(...table(['', 'create', 'update', 'replace', 'destroy'], countRows), '');
  out.push(
    `Permissions: **${perm('added')} added, ${perm('changed')} changed, ${perm('removed')} removed** on ` +
      `${plural(new Set(s.permissions.map((p) => p.object)).size, 'object')}` +
      `${s.lostPermissions.length ? `, of which **${s.lostPermissions.length} not granted by this stack**` : ''}.`,
    '',
  );
  if (s.replacements.length) {
    out.push(
      `#### Replaced: ${plural(s.replacements.length, 'resource')} destroyed and created again`,
      '',
      ...cut(s.replacements, limit, (r) => r.map((c) => `- ${code(c.address)}${why(c) ? `: ${why(c)}` : ''}`)),
      '',
    );
  }
  const destroyed = s.changes.filter((c) => c.action === 'delete');
  if (destroyed.length) {
    out.push(
      `#### Destroyed: ${plural(destroyed.length, 'resource')}`,
      '',
      ...cut(destroyed, limit, (r) => r.map((c) => `- ${code(c.address)}${why(c) ? `: ${why(c)}` : ''}`)),
      '',
    );
  }
  if (s.permissions.length) {
    out.push(
      ...details(
        `Permissions per object: ${perm('added')} added, ${perm('changed')} changed, ${perm('removed')} removed`,
        cut(s.permissions, limit, (rows) =>
          table(['Object', 'Principal', 'Change', 'Role', 'Propagate', 'Management', 'Granted by', 'Terraform address'], permissionRows(rows)),
        ),
      ),
    );
  }
  if (s.roles.length) {
    const lines = cut(s.roles, limit, (rows) =>
      rows.map((r) => {
        const privs = [
          r.privilegesAdded.length ? `+ ${r.privilegesAdded.map(code).join(', ')}` : '',
          r.privilegesRemoved.length ? `− ${r.privilegesRemoved.map(code).join(', ')}` : '',
        ].filter((x) => x);
        return (
          `- ${ACTION_WORDS[r.action]}: ${r.beforeName ? `${cell(r.beforeName)} → ` : ''}**${cell(r.name)}** ` +
          `(${plural(r.privilegeCount, 'privilege')}) ${code(r.address)}${why(r) ? ` (${why(r)})` : ''}` +
          (r.action === 'update' || r.action === 'replace' ? (privs.length ? `<br>${privs.join('<br>')}` : '') : '')
        );
      }),
    );
    out.push(...details(`Roles: ${roleCount('create')} created, ${roleCount('update')} changed, ${roleCount('replace')} replaced, ${roleCount('delete')} destroyed`, lines));
  }
  if (s.folders.length) out.push(...details(`Folders: ${plural(s.folders.length, 'change')}`, cut(s.folders, limit, itemLines)));
  if (s.templates.length) out.push(...details(`Templates: ${plural(s.templates.length, 'change')}`, cut(s.templates, limit, itemLines)));
  if (s.secrets.length) {
    out.push(
      ...details(
        `Kubernetes secrets: ${plural(s.secrets.length, 'change')} (names only, never values)`,
        cut(s.secrets, limit, (rows) =>
          rows.map(
            (x) =>
              `- ${ACTION_WORDS[x.action]}: ${cell(x.namespace)}/${cell(x.name)}${x.provider ? ` via ${cell(x.provider)}` : ''} ${code(x.address)}` +
              `${why(x) ? ` (${why(x)})` : ''}`,
          ),
        ),
      ),
    );
  }
  if (s.other.length) {
    out.push(
      ...details(
        `Other resources: ${plural(s.other.length, 'change')}`,
        cut(s.other, limit, (rows) => rows.map((c) => `- ${ACTION_WORDS[c.action]}: ${code(c.address)}${why(c) ? ` (${why(c)})` : ''}`)),
      ),
    );
  }
  if (s.changes.length) {
    const byAction = (a: PlannedChangeFact['action']) => s.changes.filter((c) => c.action === a);
    out.push(
      ...details(
        `Every resource change by address: ${plural(s.changes.length, 'resource')}`,
        cut(s.changes, limit, (rows) =>
          (['create', 'update', 'replace', 'delete'] as const).flatMap((a) => {
            const these = rows.filter((c) => c.action === a);
            return these.length ? [`- ${ACTION_WORDS[a]} (${byAction(a).length}): ${these.map((c) => code(c.address)).join(', ')}`] : [];
          }),
        ),
      ),
    );
  }
  if (s.drift.length) {
    out.push(
      ...details(
        `Changed outside Terraform since the last apply: ${plural(s.drift.length, 'resource')}`,
        cut(s.drift, limit, (rows) => rows.map((d) => `- ${code(d.address)}: ${cell(d.what)}`)),
      ),
    );
  }
  return out;
}

function render(report: PlanReport, options: PlanMarkdownOptions, limit: number): string {
  const multi = report.stacks.length > 1;
  const out: string[] = [`## ${inline(options.title ?? 'vSphere plan review')}`, ''];
  // The counts of every stack come first, as in Terraform's and tfcmt's summaries.
  for (const s of report.stacks) {
    out.push(
      `- ${code(s.name)}: **${counts(s)}**${s.counts.replace ? ` (${plural(s.counts.replace, 'replacement')})` : ''}` +
        `${s.lostPermissions.length ? ` ⛔ ${plural(s.lostPermissions.length, 'permission')} not granted by this stack removed` : ''}` +
        `${s.errored ? ' (plan errored)' : ''}`,
    );
  }
  out.push('');
  const lost = report.stacks.flatMap((s) => s.lostPermissions);
  out.push(...(lost.length > limit ? [...lostPermissionLines(lost.slice(0, limit), multi), `> … and ${lost.length - limit} more.`, ''] : lostPermissionLines(lost, multi)));
  for (const s of report.stacks) out.push(...stackSection(s, multi, limit));
  return finish(out);
}

/** The plan report as Markdown, within `maxLength` characters. */
export function renderPlanMarkdown(report: PlanReport, options: PlanMarkdownOptions = {}): string {
  const max = options.maxLength ?? 60000;
  // Start with nothing cut: every list whole (the caution list spans the stacks). Leaving a list out of this maximum
  // cut it in a comment of any size (a real plan of 2 replacements and a role update lost its third change line).
  let limit = Math.max(
    1,
    report.stacks.reduce((n, s) => n + s.lostPermissions.length, 0),
    ...report.stacks.flatMap((s) => [
      s.permissions.length,
      s.roles.length,
      s.folders.length,
      s.templates.length,
      s.secrets.length,
      s.other.length,
      s.changes.length,
      s.drift.length,
      s.replacements.length,
    ]),
  );
  let text = render(report, options, limit);
  while (text.length > max && limit > 1) {
    limit = Math.max(1, Math.floor(limit / 2));
    text = render(report, options, limit);
  }
  if (text.length > max) {
    const note = '\n\n(cut: the report does not fit a GitHub comment; run `report --format json` for all of it)\n';
    text = text.slice(0, max - note.length) + note;
  }
  return text;
}
