// KkpVspherePreset: a KKP Preset with vSphere credentials, written as a kubernetes_manifest for KKP's master cluster.
// The manifest of every release from 2.13 to 2.31 is checked against a table of the Preset's JSON field names,
// transcribed below from KKP's Go types (not from src/); the password reaches the manifest only as a sensitive
// variable, and the real terraform binary evaluates the manifest as the kubernetes provider receives it.
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { VsphereInventory } from '../src/core';
import { KkpVspherePreset, KkpVspherePresetProps, KkpRoles } from '../src/constructs';
import { KKP_RELEASES, KkpRelease } from '../src/facts/kkp';
import { TerraformEvalError, terraformEval } from './support/terraform-eval';
import { synthJson } from './permissions/support';

// kubermatic/kubermatic, type Preset at each tag vX.Y.0: api/pkg/crd/kubermatic/v1/preset.go (2.12-2.14),
// pkg/crd/kubermatic/v1/preset.go (2.15-2.19), pkg/apis/kubermatic/v1/preset.go (2.20-2.27),
// sdk/apis/kubermatic/v1/preset.go (2.28-2.31). `vsphere`: the JSON tags of type VSphere, with the inlined
// PresetProvider (2.16-2.18) / ProviderPreset (2.19+) fields; `spec`: PresetSpec's fields other than the providers.
// apiVersion: register.go GroupName `kubermatic.k8s.io` (to 2.19; 2.19 also carries the new package pkg/apis, unused
// by its API server) and `kubermatic.k8c.io` (2.20+, CHANGELOG v2.20.0 "Migrate API group").
interface GoPreset {
  readonly apiVersion: string;
  readonly vsphere: readonly string[];
  readonly spec: readonly string[];
}
const V13 = ['username', 'password', 'vmNetName', 'datacenter'];
const V15 = [...V13, 'datastore', 'datastoreCluster'];
const V16 = ['enabled', 'datacenter', 'username', 'password', 'vmNetName', 'datastore', 'datastoreCluster'];
const V18 = [...V16, 'resourcePool'];
const V24 = [...V18, 'networks', 'basePath'];
const V26 = [...V24, 'isCustomizable'];
const OLD = 'kubermatic.k8s.io/v1';
const NEW = 'kubermatic.k8c.io/v1';
const GO_PRESET: Record<Exclude<KkpRelease, '2.12'>, GoPreset> = {
  '2.13': { apiVersion: OLD, vsphere: V13, spec: ['requiredEmailDomain'] },
  '2.14': { apiVersion: OLD, vsphere: V13, spec: ['requiredEmailDomain'] },
  '2.15': { apiVersion: OLD, vsphere: V15, spec: ['requiredEmailDomain'] },
  '2.16': { apiVersion: OLD, vsphere: V16, spec: ['requiredEmailDomain', 'enabled'] },
  '2.17': { apiVersion: OLD, vsphere: V16, spec: ['requiredEmailDomain', 'enabled'] },
  '2.18': { apiVersion: OLD, vsphere: V18, spec: ['requiredEmailDomain', 'requiredEmails', 'enabled'] },
  '2.19': { apiVersion: OLD, vsphere: V18, spec: ['requiredEmailDomain', 'requiredEmails', 'enabled'] },
  '2.20': { apiVersion: NEW, vsphere: V18, spec: ['requiredEmails', 'enabled'] },
  '2.21': { apiVersion: NEW, vsphere: V18, spec: ['requiredEmails', 'enabled'] },
  '2.22': { apiVersion: NEW, vsphere: V18, spec: ['requiredEmails', 'projects', 'enabled'] },
  '2.23': { apiVersion: NEW, vsphere: V18, spec: ['requiredEmails', 'projects', 'enabled'] },
  '2.24': { apiVersion: NEW, vsphere: V24, spec: ['requiredEmails', 'projects', 'enabled'] },
  '2.25': { apiVersion: NEW, vsphere: V24, spec: ['requiredEmails', 'projects', 'enabled'] },
  '2.26': { apiVersion: NEW, vsphere: V26, spec: ['requiredEmails', 'projects', 'enabled'] },
  '2.27': { apiVersion: NEW, vsphere: V26, spec: ['requiredEmails', 'projects', 'enabled'] },
  '2.28': { apiVersion: NEW, vsphere: V26, spec: ['requiredEmails', 'projects', 'enabled'] },
  '2.29': { apiVersion: NEW, vsphere: V26, spec: ['requiredEmails', 'projects', 'enabled'] },
  '2.30': { apiVersion: NEW, vsphere: V26, spec: ['requiredEmails', 'projects', 'enabled'] },
  '2.31': { apiVersion: NEW, vsphere: V26, spec: ['requiredEmails', 'projects', 'enabled'] },
};
const PRESET_RELEASES = KKP_RELEASES.filter((r): r is Exclude<KkpRelease, '2.12'> => r !== '2.12');

