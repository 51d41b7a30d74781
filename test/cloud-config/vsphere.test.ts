import { GcfgValueError, renderVsphereCloudConfig, vsphereCloudConfig } from '../../src/facts/cloud-config';
import { parseWithGcfg } from '../support/gcfg';

// The full file as KKP's vsphere.CloudConfig.String() writes it (pkg/resources/cloudconfig/vsphere):
// [Global] keys in KKP's order with `datastore` (not default-datastore), the port as a quoted string,
// insecure-flag bare, every string quoted even when empty, sections separated by one blank line.
const GOLDEN = `[Global]
user = "kkp-storage@vsphere.local"
password = "s3cr\\"et\\\\"
port = "8443"
insecure-flag = true
working-dir = "abc123xyz"
datacenter = "DC0"
datastore = "LocalDS_0"
server = "vcenter.example.com"
cluster-id = "abc123xyz"

[Disk]
scsicontrollertype = "pvscsi"

[Workspace]
server = "vcenter.example.com"
datacenter = "DC0"
folder = "/DC0/vm/kkp/abc123xyz"
default-datastore = "LocalDS_0"
resourcepool-path = ""

[VirtualCenter "vcenter.example.com"]
user = "kkp-storage@vsphere.local"
password = "s3cr\\"et\\\\"
port = "8443"
datacenters = "DC0"
`;

const input = {
  server: 'vcenter.example.com',
  port: 8443,
  insecure: true,
  user: 'kkp-storage@vsphere.local',
  password: 's3cr"et\\',
  datacenter: 'DC0',
  datastore: 'LocalDS_0',
  folder: '/DC0/vm/kkp/abc123xyz',
  clusterId: 'abc123xyz',
};

