// KKP's vSphere operations on one small stack per KKP release profile (the releases whose vSphere documentation page
// grants the same roles: src/facts/privileges/kkp-role-profiles.ts), each deployed with the real vSphere provider on
// one simulator with privilege enforcement on, and run as the users the stack's credentials name (test/kkpops).
// Per profile, its first release: SeedPermissions (storage user), UserClusterPermissions (machine-controller's user,
// with the workers' distributed port group and, from 2.14, its switch; 2.12's page grants networks only, so its stack
// uses the standard VM Network) and one KkpUserCluster whose credentials name both (2.12: the CCM's only; KKP and
// machine-controller log in as the user the cluster spec names, machine-controller's user here). The cluster's operations run twice: in the folder the stack made
// for it, and in the folder KKP makes itself when the cluster spec names none (`<rootPath>/<clusterId>`, created and
// deleted by KKP's seed controller), with the cluster's vSphere tags from KKP 2.23 on. The templates are made by the
// admin (the stack names them by a plain map; importing an image is test/e2e's). The credentials Secrets (and for KKP
// 2.12 the user cluster's cloud-config Secret) are left out of the deployment: no Kubernetes API here; the passwords
// are the values of the stack's credentials variables.
//
// With the stack's grants every operation passes. Then each single permission of the stack is removed (as the
// admin, through vCenter's API) and restored: the operations of its principal that the model in
// src/facts/kkp-operations predicts to need it fail with NoPermission on an object and privilege the model names,
// and no other operation fails. (Operations of the other principal, whose permissions are untouched, run once with
// all grants: no group holds a permission in these stacks, so vCenter decides them by their own permissions only.)
import { App, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KkpDatacenterSpec, KkpRoles, KkpUserCluster, SeedPermissions, UserClusterPermissions, VmFolder, VsphereInventory, VspherePermissions, VsphereRole } from '../../src';
import { KKP_COMPONENTS, KKP_ROLE_PROFILES, KkpRelease, KkpWorksMetadata, PermissionIndex, kkpReleaseAtLeast } from '../../src/facts';
import { Vcsim, startVcsim } from '../support/vcsim';
import { Deployment } from '../e2e/support';
import { OpResult, OpsRun, clusterRuns, mismatches, runKkpops, stackPermissions, worksOf } from './support';

jest.setTimeout(900_000);

type Json = Record<string, any>;

/** One stack per profile: its first release, names prefixed with a short tag. */
const PROFILES = KKP_ROLE_PROFILES.map((p) => ({ profile: p.name, release: p.first, tag: `o${p.first.replace('.', '')}` }));
const mcOf = (tag: string) => `VSPHERE.LOCAL\\${tag}-mc`;
const storageOf = (tag: string) => `VSPHERE.LOCAL\\${tag}-storage`;
const passwordOf = (principal: string) => `${principal.split('\\')[1]} "pw" \\ <&>`;

let sim: Vcsim;
let out: string;
const figures: string[] = [];

