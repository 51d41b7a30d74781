// What changes between two reports: the grants and privileges first, since that is what a reviewer must see.
import { Changes, GrantFact, LostPermissionFact, ManagementChange, PrivilegeChange, Report, ReportDiff, StackReport } from './model';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Items of each side, tagged with their stack, that the other side lacks (by `key`); with `content`, items whose key
 * is on both sides but whose content differs are `changed` (an item keyed by its Terraform address that now says
 * something else).
 */
function changes<T extends object>(
  base: readonly StackReport[],
  head: readonly StackReport[],
  items: (s: StackReport) => readonly T[] | undefined,
  key: (item: T) => string,
  content?: (item: T) => string,
): Changes<T> {
  const tagged = (stacks: readonly StackReport[]) => {
    const map = new Map<string, { stack: string; item: T }>();
    for (const s of stacks) for (const item of items(s) ?? []) map.set(`${s.name}\u0000${key(item)}`, { stack: s.name, item });
    return map;
  };
  const b = tagged(base);
  const h = tagged(head);
  return {
    added: [...h].filter(([k]) => !b.has(k)).map(([, v]) => ({ stack: v.stack, ...v.item })),
    removed: [...b].filter(([k]) => !h.has(k)).map(([, v]) => ({ stack: v.stack, ...v.item })),
    changed: content
      ? [...h]
          .filter(([k, v]) => b.has(k) && content(b.get(k)!.item) !== content(v.item))
          .map(([k, v]) => ({ stack: v.stack, before: b.get(k)!.item, after: v.item }))
      : [],
  };
}

/** What an item says, apart from where it is. */
const sansAddress = (x: object) => JSON.stringify({ ...x, address: undefined, constructPath: undefined });

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
  const grants = changes(base.stacks, head.stacks, (s) => s.grants, grantKey);
  const crossKey = (c: Report['crossStack'][number]) => `${c.kind}\u0000${c.name}\u0000${c.stacks.map((x) => x.stack).join(',')}`;
  const baseCross = new Set((base.crossStack ?? []).map(crossKey));

  return {
    format: 'cdktf-kkp-vsphere/report-diff@2',
    stacks: {
      added: [...headNames].filter((n) => !baseNames.has(n)).sort(),
      removed: [...baseNames].filter((n) => !headNames.has(n)).sort(),
    },
    lostPermissions: lostPermissions(base, head, grants.removed, management),
    grants,
    privileges,
    management,
    roles: changes(base.stacks, head.stacks, (s) => s.roles, (r) => `${r.origin}\u0000${r.name}`),
    folders: changes(base.stacks, head.stacks, (s) => s.folders, (f) => f.address, sansAddress),
    templates: changes(base.stacks, head.stacks, (s) => s.templates, (t) => t.address, sansAddress),
    secrets: changes(base.stacks, head.stacks, (s) => s.secrets, (x) => x.address, sansAddress),
    variables: changes(base.stacks, head.stacks, (s) => s.variables, (v) => v.name, (v) => JSON.stringify(v)),
    otherResources: changes(base.stacks, head.stacks, (s) => s.otherResources, (r) => r.address),
    newCrossStack: (head.crossStack ?? []).filter((c) => !baseCross.has(crossKey(c))),
    newWarnings: warnings.added,
  };
}

/**
 * Permissions the change removes that the stack never granted: kept permissions that disappear, and everything
 * else on a shared object whose authoritative resource is destroyed or that becomes authoritative.
 */
function lostPermissions(
  base: Report,
  head: Report,
  removed: readonly (GrantFact & { stack: string })[],
  management: readonly ManagementChange[],
): LostPermissionFact[] {
  const out: LostPermissionFact[] = [];
  const headAddresses = new Set(head.stacks.flatMap((s) => s.grants.map((g) => `${s.name}\u0000${g.address}`)));
  for (const g of removed.filter((x) => x.kept)) {
    const gone = !headAddresses.has(`${g.stack}\u0000${g.address}`);
    out.push({
      stack: g.stack,
      object: g.object,
      principal: g.principal,
      isGroup: g.isGroup,
      role: g.role,
      reason: 'kept',
      why: gone
        ? `${g.address} is destroyed: the provider removes every permission it holds in state, kept ones included`
        : `the stack no longer lists it as kept, and authoritative management removes what it does not list`,
      address: g.address,
    });
  }
  // A destroyed authoritative (or unknown) resource takes every permission of its object, listed or not.
  const seen = new Set<string>();
  for (const s of base.stacks) {
    for (const g of s.grants) {
      const k = `${s.name}\u0000${g.address}`;
      if (seen.has(k) || headAddresses.has(k) || (g.management !== 'authoritative' && g.management !== 'unknown')) continue;
      seen.add(k);
      out.push({
        stack: s.name,
        object: g.object,
        reason: 'unlisted',
        why: `${g.address} is destroyed: every permission vCenter holds on ${g.object}, also those of other teams that this stack never saw, is removed`,
        address: g.address,
      });
    }
  }
  for (const m of management.filter((x) => (x.to === 'authoritative' || x.to === 'unknown') && x.from !== 'authoritative' && x.from !== 'unknown')) {
    const address = head.stacks.find((s) => s.name === m.stack)?.grants.find((g) => g.object === m.object)?.address ?? '?';
    out.push({
      stack: m.stack,
      object: m.object,
      reason: 'unlisted',
      why: `${m.object} becomes ${m.to === 'unknown' ? 'managed by a resource without a management mode' : 'authoritatively managed'}: every permission on it that this stack does not list is removed on the next apply`,
      address,
    });
  }
  // Named principals first, then "everything else" on the object.
  return out.sort((a, b) => byText(a.stack, b.stack) || byText(a.object, b.object) || byText(a.principal ?? '\uffff', b.principal ?? '\uffff'));
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
    diff.folders.changed,
    diff.templates.changed,
    diff.secrets.changed,
    diff.variables.added,
    diff.variables.removed,
    diff.variables.changed,
    diff.otherResources.added,
    diff.otherResources.removed,
    diff.lostPermissions,
    diff.newCrossStack,
  ];
  return lists.some((l) => l.length > 0);
}
