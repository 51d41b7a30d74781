// Every KKP role profile's roles, created by the real vSphere provider (vmware/vsphere 2.15.0, `terraform apply` of the
// synthesized vsphere_role resources) on a real vSphere API: the govmomi simulator, which checks every privilege ID
// against its catalog when a role is created, as vCenter does against its own. One simulator and one terraform
// working directory for the whole matrix: every profile x vSphere version is a stack of its own (one KkpRoles each,
// names prefixed with profile and version), their roles applied together.
//
// What the simulator can and cannot prove. Its catalog is exactly the vCenter 8 capture the library ships (first
// test), so:
// - vSphere 8.0: the catalog is that capture; every profile's roles are applied for real and read back exactly.
// - vSphere 7.0u2 and 7.0: the library derives these catalogs from the vCenter 8 capture (fewer IDs, none added), so
//   every profile's roles are applied here too; that shows vCenter 8 accepts them and the provider round-trips them,
//   not that a 7.0 vCenter does (no 7.0 catalog capture exists here).
// - vSphere 6.7: the catalog is an ESXi 6.5U1 capture. KKP 2.18 and later list vCenter-only privileges it does not hold
//   (CNS, tagging, AutoDeploy): the user gets a synth error naming them. KKP 2.12 and 2.14 synthesize; all their roles
//   but the VM folder role are applied here. The folder role expands "Change Configuration" against the 6.7 catalog,
//   which holds VirtualMachine.Config.Unlock; vCenter 8 no longer knows it, so it cannot be created on this simulator:
//   the test shows the apply-time refusal a wrong vsphereVersion ('6.7' against a vCenter 8) gets, and that with the
//   server's version ('8.0') the same profile's folder role has no Unlock and applies, and that naming Unlock in a
//   role for 8.0 is a synth error.
import { TerraformStack, Testing } from 'cdktf';
import { KkpRoles, VsphereRole } from '../../src';
import { KKP_ROLE_PROFILES, VSPHERE_VERSIONS, VsphereVersion, privilegeCatalog, resolveKkpRole } from '../../src/facts/privileges';
import { VcenterClient, VcenterRole } from '../../src/tools/vcenter';
import { synthJson } from '../permissions/support';
import { TerraformWorkspace } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';
import { providerStack, stateResources, vsphereWorkspace } from '../support/vsphere-provider';

// vCenter adds these to every role it creates; the provider strips them on read.
const IMPLICIT = ['System.Anonymous', 'System.Read', 'System.View'];
const UNLOCK = 'VirtualMachine.Config.Unlock';

/**
 * Roles whose synth fails on vSphere 6.7, per profile, written out from the pages (the roles that list vCenter-only
 * privileges: CNS, vSphere Tagging, AutoDeploy). Every other profile x version synthesizes every role.
 */
const SYNTH_ERRORS_ON_6_7: Record<string, readonly string[]> = {
  'kkp-2.12': [],
  'kkp-2.14': [],
  'kkp-2.18': ['k8c-user-vcenter', 'k8c-user-datacenter', 'k8c-user-folder-propagate'],
  'kkp-2.21': ['k8c-user-vcenter', 'k8c-user-datacenter', 'k8c-user-folder-propagate', 'k8c-user-tags-category', 'k8c-user-tags'],
  'kkp-2.22': ['k8c-user-vcenter', 'k8c-user-datacenter', 'k8c-user-folder-propagate', 'k8c-user-tags'],
  'kkp-2.23': [
    'k8c-user-vcenter', 'k8c-user-datacenter', 'k8c-user-cluster-propagate', 'k8c-network-attach', 'k8c-user-datastore-propagate',
    'k8c-user-folder-propagate',
  ],
  'kkp-2.26': [
    'k8c-ccm-storage-cns', 'k8c-user-vcenter', 'k8c-user-datacenter', 'k8c-user-cluster-propagate', 'k8c-network-attach',
    'k8c-user-datastore-propagate', 'k8c-user-folder-propagate',
  ],
};
/** Roles that synthesize but that a vCenter 8 refuses: the 6.7 folder roles, with VirtualMachine.Config.Unlock. */
const NOT_ON_VCENTER_8: Record<string, readonly string[]> = { 'kkp-2.12': ['k8c-user-folder-propagate'], 'kkp-2.14': ['k8c-user-folder-propagate'] };

interface Case {
  readonly profile: string;
  readonly release: (typeof KKP_ROLE_PROFILES)[number]['first'];
  readonly version: VsphereVersion;
  /** Synthesized roles: name in vCenter → sorted privilege IDs. */
  readonly roles: Map<string, string[]>;
  /** The page's role name → the synth error. */
  readonly synthErrors: Map<string, string>;
  readonly json: any;
}

