// Moving a deployed stack from the provisioner version of this library to the kkpvsphere provider, on a real
// deployment: the old version (built from git history, test/e2e/provisioner-era.ts) is synthesized and applied on the
// simulator by the real terraform with the real vSphere provider, its provisioners running the old CLI; then the
// current version with VspherePermissions.migrateFromProvisioners is planned and applied in the same working directory
// and state. The plan imports every additive grant (each shared object's principals into its one kkpvsphere_permissions,
// by one import ID naming them) and forgets the old terraform_data instances; nothing is created,
// changed or destroyed, no `revoke` runs, every object holds exactly the permissions it held before; the re-plan and
// the plan without the migration call are empty; destroy then removes the stack's grants and nothing else. A VM
// template the old version imported with its CLI is adopted the same way: its old terraform_data forgotten, the
// template imported by its inventory path (same VM, nothing uploaded again), and destroy deletes it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, TerraformStack, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import * as current from '../../src';
import { VcenterClient, resolveObject } from '../../src/tools/vcenter';
import { synthJson } from '../permissions/support';
import { TerraformWorkspace } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';
import { makeQcow2, removeTmpDirs, tmpDir } from '../images/tools';
import { ConvertedImage, convertImage } from '../../src/tools/images';
import { PermissionLine, permissionsByObject } from './support';
import { ProvisionerEra, provisionerCalls, provisionerEra } from './provisioner-era';

jest.setTimeout(15 * 60_000);

type Json = Record<string, any>;
type Lib = typeof current;

const SHARED = ['/', '/DC0', '/DC0/host/DC0_C0', '/DC0/host/DC0_C0/DC0_C0_H0', '/DC0/datastore/LocalDS_0', '/DC0/network/VM Network', '/DC0/network/DC0_DVPG0'];
const MC = 'VSPHERE.LOCAL\\kkp-mc';
const STORAGE = 'VSPHERE.LOCAL\\kkp-storage';

const TEMPLATE = '/DC0/vm/kkp-migrated-tpl';
let image: ConvertedImage;
/** The app's output directory: both versions synthesize into it, and terraform runs in its stacks/kkp (as cdktf deploy). */
let outdir: string;

