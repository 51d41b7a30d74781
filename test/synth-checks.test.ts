// The synth-time checks over the finished tree: credentials, duplicate Terraform names, objects claimed by two stacks,
// and an app that fails leaves its output directory untouched.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, Lazy, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { KkpRoles, SeedPermissions, VmFolder, VmTemplate, VmTemplateSource, VsphereInventory, VspherePermissions } from '../src';

const SECRET = 'S3cr3t-Pa55';

/** Every file below `dir` (cdktf's App creates the empty `stacks` folder itself, before any synth). */
function filesIn(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

function stackWith(provider: (stack: TerraformStack) => void, app = Testing.app(), id = 'seed'): TerraformStack {
  const stack = new TerraformStack(app, id);
  provider(stack);
  new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  return stack;
}

function synthError(stack: TerraformStack): string {
  try {
    Testing.synth(stack);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synth succeeded');
}

const variable = (stack: TerraformStack, name = 'vsphere_password', extra: object = {}) =>
  new TerraformVariable(stack, name, { type: 'string', sensitive: true, ...extra });

describe('credentials are never literal, also when hidden behind a token', () => {
  test.each<[string, (stack: TerraformStack) => string, RegExp]>([
    ['a literal password', () => SECRET, /password is a literal string/],
    ["Fn.join('', [literal])", () => Fn.join('', [SECRET]), /password holds a literal string inside a Terraform expression/],
    ['Lazy.stringValue of a literal', () => Lazy.stringValue({ produce: () => SECRET }), /password resolves to a literal string at synth/],
    ['a literal concatenated with a variable', (s) => `${SECRET}${variable(s).stringValue}`, /password mixes literal text with a Terraform value/],
    ['a variable with a default', (s) => new TerraformVariable(s, 'pw', { type: 'string', default: SECRET }).stringValue, /password takes variable "pw", which has a default value/],
    ['a local holding a literal', (s) => new TerraformLocal(s, 'pw', SECRET).asString, /password takes local "pw", which is a literal string/],
    ['a local holding Fn.join of a literal', (s) => new TerraformLocal(s, 'pw', Fn.join('', [SECRET])).asString, /password takes local "pw", which holds a literal string/],
  ])('VsphereProvider password: %s is refused without echoing it', (_name, password, message) => {
    const stack = stackWith((s) => new VsphereProvider(s, 'vsphere', { user: 'terraform@vsphere.local', password: password(s) }));
    const error = synthError(stack);
    expect(error).toMatch(/\[seed\/vsphere\] provider "vsphere" password/);
    expect(error).toMatch(message);
    expect(error).toContain("new TerraformVariable(this, 'vsphere_password', { type: 'string', sensitive: true }) without a default");
    expect(error).not.toContain(SECRET);
  });

  test('a sensitive variable, a local of it, a function of it and a data source attribute pass', () => {
    const stack = stackWith((s) => {
      const pw = variable(s);
      new VsphereProvider(s, 'vsphere', { user: 'terraform@vsphere.local', password: Fn.sensitive(new TerraformLocal(s, 'pw', pw.stringValue).asString) });
      new KubernetesProvider(s, 'k8s', { token: Fn.join('', [variable(s, 'k8s_token').stringValue]) });
      // Switches, paths and names next to credentials are not credentials.
      new KubernetesProvider(s, 'k8s-b', { alias: 'b', configPath: 'kubeconfigs/b', insecure: true, host: 'https://k8s.example.com:6443' });
      new VsphereProvider(s, 'vsphere-b', {
        alias: 'b', user: 'u', password: variable(s, 'pw_b').stringValue, allowUnverifiedSsl: true, restSessionPath: '/tmp/rest',
        vsphereServer: 'vc.example.com',
      });
    });
    expect(() => Testing.synth(stack)).not.toThrow();
  });

  test('a sensitive variable with a default is refused wherever it is', () => {
    const stack = stackWith((s) => {
      new VsphereProvider(s, 'vsphere', { user: 'u', password: variable(s).stringValue });
      variable(s, 'unused', { default: SECRET });
    });
    const error = synthError(stack);
    expect(error).toContain('[seed/unused] sensitive variable "unused" has a default value, which is written into cdk.tf.json. Remove the default');
    expect(error).not.toContain(SECRET);
  });

  test('other providers: a literal Kubernetes token and a server with user info', () => {
    const stack = stackWith((s) => {
      new VsphereProvider(s, 'vsphere', { user: 'u', password: variable(s).stringValue, vsphereServer: `admin:${SECRET}@vc.example.com` });
      new KubernetesProvider(s, 'k8s', { token: SECRET });
    });
    const error = synthError(stack);
    expect(error).toContain('[seed/k8s] provider "kubernetes" token is a literal string');
    expect(error).toContain('[seed/vsphere] provider "vsphere" vsphere_server "REDACTED@vc.example.com" holds a user or password');
    expect(error).not.toContain(SECRET);
  });
});

describe('Terraform names', () => {
  test('two outputs with one name are an error naming both constructs', () => {
    const stack = stackWith((s) => new VsphereProvider(s, 'vsphere', { user: 'u', password: variable(s).stringValue }));
    new TerraformOutput(stack, 'A', { value: 'a' }).overrideLogicalId('kkp_datacenter_dc_a');
    new TerraformOutput(stack, 'B', { value: 'b' }).overrideLogicalId('kkp_datacenter_dc_a');
    expect(synthError(stack)).toContain(
      '[seed/B] Terraform output "kkp_datacenter_dc_a" is also declared by seed/A in stack "seed"; Terraform keeps only one of them',
    );
  });
});

describe('two stacks of one app', () => {
  function twoStacks(server?: [string, string]) {
    const app = Testing.app();
    return [0, 1].map((i) =>
      stackWith(
        (s) => new VsphereProvider(s, 'vsphere', { user: 'u', password: variable(s).stringValue, vsphereServer: server?.[i] }),
        app,
        `stack-${i}`,
      ),
    );
  }
  const inventoryOf = (stack: TerraformStack) => stack.node.findChild('Inventory') as VsphereInventory;

  test('creating the same role is an error, unless the stacks name different vCenters', () => {
    for (const [servers, fails] of [[undefined, true], [['vc-a.example.com', 'vc-b.example.com'], false]] as const) {
      const stacks = twoStacks(servers as [string, string] | undefined);
      for (const s of stacks) {
        const inventory = inventoryOf(s);
        new SeedPermissions(s, 'Seed', {
          roles: new KkpRoles(s, 'Roles', { kkpRelease: '2.12', vsphereVersion: '8.0' }),
          inventory,
          storagePrincipal: 'VSPHERE.LOCAL\\k8c-storage',
          folders: [new VmFolder(s, `Kkp`, { inventory, path: `kkp-${s.node.id}` })],
          datastores: [inventory.datastore('ds-1')],
        });
        VspherePermissions.manageAuthoritatively(inventory.datastore('ds-1'), { keep: [] });
        VspherePermissions.manageAuthoritatively(inventory.datacenter, { keep: [] });
      }
      if (!fails) {
        expect(() => Testing.synth(stacks[0])).not.toThrow();
        continue;
      }
      const error = synthError(stacks[0]);
      expect(error).toContain(
        'stacks "stack-0" (stack-0/Roles/k8c-storage-vmfolder-propagate/Role) and "stack-1" (stack-1/Roles/k8c-storage-vmfolder-propagate/Role) ' +
          'both create vSphere role "k8c-storage-vmfolder-propagate" on the vCenter in VSPHERE_SERVER',
      );
      expect(error).toMatch(/both manage the permissions of \/dc-1\/datastore\/ds-1 on the vCenter in VSPHERE_SERVER/);
    }
  });

  test('creating the same folder is an error', () => {
    const stacks = twoStacks();
    for (const s of stacks) new VmFolder(s, 'Kkp', { inventory: inventoryOf(s), path: 'kkp' });
    expect(synthError(stacks[1])).toContain('stacks "stack-0" (stack-0/Kkp/Folder) and "stack-1" (stack-1/Kkp/Folder) both create folder /dc-1/vm/kkp');
  });
});

describe('two stacks of one app: templates', () => {
  test('one template VM name in one datacenter from two stacks is an error', () => {
    const app = Testing.app();
    const stacks = ['a', 'b'].map((id) =>
      stackWith((s) => new VsphereProvider(s, 'vsphere', { user: 'u', password: variable(s).stringValue }), app, `stack-${id}`),
    );
    stacks.forEach((s, i) => {
      const inventory = s.node.findChild('Inventory') as VsphereInventory;
      new VmTemplate(s, 'Ubuntu', {
        inventory,
        folder: new VmFolder(s, 'Templates', { inventory, path: `templates-${i}` }),
        network: 'VM Network',
        datastore: 'ds-1',
        resourcePool: 'c-1/Resources',
        host: 'esx-1',
        source: VmTemplateSource.preset('ubuntu-22.04'),
      });
    });
    expect(synthError(stacks[0])).toMatch(
      /stacks "stack-a" \(stack-a\/Ubuntu\/Template\) and "stack-b" \(stack-b\/Ubuntu\/Template\) both create template VM "[^"]+" in datacenter dc-1 on the vCenter in VSPHERE_SERVER; machine-controller finds templates by name/,
    );
  });
});

describe('an app that fails writes nothing', () => {
  test('a failing second stack stops the synth before the first is written', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-preflight-'));
    try {
      const app = new App({ outdir });
      const good = stackWith((s) => new VsphereProvider(s, 'vsphere', { user: 'u', password: variable(s).stringValue }), app, 'good');
      new VmFolder(good, 'Kkp', { inventory: good.node.findChild('Inventory') as VsphereInventory, path: 'kkp' });
      const bad = stackWith((s) => new VsphereProvider(s, 'vsphere', { user: 'u', password: SECRET }), app, 'bad');
      expect(bad.node.id).toBe('bad');
      expect(() => app.synth()).toThrow(/\[bad\/vsphere\] provider "vsphere" password is a literal string/);
      expect(filesIn(outdir)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('a cdktf validation failing in a later stack also stops the first', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-preflight-'));
    try {
      const app = new App({ outdir });
      stackWith((s) => new VsphereProvider(s, 'vsphere', { user: 'u', password: variable(s).stringValue }), app, 'good');
      const bad = stackWith((s) => new VsphereProvider(s, 'vsphere', { user: 'u', password: variable(s).stringValue }), app, 'bad');
      const inventory = bad.node.findChild('Inventory') as VsphereInventory;
      // adopt on a grant to a folder the stack creates fails validation (its one vsphere_entity_permissions owns it).
      const roles = new KkpRoles(bad, 'Roles', { kkpRelease: '2.12', vsphereVersion: '8.0' });
      const folder = new VmFolder(bad, 'Kkp', { inventory, path: 'kkp' });
      VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\k8c-storage', role: roles.role('k8c-storage-vmfolder-propagate'), entity: folder, propagate: true, adopt: true });
      expect(() => app.synth()).toThrow(/\[bad\/KkpVspherePermissions\] The grant to VSPHERE\.LOCAL\\k8c-storage on \/dc-1\/vm\/kkp sets adopt/);
      expect(filesIn(outdir)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