let sim: Vcsim;
let client: VcenterClient;
let known: Set<string>;
let cases: Case[];
let ws: TerraformWorkspace;
let state: any;
let vcRoles: VcenterRole[];
const timings: Record<string, number> = {};

/** One stack per profile x version, as a user's: KkpRoles for that release and version, every role of the page asked for. */
function synthCase(profile: (typeof KKP_ROLE_PROFILES)[number], version: VsphereVersion): Case {
  const stack = providerStack(`${profile.name}-${version}`);
  const roles = new KkpRoles(stack, `${profile.name}-${version}`.replace(/\./g, '_'), {
    kkpRelease: profile.first,
    vsphereVersion: version,
    namePrefix: `${profile.name}-${version}-`,
  });
  const synthErrors = new Map<string, string>();
  for (const def of profile.roles) {
    try {
      roles.role(def.key);
    } catch (err) {
      synthErrors.set(def.name, (err as Error).message);
    }
  }
  const json = synthJson(stack);
  const created = new Map<string, string[]>(Object.values<any>(json.resource?.vsphere_role ?? {}).map((r) => [r.name, [...r.role_privileges].sort()]));
  return { profile: profile.name, release: profile.first, version, roles: created, synthErrors, json };
}

/** The roles of every stack that a vCenter 8 accepts, in one configuration (keys are unique: one KkpRoles id per stack). */
function mergedConfig(all: readonly Case[]): any {
  const merged: Record<string, any> = {};
  for (const c of all) {
    for (const [key, role] of Object.entries<any>(c.json.resource?.vsphere_role ?? {})) {
      if (role.role_privileges.some((id: string) => !known.has(id))) continue;
      if (merged[key]) throw new Error(`two stacks synthesize vsphere_role.${key}`);
      merged[key] = role;
    }
  }
  return { terraform: all[0].json.terraform, provider: all[0].json.provider, resource: { vsphere_role: merged } };
}

beforeAll(async () => {
  sim = await startVcsim({ tls: true });
  client = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  known = new Set((await client.roleList()).find((r) => r.id === -1)!.privileges);
  let t = Date.now();
  cases = KKP_ROLE_PROFILES.flatMap((profile) => VSPHERE_VERSIONS.map((version) => synthCase(profile, version)));
  timings.synth = Date.now() - t;
  ws = vsphereWorkspace(sim, mergedConfig(cases));
  t = Date.now();
  ws.apply();
  timings.apply = Date.now() - t;
  state = ws.state();
  vcRoles = await client.roleList();
}, 180_000);

afterAll(async () => {
  ws?.remove();
  await client?.logout();
  await sim?.stop();
});

test("the simulator's privileges (its Admin role) are exactly the library's vSphere 8.0 catalog plus System.*", async () => {
  expect([...known].filter((id) => !id.startsWith('System.')).sort()).toEqual([...privilegeCatalog('8.0')].sort());
});

describe('every profile x vSphere version', () => {
  const matrix = KKP_ROLE_PROFILES.flatMap((p) => VSPHERE_VERSIONS.map((v) => [p.name, p.first, v] as const));

  test.each(matrix)('%s (KKP %s) on vSphere %s: the roles it synthesizes are created by the provider and read back exactly; the rest are synth errors naming the IDs', (profile, _release, version) => {
    const c = cases.find((x) => x.profile === profile && x.version === version)!;
    const pageRoles = KKP_ROLE_PROFILES.find((p) => p.name === profile)!.roles.map((r) => r.name);
    const expectedErrors = version === '6.7' ? SYNTH_ERRORS_ON_6_7[profile] : [];
    const notOnVcenter8 = version === '6.7' ? (NOT_ON_VCENTER_8[profile] ?? []) : [];

    // Synth errors: exactly the expected roles, each naming the IDs the version's catalog lacks.
    expect([...c.synthErrors.keys()].sort()).toEqual([...expectedErrors].sort());
    for (const [name, message] of c.synthErrors) {
      const def = KKP_ROLE_PROFILES.find((p) => p.name === profile)!.roles.find((r) => r.name === name)!;
      const lacking = def.privileges.flatMap((e) => ('id' in e ? [e.id] : [])).filter((id) => !privilegeCatalog(version).has(id));
      expect(lacking.length).toBeGreaterThan(0);
      expect(message).toContain(`KKP role "${name}"`);
      expect(message).toContain(`lists ${[...new Set(lacking)].join(', ')}, which the privilege catalog of vSphere ${version} does not hold`);
    }

    // Every other role of the page is synthesized; all but the 6.7 folder roles exist on the simulator now.
    const prefix = `${profile}-${version}-`;
    expect([...c.roles.keys()].sort()).toEqual(pageRoles.filter((n) => !expectedErrors.includes(n)).map((n) => prefix + n).sort());
    const roleState = [...stateResources(state, 'vsphere_role').values()];
    for (const [name, ids] of c.roles) {
      const inVcenter = vcRoles.find((r) => r.name === name);
      if (notOnVcenter8.includes(name.slice(prefix.length))) {
        expect([name, ids.includes(UNLOCK), inVcenter]).toEqual([name, true, undefined]);
        continue;
      }
      // The provider's read (System.* stripped) and vCenter's own list (System.* added) hold exactly the IDs.
      const read = roleState.find((r) => r.name === name);
      expect([name, [...(read?.role_privileges ?? [])].sort()]).toEqual([name, ids]);
      expect([name, [...(inVcenter?.privileges ?? [])].sort()]).toEqual([name, [...ids, ...IMPLICIT].sort()]);
    }
  });

  test('the re-plan of all of them is empty', () => {
    const t = Date.now();
    expect(ws.planExitCode()).toBe(0);
    timings.replan = Date.now() - t;
  });

  test('in numbers: the roles applied for real, per vSphere version', () => {
    const applied = (v: VsphereVersion) => cases.filter((c) => c.version === v).reduce((n, c) => n + [...c.roles.values()].filter((ids) => !ids.includes(UNLOCK)).length, 0);
    expect(VSPHERE_VERSIONS.map((v) => [v, applied(v)])).toEqual([
      ['6.7', 33],
      ['7.0', 60],
      ['7.0u2', 60],
      ['8.0', 60],
    ]);
    expect(stateResources(state, 'vsphere_role').size).toBe(33 + 60 * 3);
  });
});