/** The profile's stack, synthesized into its own directory; kubernetes resources left out (see the header). */
function synthProfile(release: KkpRelease, tag: string): { tf: Json; dir: string } {
  const dir = join(out, tag);
  const app = new App({ outdir: dir });
  const stack = new TerraformStack(app, tag);
  const fromEnvironment = Token.asString(Token.nullValue());
  new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
  new KubernetesProvider(stack, 'kubernetes', {});
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const cluster = inventory.computeCluster('cluster-1');
  const datastores = [inventory.datastore('ds-ssd-1')];
  // From 2.14 the pages grant the network role on the distributed switch too: the workers' distributed port group and
  // its switch. The 2.12 page grants it on networks only, which serves standard port groups: the standard VM Network.
  const distributed = kkpReleaseAtLeast(release, '2.14');
  const networks = [inventory.network(distributed ? 'kkp-workers' : 'VM Network')];
  const distributedSwitches = distributed ? [inventory.distributedSwitch('dvs-1')] : [];
  const kkpRoot = new VmFolder(stack, 'KkpRoot', { inventory, path: tag });
  const templates = new VmFolder(stack, 'Templates', { inventory, path: 'templates', parent: kkpRoot });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', namePrefix: `${tag}-`, kkpRelease: release });
  const hosts = kkpReleaseAtLeast(release, '2.26')
    ? { hosts: ['esxi-01.dc-1.example.com', 'esxi-02.dc-1.example.com'].map((h) => inventory.host(h, cluster)) } : {};
  new SeedPermissions(stack, 'Seed', { roles, inventory, storagePrincipal: storageOf(tag), folders: [kkpRoot, templates], datastores, ...hosts });
  new UserClusterPermissions(stack, 'Mc', {
    roles, inventory, principal: mcOf(tag), cluster, networks, distributedSwitches, datastores, folders: [kkpRoot, templates],
    // KKP 2.22's page grants two roles to the same user on the datacenter: one merged role, as the synth check asks.
    ...(release === '2.22' ? { mergeTagRolesIntoDatacenter: true } : {}),
  });
  const datacenter = new KkpDatacenterSpec(stack, 'Dc', {
    name: `vsphere-${tag}`, inventory, endpoint: 'https://vcenter.dc-1.example.com', datastore: datastores[0], cluster, rootFolder: kkpRoot,
    templates: { ubuntu: 'kkp-ubuntu' }, kkpRelease: release,
  });
  const variable = (id: string) => new TerraformVariable(stack, id, { type: 'string', sensitive: true });
  // What the synth check asks for (src/core/kkp-works-check.ts), as a user of that release writes it: up to 2.26
  // machine-controller logs in with `username` (2.26: either), so one user serves both and holds the storage roles of
  // the cluster too; 2.18-2.25's pages grant Cns.Searchable to no role, so that user gets a role with it on the vCenter.
  const oneUser = kkpReleaseAtLeast(release, '2.14') && !kkpReleaseAtLeast(release, '2.27');
  const user = oneUser ? mcOf(tag) : storageOf(tag);
  if (kkpReleaseAtLeast(release, '2.18') && !kkpReleaseAtLeast(release, '2.26')) {
    const cns = new VsphereRole(stack, 'CnsSearch', { roleName: `${tag}-cns-search`, privileges: ['Cns.Searchable'], vsphereVersion: '8.0' });
    VspherePermissions.grant({ principal: user, role: cns, entity: inventory.vcenter(), propagate: false });
  }
  new KkpUserCluster(stack, 'Cluster', {
    datacenter, roles, clusterId: `${tag}clu1`, machineControllerPrincipal: mcOf(tag), networks,
    cloudConfigUser: user, cloudConfigPassword: variable(oneUser ? 'mc_password' : 'storage_password'),
    ...(oneUser && release !== '2.22' ? { storagePrincipal: mcOf(tag) } : {}),
    ...(kkpReleaseAtLeast(release, '2.13') ? { infraManagementUserPassword: (oneUser ? stack.node.findChild('mc_password') as TerraformVariable : variable('mc_password')).stringValue } : {}),
  });
  app.synth();
  const tf = JSON.parse(readFileSync(join(dir, 'stacks', tag, 'cdk.tf.json'), 'utf8'));
  // The state in the workspace terraform runs in (cdktf's default local backend names a path beside the synth's cwd).
  delete tf.terraform.backend;
  delete tf.resource.kubernetes_secret;
  delete tf.provider.kubernetes;
  delete tf.terraform.required_providers.kubernetes;
  for (const [name, o] of Object.entries<Json>(tf.output ?? {})) if (JSON.stringify(o).includes('kubernetes_')) delete tf.output[name];
  if (Object.keys(tf.resource).some((t) => t.startsWith('kubernetes_'))) throw new Error(`${tag}: kubernetes resources left`);
  return { tf, dir };
}

/**
 * The cluster's runs: as the stack made it (its own folder), and as KKP would make it itself: no folder in the spec
 * (KKP creates and deletes `<rootPath>/<clusterId>`), with vSphere tags (2.23+). The template is the admin's.
 */
function runsOf(meta: KkpWorksMetadata, envOf: (p: string) => string): OpsRun[] {
  const root = meta.objects.rootFolder![0].path;
  // The switch of the workers' distributed port group (the inventory's: test/vcsim/inventory.go), which the cluster's
  // metadata does not name.
  const switches = meta.objects.network!.some((n) => n.path === '/dc-1/network/kkp-workers') ? { distributedSwitch: [{ path: '/dc-1/network/dvs-1' }] } : {};
  const objects = { ...meta.objects, ...switches, templateVm: [{ path: `${root}/templates/kkp-ubuntu` }] };
  // KKP 2.12: the stack writes the CCM's cloud-config only; KKP's seed controllers and API and machine-controller log
  // in with the user the cluster's spec names (GetVSphereCredentials, kubermatic/kubermatic api/pkg/resources/
  // credentials.go at v2.12.0: spec.cloud.vsphere.infraManagementUser, else username), which KKP's user enters
  // there: the user UserClusterPermissions sets up.
  const specUser = meta.components?.length
    ? { credentials: { username: { name: meta.machineControllerPrincipal, isGroup: false, setUp: true } }, components: KKP_COMPONENTS.map((c) => c.id).filter((id) => !meta.components!.includes(id)) }
    : undefined;
  const own = { ...meta, objects };
  const asSpecUser = (m: KkpWorksMetadata): KkpWorksMetadata[] => (specUser ? [m, { ...m, ...specUser }] : [m]);
  const kkpFolder = `${root}/${meta.clusterId}`;
  const pool = meta.objects.resourcePool?.[0].path;
  const kkpMade: KkpWorksMetadata = {
    ...meta,
    clusterId: `${meta.clusterId}-kkpfolder`,
    conditions: [...meta.conditions, 'kkp-creates-folder', ...(kkpReleaseAtLeast(meta.kkpRelease, '2.23') ? ['tags' as const] : [])],
    objects: { ...objects, clusterFolder: [{ path: kkpFolder }], nodeVm: [{ path: `${kkpFolder}/<node VM>`, ...(pool ? { alsoBelow: [pool] } : {}) }] },
  };
  return [own, kkpMade].flatMap(asSpecUser).flatMap((m) => clusterRuns(m, envOf));
}

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'ops-profiles-'));
  const users: Record<string, string> = {};
  for (const { tag } of PROFILES) for (const p of [mcOf(tag), storageOf(tag)]) users[p] = passwordOf(p);
  process.env.VCSIM_USERS = JSON.stringify(users);
  process.env.VCSIM_ENFORCE_PRIVILEGES = '1';
  try {
    sim = await startVcsim({ tls: true, inventory: 'kkp-example' });
  } finally {
    delete process.env.VCSIM_USERS;
    delete process.env.VCSIM_ENFORCE_PRIVILEGES;
  }
});

