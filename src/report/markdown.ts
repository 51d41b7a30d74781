// GitHub Markdown for a pull-request comment: tables with escaped cells, collapsible privilege lists, a Mermaid
// diagram. Deterministic: everything arrives sorted from the model.
import { hasChanges } from './diff';
import { GrantFact, PrivilegeChange, Report, ReportDiff, RoleFact, StackReport, WarningFact } from './model';

/** Text for a table cell: `|` and `\` (principals are `DOMAIN\name`) and inline Markdown characters escaped. */
export function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\|`*_[\]<>~&]/g, (c) => `\\${c}`);
}

/** Text inside HTML (`<summary>`). */
function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A code span outside tables, safe for backticks in the text. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function principalText(g: { principal: string; isGroup: boolean }): string {
  return `${g.principal}${g.isGroup ? ' (group)' : ''}`;
}

function objectType(g: GrantFact): string {
  return g.entityType ?? (g.kind ? `${g.kind} (type read at plan)` : '?');
}

function roleText(g: GrantFact): string {
  return g.grantedRoles ? `${g.role} (merged: ${g.grantedRoles.join(' + ')})` : g.role;
}

function managementText(g: GrantFact): string {
  return g.kept ? `${g.management}, kept (existing)` : g.management;
}

function grantRows(grants: readonly (GrantFact & { stack?: string })[], withStack: boolean): string[][] {
  return grants.map((g) => [
    ...(withStack ? [cell(g.stack ?? '')] : []),
    cell(g.object),
    cell(objectType(g)),
    cell(principalText(g)),
    cell(roleText(g)),
    g.propagate ? 'yes' : 'no',
    cell(managementText(g)),
  ]);
}

const GRANT_HEADER = ['Object', 'Type', 'Principal', 'Role', 'Propagate', 'Management'];

function warningLines(warnings: readonly (WarningFact & { stack?: string })[], withStack: boolean): string[] {
  if (!warnings.length) return [];
  return [
    '> [!WARNING]',
    ...warnings.map((w) => `> - ${withStack && w.stack ? `${cell(w.stack)}: ` : ''}${cell(w.message)}`),
    '',
  ];
}

function privilegeList(privileges: readonly string[]): string[] {
  return privileges.map((p) => `- ${code(p)}`);
}

function roleSection(stack: StackReport): string[] {
  const custom = stack.roles.filter((r) => r.origin === 'custom');
  const referenced = stack.roles.filter((r) => r.origin !== 'custom');
  const out: string[] = [];
  if (custom.length) {
    out.push(
      ...table(
        ['Role', 'vSphere', 'Privileges', 'Description'],
        custom.map((r) => [cell(r.name), cell(r.vsphereVersion ?? '?'), r.privileges ? String(r.privileges.length) : 'computed', cell(r.description ?? '')]),
      ),
      '',
    );
    for (const r of custom) {
      if (!r.privileges) continue;
      out.push(
        `<details><summary>${html(r.name)}: ${plural(r.privileges.length, 'privilege')}</summary>`,
        '',
        ...privilegeList(r.privileges),
        '',
        '</details>',
        '',
      );
    }
  } else {
    out.push('The stack creates no roles.', '');
  }
  if (referenced.length) {
    out.push(
      `Referenced, not created: ${referenced.map((r) => `${cell(r.name)} (${r.origin === 'predefined' ? `predefined, id ${cell(r.roleId ?? '?')}` : 'existing role'})`).join(', ')}.`,
      '',
    );
  }
  return out;
}

/** Node ids and labels for the diagram: `"` and angle brackets as Mermaid entities. */
function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/[\r\n]+/g, ' ')}"`;
}

const MAX_DIAGRAM_EDGES = 80;

/** principal → role → object; solid arrows propagate to children, dotted ones do not. Kept permissions are left out. */
export function mermaidDiagram(stack: StackReport): string[] {
  const grants = stack.grants.filter((g) => !g.kept);
  if (!grants.length) return ['No grants.'];
  const ids = new Map<string, string>();
  const nodes: string[] = [];
  const node = (prefix: string, key: string, label: string, shape: [string, string]) => {
    const k = `${prefix}\u0000${key}`;
    let id = ids.get(k);
    if (!id) {
      id = `${prefix}${[...ids.keys()].filter((x) => x.startsWith(`${prefix}\u0000`)).length}`;
      ids.set(k, id);
      nodes.push(`  ${id}${shape[0]}${mermaidLabel(label)}${shape[1]}`);
    }
    return id;
  };
  const edges = new Set<string>();
  for (const g of grants) {
    const p = node('p', g.principal.toLowerCase(), principalText(g), ['([', '])']);
    const r = node('r', g.role, g.role, ['[', ']']);
    const o = node('o', g.object, g.object, ['[(', ')]']);
    edges.add(`  ${p} --> ${r}`);
    edges.add(`  ${r} ${g.propagate ? '-->' : '-.->'} ${o}`);
  }
  if (edges.size > MAX_DIAGRAM_EDGES) {
    return [`The diagram is left out: ${edges.size} edges are more than a comment can show legibly (limit ${MAX_DIAGRAM_EDGES}).`];
  }
  return ['```mermaid', 'flowchart LR', ...nodes, ...edges, '```', '', 'Solid arrow to an object: propagated to its children; dotted: that object only.'];
}