describe('VirtualMachine.Config.Unlock: documented for 6.7, unknown to vCenter 8', () => {
  test('with the server\'s version (8.0) the folder role of KKP 2.12 has no Unlock and was created (its group expanded against 8.0)', () => {
    const role = vcRoles.find((r) => r.name === 'kkp-2.12-8.0-k8c-user-folder-propagate');
    expect(role?.privileges).toEqual(expect.arrayContaining(['VirtualMachine.Config.AddNewDisk', 'VirtualMachine.Interact.SuspendToMemory']));
    expect(role?.privileges).not.toContain(UNLOCK);
  });

  test('naming it in a role for vSphere 8.0 is a synth error that names it', () => {
    const stack = new TerraformStack(Testing.app(), 'custom');
    expect(() => new VsphereRole(stack, 'Folder', { roleName: 'kkp-folder', privileges: ['VirtualMachine.Config.AddNewDisk', UNLOCK], vsphereVersion: '8.0' })).toThrow(
      `privilege "${UNLOCK}" is not known to vSphere 8.0. It exists in vSphere 6.7: check the vsphereVersion you configured.`,
    );
  });

  test("a wrong vsphereVersion ('6.7' against this vCenter 8) is refused at apply by vCenter, and nothing is left behind", () => {
    const ids = resolveKkpRole('k8c-user-folder-propagate', '6.7', '2.12').privileges.map((p) => p.id);
    expect(ids).toContain(UNLOCK);
    const c = cases.find((x) => x.profile === 'kkp-2.12' && x.version === '6.7')!;
    const [key, role] = Object.entries<any>(c.json.resource.vsphere_role).find(([, r]) => r.name === 'kkp-2.12-6.7-k8c-user-folder-propagate')!;
    expect([...role.role_privileges].sort()).toEqual(ids);
    const one = vsphereWorkspace(sim, { terraform: c.json.terraform, provider: c.json.provider, resource: { vsphere_role: { [key]: role } } });
    try {
      const failed = one.run(['apply', '-auto-approve', '-input=false', '-no-color'], [1]);
      // The provider's error, as terraform prints it: vCenter's InvalidArgument fault, without naming the ID.
      expect(failed.stderr.replace(/\s+/g, ' ')).toContain('Error: error while creating role with name kkp-2.12-6.7-k8c-user-folder-propagate ServerFaultCode: InvalidArgument');
      expect(one.run(['state', 'list'], [0, 1]).stdout.trim()).toBe('');
    } finally {
      one.remove();
    }
  });
});

test('destroy removes every role it created, and only those', async () => {
  const t = Date.now();
  ws.destroy();
  timings.destroy = Date.now() - t;
  const left = (await client.roleList()).filter((r) => !r.system);
  expect(left).toEqual([]);
  // For the README: how long the matrix takes (synth of all stacks, one apply, one re-plan, one destroy).
  console.log(`KKP role matrix on the simulator: ${stateResources(state, 'vsphere_role').size} roles; ${JSON.stringify(timings)} ms`);
});
