// GitHub Markdown for a pull-request comment: tables with escaped cells, collapsible privilege lists, a Mermaid
// diagram. Deterministic: everything arrives sorted from the model.
import { hasChanges } from './diff';
import { cell, code, details, finish, inline, plural, table } from './markdown-blocks';
import {
  CrossStackFact,
  GrantFact,
  LostPermissionFact,
  PrivilegeChange,
  Report,
  ReportDiff,
  RoleFact,
  SecretFact,
  StackReport,
  TemplateFact,
  VariableFact,
  WarningFact,
} from './model';

export { cell } from './markdown-blocks';

function principalText(g: { principal: string; isGroup?: boolean }): string {
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
    cell(g.address),
  ]);
}

const GRANT_HEADER = ['Object', 'Type', 'Principal', 'Role', 'Propagate', 'Management', 'Terraform address'];

function warningLines(warnings: readonly (WarningFact & { stack?: string })[], withStack: boolean): string[] {
  if (!warnings.length) return [];
  return [
    '> [!WARNING]',
    ...warnings.map((w) => `> - ${withStack && w.stack ? `${cell(w.stack)}: ` : ''}${cell(w.message)}`),
    '',
  ];
}

/** The loudest block of a report: permissions the stack did not grant that go away. */
export function lostPermissionLines(lost: readonly LostPermissionFact[], withStack: boolean): string[] {
  if (!lost.length) return [];
  return [
    '> [!CAUTION]',
    `> **${plural(lost.length, 'permission')} that this stack did not grant will be removed.** Other teams or admins ` +
      'may lose access. Check each before you merge:',
    ...lost.map(
      (l) =>
        `> - ${withStack ? `${cell(l.stack)}: ` : ''}**${cell(l.object)}**: ` +
        `${l.principal !== undefined ? `${cell(principalText({ principal: l.principal, isGroup: l.isGroup }))}${l.role ? ` (${cell(l.role)})` : ''}` : 'every permission not listed by the stack'}` +
        ` (${l.reason === 'kept' ? 'kept' : l.reason === 'foreign' ? 'never granted by this stack' : 'unlisted'}): ${cell(l.why)}.`,
    ),
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
      out.push(...details(`${r.name}: ${plural(r.privileges.length, 'privilege')}`, privilegeList(r.privileges)));
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

/** Node labels for the diagram: `"` and angle brackets as Mermaid entities. */
function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\|/g, '#124;').replace(/[\r\n]+/g, ' ')}"`;
}

const MAX_DIAGRAM_EDGES = 80;

/**
 * principal → object, one arrow per permission, labelled with its role: solid arrows propagate to children, dotted
 * ones do not. No node is shared between two permissions' roles, so no path implies a grant that does not exist.
 * Kept permissions are left out (the stack does not grant them).
 */
export function mermaidDiagram(stack: StackReport): string[] {
  const grants = stack.grants.filter((g) => !g.kept);
  if (!grants.length) return ['No grants.'];
  const ids = new Map<string, string>();
  const nodes: string[] = [];
  let count = 0;
  const node = (prefix: string, key: string, label: string, shape: [string, string]) => {
    const k = `${prefix}\u0000${key}`;
    let id = ids.get(k);
    if (!id) {
      id = `${prefix}${count++}`;
      ids.set(k, id);
      nodes.push(`  ${id}${shape[0]}${mermaidLabel(label)}${shape[1]}`);
    }
    return id;
  };
  const edges = new Set<string>();
  for (const g of grants) {
    const p = node('p', g.principal.toLowerCase(), principalText(g), ['([', '])']);
    const o = node('o', g.object, g.object, ['[(', ')]']);
    edges.add(`  ${p} ${g.propagate ? '-->' : '-.->'}|${mermaidLabel(g.role)}| ${o}`);
  }
  if (edges.size > MAX_DIAGRAM_EDGES) {
    return [`The diagram is left out: ${edges.size} edges are more than a comment can show legibly (limit ${MAX_DIAGRAM_EDGES}).`];
  }
  return [
    '```mermaid',
    'flowchart LR',
    ...nodes,
    ...edges,
    '```',
    '',
    'One arrow per permission, labelled with its role. Solid: propagated to the object\'s children; dotted: that object only.',
  ];
}

/** Options of the Markdown renderers. */
export interface MarkdownOptions {
  /** The heading of the comment; escaped, so it is always plain text. @default 'vSphere permissions review' */
  readonly title?: string;
}

function heading(options: MarkdownOptions, suffix = ''): string {
  return `## ${inline(options.title ?? 'vSphere permissions review')}${suffix}`;
}

function secretWhere(x: SecretFact): string {
  return `${x.provider}${x.cluster ? ` (${x.cluster})` : ''}`;
}

/**
 * Where a template's image comes from, in words: `URL <url>` (redacted at extraction), `local file <path>` (a
 * relative path is relative to the stack's working directory, where terraform reads it), the preset, and a local
 * image's SHA-256 digests (what the plan compares to decide on a replacement).
 */
