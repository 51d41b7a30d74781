// KkpVspherePreset applied for real: a kubernetes_manifest through the real kubernetes provider to a real kube-apiserver
// that validates Presets with the CustomResourceDefinition the library writes from its per-release field tables
// (src/facts/kkp/preset-crd.ts). Read back, the Preset is exactly the object KKP's API reads (spec.vsphere with KKP's
// JSON field names, the password's exact bytes); re-plan is clean; a rotated password updates it in place; destroy
// removes it and leaves another team's Preset. A field the installed release does not know is refused by the API
// server. kubernetes_manifest needs the API server at plan time: without one, the plan fails with a message.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { TerraformStack } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { KkpVspherePreset, KkpVspherePresetProps } from '../../src';
import { KkpRelease, kkpPresetFacts, kkpPresetCrd } from '../../src/facts/kkp';
import { KubeApiServer, startKubeApiServer } from '../support/kube-apiserver';
import { TerraformError, TerraformWorkspace } from '../support/terraform';
import { plannedChanges } from '../support/vsphere-provider';
import { Timings, applySavedPlan, stateAddresses, synthStack, withEnv } from './support';

const USER = 'VSPHERE.LOCAL\\kkp-preset-user';
const PASSWORD_1 = 'preset "pw" \\ ${x} %{y} äö€';
const PASSWORD_2 = 'rotated \\\\ "2"';
const PASSWORD_VARIABLE = 'TF_VAR_kkp_preset_vsphere_team_a_password';

let kube: KubeApiServer;
let kubeconfig: string;
const workspaces: TerraformWorkspace[] = [];
const timings = new Timings();

/** Registers (or replaces) a CRD and waits until it is Established and its schema is published for clients. */
async function registerCrd(crd: any): Promise<void> {
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const existing = await kube.request('GET', `${base}/${crd.metadata.name}`);
  if (existing.status === 200) {
    await kube.must('PUT', `${base}/${crd.metadata.name}`, { ...crd, metadata: { ...crd.metadata, resourceVersion: existing.body.metadata.resourceVersion } });
  } else {
    await kube.must('POST', base, crd);
  }
  const [group, version] = [crd.spec.group, crd.spec.versions[0].name];
  const properties = Object.keys(crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.vsphere.properties).sort();
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const got = await kube.request('GET', `${base}/${crd.metadata.name}`);
    const established = (got.body.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
    const openapi = await kube.request('GET', `/openapi/v3/apis/${group}/${version}`);
    const published = openapi.status === 200 && JSON.stringify(Object.keys(
      Object.values<any>(openapi.body.components?.schemas ?? {}).find((s) => s['x-kubernetes-group-version-kind']?.[0]?.kind === 'Preset')
        ?.properties?.spec?.properties?.vsphere?.properties ?? {},
    ).sort()) === JSON.stringify(properties);
    if (established && published) return;
  }
  throw new Error(`CRD ${crd.metadata.name} was not established and published within 30 s`);
}

beforeAll(async () => {
  kube = await startKubeApiServer();
  kubeconfig = kube.writeKubeconfig();
  // KKP 2.13-2.19 serve Presets as kubermatic.k8s.io/v1, 2.20+ as kubermatic.k8c.io/v1: one CRD each, side by side.
  await registerCrd(kkpPresetCrd('2.13'));
  await registerCrd(kkpPresetCrd('2.31'));
  for (const apiVersion of ['kubermatic.k8s.io/v1', 'kubermatic.k8c.io/v1']) {
    await kube.must('POST', `/apis/${apiVersion}/presets`, {
      apiVersion, kind: 'Preset', metadata: { name: 'other-team' }, spec: { vsphere: { username: 'other', password: 'other-pass' } },
    });
  }
  console.log(`kube-apiserver ready in ${kube.startMillis} ms`);
}, 300_000);

afterAll(async () => {
  timings.print('kkp-preset.test.ts terraform wall times');
  for (const ws of workspaces) ws.remove();
  await kube?.stop();
});

function presetStack(release: KkpRelease, props: Partial<KkpVspherePresetProps>, config = kubeconfig): string {
  return synthStack('preset', (stack: TerraformStack) => {
    new KubernetesProvider(stack, 'kubernetes', { configPath: config });
    new KkpVspherePreset(stack, 'Preset', { kkpRelease: release, name: 'vsphere-team-a', username: USER, ...props });
  });
}

