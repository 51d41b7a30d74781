// What changes between two reports: the grants and privileges first, since that is what a reviewer must see.
import { Changes, GrantFact, ManagementChange, PrivilegeChange, Report, ReportDiff, StackReport } from './model';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Items of each side, tagged with their stack, that the other side lacks (by `key`). */
function changes<T extends object>(
  base: readonly StackReport[],
  head: readonly StackReport[],
  items: (s: StackReport) => readonly T[],
  key: (item: T) => string,
): Changes<T> {
  const tagged = (stacks: readonly StackReport[]) => {
    const map = new Map<string, T & { stack: string }>();
    for (const s of stacks) for (const item of items(s)) map.set(`${s.name}\u0000${key(item)}`, { stack: s.name, ...item });
    return map;
  };
  const b = tagged(base);
  const h = tagged(head);
  return {
    added: [...h].filter(([k]) => !b.has(k)).map(([, v]) => v),
    removed: [...b].filter(([k]) => !h.has(k)).map(([, v]) => v),
  };
}

/** The identity of a grant: who holds which role where, how. Management is compared separately. */
export function grantKey(g: GrantFact): string {
  return [g.object, g.principal.toLowerCase(), g.isGroup, g.role, g.propagate, g.kept].join('\u0000');
}

/** Compares the report of the target branch (`base`) with the report of the change (`head`). */
export function diffReports(base: Report, head: Report): ReportDiff {
  const baseNames = new Set(base.stacks.map((s) => s.name));
  const headNames = new Set(head.stacks.map((s) => s.name));

  const privileges: PrivilegeChange[] = [];
  for (const h of head.stacks) {
    const b = base.stacks.find((s) => s.name === h.name);
    const baseRoles = new Map((b?.roles ?? []).filter((r) => r.origin === 'custom').map((r) => [r.name, r]));
    const headRoles = new Map(h.roles.filter((r) => r.origin === 'custom').map((r) => [r.name, r]));
    for (const [name, role] of headRoles) {
      const old = baseRoles.get(name);
      const now = role.privileges ?? [];
      const was = old?.privileges ?? [];
      const added = now.filter((p) => !was.includes(p));
      const removed = was.filter((p) => !now.includes(p));
      if (!old) {
        privileges.push({ stack: h.name, role: name, change: 'added', ...version(role.vsphereVersion), added, removed: [] });
      } else if (added.length || removed.length || old.vsphereVersion !== role.vsphereVersion) {
        privileges.push({
          stack: h.name,
          role: name,
          change: 'changed',
          ...version(role.vsphereVersion),
          ...(old.vsphereVersion !== role.vsphereVersion && old.vsphereVersion ? { baseVsphereVersion: old.vsphereVersion } : {}),
          added,
          removed,
        });
      }
    }
    for (const [name, role] of baseRoles) {
      if (!headRoles.has(name)) {
        privileges.push({ stack: h.name, role: name, change: 'removed', ...version(role.vsphereVersion), added: [], removed: [...(role.privileges ?? [])] });
      }
    }
  }
  for (const b of base.stacks.filter((s) => !headNames.has(s.name))) {
    for (const role of b.roles.filter((r) => r.origin === 'custom')) {
      privileges.push({ stack: b.name, role: role.name, change: 'removed', ...version(role.vsphereVersion), added: [], removed: [...(role.privileges ?? [])] });
    }
  }
  privileges.sort((x, y) => byText(x.stack, y.stack) || byText(x.role, y.role));

  const management: ManagementChange[] = [];
  for (const h of head.stacks) {
    const b = base.stacks.find((s) => s.name === h.name);
    if (!b) continue;
    const modes = (s: StackReport) => new Map(s.grants.map((g) => [g.object, g.management]));
    const was = modes(b);
    for (const [object, to] of modes(h)) {
      const from = was.get(object);
      if (from !== undefined && from !== to) management.push({ stack: h.name, object, from, to });
    }
  }
  management.sort((x, y) => byText(x.stack, y.stack) || byText(x.object, y.object));

  const warningKey = (w: { kind: string; object: string; message: string }) => `${w.kind}\u0000${w.object}\u0000${w.message}`;
  const warnings = changes(base.stacks, head.stacks, (s) => s.warnings, warningKey);

  return {
    format: 'cdktf-kkp-vsphere/report-diff@1',
    stacks: {
      added: [...headNames].filter((n) => !baseNames.has(n)).sort(),
      removed: [...baseNames].filter((n) => !headNames.has(n)).sort(),
    },
    grants: changes(base.stacks, head.stacks, (s) => s.grants, grantKey),
    privileges,
    management,
    roles: changes(base.stacks, head.stacks, (s) => s.roles, (r) => `${r.origin}\u0000${r.name}`),
    folders: changes(base.stacks, head.stacks, (s) => s.folders, (f) => `${f.path}\u0000${f.type}`),
    templates: changes(base.stacks, head.stacks, (s) => s.templates, (t) => JSON.stringify({ ...t, address: undefined })),
    secrets: changes(base.stacks, head.stacks, (s) => s.secrets, (x) => JSON.stringify({ ...x, address: undefined })),
    newWarnings: warnings.added,
  };
}

function version(v: string | undefined): { vsphereVersion?: string } {
  return v ? { vsphereVersion: v } : {};
}

/** Whether the diff holds any change at all. */
export function hasChanges(diff: ReportDiff): boolean {
  const lists = [
    diff.stacks.added,
    diff.stacks.removed,
    diff.grants.added,
    diff.grants.removed,
    diff.privileges,
    diff.management,
    diff.roles.added,
    diff.roles.removed,
    diff.folders.added,
    diff.folders.removed,
    diff.templates.added,
    diff.templates.removed,
    diff.secrets.added,
    diff.secrets.removed,
  ];
  return lists.some((l) => l.length > 0);
}