const SECRET = 'Pr3set-S3cret-41';

function world(kkpRelease?: KkpRelease) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'kkp-master');
  // The inventory's look-ups (datastore, network names) check at plan time that the objects exist.
  new VsphereProvider(stack, 'vsphere', { user: '${var.vsphere_user}', password: '${var.vsphere_password}' });
  const master = new KubernetesProvider(stack, 'kubernetes-master', { alias: 'master', configPath: 'kubeconfigs/master' });
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  if (kkpRelease) new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', kkpRelease });
  return { stack, master, inventory };
}

type W = ReturnType<typeof world>;
/** Each optional prop, with the JSON field (in spec or spec.vsphere) it writes. */
const OPTIONAL: { prop: keyof KkpVspherePresetProps; part: 'spec' | 'vsphere'; field: string; value: (w: W) => unknown }[] = [
  { prop: 'datacenter', part: 'vsphere', field: 'datacenter', value: () => 'vsphere-hamburg' },
  { prop: 'datastore', part: 'vsphere', field: 'datastore', value: (w) => w.inventory.datastore('ds-ssd-1') },
  { prop: 'resourcePool', part: 'vsphere', field: 'resourcePool', value: () => 'kkp-pool' },
  { prop: 'basePath', part: 'vsphere', field: 'basePath', value: () => 'team-a' },
  { prop: 'isCustomizable', part: 'vsphere', field: 'isCustomizable', value: () => true },
  { prop: 'projects', part: 'spec', field: 'projects', value: () => ['jm8rbz6fnz'] },
  { prop: 'requiredEmails', part: 'spec', field: 'requiredEmails', value: () => ['example.com', 'ops@example.org'] },
  { prop: 'requiredEmailDomain', part: 'spec', field: 'requiredEmailDomain', value: () => 'example.com' },
  { prop: 'enabled', part: 'spec', field: 'enabled', value: () => false },
];

function manifestOf(json: any): any {
  const manifests = Object.values(json.resource.kubernetes_manifest) as any[];
  expect(manifests).toHaveLength(1);
  return manifests[0];
}