export function templateSourceText(t: TemplateFact): string {
  if (t.source === undefined) return '';
  const relative = t.sourceKind === 'file' && !t.source.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(t.source);
  const where =
    t.sourceKind === 'url'
      ? `URL ${t.source}`
      : t.sourceKind === 'file'
        ? `local file ${t.source}${relative ? " (relative to the stack's directory in cdktf.out)" : ''}`
        : t.source;
  const digests = Object.entries(t.sha256 ?? {}).map(([file, digest]) => `${file} ${digest.slice(0, 16)}…`);
  const missing = t.sha256 !== undefined && !digests.length ? ', missing at synth: identified by file name only' : '';
  return `${where}${t.preset ? ` (preset ${t.preset})` : ''}${digests.length ? `, SHA-256 ${digests.join(', ')}` : ''}${missing}`;
}

function templateWhere(t: TemplateFact): string {
  return `${t.name}${t.os ? ` (${t.os})` : ''} in ${t.folder ?? '?'} on ${t.datastore ?? '?'}, network ${t.networks.join(', ') || '?'}, source ${templateSourceText(t) || '?'}`;
}

function variableRows(vars: readonly (VariableFact & { stack?: string })[], withStack: boolean): string[][] {
  return vars.map((v) => [
    ...(withStack ? [cell(v.stack ?? '')] : []),
    cell(v.env),
    cell(v.type ?? 'any'),
    v.sensitive ? 'yes' : 'no',
    v.required ? 'yes' : 'no (has a default)',
    cell(v.description ?? ''),
  ]);
}

function crossStackLines(facts: readonly CrossStackFact[]): string[] {
  if (!facts.length) return [];
  const what = { object: 'permissions on', folder: 'folder', role: 'role', template: 'template' } as const;
  const risky = facts.some((f) => f.stacks.some((s) => s.management === 'authoritative' || s.management === 'unknown'));
  return [
    risky ? '> [!CAUTION]' : '> [!WARNING]',
    '> Touched by more than one stack: each apply or destroy of one can undo the other.',
    ...facts.map(
      (f) =>
        `> - ${what[f.kind]} ${cell(f.name)}: ` +
        f.stacks.map((s) => `${code(s.stack)}${s.management ? ` (${s.management})` : ''} ${s.addresses.map(cell).join(', ')}`).join('; '),
    ),
    '',
  ];
}

/** The whole report as Markdown. */
export function renderReportMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const multi = report.stacks.length > 1;
  const out: string[] = [heading(options), ''];
  for (const s of report.stacks) {
    const objects = new Set(s.grants.map((g) => g.object)).size;
    out.push(
      `- Stack ${code(s.name)}: ${plural(s.roles.filter((r) => r.origin === 'custom').length, 'role')}, ` +
        `${plural(s.grants.length, 'permission')} on ${plural(objects, 'object')}, ${plural(s.folders.length, 'folder')}, ` +
        `${plural(s.templates.length, 'template')}, ${plural(s.secrets.length, 'secret')}, ` +
        `${plural((s.otherResources ?? []).length, 'other resource')}, ${plural(s.warnings.length, 'warning')}`,
    );
  }
  out.push('');
  out.push(...crossStackLines(report.crossStack ?? []));
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
    out.push(
      ...table(
        [...(multi ? ['Stack'] : []), 'Folder', 'Type', 'Terraform address'],
        folders.map((f) => [...(multi ? [cell(f.stack)] : []), cell(f.path), cell(f.type), cell(f.address)]),
      ),
      '',
    );
  } else out.push('No folders.', '');

  out.push('### Templates', '');
  const templates = report.stacks.flatMap((s) => s.templates.map((t) => ({ ...t, stack: s.name })));
  if (templates.length) {
    out.push(
      ...table(
        [...(multi ? ['Stack'] : []), 'Template', 'Folder', 'Datastore', 'Network', 'Source', 'Terraform address'],
        templates.map((t) => [
          ...(multi ? [cell(t.stack)] : []),
          cell(`${t.name}${t.os ? ` (${t.os})` : ''}`),
          cell(t.folder ?? ''),
          cell(t.datastore ?? ''),
          t.networks.map(cell).join('<br>'),
          cell(templateSourceText(t)),
          cell(t.address),
        ]),
      ),
      '',
    );
  } else out.push('No templates.', '');

  out.push('### Kubernetes secrets', '', 'Names and data keys only; values are never read. The provider says which cluster each lands in.', '');
  const secrets = report.stacks.flatMap((s) => s.secrets.map((x) => ({ ...x, stack: s.name })));
  if (secrets.length) {
    out.push(
      ...table(
        [...(multi ? ['Stack'] : []), 'Provider (cluster)', 'Namespace', 'Name', 'Type', 'Data keys', 'Terraform address'],
        secrets.map((x) => [
          ...(multi ? [cell(x.stack)] : []),
          cell(secretWhere(x)),
          cell(x.namespace),
          cell(x.name),
          cell(x.type ?? 'Opaque'),
          x.keys ? x.keys.map(cell).join(', ') : 'computed',
          cell(x.address),
        ]),
      ),
      '',
    );
  } else out.push('No secrets.', '');

  out.push('### Terraform variables', '');
  const vars = report.stacks.flatMap((s) => (s.variables ?? []).map((v) => ({ ...v, stack: s.name })));
  if (vars.length) {
    out.push(
      'Set each required one as an environment variable (or in a `.tfvars` file) before `cdktf deploy`; values are never read here.',
      '',
      ...table([...(multi ? ['Stack'] : []), 'Environment variable', 'Type', 'Sensitive', 'Required', 'Description'], variableRows(vars, multi)),
      '',
    );
  } else out.push('No variables.', '');

  const others = report.stacks.flatMap((s) => (s.otherResources ?? []).map((r) => ({ ...r, stack: s.name })));
  if (others.length) {
    out.push(
      '### Other resources',
      '',
      ...table(
        [...(multi ? ['Stack'] : []), 'Terraform address', 'Construct path'],
        others.map((r) => [...(multi ? [cell(r.stack)] : []), cell(r.address), cell(r.constructPath ?? '')]),
      ),
      '',
    );
  }

  out.push('### Who gets what', '');
  for (const s of report.stacks) {
    if (multi) out.push(`#### ${code(s.name)}`, '');
    out.push(...mermaidDiagram(s), '');
  }
  return finish(out);
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