function workspace(json: string, env: Record<string, string>): TerraformWorkspace {
  const ws = TerraformWorkspace.create(json, env);
  workspaces.push(ws);
  return ws;
}

/** Every field of spec.vsphere and spec that the release's Preset has, as the construct takes them (names only). */
function everyField(release: KkpRelease): { props: Partial<KkpVspherePresetProps>; spec: Record<string, unknown> } {
  const facts = kkpPresetFacts(release);
  const has = (f: string) => (facts.vsphereFields as readonly string[]).includes(f) || (facts.specFields as readonly string[]).includes(f);
  const entity = (kind: string, name: string) => ({ kind, inventoryPath: `/dc-1/x/${name}` }) as any;
  const props: Record<string, unknown> = { datacenter: 'vsphere-dc-1', networks: [entity('network', 'kkp-workers')] };
  const vsphere: Record<string, unknown> = { datacenter: 'vsphere-dc-1', username: USER, password: PASSWORD_1 };
  if (has('networks')) vsphere.networks = ['kkp-workers'];
  else vsphere.vmNetName = 'kkp-workers';
  if (has('datastore')) {
    props.datastore = entity('datastore', 'ds-ssd-1');
    vsphere.datastore = 'ds-ssd-1';
  }
  for (const [field, value] of [['resourcePool', 'pool-1'], ['basePath', '/dc-1/vm/kkp'], ['isCustomizable', false]] as const) {
    if (has(field)) {
      props[field] = value;
      vsphere[field] = value;
    }
  }
  const spec: Record<string, unknown> = { vsphere };
  for (const [field, value] of [['requiredEmailDomain', 'example.com'], ['requiredEmails', ['team-a@example.com', 'example.org']], ['projects', ['jm8rbz6fnz']], ['enabled', true]] as const) {
    if (has(field)) {
      props[field] = value;
      spec[field] = value;
    }
  }
  return { props: props as Partial<KkpVspherePresetProps>, spec };
}

describe.each([
  ['2.13', 'kubermatic.k8s.io/v1'],
  ['2.31', 'kubermatic.k8c.io/v1'],
] as const)('KKP %s: the Preset, validated by that release\'s CRD', (release, apiVersion) => {
  let ws: TerraformWorkspace;
  const { props, spec } = everyField(release);

  test('apply with every field the release has: read back, it is exactly the object KKP reads; re-plan is clean', async () => {
    const json = presetStack(release, props);
    expect(json).not.toContain(PASSWORD_1);
    ws = workspace(json, { [PASSWORD_VARIABLE]: PASSWORD_1 });
    timings.add(`${release} init`, ws.init().millis);
    timings.add(`${release} apply (Preset)`, ws.apply().millis);
    const preset = await kube.must('GET', `/apis/${apiVersion}/presets/vsphere-team-a`);
    expect(preset.spec).toEqual(spec);
    expect(Buffer.from(preset.spec.vsphere.password, 'utf8')).toEqual(Buffer.from(PASSWORD_1, 'utf8'));
    expect(Buffer.from(preset.spec.vsphere.username, 'utf8')).toEqual(Buffer.from(USER, 'utf8'));
    expect(ws.planExitCode()).toBe(0);
  });

  test('a rotated password: the plan updates the Preset in place, the apply does exactly that; destroy leaves the other team\'s', async () => {
    const rotated = withEnv(ws, { [PASSWORD_VARIABLE]: PASSWORD_2 });
    const before = await kube.must('GET', `/apis/${apiVersion}/presets/vsphere-team-a`);
    const plan = rotated.planJson();
    expect(plannedChanges(plan)).toEqual([expect.stringMatching(/^kubernetes_manifest\.Preset_[0-9A-F]{8} update$/)]);
    // The saved plan file holds the variables' values (Terraform keeps them to apply it); what a reviewer reads does not.
    expect(rotated.run(['show', '-no-color', 'tfplan']).stdout).not.toContain(PASSWORD_2);
    timings.add(`${release} apply of the saved plan (password rotated)`, applySavedPlan(rotated));
    const after = await kube.must('GET', `/apis/${apiVersion}/presets/vsphere-team-a`);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.spec).toEqual({ ...spec, vsphere: { ...(spec.vsphere as object), password: PASSWORD_2 } });
    expect(rotated.planExitCode()).toBe(0);

    timings.add(`${release} destroy`, rotated.destroy().millis);
    expect(stateAddresses(rotated)).toEqual([]);
    const left = await kube.must('GET', `/apis/${apiVersion}/presets`);
    expect(left.items.map((p: any) => p.metadata.name)).toEqual(['other-team']);
    expect(left.items[0].spec.vsphere).toEqual({ username: 'other', password: 'other-pass' });
  });
});