/** Options of the Markdown renderers. */
export interface MarkdownOptions {
  /** The heading of the comment. @default 'vSphere permissions review' */
  readonly title?: string;
}

/** The whole report as Markdown. */
export function renderReportMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const multi = report.stacks.length > 1;
  const out: string[] = [`## ${options.title ?? 'vSphere permissions review'}`, ''];
  for (const s of report.stacks) {
    const objects = new Set(s.grants.map((g) => g.object)).size;
    out.push(
      `- Stack ${code(s.name)}: ${plural(s.roles.filter((r) => r.origin === 'custom').length, 'role')}, ` +
        `${plural(s.grants.length, 'permission')} on ${plural(objects, 'object')}, ${plural(s.folders.length, 'folder')}, ` +
        `${plural(s.templates.length, 'template')}, ${plural(s.secrets.length, 'secret')}, ${plural(s.warnings.length, 'warning')}`,
    );
  }
  out.push('');
  const warnings = report.stacks.flatMap((s) => s.warnings.map((w) => ({ ...w, stack: s.name })));
  if (warnings.length) out.push('### Warnings', '', ...warningLines(warnings, multi));

  out.push('### Grants', '');
  const grants = report.stacks.flatMap((s) => s.grants.map((g) => ({ ...g, stack: s.name })));
  if (grants.length) out.push(...table([...(multi ? ['Stack'] : []), ...GRANT_HEADER], grantRows(grants, multi)), '');
  else out.push('No grants.', '');

  out.push('### Roles', '');
  for (const s of report.stacks) {
    if (multi) out.push(`#### ${code(s.name)}`, '');
    out.push(...roleSection(s));
  }

  out.push('### Folders', '');
  const folders = report.stacks.flatMap((s) => s.folders.map((f) => ({ ...f, stack: s.name })));
  if (folders.length) {
    out.push(...table([...(multi ? ['Stack'] : []), 'Folder', 'Type'], folders.map((f) => [...(multi ? [cell(f.stack)] : []), cell(f.path), cell(f.type)])), '');
  } else out.push('No folders.', '');

  out.push('### Templates', '');
  const templates = report.stacks.flatMap((s) => s.templates.map((t) => ({ ...t, stack: s.name })));
  if (templates.length) {
    out.push(
      ...table(
        [...(multi ? ['Stack'] : []), 'Template', 'Folder', 'Datastore', 'Network', 'Source'],
        templates.map((t) => [
          ...(multi ? [cell(t.stack)] : []),
          cell(t.name),
          cell(t.folder ?? ''),
          cell(t.datastore ?? ''),
          t.networks.map(cell).join('<br>'),
          cell(t.source ? `${t.sourceKind === 'local' ? 'local file ' : ''}${t.source}` : ''),
        ]),
      ),
      '',
    );
  } else out.push('No templates.', '');

  out.push('### Kubernetes secrets', '', 'Names and data keys only; values are never read.', '');
  const secrets = report.stacks.flatMap((s) => s.secrets.map((x) => ({ ...x, stack: s.name })));
  if (secrets.length) {
    out.push(
      ...table(
        [...(multi ? ['Stack'] : []), 'Namespace', 'Name', 'Type', 'Data keys'],
        secrets.map((x) => [
          ...(multi ? [cell(x.stack)] : []),
          cell(x.namespace),
          cell(x.name),
          cell(x.type ?? 'Opaque'),
          x.keys ? x.keys.map(cell).join(', ') : 'computed',
        ]),
      ),
      '',
    );
  } else out.push('No secrets.', '');

  out.push('### Who gets what', '');
  for (const s of report.stacks) {
    if (multi) out.push(`#### ${code(s.name)}`, '');
    out.push(...mermaidDiagram(s), '');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function privilegeRows(changes: readonly PrivilegeChange[], side: 'added' | 'removed', withStack: boolean): string[][] {
  return changes
    .filter((c) => c[side].length)
    .map((c) => [
      ...(withStack ? [cell(c.stack)] : []),
      cell(c.role),
      cell(
        c.change === 'changed'
          ? `changed${c.baseVsphereVersion ? ` (vSphere ${c.baseVsphereVersion} → ${c.vsphereVersion ?? '?'})` : ''}`
          : c.change === 'added'
            ? 'new role'
            : 'role removed',
      ),
      c[side].map((p) => cell(p)).join('<br>'),
    ]);
}

/** Only what changes between two synth outputs: grants and privileges first. */
export function renderDiffMarkdown(diff: ReportDiff, options: MarkdownOptions = {}): string {
  const stacks = new Set([
    ...diff.grants.added,
    ...diff.grants.removed,
    ...diff.privileges,
    ...diff.roles.added,
    ...diff.roles.removed,
  ].map((x) => x.stack));
  const multi = stacks.size > 1 || diff.stacks.added.length + diff.stacks.removed.length > 0;
  const out: string[] = [`## ${options.title ?? 'vSphere permissions review'}: changes against the base`, ''];
  if (!hasChanges(diff)) {
    out.push('No change to vSphere roles, grants, folders, templates or Kubernetes secrets.');
    return `${out.join('\n')}\n`;
  }
  const privAdded = diff.privileges.reduce((n, c) => n + c.added.length, 0);
  const privRemoved = diff.privileges.reduce((n, c) => n + c.removed.length, 0);
  out.push(
    `**${plural(diff.grants.added.length, 'grant')} added, ${diff.grants.removed.length} removed; ` +
      `${plural(privAdded, 'privilege')} added, ${privRemoved} removed.**`,
    '',
  );
  if (diff.stacks.added.length) out.push(`New stacks: ${diff.stacks.added.map(code).join(', ')}.`, '');
  if (diff.stacks.removed.length) out.push(`Removed stacks: ${diff.stacks.removed.map(code).join(', ')}.`, '');
  if (diff.newWarnings.length) out.push('### New warnings', '', ...warningLines(diff.newWarnings, multi));

  const header = [...(multi ? ['Stack'] : []), ...GRANT_HEADER];
  if (diff.grants.added.length) out.push('### Grants added', '', ...table(header, grantRows(diff.grants.added, multi)), '');
  if (diff.grants.removed.length) out.push('### Grants removed', '', ...table(header, grantRows(diff.grants.removed, multi)), '');
  const privHeader = [...(multi ? ['Stack'] : []), 'Role', 'Change', 'Privileges'];
  if (privAdded) out.push('### Privileges added', '', ...table(privHeader, privilegeRows(diff.privileges, 'added', multi)), '');
  if (privRemoved) out.push('### Privileges removed', '', ...table(privHeader, privilegeRows(diff.privileges, 'removed', multi)), '');
  const versionOnly = diff.privileges.filter((c) => c.change === 'changed' && !c.added.length && !c.removed.length);
  if (versionOnly.length) {
    out.push(
      '### vSphere version changed',
      '',
      ...versionOnly.map((c) => `- ${cell(c.role)}: ${cell(c.baseVsphereVersion ?? '?')} → ${cell(c.vsphereVersion ?? '?')}, same privileges`),
      '',
    );
  }
  if (diff.management.length) {
    out.push(
      '### Management changed',
      '',
      ...table(
        [...(multi ? ['Stack'] : []), 'Object', 'Before', 'After'],
        diff.management.map((m) => [...(multi ? [cell(m.stack)] : []), cell(m.object), cell(m.from), cell(m.to)]),
      ),
      '',
    );
  }
  const roleLine = (r: RoleFact & { stack: string }) =>
    `- ${multi ? `${cell(r.stack)}: ` : ''}${cell(r.name)} (${r.origin}${r.vsphereVersion ? `, vSphere ${cell(r.vsphereVersion)}` : ''})`;
  if (diff.roles.added.length) out.push('### Roles added', '', ...diff.roles.added.map(roleLine), '');
  if (diff.roles.removed.length) out.push('### Roles removed', '', ...diff.roles.removed.map(roleLine), '');

  const section = <T>(title: string, c: { added: readonly T[]; removed: readonly T[] }, line: (x: T) => string) => {
    if (!c.added.length && !c.removed.length) return;
    out.push(`### ${title}`, '', ...c.added.map((x) => `- added: ${line(x)}`), ...c.removed.map((x) => `- removed: ${line(x)}`), '');
  };
  const at = (s: string) => (multi ? `${cell(s)}: ` : '');
  section('Folders', diff.folders, (f) => `${at(f.stack)}${cell(f.path)} (${cell(f.type)})`);
  section('Templates', diff.templates, (t) =>
    `${at(t.stack)}${cell(t.name)} in ${cell(t.folder ?? '?')} on ${cell(t.datastore ?? '?')}, network ${t.networks.map(cell).join(', ') || '?'}, source ${cell(t.source ?? '?')}`,
  );
  section('Kubernetes secrets', diff.secrets, (x) =>
    `${at(x.stack)}${cell(x.namespace)}/${cell(x.name)}, keys ${x.keys ? x.keys.map(cell).join(', ') || 'none' : 'computed'}`,
  );
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