/** Only what changes between two synth outputs: permissions lost first, then grants and privileges. */
export function renderDiffMarkdown(diff: ReportDiff, options: MarkdownOptions = {}): string {
  const stacks = new Set(
    [
      ...diff.grants.added,
      ...diff.grants.removed,
      ...diff.privileges,
      ...diff.roles.added,
      ...diff.roles.removed,
      ...diff.secrets.added,
      ...diff.secrets.removed,
      ...diff.folders.added,
      ...diff.folders.removed,
      ...diff.templates.added,
      ...diff.templates.removed,
    ].map((x) => x.stack),
  );
  const multi = stacks.size > 1 || diff.stacks.added.length + diff.stacks.removed.length > 0;
  const out: string[] = [heading(options, ': changes against the base'), ''];
  if (!hasChanges(diff)) {
    out.push('No change to vSphere roles, grants, folders, templates, Kubernetes secrets, variables or other resources.');
    return finish(out);
  }
  out.push(...lostPermissionLines(diff.lostPermissions, multi));
  const privAdded = diff.privileges.reduce((n, c) => n + c.added.length, 0);
  const privRemoved = diff.privileges.reduce((n, c) => n + c.removed.length, 0);
  out.push(
    `**${plural(diff.grants.added.length, 'grant')} added, ${diff.grants.removed.length} removed; ` +
      `${plural(privAdded, 'privilege')} added, ${privRemoved} removed.**`,
    '',
  );
  if (diff.stacks.added.length) out.push(`New stacks: ${diff.stacks.added.map(code).join(', ')}.`, '');
  if (diff.stacks.removed.length) out.push(`Removed stacks: ${diff.stacks.removed.map(code).join(', ')}.`, '');
  out.push(...crossStackLines(diff.newCrossStack));
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

  const at = (s: string) => (multi ? `${cell(s)}: ` : '');
  const section = <T extends object>(
    title: string,
    c: { added: readonly (T & { stack: string })[]; removed: readonly (T & { stack: string })[]; changed: readonly { stack: string; before: T; after: T }[] },
    line: (x: T) => string,
  ) => {
    if (!c.added.length && !c.removed.length && !c.changed.length) return;
    const addr = (x: T) => ('address' in x && typeof x.address === 'string' ? ` ${code(x.address)}` : '');
    out.push(
      `### ${title}`,
      '',
      ...c.added.map((x) => `- added: ${at(x.stack)}${line(x)}${addr(x)}`),
      ...c.removed.map((x) => `- removed: ${at(x.stack)}${line(x)}${addr(x)}`),
      ...c.changed.map((x) => `- changed: ${at(x.stack)}${line(x.before)} → ${line(x.after)}${addr(x.after)}`),
      '',
    );
  };
  section('Folders', diff.folders, (f) => `${cell(f.path)} (${cell(f.type)})`);
  section('Templates', diff.templates, (t) => cell(templateWhere(t)));
  section('Kubernetes secrets', diff.secrets, (x) =>
    `${cell(x.namespace)}/${cell(x.name)} via ${cell(secretWhere(x))}, keys ${x.keys ? x.keys.map(cell).join(', ') || 'none' : 'computed'}`,
  );
  section('Terraform variables', diff.variables, (v) =>
    `${cell(v.env)}${v.sensitive ? ' (sensitive)' : ''}${v.required ? ', required' : ', has a default'}`,
  );
  section('Other resources', diff.otherResources, (r) => `${cell(r.type)}${r.constructPath ? ` at ${cell(r.constructPath)}` : ''}`);
  return finish(out);
}