describe('the Preset of each release, against its Go type', () => {
  test.each(PRESET_RELEASES)('KKP %s: apiVersion, kind, metadata, and only fields of its Preset type', (release) => {
    const go = GO_PRESET[release];
    const w = world(release);
    const has = (part: 'spec' | 'vsphere', field: string) => (part === 'spec' ? go.spec : go.vsphere).includes(field);
    const props: Record<string, unknown> = { name: 'team-a', username: 'VSPHERE.LOCAL\\kkp-team-a', kubernetesProvider: w.master };
    for (const o of OPTIONAL) if (has(o.part, o.field)) props[o.prop] = o.value(w);
    props.networks = [w.inventory.network('kkp-workers')];
    new KkpVspherePreset(w.stack, 'Preset', props as unknown as KkpVspherePresetProps);
    const m = manifestOf(synthJson(w.stack));
    expect(m.provider).toBe('kubernetes.master');
    expect(m.manifest.apiVersion).toBe(go.apiVersion);
    expect(m.manifest.kind).toBe('Preset');
    // Cluster-scoped: a namespace would be refused by the API server.
    expect(m.manifest.metadata).toEqual({ name: 'team-a' });
    const specKeys = Object.keys(m.manifest.spec).filter((k) => k !== 'vsphere');
    for (const k of specKeys) expect(go.spec).toContain(k);
    for (const k of Object.keys(m.manifest.spec.vsphere)) expect(go.vsphere).toContain(k);
    // Every field the type has is reachable, except the per-provider `enabled` (the Preset-wide one is written) and
    // the network field the release does not read (vmNetName is deprecated once networks exists), and datastoreCluster
    // (exclusive with datastore: its own test below).
    const network = go.vsphere.includes('networks') ? 'vmNetName' : 'networks';
    expect(Object.keys(m.manifest.spec.vsphere).sort()).toEqual(go.vsphere.filter((f) => f !== 'enabled' && f !== network && f !== 'datastoreCluster').sort());
    expect(specKeys.sort()).toEqual([...go.spec].sort());
    expect(m.manifest.spec.vsphere.username).toBe('VSPHERE.LOCAL\\kkp-team-a');
    expect(m.manifest.spec.vsphere.password).toBe('${var.kkp_preset_team_a_password}');
    if (go.vsphere.includes('networks')) expect(m.manifest.spec.vsphere.networks).toEqual(['kkp-workers']);
    else expect(m.manifest.spec.vsphere.vmNetName).toBe('kkp-workers');
  });

  test.each(PRESET_RELEASES.flatMap((release) => OPTIONAL.filter((o) => !(o.part === 'spec' ? GO_PRESET[release].spec : GO_PRESET[release].vsphere).includes(o.field)).map((o) => [release, o.prop] as const)))(
    'KKP %s has no field for prop %s: a synth error naming both',
    (release, prop) => {
      const w = world(release);
      const o = OPTIONAL.find((x) => x.prop === prop)!;
      expect(() => new KkpVspherePreset(w.stack, 'Preset', { name: 'team-a', username: 'u@vsphere.local', [prop]: o.value(w) } as KkpVspherePresetProps)).toThrow(
        new RegExp(`^KkpVspherePreset kkp-master/Preset ${prop}: KKP ${release.replace('.', '\\.')}'s Preset has no spec\\.(vsphere\\.)?${o.field} \\(KKP 2\\.\\d+ (and later|to 2\\.19) has it\\)`),
      );
    },
  );

  test('a datastore cluster is written as datastoreCluster', () => {
    const w = world();
    new KkpVspherePreset(w.stack, 'Preset', { name: 'p', username: 'u@vsphere.local', datastore: w.inventory.datastoreCluster('dsc-1') });
    expect(manifestOf(synthJson(w.stack)).manifest.spec.vsphere.datastoreCluster).toBe('dsc-1');
  });

  test('before 2.24 a Preset takes one network (vmNetName): two are refused with the release that takes a list', () => {
    const w = world('2.23');
    expect(() => new KkpVspherePreset(w.stack, 'Preset', { name: 'p', username: 'u@vsphere.local', networks: [w.inventory.network('a'), w.inventory.network('b')] })).toThrow(
      /KkpVspherePreset kkp-master\/Preset networks: KKP 2\.23's Preset takes one network \(spec\.vsphere\.vmNetName\); a list \(networks\) arrives in 2\.24/,
    );
  });

  test('KKP 2.12 read presets from a file: refused with the reason', () => {
    const w = world('2.12');
    expect(() => new KkpVspherePreset(w.stack, 'Preset', { name: 'p', username: 'u@vsphere.local' })).toThrow(
      /KkpVspherePreset kkp-master\/Preset: KKP 2\.12 reads presets only from a file given to kubermatic-api \(-presets\).*use kkpRelease 2\.13 or later/,
    );
  });

  test('the stack release decides; a preset asking for another release fails naming both', () => {
    const w = world('2.18');
    expect(() => new KkpVspherePreset(w.stack, 'Preset', { name: 'p', username: 'u@vsphere.local', kkpRelease: '2.31' })).toThrow(
      /KkpVspherePreset kkp-master\/Preset kkpRelease: '2\.31' differs from the KKP release this stack already uses, '2\.18'/,
    );
  });
});