/** One KKP installation as a user writes it, with either version of the library (same constructs, same inputs). */
function synth(lib: Lib, migrate: boolean): Json {
  const stack = new TerraformStack(new App({ outdir, stackTraces: false }), 'kkp');
  const fromEnvironment = Token.asString(Token.nullValue());
  new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
  const inventory = new lib.VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
  const cluster = inventory.computeCluster('DC0_C0');
  const datastores = [inventory.datastore('LocalDS_0')];
  const networks = [inventory.network('VM Network'), inventory.network('DC0_DVPG0')];
  const kkpRoot = new lib.VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
  const roles = new lib.KkpRoles(stack, 'Roles', { vsphereVersion: '8.0' });
  const hosts = [inventory.host('DC0_C0_H0', cluster)];
  new lib.SeedPermissions(stack, 'Seed', { roles, inventory, storagePrincipal: STORAGE, folders: [kkpRoot], datastores, hosts });
  new lib.UserClusterPermissions(stack, 'MachineController', { roles, inventory, principal: MC, cluster, networks, datastores, folders: [kkpRoot] });
  const own = `${STORAGE}-a`;
  new lib.UserClusterFolder(stack, 'Cluster-a', { inventory, rootFolder: kkpRoot, clusterId: 'a', roles, machineControllerPrincipal: MC, storagePrincipal: own });
  lib.VspherePermissions.grant({ principal: own, role: roles.role('k8c-storage-datastore-propagate'), entity: datastores[0], propagate: true });
  lib.VspherePermissions.grant({ principal: own, role: lib.PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
  new lib.VmTemplate(stack, 'Rocky', {
    inventory, folder: '', name: path.basename(TEMPLATE), network: 'VM Network', datastore: 'LocalDS_0', resourcePool: 'DC0_C0/Resources',
    source: lib.VmTemplateSource.convertedImage(image, { os: 'rockylinux' }),
  });
  if (migrate) lib.VspherePermissions.migrateFromProvisioners(stack);
  return synthJson(stack);
}

let sim: Vcsim;
let vc: VcenterClient;
let era: ProvisionerEra;

beforeAll(async () => {
  era = provisionerEra();
  outdir = tmpDir('kkp-migrate-app');
  const dir = tmpDir('kkp-migrate-image');
  image = await convertImage({ input: makeQcow2(path.join(dir, 'rocky.qcow2'), 8 * 2 ** 20), outDir: path.join(outdir, 'images'), name: 'rocky', guestOs: 'rhel9_64Guest' });
  sim = await startVcsim({ tls: true });
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  const backup = (await vc.addRole('corp-backup', ['Datastore.Browse'])).id;
  for (const p of SHARED) {
    await vc.setEntityPermissions((await resolveObject(vc, p))!, [
      { principal: 'CORP\\backup-team', group: true, roleId: backup, propagate: true },
      { principal: 'CORP\\monitoring', group: false, roleId: -2, propagate: false },
    ]);
  }
});

afterAll(async () => {
  await vc?.logout();
  await sim?.stop();
  removeTmpDirs();
});

/** The principals an import ID `<type>:<moid>:<principal>[:<principal>...]` names, `group:` kept before a group's. */
function importedPrincipals(id: string): string[] {
  const out: string[] = [];
  let group = false;
  for (const tok of id.split(':').slice(2)) {
    if (tok === 'group') group = true;
    else {
      out.push(`${group ? 'group:' : ''}${tok}`);
      group = false;
    }
  }
  return out.sort();
}

const ours = (lines: PermissionLine[]) => lines.filter((l) => /VSPHERE\.LOCAL\\kkp-/i.test(l));
const others = (lines: PermissionLine[]) => lines.filter((l) => !/VSPHERE\.LOCAL\\kkp-/i.test(l));

test('a stack applied with the provisioners moves to the kkpvsphere provider: every grant (one kkpvsphere_permissions per shared object) and the template imported, the old terraform_data forgotten, nothing re-created, destroyed or revoked', async () => {
  const oldTf = synth(require(era.lib) as Lib, false);
  const [grantsBlock] = Object.entries<Json>(oldTf.resource.terraform_data).find(([, b]) => b.for_each)!;
  const oldInstances = Object.keys(oldTf.resource.terraform_data[grantsBlock].for_each);
  const [templateBlock] = Object.entries<Json>(oldTf.resource.terraform_data).find(([, b]) => b.input?.template)!;
  expect(oldInstances.length).toBeGreaterThan(5);
  const env = {
    PATH: `${era.prefix}/bin:${process.env.PATH}`,
    npm_config_prefix: era.prefix,
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_update_notifier: 'false',
    VSPHERE_SERVER: new URL(sim.url).host,
    VSPHERE_USER: sim.user,
    VSPHERE_PASSWORD: sim.password,
    VSPHERE_ALLOW_UNVERIFIED_SSL: 'true',
  };
  // where cdktf deploy runs terraform: the stack's directory in the app's output (the image's path is relative to it)
  const stackDir = path.join(outdir, 'stacks', 'kkp');
  fs.mkdirSync(stackDir, { recursive: true });
  fs.writeFileSync(path.join(stackDir, 'cdk.tf.json'), JSON.stringify(oldTf));
  const ws = TerraformWorkspace.open(stackDir, env);
  try {
    ws.init();
    ws.apply();
    const grantCalls = provisionerCalls(era).filter((c) => c.startsWith('grant --stack'));
    expect(grantCalls).toHaveLength(oldInstances.length);
    expect(provisionerCalls(era).filter((c) => c === 'template-import')).toHaveLength(1);
    const template = (await vc.findByInventoryPath(TEMPLATE))!;
    expect(template).toBeDefined();
    const before = await permissionsByObject(vc, SHARED);
    for (const p of SHARED) expect(ours(before.get(p)!).length).toBeGreaterThan(0);
    const callsBefore = provisionerCalls(era).length;

    // the current version with the one-time migration
    const newTf = synth(current, true);
    // no provisioner-era terraform_data: the only one left holds the local image's digests
    expect(Object.values<Json>(newTf.resource.terraform_data).map((r) => Object.keys(r.input))).toEqual([['file', 'sha256']]);
    expect(JSON.stringify(newTf)).not.toMatch(/local-exec/);
    // one kkpvsphere_permissions per shared object, listing as many principals as the old block had instances
    expect(newTf.resource.kkpvsphere_permission).toBeUndefined();
    const permissions = Object.keys(newTf.resource.kkpvsphere_permissions);
    expect(permissions).toHaveLength(SHARED.length);
    const listed = Object.values<Json>(newTf.resource.kkpvsphere_permissions).reduce((n, r) => n + Object.keys(r.permissions).length, 0);
    expect(listed).toBe(oldInstances.length);
    expect(newTf.import).toHaveLength(permissions.length + 1);
    expect(newTf.removed).toEqual([
      { from: `terraform_data.${grantsBlock}`, lifecycle: { destroy: false } },
      { from: `terraform_data.${templateBlock}`, lifecycle: { destroy: false } },
    ]);
    ws.write(newTf);
    ws.init();
    const plan = ws.run(['plan', '-input=false', '-no-color', '-out=tfplan']);
    const shown = JSON.parse(ws.run(['show', '-json', '-no-color', 'tfplan']).stdout);
    const changes: Json[] = shown.resource_changes ?? [];
    const imported = changes.filter((c) => c.change.importing && c.type === 'kkpvsphere_permissions');
    const forgotten = changes.filter((c) => c.change.actions.includes('forget'));
    const templateChange = changes.find((c) => c.type === 'kkpvsphere_vm_template')!;
    const other = changes.filter(
      (c) => !c.change.importing && !c.change.actions.includes('forget') && !(c.change.actions.length === 1 && c.change.actions[0] === 'no-op'),
    );
    const summary = /^Plan: .*$/m.exec(plan.stdout)?.[0];
    console.log(`migration plan: ${summary}\n${plan.stdout.split('\n').filter((l) => /will be imported|will no longer be managed|will be (created|destroyed|updated)/.test(l)).slice(0, 6).join('\n')}`);
    expect(imported.map((c) => c.address).sort()).toEqual(permissions.map((p) => `kkpvsphere_permissions.${p}`).sort());
    for (const c of imported) {
      // as is: the permissions on vCenter are the configuration's
      expect([c.address, c.change.actions]).toEqual([c.address, ['no-op']]);
      // the import ID names exactly the principals the resource lists
      const principals = Object.entries<Json>(c.change.after.permissions).map(([name, p]) => `${p.is_group ? 'group:' : ''}${name}`).sort();
      expect([c.address, importedPrincipals(c.change.importing.id)]).toEqual([c.address, principals]);
    }
    expect(forgotten.map((c) => c.address).sort()).toEqual(
      [...oldInstances.map((k) => `terraform_data.${grantsBlock}[${JSON.stringify(k)}]`), `terraform_data.${templateBlock}`].sort(),
    );
    // the template: imported, and its configuration recorded in place (no replacement, nothing uploaded)
    expect([templateChange.change.importing?.id, templateChange.change.actions]).toEqual([TEMPLATE, ['update']]);
    // the only resource created: the local image's digest (a terraform_data without provisioners)
    expect(other.map((c) => `${c.change.actions.join('+')} ${c.type}`)).toEqual(['create terraform_data']);
    // terraform 1.11 lists the forgotten instances in a warning after the summary
    expect(summary).toBe(`Plan: ${permissions.length + 1} to import, 1 to add, 1 to change, 0 to destroy.`);
    expect(plan.stdout).toContain('Warning: Some objects will no longer be managed by Terraform');

    ws.run(['apply', '-input=false', '-no-color', 'tfplan']);
    const after = await permissionsByObject(vc, SHARED);
    expect(after).toEqual(before);
    // the same template VM
    expect(await vc.findByInventoryPath(TEMPLATE)).toEqual(template);
    // no provisioner ran: neither a revoke of the forgotten instances nor anything else
    expect(provisionerCalls(era).slice(callsBefore)).toEqual([]);
    expect(ws.planExitCode()).toBe(0);

    // the migration call removed again: still nothing to do
    ws.write(synth(current, false));
    expect(ws.planExitCode()).toBe(0);
    const state = ws.state();
    const stateTypes = new Set<string>((state.values?.root_module?.resources ?? []).map((r: Json) => r.type));
    expect((state.values?.root_module?.resources ?? []).filter((r: Json) => r.type === 'terraform_data').map((r: Json) => r.name)).toEqual([
      expect.stringMatching(/^Rocky_ImageDigest_/),
    ]);
    expect(stateTypes.has('kkpvsphere_vm_template')).toBe(true);

    // destroy: the stack's grants go, everyone else's stay
    ws.destroy();
    expect(await vc.findByInventoryPath(TEMPLATE)).toBeUndefined();
    const destroyed = await permissionsByObject(vc, SHARED);
    for (const p of SHARED) {
      expect([p, ours(destroyed.get(p)!)]).toEqual([p, []]);
      expect([p, others(destroyed.get(p)!)]).toEqual([p, others(before.get(p)!)]);
    }
    console.log(`migration: ${oldInstances.length} additive grants and 1 template applied by the provisioner version, forgotten and imported (${permissions.length} kkpvsphere_permissions); permissions on ${SHARED.length} shared objects identical before and after, the template the same VM (${template.value}); ${provisionerCalls(era).length - callsBefore} CLI runs after the move`);
  } finally {
    ws.remove();
  }
});
