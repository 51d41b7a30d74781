import { Secret } from '@cdktf/provider-kubernetes/lib/secret';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { CloudConfigSecret, CloudConfigSecretProps } from '../../src/constructs';

const base: CloudConfigSecretProps = {
  server: 'vcenter.example.com',
  datacenter: 'DC0',
  datastore: 'LocalDS_0',
  clusterId: 'abc123xyz',
};

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}

function synth(props: CloudConfigSecretProps = base): { json: string; parsed: any } {
  const s = stack();
  new CloudConfigSecret(s, 'cloud-config', props);
  const json = Testing.synth(s);
  return { json, parsed: JSON.parse(json) };
}

describe('CloudConfigSecret synthesis', () => {
  test('writes Secret cloud-config and its CSI copy cloud-config-csi in kube-system, data key config', () => {
    const { json, parsed } = synth();
    expect(json).toHaveResourceWithProperties(Secret, {
      metadata: { name: 'cloud-config', namespace: 'kube-system' },
      type: 'Opaque',
      data: { config: expect.stringContaining('[Global]\nuser = "${replace(replace(sensitive(var.vsphere_cloud_config_user)') },
    });
    expect(json).toHaveResourceWithProperties(Secret, { metadata: { name: 'cloud-config-csi', namespace: 'kube-system' } });
    const secrets = Object.values(parsed.resource.kubernetes_secret) as any[];
    expect(secrets).toHaveLength(2);
    expect(secrets[0].data).toEqual(secrets[1].data);
  });

  test('name, namespace, key and the CSI copy are configurable', () => {
    const { parsed } = synth({ ...base, name: 'vsphere-cfg', namespace: 'cluster-abc', key: 'cloud.conf', csiSecretName: 'csi-cfg' });
    const secrets = Object.values(parsed.resource.kubernetes_secret) as any[];
    expect(secrets.map((secret) => secret.metadata).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'csi-cfg', namespace: 'cluster-abc' },
      { name: 'vsphere-cfg', namespace: 'cluster-abc' },
    ]);
    expect(secrets.map((secret) => Object.keys(secret.data))).toEqual([['cloud.conf'], ['cloud.conf']]);
    const noCsi = synth({ ...base, csiCopy: false }).parsed;
    expect(Object.values(noCsi.resource.kubernetes_secret).map((s: any) => s.metadata.name)).toEqual(['cloud-config']);
  });

  test('declares sensitive, non-nullable variables for a missing user and password, with their TF_VAR_ names', () => {
    const { parsed } = synth();
    expect(parsed.variable).toEqual({
      vsphere_cloud_config_user: expect.objectContaining({ type: 'string', sensitive: true, nullable: false }),
      vsphere_cloud_config_password: expect.objectContaining({ type: 'string', sensitive: true, nullable: false }),
    });
    expect(parsed.variable.vsphere_cloud_config_password.description).toContain('TF_VAR_vsphere_cloud_config_password');
    // A default would put a credential into cdk.tf.json.
    expect(parsed.variable.vsphere_cloud_config_password).not.toHaveProperty('default');
    expect(Object.keys(synth({ ...base, variablePrefix: 'seed_storage' }).parsed.variable).sort())
      .toEqual(['seed_storage_password', 'seed_storage_user']);
  });

  test('uses caller tokens and declares no variable then; a literal user is allowed', () => {
    const s = stack();
    const pw = new TerraformVariable(s, 'my_pw', { type: 'string', sensitive: true });
    const c = new CloudConfigSecret(s, 'cc', { ...base, user: 'kkp-storage@vsphere.local', password: pw.stringValue });
    expect(c.userVariable).toBeUndefined();
    expect(c.passwordVariable).toBeUndefined();
    const parsed = JSON.parse(Testing.synth(s));
    expect(Object.keys(parsed.variable)).toEqual(['my_pw']);
    expect(c.config).toBeDefined();
    const data = (Object.values(parsed.resource.kubernetes_secret)[0] as any).data.config as string;
    expect(data).toContain('user = "kkp-storage@vsphere.local"');
    expect(data).toContain('password = "${replace(replace(sensitive(var.my_pw), "\\\\", "\\\\\\\\"), "\\"", "\\\\\\"")}"');
  });

  test('each token value gets a plan-time precondition that never shows the value; literals get none', () => {
    const s = stack();
    const pw = new TerraformVariable(s, 'my_pw', { type: 'string', sensitive: true });
    new CloudConfigSecret(s, 'cc', { ...base, user: 'admin', password: pw.stringValue, csiCopy: false });
    const secret = Object.values(JSON.parse(Testing.synth(s)).resource.kubernetes_secret)[0] as any;
    expect(secret.lifecycle.precondition).toEqual([{
      condition: '${((!strcontains(var.my_pw, "\\n") && !strcontains(var.my_pw, "\\r")) && !strcontains(var.my_pw, "\\u0000"))}',
      error_message: 'CloudConfigSecret "test/cc": prop password contains a newline, carriage return or NUL character, ' +
        'which the gcfg cloud-config cannot carry. Remove it from the value given to Terraform.',
    }]);
  });

  test('renders the KKP layout, with literal values escaped for gcfg and for the Terraform template', () => {
    const s = stack();
    const c = new CloudConfigSecret(s, 'cc', { ...base, port: 8443, insecure: true, folder: 'a\\b"c ${x} %{y}', resourcePoolPath: '/DC0/host/C0/Resources' });
    expect(c.config.split('\n').filter((l) => !l.includes('var.') && !l.includes('TfToken')).join('\n')).toBe([
      '[Global]', 'port = "8443"', 'insecure-flag = true', 'working-dir = "abc123xyz"', 'datacenter = "DC0"',
      'datastore = "LocalDS_0"', 'server = "vcenter.example.com"', 'cluster-id = "abc123xyz"', '',
      '[Disk]', 'scsicontrollertype = "pvscsi"', '',
      '[Workspace]', 'server = "vcenter.example.com"', 'datacenter = "DC0"', 'folder = "a\\\\b\\"c $${x} %%{y}"',
      'default-datastore = "LocalDS_0"', 'resourcepool-path = "/DC0/host/C0/Resources"', '',
      '[VirtualCenter "vcenter.example.com"]', 'port = "8443"', 'datacenters = "DC0"', '',
    ].join('\n'));
  });
});

