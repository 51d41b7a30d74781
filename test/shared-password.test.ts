// A password variable shared by many user clusters can be passed as the TerraformVariable itself: the library then
// reads its token once and builds the plan-time gcfg check (and, for KKP 2.12's cloud-config Secrets, the escaped
// value) once for all clusters, which bench/ measures. The Terraform must be exactly what the stringValue gives.
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { KkpDatacenterSpec, KkpRelease, KkpRoles, KkpUserCluster, VmFolder, VsphereInventory } from '../src';

function seed(kkpRelease: KkpRelease, passAs: 'variable' | 'stringValue'): string {
  const stack = new TerraformStack(Testing.app(), 'seed');
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const kkpRoot = new VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', kkpRelease });
  const datacenter = new KkpDatacenterSpec(stack, 'Datacenter', {
    name: 'dc-1', inventory, endpoint: 'https://vcenter.example.com', datastore: inventory.datastore('ds-1'),
    cluster: inventory.computeCluster('cluster-1'), rootFolder: kkpRoot, templates: { ubuntu: 'ubuntu-22.04' },
  });
  const password = new TerraformVariable(stack, 'storage_password', { type: 'string', sensitive: true });
  const kubernetes = new KubernetesProvider(stack, 'kubernetes', {});
  for (const clusterId of ['a1', 'b2', 'c3']) {
    new KkpUserCluster(stack, `Cluster-${clusterId}`, {
      datacenter,
      roles,
      clusterId,
      machineControllerPrincipal: 'VSPHERE.LOCAL\\kkp-machine-controller',
      cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage',
      cloudConfigPassword: passAs === 'variable' ? password : password.stringValue,
      ...(kkpRelease === '2.12' ? { kubernetesProvider: kubernetes } : { seedKubernetesProvider: kubernetes }),
    });
  }
  return Testing.synth(stack);
}

test.each(['2.12', '2.31'] as KkpRelease[])('KKP %s: a shared TerraformVariable password gives the Terraform of its stringValue', (release) => {
  const fromVariable = seed(release, 'variable');
  expect(fromVariable).toBe(seed(release, 'stringValue'));
  // Every cluster's precondition checks the shared variable.
  expect(fromVariable.match(/!strcontains\(var\.storage_password, \\"\\\\n\\"\)/g)).toHaveLength(release === '2.12' ? 6 : 3);
});

test('a TerraformVariable password with a default is refused at synth, like its stringValue', () => {
  const stack = new TerraformStack(Testing.app(), 'seed');
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const datacenter = new KkpDatacenterSpec(stack, 'Datacenter', {
    name: 'dc-1', inventory, endpoint: 'https://vcenter.example.com', datastore: inventory.datastore('ds-1'),
    cluster: inventory.computeCluster('cluster-1'), templates: { ubuntu: 'ubuntu-22.04' },
  });
  const password = new TerraformVariable(stack, 'storage_password', { type: 'string', sensitive: true, default: 'hunter2' });
  new KkpUserCluster(stack, 'Cluster', {
    datacenter,
    roles: new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0' }),
    clusterId: 'a1',
    machineControllerPrincipal: 'VSPHERE.LOCAL\\kkp-machine-controller',
    cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage',
    cloudConfigPassword: password,
    seedKubernetesProvider: new KubernetesProvider(stack, 'kubernetes', {}),
  });
  let message = '';
  try {
    Testing.synth(stack);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/KkpUserCluster prop cloudConfigPassword/);
  expect(message).not.toContain('hunter2');
});
