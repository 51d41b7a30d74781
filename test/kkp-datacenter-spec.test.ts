// The KKP datacenter spec: the pure YAML renderer (parsed back with the yaml library) and the construct's output,
// evaluated by the real terraform binary.
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { parse } from 'yaml';
import { KkpVsphereDatacenterInput, renderKkpDatacenterSpec, renderKkpClusterCloudSpec } from '../src/kkp-spec';
import { KkpDatacenterSpec, KkpDatacenterSpecProps } from '../src/kkp-datacenter-spec';
import { VsphereInventory } from '../src/inventory';
import { VmFolder } from '../src/vm-folder';
import { terraformEval } from './support/terraform-eval';

const input: KkpVsphereDatacenterInput = {
  name: 'vsphere-hamburg',
  endpoint: 'https://vcenter.example.com',
  datacenter: 'dc-1',
  datastore: 'ds-ssd-1',
  cluster: 'cluster-1',
  rootPath: '/dc-1/vm/kkp',
  templates: { ubuntu: 'ubuntu-22.04-kkp', flatcar: 'flatcar-3815' },
  storagePolicy: 'kkp-gold',
  location: 'Hamburg',
  country: 'DE',
};

function vsphereOf(yaml: string, name = 'vsphere-hamburg'): Record<string, unknown> {
  return parse(yaml).datacenters[name].spec.vsphere;
}