describe('CloudConfigSecret server with a port', () => {
  test.each([
    ['kkp', { ...base, server: 'vc.example.com:8443', kkpUserCluster: false }],
    ['csi-vsphere-conf', { format: 'csi-vsphere-conf', server: 'vc.example.com:8443', clusterId: 'seed', datacenters: ['DC0'] }],
  ] as [string, CloudConfigSecretProps][])('%s: "host:port" without port writes the host and that port, not 443', (_format, props) => {
    const { parsed } = synth(props);
    const config = (Object.values(parsed.resource.kubernetes_secret)[0] as any).data;
    const text = Object.values(config)[0] as string;
    expect(text).toContain('[VirtualCenter "vc.example.com"]');
    expect(text).toContain('port = "8443"');
    expect(text).not.toContain('vc.example.com:8443');
    expect(text).not.toContain('"443"');
  });
});

describe('CloudConfigSecret errors', () => {
  const cases: Array<[string, Partial<CloudConfigSecretProps>, string]> = [
    ['a literal password', { password: 'hunter2' },
      'CloudConfigSecret "test/cc": prop password is a literal string, which would be written into cdk.tf.json. Pass a token instead, ' +
      'e.g. the stringValue of a TerraformVariable with sensitive: true, or leave password out and set ' +
      'TF_VAR_vsphere_cloud_config_password for the variable the construct then declares.'],
    ['a newline in a literal', { folder: 'kkp\nx' },
      'CloudConfigSecret "test/cc": prop folder contains a newline (U+000A), which the gcfg cloud-config cannot carry; remove it.'],
    ['a NUL in a literal', { user: 'ad\0min' },
      'CloudConfigSecret "test/cc": prop user contains a NUL character (U+0000), which the gcfg cloud-config cannot carry; remove it.'],
    ['a carriage return in a literal', { datastore: 'ds\r' },
      'CloudConfigSecret "test/cc": prop datastore contains a carriage return (U+000D), which the gcfg cloud-config cannot carry; remove it.'],
    ['a URL as server', { server: 'https://vcenter.example.com' },
      'CloudConfigSecret "test/cc": prop server is "https://vcenter.example.com"; give the vCenter host name only (no scheme, path or spaces), e.g. "vcenter.example.com", and the port in prop port.'],
    ['a bad port', { port: 70000 }, 'CloudConfigSecret "test/cc": prop port 70000 is not a TCP port; use an integer from 1 to 65535 (vCenter listens on 443).'],
    ['a server port against the port', { server: 'vc.example.com:8443', port: 443 },
      'CloudConfigSecret "test/cc": prop server "vc.example.com:8443" names port 8443 but port is 443; give the port once: server "vc.example.com" and port 8443.'],
    ['a server port 0', { server: 'vc.example.com:0' }, 'CloudConfigSecret "test/cc": prop port "0" is not a TCP port'],
    ['a bad secret name', { name: 'Cloud_Config' },
      'CloudConfigSecret "test/cc": prop name is "Cloud_Config", which is not a Kubernetes object name (lower-case letters, digits, "-" and ".") of at most 253 characters.'],
    ['a bad namespace', { namespace: 'kube.system' },
      'CloudConfigSecret "test/cc": prop namespace is "kube.system", which is not a Kubernetes namespace name (lower-case letters, digits and "-") of at most 63 characters.'],
    ['a bad key', { key: 'con fig' },
      'CloudConfigSecret "test/cc": prop key is "con fig", which is not a Secret data key (letters, digits, "-", "_" and ".") of at most 253 characters.'],
    ['the CSI copy named like the Secret', { csiSecretName: 'cloud-config' },
      'CloudConfigSecret "test/cc": name and csiSecretName are both "cloud-config"; give the CSI copy another name or set csiCopy: false.'],
    ['a bad variable prefix', { variablePrefix: '1x' },
      'CloudConfigSecret "test/cc": variablePrefix "1x" is not a Terraform name; use letters, digits, "_" and "-".'],
  ];
  test.each(cases)('rejects %s with an actionable message', (_what, props, message) => {
    expect(() => new CloudConfigSecret(stack(), 'cc', { ...base, ...props } as CloudConfigSecretProps)).toThrow(message);
  });

  test('rejects a second construct declaring the same variables', () => {
    const s = stack();
    new CloudConfigSecret(s, 'one', base);
    expect(() => new CloudConfigSecret(s, 'two', base)).toThrow(
      'CloudConfigSecret "test/two": another CloudConfigSecret in this stack already declares the variable vsphere_cloud_config_user; ' +
      'give this one its own variablePrefix, or pass user and password as tokens.');
    expect(() => new CloudConfigSecret(s, 'three', { ...base, variablePrefix: 'other' })).not.toThrow();
  });

  test('checks the literal text of a value mixed with a token at synth time, and its tokens at plan time', () => {
    const s = stack();
    const v = new TerraformVariable(s, 'dc', { type: 'string' });
    expect(() => new CloudConfigSecret(s, 'bad', { ...base, folder: `/${v.stringValue}/vm\n` })).toThrow(
      'CloudConfigSecret "test/bad": prop folder contains a newline (U+000A), which the gcfg cloud-config cannot carry; remove it.');
    const c = new CloudConfigSecret(s, 'cc', { ...base, variablePrefix: 'x', folder: `/${v.stringValue}/vm/"x"` });
    expect(c.config).toContain('folder = "/');
    const secret = JSON.parse(Testing.synth(s)).resource.kubernetes_secret[s.getLogicalId(c.secret)];
    expect(secret.data.config).toContain(
      'folder = "/${replace(replace(sensitive(var.dc), "\\\\", "\\\\\\\\"), "\\"", "\\\\\\"")}/vm/\\"x\\""');
    expect(secret.lifecycle.precondition.map((p: any) => p.error_message)).toEqual([
      expect.stringContaining('prop folder contains'), expect.stringContaining('prop user contains'), expect.stringContaining('prop password contains'),
    ]);
  });
});