describe('a field the installed release does not know', () => {
  test('the API server refuses it: the 2.13 CRD and a stack written for 2.19 (resourcePool, requiredEmails)', async () => {
    // KKP 2.13 installed (its CRD on the cluster), the stack says 2.19: both serve kubermatic.k8s.io/v1.
    const json = presetStack('2.19', { resourcePool: 'pool-1', requiredEmails: ['team-a@example.com'] });
    const ws = workspace(json, { [PASSWORD_VARIABLE]: PASSWORD_1 });
    ws.init();
    let error: TerraformError | undefined;
    try {
      ws.apply();
    } catch (e) {
      error = e as TerraformError;
    }
    expect(error).toBeInstanceOf(TerraformError);
    // The kubernetes provider checks the manifest against the schema the API server publishes for the CRD, at plan time:
    // the unknown fields are named in its warnings, the error stops the run before anything is written.
    const message = `${error!.stderr}\n${error!.stdout}`.replace(/\s+/g, ' ');
    expect(message).toContain('Manifest configuration incompatible with resource schema');
    expect(message).toMatch(/Unable to find schema type for attribute: object\.spec\.(requiredEmails|vsphere\.resourcePool)/);
    expect(message).not.toContain(PASSWORD_1);
    console.log(`terraform with a field the 2.13 CRD lacks:\n${message}`);
    expect((await kube.request('GET', '/apis/kubermatic.k8s.io/v1/presets/vsphere-team-a')).status).toBe(404);

    // The API server itself: strict field validation (what server-side apply and kubectl use) refuses the field;
    // a lenient write keeps the object and drops the field (with a warning), which is why the CRD has no
    // x-kubernetes-preserve-unknown-fields: nothing unknown is ever stored.
    const object = { apiVersion: 'kubermatic.k8s.io/v1', kind: 'Preset', metadata: { name: 'direct' }, spec: { vsphere: { username: 'u', password: 'p', networks: ['n'] } } };
    const strict = await kube.request('POST', '/apis/kubermatic.k8s.io/v1/presets?fieldValidation=Strict', object);
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.vsphere.networks"');
    console.log(`the API server, strict field validation: HTTP ${strict.status} ${strict.body.message}`);
    const lenient = await kube.request('POST', '/apis/kubermatic.k8s.io/v1/presets?fieldValidation=Ignore', object);
    expect(lenient.status).toBe(201);
    expect(lenient.body.spec.vsphere).toEqual({ username: 'u', password: 'p' });
    await kube.must('DELETE', '/apis/kubermatic.k8s.io/v1/presets/direct');
    // Required fields too: a Preset without a password is refused whatever the validation level.
    const noPassword = await kube.request('POST', '/apis/kubermatic.k8s.io/v1/presets', { ...object, spec: { vsphere: { username: 'u' } } });
    expect(noPassword.status).toBe(422);
    expect(noPassword.body.message).toContain('spec.vsphere.password: Required value');
  });
});

describe('kubernetes_manifest needs the API server at plan time', () => {
  test('a plan with the API server unreachable fails, naming the server it could not reach', async () => {
    // A kubeconfig naming a port nothing listens on: what a CI runner without access to the cluster sees.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(p));
      });
    });
    const unreachable = path.join(path.dirname(kubeconfig), 'unreachable-kubeconfig');
    const config = JSON.parse(fs.readFileSync(kubeconfig, 'utf8'));
    config.clusters[0].cluster.server = `https://127.0.0.1:${port}`;
    fs.writeFileSync(unreachable, JSON.stringify(config));
    const ws = workspace(presetStack('2.31', {}, unreachable), { [PASSWORD_VARIABLE]: PASSWORD_1 });
    ws.init();
    const plan = ws.run(['plan', '-input=false', '-no-color'], [0, 1, 2]);
    expect(plan.status).toBe(1);
    expect(plan.stderr).toContain(`127.0.0.1:${port}`);
    expect(plan.stderr).toMatch(/connection refused/);
    expect(plan.stderr).not.toContain(PASSWORD_1);
    console.log(`terraform plan of a Preset without its API server:\n${plan.stderr.trim()}`);
  });
});