describe('credentials', () => {
  test('no credential in cdk.tf.json: the password is a sensitive variable without default, referenced as ${var...}', () => {
    const w = world();
    const given = new TerraformVariable(w.stack, 'team_b_password', { type: 'string', sensitive: true });
    new KkpVspherePreset(w.stack, 'A', { name: 'team-a', username: 'VSPHERE.LOCAL\\kkp-team-a' });
    new KkpVspherePreset(w.stack, 'B', { name: 'team-b', username: 'VSPHERE.LOCAL\\kkp-team-b', password: given.stringValue });
    const text = Testing.synth(w.stack);
    const json = JSON.parse(text);
    expect(json.variable.kkp_preset_team_a_password).toEqual(expect.objectContaining({ sensitive: true, nullable: false }));
    expect(json.variable.kkp_preset_team_a_password.default).toBeUndefined();
    expect(json.variable.kkp_preset_team_b_password).toBeUndefined();
    const passwords = (Object.values(json.resource.kubernetes_manifest) as any[]).map((m) => m.manifest.spec.vsphere.password).sort();
    expect(passwords).toEqual(['${var.kkp_preset_team_a_password}', '${var.team_b_password}']);
    expect(text).not.toContain(SECRET);
  });

  test('a literal password is refused without showing it', () => {
    const w = world();
    let message = '';
    try {
      new KkpVspherePreset(w.stack, 'A', { name: 'team-a', username: 'u@vsphere.local', password: SECRET });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^KkpVspherePreset kkp-master\/A password: a literal password would be written into cdk\.tf\.json; pass a token/);
    expect(message).not.toContain(SECRET);
  });

  test('terraform evaluates the manifest as the provider receives it: hostile password intact, marked sensitive', () => {
    const w = world();
    new KkpVspherePreset(w.stack, 'A', { name: 'team-a', username: 'VSPHERE.LOCAL\\kkp-team-a', networks: [w.inventory.network('kkp-workers')], projects: ['jm8rbz6fnz'] });
    const json = synthJson(w.stack);
    const m = manifestOf(json);
    const hostile = 'p"a\\ss${x}%{y}w#rd;ü😀 ';
    const { values } = terraformEval({ synthesized: json, outputs: { manifest: m.manifest }, env: { kkp_preset_team_a_password: hostile } });
    expect(values.manifest).toEqual({
      apiVersion: 'kubermatic.k8c.io/v1',
      kind: 'Preset',
      metadata: { name: 'team-a' },
      spec: { projects: ['jm8rbz6fnz'], vsphere: { username: 'VSPHERE.LOCAL\\kkp-team-a', password: hostile, networks: ['kkp-workers'] } },
    });
    // Terraform refuses to show an output holding a sensitive value unless the output is marked: the manifest is.
    let unmarked: TerraformEvalError | undefined;
    try {
      terraformEval({ synthesized: json, outputs: { manifest: m.manifest }, env: { kkp_preset_team_a_password: hostile }, sensitive: false });
    } catch (e) {
      unmarked = e as TerraformEvalError;
    }
    expect(unmarked).toBeInstanceOf(TerraformEvalError);
    expect(unmarked!.stderr).toMatch(/Output refers to sensitive values/);
  });

  test('a password gcfg cannot carry fails the plan (the manifest precondition), without printing it', () => {
    const w = world();
    new KkpVspherePreset(w.stack, 'A', { name: 'team-a', username: 'u@vsphere.local' });
    const json = synthJson(w.stack);
    const m = manifestOf(json);
    let error: TerraformEvalError | undefined;
    try {
      terraformEval({ synthesized: json, outputs: { ok: 'x' }, env: { kkp_preset_team_a_password: `${SECRET}\nx` }, preconditions: m.lifecycle.precondition });
    } catch (e) {
      error = e as TerraformEvalError;
    }
    expect(error).toBeInstanceOf(TerraformEvalError);
    expect(error!.stderr.replace(/\s+/g, ' ')).toMatch(/KkpVspherePreset kkp-master\/A: prop password contains a newline, carriage return or NUL character/);
    expect(error!.stderr).not.toContain(SECRET);
  });
});