describe('CloudConfigSecret and KKP-managed user clusters', () => {
  // The library's own checks (cdktf adds a missing-provider check of its own: these stacks have no provider).
  const validate = (s: TerraformStack) => s.node.findAll().flatMap((c) => c.node.validate()).filter((e) => !e.startsWith('Found resources without a matching provider'));

  test('the default Secrets kube-system/cloud-config(-csi) are refused at synth when the stack targets KKP 2.13+, with the reason and the ways out', () => {
    const s = stack();
    new CloudConfigSecret(s, 'cloud-config', base);
    const errors = validate(s);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^CloudConfigSecret "test\/cloud-config": Secret kube-system\/cloud-config and kube-system\/cloud-config-csi is one KKP 2\.31 reconciles in its user clusters; from KKP 2\.13 KKP's user-cluster controller writes and reconciles the user cluster's cloud-config Secrets .* Hand KKP the credentials instead: KkpUserCluster writes them to a Secret on the seed and outputs the credentialsReference\. If the target cluster is not a KKP user cluster, set kkpUserCluster: false; for the upstream vSphere CSI driver \(e\.g\. on the seed cluster\) use format: 'csi-vsphere-conf'\.$/,
    );
  });

  test('kkpUserCluster: false (a cluster KKP does not manage) and a KKP 2.12 stack are allowed', () => {
    const s = stack();
    new CloudConfigSecret(s, 'cloud-config', { ...base, kkpUserCluster: false });
    expect(validate(s)).toEqual([]);
    const old = stack();
    // KKP 2.12 kept the cloud-config in the seed only: the user cluster's Secret is the stack's to write.
    const { KkpRoles } = require('../../src/constructs');
    new KkpRoles(old, 'Roles', { vsphereVersion: '8.0', kkpRelease: '2.12' });
    new CloudConfigSecret(old, 'cloud-config', base);
    expect(validate(old)).toEqual([]);
  });
});

