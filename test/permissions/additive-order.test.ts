// The order Terraform gives the additive grants, proven with the real binary: the synthesized block as it is (its
// depends_on, create_before_destroy, triggers and provisioners), with each vsphere_role replaced by a terraform_data
// stand-in at a matching address that logs its create and destroy, and a stand-in `cdktf-kkp-vsphere` on PATH that
// logs each grant and revoke. (The real commands against the simulator: test/e2e/additive-grants.test.ts.)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KkpRoles, VsphereInventory, VspherePermissions } from '../../src';
import { TerraformWorkspace } from '../support/terraform';
import { newStack, synthJson } from './support';

let dir: string;
let ws: TerraformWorkspace | undefined;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-order-'));
  // The stand-in command: one line per call, "<grant|revoke> <object> <role>", appended to the log.
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'cdktf-kkp-vsphere'),
    '#!/usr/bin/env node\n' +
      'const g = JSON.parse(process.env.KKP_VSPHERE_GRANT);\n' +
      `require('fs').appendFileSync(${JSON.stringify(path.join(dir, 'log'))}, process.argv[2] + ' ' + g.object + ' ' + g.role + '\\n');\n`,
    { mode: 0o755 },
  );
});
afterAll(() => {
  ws?.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The stack's additive block plus a logging stand-in for each role, at `terraform_data.<role resource name>`. */
function config(mergeOnDatastore: boolean): object {
  // The stand-in on PATH, by its bare name (the default `npx --no-install ...` would look for an installed package).
  const stack = newStack({ 'cdktf-kkp-vsphere:command': 'cdktf-kkp-vsphere' });
  const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', namePrefix: 'kkp-' });
  const ds = inventory.datastore('ds-1');
  VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-datastore-propagate'), entity: ds, propagate: true });
  VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-vcenter'), entity: inventory.vcenter(), propagate: false });
  if (mergeOnDatastore) {
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-storage-datastore-propagate'), entity: ds, propagate: true });
  }
  const tf = synthJson(stack);
  const log = JSON.stringify(path.join(dir, 'log'));
  const blocks: Record<string, any> = {};
  for (const [name, role] of Object.entries<any>(tf.resource.vsphere_role)) {
    blocks[name] = {
      input: role.name,
      provisioner: [
        { 'local-exec': { command: `echo "role-create ${role.name}" >> ${log}` } },
        { 'local-exec': { when: 'destroy', command: `echo "role-destroy \${self.input}" >> ${log}` } },
      ],
    };
  }
  for (const [name, block] of Object.entries<any>(tf.resource.terraform_data)) {
    blocks[name] = { ...block, depends_on: (block.depends_on ?? []).map((d: string) => d.replace(/^vsphere_role\./, 'terraform_data.')) };
  }
  return { resource: { terraform_data: blocks } };
}

function phase(): string[] {
  const file = path.join(dir, 'log');
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
  fs.rmSync(file, { force: true });
  return lines;
}

test('roles before grants; a replacement is create-before-destroy and runs only the new grant; a removed instance is revoked; on destroy grants go before roles', () => {
  ws = TerraformWorkspace.create(config(false), { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` });
  ws.init();
  ws.apply();
  const created = phase();
  expect(created.filter((l) => l.startsWith('role-create')).sort()).toEqual(['role-create kkp-k8c-user-datastore-propagate', 'role-create kkp-k8c-user-vcenter']);
  const lastRole = Math.max(...created.map((l, i) => (l.startsWith('role-') ? i : -1)));
  const firstGrant = created.findIndex((l) => l.startsWith('grant '));
  expect(lastRole).toBeLessThan(firstGrant);
  expect(created.slice(2).sort()).toEqual(['grant / kkp-k8c-user-vcenter', 'grant /dc-1/datastore/ds-1 kkp-k8c-user-datastore-propagate']);
  expect(ws.planExitCode()).toBe(0);

  // A second role on the datastore: the merged role is created, then the instance is replaced, create before destroy.
  // Terraform runs no destroy-time provisioner for the replaced (deposed) object (hashicorp/terraform#13395, documented
  // since PR #28345), and none is needed: object and principal are the same, so the new grant has already replaced
  // the principal's permission there in place. Without create_before_destroy the revoke would run first and leave
  // the principal without a permission until the grant.
  const merged = 'kkp-k8c-ccm-storage-datastore-propagate+kkp-k8c-user-datastore-propagate';
  ws.write(config(true));
  ws.apply();
  const replaced = phase();
  expect(replaced.slice(0, 2).sort()).toEqual([`role-create ${merged}`, 'role-create kkp-k8c-ccm-storage-datastore-propagate'].sort());
  expect(replaced.slice(2)).toEqual([`grant /dc-1/datastore/ds-1 ${merged}`]);

  // And back: the new grant; the roles nobody needs any more leave the state (their stand-in blocks are removed from
  // the configuration, so their own destroy provisioners do not run: the Terraform rule shown in test/support).
  ws.write(config(false));
  ws.apply();
  expect(phase()).toEqual(['grant /dc-1/datastore/ds-1 kkp-k8c-user-datastore-propagate']);
  expect(ws.state().values.root_module.resources.filter((r: any) => r.values.input === merged)).toEqual([]);

  // An instance removed from for_each (here: the vCenter root grant) does run its revoke, create_before_destroy or not.
  const withoutRoot = JSON.parse(JSON.stringify(config(false)));
  const grants = Object.values<any>(withoutRoot.resource.terraform_data).find((b: any) => b.for_each)!.for_each;
  delete grants['/ user a\\mc'];
  ws.write(withoutRoot);
  ws.apply();
  expect(phase()).toEqual(['revoke / kkp-k8c-user-vcenter']);
  ws.write(config(false));
  ws.apply();
  expect(phase()).toEqual(['grant / kkp-k8c-user-vcenter']);

  ws.destroy();
  const destroyed = phase();
  const lastRevoke = Math.max(...destroyed.map((l, i) => (l.startsWith('revoke') ? i : -1)));
  const firstRoleDestroy = destroyed.findIndex((l) => l.startsWith('role-destroy'));
  expect(lastRevoke).toBeLessThan(firstRoleDestroy);
  expect(destroyed.sort()).toEqual([
    'revoke / kkp-k8c-user-vcenter',
    'revoke /dc-1/datastore/ds-1 kkp-k8c-user-datastore-propagate',
    'role-destroy kkp-k8c-user-datastore-propagate',
    'role-destroy kkp-k8c-user-vcenter',
  ]);
});
