// `cdktf-kkp-vsphere discover`: what KKP set-up a vCenter already has (roles by name with or without a prefix, how
// they differ from the documentation of one KKP release, KKP folders, templates, grants and everyone else's
// permissions on the same objects). Prints it and writes the file a stack adopts from. Only reads the vCenter.
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DiscoveredPermission, KkpDiscovery } from '../contracts/discovery-file';
import { KKP_RELEASES, KkpRelease, NEWEST_KKP_RELEASE } from '../facts/kkp/releases';
import { VSPHERE_VERSIONS, VsphereVersion, kkpRoleProfile } from '../facts/privileges';
import { discoverKkpSetup } from '../tools/vcenter/discovery';
import { connectFromEnvironment, connectionFromEnvironment } from './vcenter-env';

interface DiscoverFlags {
  kkpRelease: KkpRelease;
  vsphereVersion: VsphereVersion;
  prefix?: string;
  out: string;
  json?: boolean;
}

/** Registers `discover` on the program. */
export function registerDiscover(program: Command): void {
  program
    .command('discover')
    .description(
      'Read a vCenter for an existing KKP set-up: KKP roles by name (with or without a prefix) compared with the ' +
        'documentation of one KKP release and vSphere version (missing and extra privileges, System.* aside), the KKP ' +
        'folders and templates, the KKP principals\' permissions and everyone else\'s on the same objects. Prints it and ' +
        'writes the file a stack adopts from (KkpAdoption). The vCenter comes from VSPHERE_SERVER, VSPHERE_USER, ' +
        'VSPHERE_PASSWORD and VSPHERE_ALLOW_UNVERIFIED_SSL. Nothing is changed.',
    )
    .addOption(new Option('--kkp-release <release>', 'the KKP release whose documentation the roles are compared with').choices([...KKP_RELEASES]).default(NEWEST_KKP_RELEASE))
    .addOption(new Option('--vsphere-version <version>', 'the vCenter\'s vSphere version (privilege catalog)').choices([...VSPHERE_VERSIONS]).makeOptionMandatory())
    .option('--prefix <prefix>', 'only roles with this name prefix ("" for the documentation\'s names); default: every prefix found')
    .option('--out <file>', 'where to write the discovery file', 'kkp-discovery.json')
    .option('--json', 'print the discovery as JSON instead of text')
    .action(async (flags: DiscoverFlags) => {
      const server = new URL(connectionFromEnvironment().url).origin;
      const vc = await connectFromEnvironment();
      let discovery: KkpDiscovery;
      try {
        discovery = await discoverKkpSetup(vc, server, {
          kkpRelease: flags.kkpRelease,
          vsphereVersion: flags.vsphereVersion,
          ...(flags.prefix !== undefined ? { namePrefix: flags.prefix } : {}),
        });
      } finally {
        await vc.logout().catch(() => undefined);
      }
      const json = `${JSON.stringify(discovery, null, 2)}\n`;
      writeFileSync(flags.out, json);
      process.stdout.write(flags.json ? json : `${renderDiscoveryText(discovery)}\nWrote ${flags.out}: adopt from it with KkpAdoption.\n`);
    });
}

const who = (p: DiscoveredPermission) => `${p.isGroup ? 'group' : 'user'} ${p.principal}`;
const propagation = (p: boolean) => (p ? 'propagated' : 'not propagated');

/** The discovery as a reviewer reads it. */
export function renderDiscoveryText(d: KkpDiscovery): string {
  const lines: string[] = [];
  lines.push(`vCenter ${d.server}, compared with the vSphere page of KKP ${d.kkpRelease} on vSphere ${d.vsphereVersion}.`, '');
  const prefixes = d.prefixes.map((p) => JSON.stringify(p)).join(', ') || 'none';
  lines.push(`KKP roles: ${d.roles.length} (prefixes ${prefixes})`);
  for (const r of d.roles) {
    const head = `  ${r.name} (id ${r.id})`;
    if (!r.key) {
      lines.push(`${head}: KKP role ${r.kkpName}, not on the page of KKP ${d.kkpRelease}; compared with nothing`);
      continue;
    }
    const renamed = r.documentedName !== r.kkpName ? `; KKP ${d.kkpRelease} names it ${r.documentedName}` : '';
    if (!r.missing.length && !r.extra.length) {
      lines.push(`${head}: ${r.privileges.length} privileges, as documented${renamed}`);
      continue;
    }
    lines.push(`${head}: ${r.privileges.length} privileges${renamed}`);
    if (r.missing.length) lines.push(`      missing ${r.missing.length}: ${r.missing.join(', ')}`);
    if (r.extra.length) lines.push(`      extra ${r.extra.length}: ${r.extra.join(', ')}`);
  }
  for (const prefix of d.prefixes.length ? d.prefixes : ['']) {
    const found = new Set(d.roles.filter((r) => r.prefix === prefix && r.key).map((r) => r.key));
    const absent = kkpRoleProfile(d.kkpRelease).roles.filter((r) => !found.has(r.key)).map((r) => `${prefix}${r.name}`);
    if (absent.length) lines.push(`  not found${d.prefixes.length > 1 ? ` (prefix ${JSON.stringify(prefix)})` : ''}: ${absent.join(', ')}`);
  }
  lines.push('', `KKP folders: ${d.folders.length}`);
  for (const f of d.folders) lines.push(`  ${f.path} (${f.id}): ${f.reasons.map((r) => (r === 'grant' ? 'KKP grant' : r === 'templates' ? 'holds templates' : 'parent of one')).join(', ')}`);
  lines.push('', `Templates: ${d.templates.length}`);
  for (const t of d.templates) lines.push(`  ${t.name} (${t.id}) in ${t.folder}`);
  const width = Math.max(0, ...d.grants.concat(d.otherPermissions).map((p) => p.object.length));
  const row = (p: DiscoveredPermission) => `  ${p.object.padEnd(width)}  ${who(p)}: ${p.role}, ${propagation(p.propagate)}`;
  lines.push('', `KKP principals' permissions: ${d.grants.length}`);
  for (const p of d.grants) lines.push(`${row(p)}${p.kkpRole ? '' : ' (no KKP role)'}`);
  lines.push('', `Other principals' permissions on those objects (never touched): ${d.otherPermissions.length}`);
  for (const p of d.otherPermissions) lines.push(row(p));
  return `${lines.join('\n')}\n`;
}
