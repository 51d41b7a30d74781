// The KKP datacenter spec: the pure YAML renderer (parsed back with the yaml library) and the construct's output,
// evaluated by the real terraform binary.
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { parse } from 'yaml';
import { KKP_RELEASES, KkpRelease, KkpVsphereDatacenterInput, kkpReleaseFacts, renderKkpDatacenterSpec, renderKkpClusterCloudSpec, parseVsphereEndpoint } from '../src/facts/kkp';
import { KkpDatacenterSpec, KkpDatacenterSpecProps, VmFolder } from '../src/constructs';
import { VsphereInventory } from '../src/core';
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
    const templates = { ubuntu: 'ubuntu-18.04-kkp', coreos: 'coreos-kkp' };
    const yaml = renderKkpDatacenterSpec({ ...legacyInput, templates, seed: 'europe-west3' }, { kkpRelease: '2.12', format: 'legacy' });
    const entry = parse(yaml).datacenters['vsphere-hamburg'];
    expect(entry.seed).toBe('europe-west3');
    expect(entry.spec.vsphere).toEqual({
      endpoint: 'https://vcenter.example.com',
      allow_insecure: false,
      datastore: 'ds-ssd-1',
      datacenter: 'dc-1',
      cluster: 'cluster-1',
      root_path: '/dc-1/vm/kkp',
      templates: { coreos: 'coreos-kkp', ubuntu: 'ubuntu-18.04-kkp' },
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
    const names = { ubuntu: 'yes', rhel: '0123', flatcar: 'a: b #c', rockylinux: `it's "quoted"` };
    const v = vsphereOf(renderKkpDatacenterSpec({ ...input, templates: names }));
    expect(v.templates).toEqual(names);
  });

  test('the endpoint is normalized: trailing slash removed, port kept', () => {
    expect(vsphereOf(renderKkpDatacenterSpec({ ...input, endpoint: 'https://vc.example.com:8443/' })).endpoint).toBe('https://vc.example.com:8443');
  });

  test('a user cluster cloud spec: folder, datastoreCluster, networks', () => {
    const doc = parse(renderKkpClusterCloudSpec({ folder: '/dc-1/vm/kkp/clusters/abc', datastoreCluster: 'dsc-1', networks: ['kkp-workers'] }));
    expect(doc).toEqual({ vsphere: { networks: ['kkp-workers'], folder: '/dc-1/vm/kkp/clusters/abc', datastoreCluster: 'dsc-1' } });
  });

  const bad: [string, Partial<KkpVsphereDatacenterInput>, RegExp, { kkpRelease?: KkpRelease; format?: 'seed' | 'legacy' }][] = [
    ['endpoint without scheme', { endpoint: 'vcenter.example.com' }, /endpoint: "vcenter.example.com" has no scheme; give the vCenter URL/, {}],
    ['endpoint with a path', { endpoint: 'https://vc.example.com/sdk' }, /endpoint: .* has a path, query or fragment; KKP appends \/sdk itself/, {}],
    ['endpoint with credentials', { endpoint: 'https://admin:S3cr3t@vc.example.com' }, /endpoint: "https:\/\/REDACTED@vc\.example\.com" holds a user or password before "@"; credentials never go into the datacenter spec/, {}],
    ['unknown operating system', { templates: { windows: 'win' } }, /templates: operating system "windows" is not a template key of KKP 2\.31 on vSphere; its keys are flatcar, rhel, rockylinux, ubuntu \(machine-controller v1\.66\.2\)/, {}],
    ['centos from 2.27', { templates: { centos: 'c7' } }, /templates: operating system "centos" is not a template key of KKP 2\.27 on vSphere \("centos" is a key of other KKP releases: check kkpRelease\)/, { kkpRelease: '2.27' }],
    ['rockylinux before 2.21', { storagePolicy: undefined, templates: { rockylinux: 'r' } }, /operating system "rockylinux" is not a template key of KKP 2\.20/, { kkpRelease: '2.20' }],
    ['storagePolicy before 2.18', {}, /storagePolicy: KKP 2\.17's DatacenterSpecVSphere has no such field \(it came with 2\.18 in the Seed\)/, { kkpRelease: '2.17' }],
    ['ipv6Enabled before 2.21', { ipv6Enabled: true }, /ipv6Enabled: KKP 2\.20's DatacenterSpecVSphere has no such field/, { kkpRelease: '2.20' }],
    ['defaultTagCategoryID before 2.22', { defaultTagCategoryID: 'x' }, /defaultTagCategoryID: KKP 2\.21's DatacenterSpecVSphere has no such field/, { kkpRelease: '2.21' }],
    ['the legacy format after 2.13', { seed: 'eu' }, /format: KKP 2\.14 reads datacenters from Seed resources only; the datacenters.yaml \("legacy"\) was read up to KKP 2\.13/, { kkpRelease: '2.14', format: 'legacy' }],
    ['the legacy format without seed', { storagePolicy: undefined }, /seed: the datacenters.yaml of KKP 2\.12 and 2\.13 requires the seed of every node datacenter/, { kkpRelease: '2.12', format: 'legacy' }],
    ['an unknown release', {}, /kkpRelease: unknown KKP release "2\.11"\. Give the minor version of your KKP installation, one of 2\.12 to 2\.31/, { kkpRelease: '2.11' as KkpRelease }],
    ['no template', { templates: {} }, /templates: give at least one template VM name/, {}],
    ['two templates for one OS', { templates: [{ osKey: 'ubuntu', templateName: 'a' }, { osKey: 'ubuntu', templateName: 'b' }] }, /templates: two templates for "ubuntu" \("a" and "b"\)/, {}],
    ['template name with a newline', { templates: { ubuntu: 'a\nb' } }, /templates.ubuntu: "a\\u000ab" contains a control character \(U\+000A\)/, {}],
    ['rootPath outside the datacenter VM folder', { rootPath: '/dc-2/vm/kkp' }, /rootPath: "\/dc-2\/vm\/kkp" is not below the datacenter's VM folder "\/dc-1\/vm"/, {}],
    ['lower-case country', { country: 'de' }, /country: "de" is not an ISO 3166 two-letter code in capitals/, {}],
    ['datastore with white space', { datastore: ' ds ' }, /datastore: " ds " has leading or trailing white space/, {}],
    ['empty cluster', { cluster: '' }, /cluster: must be a non-empty name/, {}],
    ['storagePolicy in the legacy format', { seed: 'eu' }, /storagePolicy: KKP 2\.12's datacenters.yaml has no such field/, { kkpRelease: '2.12', format: 'legacy' }],
    ['seed in the Seed format', { seed: 'europe' }, /seed: only the legacy datacenters.yaml names the seed per datacenter/, {}],
  ];
  // Inputs issue 12 left open: endpoint scheme case, user info and ports, "." and ".." in rootPath, vSphere names.
  bad.push(
    ['endpoint ftp:// with user info', { endpoint: 'ftp://u:S3cr3t@vc.example.com' }, /endpoint: "ftp:\/\/REDACTED@vc\.example\.com" holds a user or password/, {}],
    ['endpoint user:password@host without a scheme', { endpoint: 'admin:S3cr3t@vc.example.com' }, /endpoint: "REDACTED@vc\.example\.com" holds a user or password .* Give the URL without them/, {}],
    ['endpoint invalid URL with credentials', { endpoint: 'https://admin:S3cr3t@vc example' }, /endpoint: "https:\/\/REDACTED@vc example" holds a user or password/, {}],
    ['endpoint with a query token', { endpoint: 'https://vc.example.com/?token=S3cr3t' }, /endpoint: "https:\/\/vc\.example\.com\/\?…" has a path, query or fragment/, {}],
    ['endpoint with a fragment', { endpoint: 'https://vc.example.com#S3cr3t' }, /endpoint: "https:\/\/vc\.example\.com" has a path, query or fragment/, {}],
    ['endpoint ftp://', { endpoint: 'ftp://vc.example.com' }, /endpoint: "ftp:\/\/vc\.example\.com" has scheme "ftp"; vCenter is reached over https/, {}],
    ['endpoint port 0', { endpoint: 'https://vc.example.com:0' }, /endpoint: "https:\/\/vc\.example\.com:0" has port "0", which is not a TCP port; give 1 to 65535/, {}],
    ['endpoint port 65536', { endpoint: 'https://vc.example.com:65536' }, /has port "65536", which is not a TCP port/, {}],
    ['endpoint empty port', { endpoint: 'https://vc.example.com:' }, /has port "", which is not a TCP port/, {}],
    ['rootPath with ".."', { rootPath: '/dc-1/vm/kkp/../../host' }, /rootPath: "\/dc-1\/vm\/kkp\/\.\.\/\.\.\/host" has a "\.\." segment; govmomi cleans such paths/, {}],
    ['rootPath with "."', { rootPath: '/dc-1/vm/./kkp' }, /rootPath: .* has a "\." segment/, {}],
    ['rootPath with "//"', { rootPath: '/dc-1/vm//kkp' }, /rootPath: .* has an empty path segment/, {}],
    ['rootPath with a 300-character segment', { rootPath: `/dc-1/vm/${'x'.repeat(300)}` }, /rootPath \(segment 3\): .* has 300 characters; vSphere names have at most 80/, {}],
    ['a datastore with "%"', { datastore: 'ds%1' }, /datastore: "ds%1" contains "%", which vSphere stores escaped as "%25"/, {}],
    ['a cluster with "/"', { cluster: 'c/1' }, /cluster: "c\/1" contains "\/"; give the object's own name, not a path/, {}],
    ['a datacenter with U+2028', { datacenter: 'dc\u20281' }, /datacenter: "dc\\u20281" contains a line separator \(U\+2028\)/, {}],
    ['a template name with "${"', { templates: { ubuntu: 'u-${var.vsphere_password}' } }, /templates\.ubuntu: .* contains "\$\{", which Terraform evaluates as an interpolation/, {}],
    ['a template name of 81 characters', { templates: { ubuntu: 'u'.repeat(81) } }, /templates\.ubuntu: .* has 81 characters/, {}],
  );
  test.each(bad)('rejects %s', (_name, change, message, options) => {
    expect(() => renderKkpDatacenterSpec({ ...input, ...change }, options)).toThrow(message);
  });

  test('an endpoint with credentials is refused without echoing the password', () => {
    for (const endpoint of ['https://admin:S3cr3t@vc.example.com', 'admin:S3cr3t@vc.example.com', 'ftp://u:S3cr3t@vc', 'https://u:S3cr3t@vc x', 'https://vc/?t=S3cr3t', 'https://vc#S3cr3t']) {
      expect(() => renderKkpDatacenterSpec({ ...input, endpoint })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('S3cr3t') }));
    }
  });

  test('the endpoint scheme is case-insensitive and written in lower case', () => {
    expect(parseVsphereEndpoint('HTTPS://vc.example.com')).toEqual({ url: 'https://vc.example.com', host: 'vc.example.com', port: 443 });
    expect(parseVsphereEndpoint('Https://vc.example.com:8443')).toEqual({ url: 'https://vc.example.com:8443', host: 'vc.example.com', port: 8443 });
    expect(parseVsphereEndpoint('https://[fd00::1]:65535')).toEqual({ url: 'https://[fd00::1]:65535', host: 'fd00::1', port: 65535 });
    expect((vsphereOf(renderKkpDatacenterSpec({ ...input, endpoint: 'HTTPS://vc.example.com' })) as any).endpoint).toBe('https://vc.example.com');
  });

  test('an unknown format is refused', () => {
    expect(() => renderKkpDatacenterSpec(input, { format: 'yaml' as never })).toThrow(/format: "yaml" is neither "seed" .* nor "legacy"/);
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
    const { stack, props } = setup({ kkpRelease: '2.13', format: 'legacy', seed: 'eu-1', outputName: 'datacenters_yaml', rootFolder: '/dc-1/vm/kkp-legacy' });
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
    const { stack, props } = setup({ location: 'Ham${var.x}%{ if true }y%{ endif }$${z}' });
    const spec = new KkpDatacenterSpec(stack, 'Spec', props);
    const synthesized = Testing.synth(stack);
    const { values } = terraformEval({
      synthesized,
      outputs: { yaml: JSON.parse(synthesized).output.kkp_datacenter_vsphere_hamburg.value },
      sensitive: false,
    });
    expect(values.yaml).toBe(spec.yaml);
    expect((parse(values.yaml as string) as any).datacenters['vsphere-hamburg'].location).toBe('Ham${var.x}%{ if true }y%{ endif }$${z}');
  });

  test('rejects a token: the spec is rendered at synth for review', () => {
    const { stack, props } = setup();
    const endpoint = new TerraformVariable(stack, 'endpoint', { type: 'string' });
    expect(() => new KkpDatacenterSpec(stack, 'Spec', { ...props, endpoint: endpoint.stringValue })).toThrow(
      /KkpDatacenterSpec test\/Spec endpoint: got a Terraform token; the datacenter spec is rendered at synth time .* give the literal value/,
    );
  });

  test('rejects a datastore cluster as the default datastore, and a network as the cluster', () => {
    const { stack, inventory, props } = setup();
    expect(() => new KkpDatacenterSpec(stack, 'A', { ...props, datastore: inventory.datastoreCluster('dsc-1') })).toThrow(
      /KkpDatacenterSpec test\/A datastore: \/dc-1\/datastore\/dsc-1 is a datastoreCluster; KKP's datacenter spec needs a datastore here/,
    );
    expect(() => new KkpDatacenterSpec(stack, 'B', { ...props, cluster: inventory.network('net') })).toThrow(
      /KkpDatacenterSpec test\/B cluster: \/dc-1\/network\/net is a network; KKP's datacenter spec needs a cluster here/,
    );
  });

  test('rejects a root folder of another datacenter and an object name given as a path', () => {
    const { stack, props } = setup();
    const other = new VsphereInventory(stack, 'Other', { datacenter: 'dc-2' });
    const otherRoot = new VmFolder(stack, 'OtherRoot', { inventory: other, path: 'kkp' });
    expect(() => new KkpDatacenterSpec(stack, 'A', { ...props, rootFolder: otherRoot })).toThrow(/rootFolder: \/dc-2\/vm\/kkp is not in datacenter "dc-1"/);
    expect(() => new KkpDatacenterSpec(stack, 'B', { ...props, datastore: 'dc-1/datastore/ds' })).toThrow(/KkpDatacenterSpec test\/B datastore: "dc-1\/datastore\/ds" contains "\/"; give the object's own name, not a path; or pass inventory\.datastore\(name\)/);
  });

  test('rejects a bad output name and names the construct in renderer errors', () => {
    const { stack, props } = setup();
    expect(() => new KkpDatacenterSpec(stack, 'A', { ...props, outputName: '1bad' })).toThrow(/KkpDatacenterSpec test\/A outputName: "1bad" is not a Terraform name/);
    expect(() => new KkpDatacenterSpec(stack, 'B', { ...props, endpoint: 'vc' })).toThrow(/^KkpDatacenterSpec test\/B endpoint: "vc" has no scheme/);
  });
});

// The JSON field names of each release's Go types, transcribed from kubermatic/kubermatic at tag v<release>.0:
// DatacenterSpecVSphere in api/pkg/crd/kubermatic/v1/datacenter.go (2.12-2.14), pkg/crd/kubermatic/v1/ (2.15-2.18),
// pkg/apis/kubermatic/v1/ (2.19-2.27), sdk/apis/kubermatic/v1/ (2.28+); VSphereCloudSpec in cluster.go beside it;
// the outer Datacenter: country, location, node, spec. Read from the types, not from src/facts/kkp.
const DC_FIELDS: [KkpRelease, KkpRelease, string[]][] = [
  ['2.12', '2.17', ['endpoint', 'allow_insecure', 'datastore', 'datacenter', 'cluster', 'root_path', 'templates', 'infra_management_user']],
  ['2.18', '2.18', ['endpoint', 'allow_insecure', 'datastore', 'datacenter', 'cluster', 'storage_policy', 'root_path', 'templates', 'infra_management_user']],
  ['2.19', '2.20', ['endpoint', 'allowInsecure', 'datastore', 'datacenter', 'cluster', 'storagePolicy', 'rootPath', 'templates', 'infraManagementUser']],
  ['2.21', '2.21', ['endpoint', 'allowInsecure', 'datastore', 'datacenter', 'cluster', 'storagePolicy', 'rootPath', 'templates', 'infraManagementUser', 'ipv6Enabled']],
  ['2.22', '2.31', ['endpoint', 'allowInsecure', 'datastore', 'datacenter', 'cluster', 'storagePolicy', 'rootPath', 'templates', 'infraManagementUser', 'ipv6Enabled', 'defaultTagCategoryID']],
];
const CLUSTER_FIELDS: [KkpRelease, KkpRelease, string[]][] = [
  ['2.12', '2.14', ['credentialsReference', 'username', 'password', 'vmNetName', 'folder', 'infraManagementUser']],
  ['2.15', '2.17', ['credentialsReference', 'username', 'password', 'vmNetName', 'folder', 'datastore', 'datastoreCluster', 'infraManagementUser']],
  ['2.18', '2.20', ['credentialsReference', 'username', 'password', 'vmNetName', 'folder', 'datastore', 'datastoreCluster', 'storagePolicy', 'resourcePool', 'infraManagementUser']],
  ['2.21', '2.21', ['credentialsReference', 'username', 'password', 'vmNetName', 'folder', 'datastore', 'datastoreCluster', 'storagePolicy', 'resourcePool', 'infraManagementUser', 'tagCategoryID']],
  ['2.22', '2.23', ['credentialsReference', 'username', 'password', 'vmNetName', 'folder', 'datastore', 'datastoreCluster', 'storagePolicy', 'resourcePool', 'infraManagementUser', 'tags']],
  ['2.24', '2.31', ['credentialsReference', 'username', 'password', 'vmNetName', 'networks', 'folder', 'basePath', 'datastore', 'datastoreCluster', 'storagePolicy', 'resourcePool', 'infraManagementUser', 'tags']],
];
// machine-controller's AllOperatingSystems at the version each release pins, without amzn2 and sles (not on vSphere).
const OS_KEYS: [KkpRelease, KkpRelease, string[]][] = [
  ['2.12', '2.12', ['centos', 'coreos', 'ubuntu']],
  ['2.13', '2.13', ['centos', 'coreos', 'rhel', 'ubuntu']],
  ['2.14', '2.16', ['centos', 'coreos', 'flatcar', 'rhel', 'ubuntu']],
  ['2.17', '2.20', ['centos', 'flatcar', 'rhel', 'ubuntu']],
  ['2.21', '2.26', ['centos', 'flatcar', 'rhel', 'rockylinux', 'ubuntu']],
  ['2.27', '2.31', ['flatcar', 'rhel', 'rockylinux', 'ubuntu']],
];
const inRange = (table: [KkpRelease, KkpRelease, string[]][], release: KkpRelease) => {
  const i = KKP_RELEASES.indexOf(release);
  return table.find(([a, b]) => KKP_RELEASES.indexOf(a) <= i && i <= KKP_RELEASES.indexOf(b))![2];
};

describe('each release\'s spec against that release\'s Go types', () => {
  test.each([...KKP_RELEASES])('KKP %s: every Seed and cluster field it writes is a JSON field of its types, in the release\'s case', (release) => {
    const facts = kkpReleaseFacts(release);
    const full: KkpVsphereDatacenterInput = {
      ...input,
      allowInsecure: true,
      templates: Object.fromEntries(inRange(OS_KEYS, release).map((os) => [os, `${os}-template`])),
      storagePolicy: facts.datacenterStoragePolicy ? 'gold' : undefined,
      ipv6Enabled: facts.ipv6Enabled ? true : undefined,
      defaultTagCategoryID: facts.defaultTagCategoryID ? 'urn:cat' : undefined,
    };
    const entry = parse(renderKkpDatacenterSpec(full, { kkpRelease: release })).datacenters['vsphere-hamburg'];
    expect(Object.keys(entry).every((k) => ['country', 'location', 'node', 'spec'].includes(k))).toBe(true);
    const written = Object.keys(entry.spec.vsphere);
    const allowed = inRange(DC_FIELDS, release);
    expect(written.filter((k) => !allowed.includes(k))).toEqual([]);
    // Everything given was written: no field silently dropped.
    expect(written.length).toBe(7 + (full.storagePolicy ? 1 : 0) + (full.ipv6Enabled ? 1 : 0) + (full.defaultTagCategoryID ? 1 : 0));
    expect(Object.keys(entry.spec.vsphere.templates)).toEqual(inRange(OS_KEYS, release));

    const cluster = parse(renderKkpClusterCloudSpec({
      folder: '/dc-1/vm/kkp/clusters/abc',
      networks: ['kkp-workers'],
      datastore: facts.clusterDatastore ? 'ds-2' : undefined,
      storagePolicy: facts.clusterStoragePolicyAndResourcePool ? 'gold' : undefined,
      resourcePool: facts.clusterStoragePolicyAndResourcePool ? 'cluster-1/Resources/kkp' : undefined,
      basePath: facts.clusterNetworkField === 'networks' ? 'team-a' : undefined,
      credentialsReference: { name: 'kkp-vsphere-abc', namespace: 'kubermatic' },
    }, release)).vsphere;
    const clusterAllowed = inRange(CLUSTER_FIELDS, release);
    expect(Object.keys(cluster).filter((k) => !clusterAllowed.includes(k))).toEqual([]);
    expect(cluster.credentialsReference).toEqual({ name: 'kkp-vsphere-abc', namespace: 'kubermatic' });
    if (clusterAllowed.includes('networks')) expect(cluster.networks).toEqual(['kkp-workers']);
    else expect(cluster.vmNetName).toBe('kkp-workers');
  });

  test('snake_case up to 2.18, camelCase from 2.19', () => {
    expect(Object.keys(vsphereOf(renderKkpDatacenterSpec({ ...input, allowInsecure: true }, { kkpRelease: '2.18' })))).toEqual(
      ['endpoint', 'allow_insecure', 'datastore', 'datacenter', 'cluster', 'storage_policy', 'root_path', 'templates'],
    );
    expect(Object.keys(vsphereOf(renderKkpDatacenterSpec({ ...input, allowInsecure: true }, { kkpRelease: '2.19' })))).toEqual(
      ['endpoint', 'allowInsecure', 'datastore', 'datacenter', 'cluster', 'storagePolicy', 'rootPath', 'templates'],
    );
  });

  test('before 2.24 one network (vmNetName) and no basePath', () => {
    expect(() => renderKkpClusterCloudSpec({ folder: '/dc/vm/x', networks: ['a', 'b'] }, '2.23')).toThrow(
      /networks: KKP 2\.23 takes one network per cluster \(vmNetName; a list of networks came with 2\.24\), got 2/,
    );
    expect(() => renderKkpClusterCloudSpec({ folder: '/dc/vm/x', basePath: 'team' }, '2.23')).toThrow(
      /basePath: KKP 2\.23's VSphereCloudSpec has no basePath \(it came with 2\.24\)/,
    );
    expect(() => renderKkpClusterCloudSpec({ folder: '/dc/vm/x', datastore: 'd' }, '2.14')).toThrow(/datastore: KKP 2\.14's VSphereCloudSpec has no datastore \(it came with 2\.15\)/);
  });
});