describe('renderKkpDatacenterSpec (pure)', () => {
  test('Seed format: camelCase fields of DatacenterSpecVSphere, templates sorted by OS, no allowInsecure when false', () => {
    const yaml = renderKkpDatacenterSpec(input);
    const doc = parse(yaml);
    expect(doc.datacenters['vsphere-hamburg']).toEqual({
      location: 'Hamburg',
      country: 'DE',
      spec: {
        vsphere: {
          endpoint: 'https://vcenter.example.com',
          datastore: 'ds-ssd-1',
          datacenter: 'dc-1',
          cluster: 'cluster-1',
          storagePolicy: 'kkp-gold',
          rootPath: '/dc-1/vm/kkp',
          templates: { flatcar: 'flatcar-3815', ubuntu: 'ubuntu-22.04-kkp' },
        },
      },
    });
    expect(Object.keys(doc.datacenters['vsphere-hamburg'].spec.vsphere.templates)).toEqual(['flatcar', 'ubuntu']);
    expect(yaml).not.toMatch(/root_path|allow_insecure/);
  });

  test('Seed format: allowInsecure, ipv6Enabled and defaultTagCategoryID when set', () => {
    const v = vsphereOf(renderKkpDatacenterSpec({ ...input, allowInsecure: true, ipv6Enabled: true, defaultTagCategoryID: 'urn:vmomi:InventoryServiceCategory:1' }));
    expect(v).toEqual(expect.objectContaining({ allowInsecure: true, ipv6Enabled: true, defaultTagCategoryID: 'urn:vmomi:InventoryServiceCategory:1' }));
  });

  test('legacy format: snake_case datacenters.yaml with seed, allow_insecure always written', () => {
    const { storagePolicy: _unused, ...legacyInput } = input;
    const yaml = renderKkpDatacenterSpec({ ...legacyInput, seed: 'europe-west3' }, 'legacy');
    const entry = parse(yaml).datacenters['vsphere-hamburg'];
    expect(entry.seed).toBe('europe-west3');
    expect(entry.spec.vsphere).toEqual({
      endpoint: 'https://vcenter.example.com',
      allow_insecure: false,
      datastore: 'ds-ssd-1',
      datacenter: 'dc-1',
      cluster: 'cluster-1',
      root_path: '/dc-1/vm/kkp',
      templates: { flatcar: 'flatcar-3815', ubuntu: 'ubuntu-22.04-kkp' },
    });
    expect(yaml).not.toMatch(/rootPath|allowInsecure/);
  });

  test('templates as a list of { osKey, templateName } (what VmTemplate exposes) give the same map', () => {
    const fromList = renderKkpDatacenterSpec({
      ...input,
      templates: [{ osKey: 'ubuntu', templateName: 'ubuntu-22.04-kkp' }, { osKey: 'flatcar', templateName: 'flatcar-3815' }],
    });
    expect(fromList).toBe(renderKkpDatacenterSpec(input));
  });

  test('names YAML would misread stay strings: "yes", "0123", ": #", quotes', () => {
    const names = { ubuntu: 'yes', rhel: '0123', centos: 'a: b #c', rockylinux: `it's "quoted"` };
    const v = vsphereOf(renderKkpDatacenterSpec({ ...input, templates: names }));
    expect(v.templates).toEqual(names);
  });

  test('the endpoint is normalized: trailing slash removed, port kept', () => {
    expect(vsphereOf(renderKkpDatacenterSpec({ ...input, endpoint: 'https://vc.example.com:8443/' })).endpoint).toBe('https://vc.example.com:8443');
  });

  test('a user cluster cloud spec: folder, datastoreCluster, networks', () => {
    const doc = parse(renderKkpClusterCloudSpec({ folder: '/dc-1/vm/kkp/clusters/abc', datastoreCluster: 'dsc-1', networks: ['kkp-workers'] }));
    expect(doc).toEqual({ vsphere: { folder: '/dc-1/vm/kkp/clusters/abc', datastoreCluster: 'dsc-1', networks: ['kkp-workers'] } });
  });

  const bad: [string, Partial<KkpVsphereDatacenterInput>, RegExp, 'seed' | 'legacy'][] = [
    ['endpoint without scheme', { endpoint: 'vcenter.example.com' }, /endpoint: "vcenter.example.com" is not a URL with scheme; give the vCenter URL/, 'seed'],
    ['endpoint with a path', { endpoint: 'https://vc.example.com/sdk' }, /endpoint: .* has a path, query or fragment; KKP appends \/sdk itself/, 'seed'],
    ['endpoint with credentials', { endpoint: 'https://admin:S3cr3t@vc.example.com' }, /endpoint: the URL contains a user or password; credentials never go into the datacenter spec/, 'seed'],
    ['unknown operating system', { templates: { windows: 'win' } }, /templates: unknown operating system "windows"; KKP's keys on vSphere are centos, flatcar, rhel, rockylinux, ubuntu/, 'seed'],
    ['no template', { templates: {} }, /templates: give at least one template VM name/, 'seed'],
    ['two templates for one OS', { templates: [{ osKey: 'ubuntu', templateName: 'a' }, { osKey: 'ubuntu', templateName: 'b' }] }, /templates: two templates for "ubuntu" \("a" and "b"\)/, 'seed'],
    ['template name with a newline', { templates: { ubuntu: 'a\nb' } }, /templates.ubuntu: "a\\nb" contains a control character/, 'seed'],
    ['rootPath outside the datacenter VM folder', { rootPath: '/dc-2/vm/kkp' }, /rootPath: "\/dc-2\/vm\/kkp" is not below the datacenter's VM folder "\/dc-1\/vm"/, 'seed'],
    ['lower-case country', { country: 'de' }, /country: "de" is not an ISO 3166 two-letter code in capitals/, 'seed'],
    ['datastore with white space', { datastore: ' ds ' }, /datastore: " ds " has leading or trailing white space/, 'seed'],
    ['empty cluster', { cluster: '' }, /cluster: must be a non-empty string/, 'seed'],
    ['storagePolicy in the legacy format', {}, /storagePolicy: the legacy datacenters.yaml has no such field; use format "seed"/, 'legacy'],
    ['seed in the Seed format', { seed: 'europe' }, /seed: only the legacy datacenters.yaml names the seed per datacenter/, 'seed'],
  ];
  test.each(bad)('rejects %s', (_name, change, message, format) => {
    expect(() => renderKkpDatacenterSpec({ ...input, ...change }, format)).toThrow(message);
  });

  test('an endpoint with credentials is refused without echoing the password', () => {
    expect(() => renderKkpDatacenterSpec({ ...input, endpoint: 'https://admin:S3cr3t@vc.example.com' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('S3cr3t') }),
    );
  });

  test('an unknown format is refused', () => {
    expect(() => renderKkpDatacenterSpec(input, 'yaml' as never)).toThrow(/format: "yaml" is neither "seed" .* nor "legacy"/);
  });

  test('a cluster cloud spec with both datastore and datastoreCluster is refused', () => {
    expect(() => renderKkpClusterCloudSpec({ folder: '/dc/vm/x', datastore: 'a', datastoreCluster: 'b' })).toThrow(/datastore and datastoreCluster are both set/);
  });
});

describe('KkpDatacenterSpec construct', () => {
  function setup(change: Partial<KkpDatacenterSpecProps> = {}) {
    const stack = new TerraformStack(Testing.app(), 'test');
    const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
    const kkpRoot = new VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
    const props: KkpDatacenterSpecProps = {
      name: 'vsphere-hamburg',
      inventory,
      endpoint: 'https://vcenter.example.com',
      datastore: inventory.datastore('ds-ssd-1'),
      cluster: inventory.computeCluster('cluster-1'),
      rootFolder: kkpRoot,
      templates: [{ osKey: 'ubuntu', templateName: 'ubuntu-22.04-kkp' }],
      ...change,
    };
    return { stack, inventory, kkpRoot, props };
  }

  test('takes names from inventory entities and rootPath from the root VmFolder, and emits the YAML as an output', () => {
    const { stack, props } = setup();
    const spec = new KkpDatacenterSpec(stack, 'Spec', props);
    const synthesized = JSON.parse(Testing.synth(stack));
    const output = synthesized.output.kkp_datacenter_vsphere_hamburg;
    expect(output.value).toBe(spec.yaml);
    expect(output.sensitive).toBeUndefined();
    expect(vsphereOf(output.value)).toEqual({
      endpoint: 'https://vcenter.example.com',
      datastore: 'ds-ssd-1',
      datacenter: 'dc-1',
      cluster: 'cluster-1',
      rootPath: '/dc-1/vm/kkp',
      templates: { ubuntu: 'ubuntu-22.04-kkp' },
    });
    expect(spec.server).toBe('vcenter.example.com');
    expect(spec.port).toBe(443);
    expect(spec.rootPath).toBe('/dc-1/vm/kkp');
  });

  test('format legacy and a custom output name', () => {
    const { stack, props } = setup({ format: 'legacy', outputName: 'datacenters_yaml', rootFolder: '/dc-1/vm/kkp-legacy' });
    new KkpDatacenterSpec(stack, 'Spec', props);
    const value = JSON.parse(Testing.synth(stack)).output.datacenters_yaml.value;
    expect(vsphereOf(value)).toEqual(expect.objectContaining({ root_path: '/dc-1/vm/kkp-legacy', allow_insecure: false }));
  });

  test('without rootFolder KKP uses the datacenter VM folder: rootPath omitted, clusters below /dc-1/vm', () => {
    const { stack, props } = setup({ rootFolder: undefined, datastore: 'ds-ssd-1', cluster: 'cluster-1' });
    const spec = new KkpDatacenterSpec(stack, 'Spec', props);
    expect(vsphereOf(spec.yaml)).not.toHaveProperty('rootPath');
    expect(spec.rootPath).toBe('/dc-1/vm');
  });

  test('terraform evaluates the output to exactly the YAML, even with ${ and %{ in a name', () => {
    const { stack, props } = setup({ templates: { ubuntu: 'ubu${var.x}%{ if true }y%{ endif }$${z}' } });
    const spec = new KkpDatacenterSpec(stack, 'Spec', props);
    const synthesized = Testing.synth(stack);
    const { values } = terraformEval({
      synthesized,
      outputs: { yaml: JSON.parse(synthesized).output.kkp_datacenter_vsphere_hamburg.value },
      sensitive: false,
    });
    expect(values.yaml).toBe(spec.yaml);
    expect((vsphereOf(values.yaml as string).templates as Record<string, string>).ubuntu).toBe('ubu${var.x}%{ if true }y%{ endif }$${z}');
  });

  test('rejects a token: the spec is rendered at synth for review', () => {
    const { stack, props } = setup();
    const endpoint = new TerraformVariable(stack, 'endpoint', { type: 'string' });
    expect(() => new KkpDatacenterSpec(stack, 'Spec', { ...props, endpoint: endpoint.stringValue })).toThrow(
      /KkpDatacenterSpec Spec endpoint: got a Terraform token; the datacenter spec is rendered at synth time .* give the literal value/,
    );
  });

  test('rejects a datastore cluster as the default datastore, and a network as the cluster', () => {
    const { stack, inventory, props } = setup();
    expect(() => new KkpDatacenterSpec(stack, 'A', { ...props, datastore: inventory.datastoreCluster('dsc-1') })).toThrow(
      /KkpDatacenterSpec A datastore: \/dc-1\/datastore\/dsc-1 is a datastoreCluster; KKP's datacenter spec needs a datastore here/,
    );
    expect(() => new KkpDatacenterSpec(stack, 'B', { ...props, cluster: inventory.network('net') })).toThrow(
      /KkpDatacenterSpec B cluster: \/dc-1\/network\/net is a network; KKP's datacenter spec needs a cluster here/,
    );
  });

  test('rejects a root folder of another datacenter and an object name given as a path', () => {
    const { stack, props } = setup();
    const other = new VsphereInventory(stack, 'Other', { datacenter: 'dc-2' });
    const otherRoot = new VmFolder(stack, 'OtherRoot', { inventory: other, path: 'kkp' });
    expect(() => new KkpDatacenterSpec(stack, 'A', { ...props, rootFolder: otherRoot })).toThrow(/rootFolder: \/dc-2\/vm\/kkp is not in datacenter "dc-1"/);
    expect(() => new KkpDatacenterSpec(stack, 'B', { ...props, datastore: 'dc-1/datastore/ds' })).toThrow(/datastore: "dc-1\/datastore\/ds" is not an object name; give the name only/);
  });

  test('rejects a bad output name and names the construct in renderer errors', () => {
    const { stack, props } = setup();
    expect(() => new KkpDatacenterSpec(stack, 'A', { ...props, outputName: '1bad' })).toThrow(/KkpDatacenterSpec A outputName: "1bad" is not a Terraform name/);
    expect(() => new KkpDatacenterSpec(stack, 'B', { ...props, endpoint: 'vc' })).toThrow(/^KkpDatacenterSpec B endpoint: "vc" is not a URL/);
  });
});