describe('vSphere cloud-config renderer', () => {
  test('renders a full KKP cloud-config byte for byte', () => {
    expect(renderVsphereCloudConfig(vsphereCloudConfig(input))).toBe(GOLDEN);
  });

  test('fills defaults like KKP: port 443, insecure false, working-dir = cluster id, empty folder and resource pool', () => {
    const config = vsphereCloudConfig({ ...input, port: undefined, insecure: undefined, folder: undefined });
    expect(config.global).toEqual(expect.objectContaining({ port: '443', insecureFlag: false, workingDir: 'abc123xyz' }));
    expect(config.workspace).toEqual(expect.objectContaining({ folder: '', resourcePoolPath: '' }));
    expect(config.virtualCenters['vcenter.example.com'].port).toBe('443');
  });

  test('reproduces KKP\'s own two-vCenter test case (sorted subsections, escaped quote)', () => {
    const vc = { port: '443' };
    const out = renderVsphereCloudConfig({
      global: { user: 'admin', password: 'password', port: '', insecureFlag: true, workingDir: '', datacenter: '', datastore: '', server: '', clusterId: '' },
      disk: { scsiControllerType: 'pvscsi' },
      workspace: { server: 'https://127.0.0.1:8443', datacenter: 'Datacenter', folder: 'some-folder', defaultDatastore: 'Datastore', resourcePoolPath: '/some-resource-pool' },
      virtualCenters: {
        vc2: { ...vc, user: '2-some-user', password: 'foo"bar', datacenters: '2-foo' },
        vc1: { ...vc, user: '1-some-user', password: '1-some-password', datacenters: '1-foo' },
      },
    });
    expect(out.trim()).toBe(`[Global]
user = "admin"
password = "password"
port = ""
insecure-flag = true
working-dir = ""
datacenter = ""
datastore = ""
server = ""
cluster-id = ""

[Disk]
scsicontrollertype = "pvscsi"

[Workspace]
server = "https://127.0.0.1:8443"
datacenter = "Datacenter"
folder = "some-folder"
default-datastore = "Datastore"
resourcepool-path = "/some-resource-pool"

[VirtualCenter "vc1"]
user = "1-some-user"
password = "1-some-password"
port = "443"
datacenters = "1-foo"

[VirtualCenter "vc2"]
user = "2-some-user"
password = "foo\\"bar"
port = "443"
datacenters = "2-foo"`);
  });

  test('writes ip-family in [Global] and [VirtualCenter] only when set (dual stack)', () => {
    const out = renderVsphereCloudConfig(vsphereCloudConfig({ ...input, ipFamily: 'ipv4,ipv6' }));
    expect(out).toContain('cluster-id = "abc123xyz"\nip-family = "ipv4,ipv6"\n\n[Disk]');
    expect(out).toMatch(/datacenters = "DC0"\nip-family = "ipv4,ipv6"\n$/);
    expect(GOLDEN).not.toContain('ip-family');
  });

  test('gcfg reads every field of the rendered file back', () => {
    const read = parseWithGcfg(renderVsphereCloudConfig(vsphereCloudConfig({ ...input, resourcePoolPath: '/DC0/host/C0/Resources' })));
    expect(read).toEqual({
      global: {
        user: input.user, password: input.password, port: '8443', insecureFlag: true, workingDir: 'abc123xyz',
        datacenter: 'DC0', datastore: 'LocalDS_0', server: 'vcenter.example.com', clusterId: 'abc123xyz', ipFamily: '',
      },
      disk: { scsiControllerType: 'pvscsi' },
      workspace: {
        server: 'vcenter.example.com', datacenter: 'DC0', folder: '/DC0/vm/kkp/abc123xyz',
        defaultDatastore: 'LocalDS_0', resourcePoolPath: '/DC0/host/C0/Resources',
      },
      virtualCenter: { 'vcenter.example.com': { user: input.user, password: input.password, port: '8443', datacenters: 'DC0', ipFamily: '' } },
    });
  });

  test.each([0, 65536, 44.3])('rejects port %p', (port) => {
    expect(() => vsphereCloudConfig({ ...input, port })).toThrow(new GcfgValueError(
      `port ${port} is not a TCP port; use an integer from 1 to 65535 (vCenter listens on 443).`,
    ));
  });

  test.each(['0', '443; x', ' 443', '65536', '-1', '1e3', ''])('rejects port string %j', (port) => {
    expect(() => vsphereCloudConfig({ ...input, port })).toThrow(new GcfgValueError(
      `port ${JSON.stringify(port)} is not a TCP port; use an integer from 1 to 65535 (vCenter listens on 443).`,
    ));
  });

  test.each<[string, number | string | undefined, string, string]>([
    ['vc.example.com:8443', undefined, 'vc.example.com', '8443'],
    ['vc.example.com:8443', 8443, 'vc.example.com', '8443'],
    ['vc.example.com:8443', '8443', 'vc.example.com', '8443'],
    ['10.0.0.5:9443', undefined, '10.0.0.5', '9443'],
    ['[fd00::5]:9443', undefined, 'fd00::5', '9443'],
    ['[fd00::5]', 444, 'fd00::5', '444'],
    ['fd00::5', undefined, 'fd00::5', '443'],
  ])('server %j with port %p: host %j, port %j in every section', (server, port, host, expected) => {
    const config = vsphereCloudConfig({ ...input, server, port });
    expect(config.global).toEqual(expect.objectContaining({ server: host, port: expected }));
    expect(config.workspace.server).toBe(host);
    expect(config.virtualCenters).toEqual({ [host]: expect.objectContaining({ port: expected }) });
  });

  test.each<[string, number | undefined, string]>([
    ['vc.example.com:8443', 443, 'server "vc.example.com:8443" names port 8443 but port is 443; give the port once: server "vc.example.com" and port 8443.'],
    ['vc.example.com:0', undefined, 'port "0" is not a TCP port'],
    ['vc.example.com:443; x', undefined, 'server: "vc.example.com:443; x" is not a host name'],
    ['https://vc.example.com', undefined, 'server: "https://vc.example.com" is not a host name (no scheme, path, query, quotes or spaces); give the host only'],
    ['admin:PW@vc.example.com', undefined, 'server: the value holds a user or password before "@"; give the vCenter host name only'],
    ['', undefined, 'server: must be the vCenter host name, got ""'],
    [':443', undefined, 'server: ":443" has no host name'],
  ])('refuses server %j (port %p)', (server, port, message) => {
    let error: Error | undefined;
    try {
      vsphereCloudConfig({ ...input, server, port });
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(GcfgValueError);
    expect(error!.message).toContain(message);
    expect(error!.message).not.toContain('PW');
  });

  test('names the INI field of a value gcfg cannot carry', () => {
    expect(() => renderVsphereCloudConfig(vsphereCloudConfig({ ...input, folder: 'a\nb' })))
      .toThrow('[Workspace] folder contains a newline (U+000A), which a gcfg INI file cannot carry; remove it from the value.');
    expect(() => renderVsphereCloudConfig(vsphereCloudConfig({ ...input, password: 'x\0' })))
      .toThrow('[Global] password contains a NUL character (U+0000)');
  });
});