describe('CloudConfigSecret for the upstream vSphere CSI driver (format csi-vsphere-conf)', () => {
  const { parseCsiWithGcfg } = require('../support/gcfg');
  const { terraformEval } = require('../support/terraform-eval');

  test('writes Secret vmware-system-csi/vsphere-config-secret, key csi-vsphere.conf, in the driver\'s dialect, read back by gcfg into the driver\'s fields', () => {
    const s = stack();
    const password = new TerraformVariable(s, 'seed_csi_password', { type: 'string', sensitive: true });
    const secret = new CloudConfigSecret(s, 'seed-csi', {
      format: 'csi-vsphere-conf', server: 'vcenter.example.com', datacenters: ['dc-1', 'dc-2'], clusterId: 'kkp-seed-hamburg',
      clusterDistribution: 'KKP', user: 'VSPHERE.LOCAL\\kkp-seed-csi', password: password.stringValue,
    });
    const json = Testing.synth(s);
    const parsed = JSON.parse(json);
    const secrets = Object.values(parsed.resource.kubernetes_secret) as any[];
    expect(secrets.map((x) => ({ ...x.metadata, keys: Object.keys(x.data) }))).toEqual([
      { name: 'vsphere-config-secret', namespace: 'vmware-system-csi', keys: ['csi-vsphere.conf'] },
    ]);
    expect(secret.csiSecret).toBeUndefined();
    expect(s.node.findAll().flatMap((c) => c.node.validate()).filter((e) => e.startsWith('CloudConfigSecret'))).toEqual([]);
    const hostile = 'p"a\\ss${x}w#rd;ü ';
    const { values } = terraformEval({ synthesized: json, outputs: { conf: secrets[0].data['csi-vsphere.conf'] }, env: { seed_csi_password: hostile } });
    expect(values.conf).toBe(
      '[Global]\ncluster-id = "kkp-seed-hamburg"\ncluster-distribution = "KKP"\n\n' +
      '[VirtualCenter "vcenter.example.com"]\ninsecure-flag = false\nuser = "VSPHERE.LOCAL\\\\kkp-seed-csi"\n' +
      'password = "p\\"a\\\\ss${x}w#rd;ü "\nport = "443"\ndatacenters = "dc-1,dc-2"\n',
    );
    const read = parseCsiWithGcfg(values.conf);
    expect(read.global).toEqual({ clusterId: 'kkp-seed-hamburg', clusterDistribution: 'KKP', caFile: '', thumbprint: '', user: '', password: '', port: '', insecureFlag: false, datacenters: '' });
    expect(read.virtualCenter['vcenter.example.com']).toEqual({ user: 'VSPHERE.LOCAL\\kkp-seed-csi', password: hostile, port: '443', insecureFlag: false, datacenters: 'dc-1,dc-2' });
  });
});