afterAll(async () => {
  console.log(`KKP operations per release profile, figures:\n\n${figures.join('\n\n')}`);
  await sim?.stop();
  rmSync(out, { recursive: true, force: true });
});

const failedLines = (results: readonly OpResult[]) =>
  results.filter((r) => !r.ok).map((r) => `${r.cluster} ${r.id} as ${r.principal}: ${r.fault} ${r.object ?? ''} ${r.privilege ?? ''}`.trim());
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe.each(PROFILES)('profile $profile (KKP $release)', ({ profile, release, tag }) => {
  test('deployed; every operation passes as the users the credentials name; each permission removed fails exactly what the model predicts', async () => {
    const { tf, dir } = synthProfile(release, tag);
    const passwords = { TF_VAR_storage_password: passwordOf(storageOf(tag)), TF_VAR_mc_password: passwordOf(mcOf(tag)) };
    const declared = Object.keys(tf.variable ?? {});
    const deployment = new Deployment(undefined, sim, Object.fromEntries(Object.entries(passwords).filter(([k]) => declared.includes(k.slice('TF_VAR_'.length)))));
    const deployed = await deployment.deploy(tf);
    expect(deployed.plan).toBe(0);

    const credentials = new Map<string, { user: string; password: string }>();
    const envs = new Map<string, string>();
    const envOf = (p: string) => {
      if (!envs.has(p.toLowerCase())) {
        const env = `KKPOPS_P${envs.size}`;
        envs.set(p.toLowerCase(), env);
        credentials.set(env, { user: p, password: passwordOf(p) });
      }
      return envs.get(p.toLowerCase())!;
    };
    const [meta] = worksOf(tf);
    expect(meta.kkpRelease).toBe(release);
    const runs = runsOf(meta, envOf);
    const root = meta.objects.rootFolder![0].path;
    const templates = [{ path: `${root}/templates/kkp-ubuntu`, datastore: '/dc-1/datastore/ds-ssd-1', resourcePool: '/dc-1/host/cluster-1/Resources' }];

    const permissions = stackPermissions(dir);
    const scenarios = [
      { id: 'stack', runs },
      ...permissions.map((p, i) => ({
        id: `${i}`,
        remove: { object: p.path, principal: p.principal, group: p.isGroup },
        runs: runs.filter((r) => r.principal.toLowerCase() === p.principal.toLowerCase()),
      })),
    ];
    const { results, millis } = runKkpops(sim, { datacenter: 'dc-1', templates, scenarios }, credentials);

    const all = results.filter((r) => r.scenario === 'stack');
    expect(all).toHaveLength(runs.reduce((n, r) => n + r.ops.length, 0));
    expect(failedLines(all)).toEqual([]);
    const wrong = mismatches(new PermissionIndex(permissions), runs, all, 'stack');
    const rows: string[] = [];
    scenarios.slice(1).forEach((s, i) => {
      const p = permissions[i];
      const mine = results.filter((r) => r.scenario === s.id);
      wrong.push(...mismatches(new PermissionIndex(permissions.filter((q) => q !== p)), s.runs, mine, s.id));
      const failed = failedLines(mine);
      rows.push(`| ${p.path} | ${p.principal} | ${p.role} | ${failed.length ? failed.join('<br>') : 'none'} |`);
    });
    figures.push(
      `${profile} (KKP ${release}): deploy ${secs(deployed.millis)} (${deployed.added} resources); ${results.length} operations in ${secs(millis)}\n` +
        runs.map((r) => `  ${r.cluster} as ${r.principal}: ${r.ops.join(', ')}`).join('\n') + '\n' +
        '| object | principal | role | operations refused |\n|---|---|---|---|\n' + rows.join('\n'),
    );
    expect(wrong).toEqual([]);
    expect(results.filter((r) => !r.ok).length).toBeGreaterThan(0);
  });
});
