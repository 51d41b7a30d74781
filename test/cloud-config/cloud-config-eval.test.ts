// The rendered Secret data, evaluated by the real terraform binary and read back by the real gcfg parser.
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { renderVsphereCloudConfig, vsphereCloudConfig } from '../../src/facts/cloud-config';
import { CloudConfigSecret, CloudConfigSecretProps } from '../../src/constructs';
import { parseWithGcfg } from '../support/gcfg';
import { TerraformEvalError, terraformEval } from '../support/terraform-eval';

const base: CloudConfigSecretProps = {
  server: 'vcenter.example.com',
  datacenter: 'DC0',
  datastore: 'LocalDS_0',
  clusterId: 'abc123xyz',
  csiCopy: false,
};

// Everything gcfg can carry that a naive writer or a naive Terraform expression would get wrong.
const HOSTILE = [
  '"', '\\', '\\"', '"\\', 'a\\\\"b"\\', ';', '#', '=', '[x]', '  lead and trail  ', 'ü', '😀', 'ü😀 mixed', '',
  '\t', "'", '${x}', '%{ if true }y%{ endif }', '$${x}', '%%{x}', '$', '%', '}', 'pa;ss#w=rd"\\ü😀 ',
];

function dataConfig(synthesized: string, stack: TerraformStack, secret: CloudConfigSecret): string {
  return JSON.parse(synthesized).resource.kubernetes_secret[stack.getLogicalId(secret.secret)].data.config;
}

function preconditions(synthesized: string, stack: TerraformStack, secret: CloudConfigSecret) {
  return JSON.parse(synthesized).resource.kubernetes_secret[stack.getLogicalId(secret.secret)].lifecycle.precondition;
}

describe('CloudConfigSecret evaluated by terraform', () => {
  test('hostile users, passwords and literal values read back exactly, byte-identical to the pure renderer', () => {
    const stack = new TerraformStack(Testing.app(), 'eval');
    const secrets = HOSTILE.map((value, i) => new CloudConfigSecret(stack, `cc${i}`, {
      ...base, variablePrefix: `h${i}`, folder: value, resourcePoolPath: `pool${value}`,
    }));
    const synthesized = Testing.synth(stack);
    const env: Record<string, string> = {};
    HOSTILE.forEach((value, i) => {
      env[`h${i}_user`] = `M4rkerUser${value}`;
      env[`h${i}_password`] = value;
    });
    expect(synthesized).not.toContain('M4rkerUser');

    const { values, millis } = terraformEval({
      synthesized,
      outputs: Object.fromEntries(secrets.map((s, i) => [`c${i}`, dataConfig(synthesized, stack, s)])),
      env,
    });
    // eslint-disable-next-line no-console
    console.log(`terraform init + apply + output for ${HOSTILE.length} configs: ${millis} ms`);

    HOSTILE.forEach((value, i) => {
      const text = values[`c${i}`] as string;
      const expected = { ...base, user: `M4rkerUser${value}`, password: value, folder: value, resourcePoolPath: `pool${value}` };
      expect(text).toBe(renderVsphereCloudConfig(vsphereCloudConfig(expected)));
      const read = parseWithGcfg(text);
      expect(read.global).toEqual(expect.objectContaining({ user: `M4rkerUser${value}`, password: value, port: '443', insecureFlag: false }));
      expect(read.workspace).toEqual(expect.objectContaining({ folder: value, resourcePoolPath: `pool${value}` }));
      expect(read.virtualCenter).toEqual({ 'vcenter.example.com': expect.objectContaining({ user: `M4rkerUser${value}`, password: value }) });
    });
  });

  test('caller tokens work too: a password variable, a token port and a folder mixing text and a token', () => {
    const stack = new TerraformStack(Testing.app(), 'eval');
    const pw = new TerraformVariable(stack, 'storage_password', { type: 'string', sensitive: true });
    const dc = new TerraformVariable(stack, 'dc', { type: 'string' });
    const port = new TerraformVariable(stack, 'port', { type: 'number' });
    const c = new CloudConfigSecret(stack, 'cc', {
      ...base, user: 'kkp-storage@vsphere.local', password: pw.stringValue, port: port.numberValue,
      folder: `/${dc.stringValue}/vm/kkp`, datacenter: dc.stringValue, insecure: true,
    });
    const synthesized = Testing.synth(stack);
    const { values } = terraformEval({
      synthesized,
      outputs: { config: dataConfig(synthesized, stack, c) },
      // The Secret's own checks, on a number token too.
      preconditions: preconditions(synthesized, stack, c),
      env: { storage_password: 'p"w\\ü', dc: 'D"C\\1', port: '9443' },
    });
    const read = parseWithGcfg(values.config as string);
    expect(read.global).toEqual(expect.objectContaining({
      user: 'kkp-storage@vsphere.local', password: 'p"w\\ü', port: '9443', insecureFlag: true, datacenter: 'D"C\\1',
    }));
    expect(read.workspace.folder).toBe('/D"C\\1/vm/kkp');
    expect(read.virtualCenter).toEqual({ 'vcenter.example.com': expect.objectContaining({ port: '9443', datacenters: 'D"C\\1' }) });
  });

  describe('values gcfg cannot carry fail the plan, without printing them', () => {
    const stack = new TerraformStack(Testing.app(), 'eval');
    const own = new TerraformVariable(stack, 'own_password', { type: 'string', sensitive: true });
    const declared = new CloudConfigSecret(stack, 'declared', base);
    const passed = new CloudConfigSecret(stack, 'passed', { ...base, variablePrefix: 'p', user: 'u', password: own.stringValue });
    const synthesized = Testing.synth(stack);
    const ok = { vsphere_cloud_config_user: 'u', vsphere_cloud_config_password: 'p', own_password: 'p' };

    function evaluate(secret: CloudConfigSecret, env: Record<string, string>, varFile?: Record<string, string>) {
      return terraformEval({
        synthesized,
        outputs: { config: dataConfig(synthesized, stack, secret) },
        preconditions: preconditions(synthesized, stack, secret),
        env,
        varFile,
      });
    }

    test('the same configuration applies with carriable values', () => {
      expect(parseWithGcfg(evaluate(declared, ok).values.config as string).global.password).toBe('p');
    });

    test.each([
      ['a newline', 'password', 'S3cretMarker\nrest'],
      ['a carriage return', 'password', 'S3cretMarker\rrest'],
      ['a newline', 'user', 'S3cretMarker\nrest'],
    ])('%s in the declared %s variable', (_what, prop, value) => {
      const env = { ...ok, [`vsphere_cloud_config_${prop}`]: value };
      let error: unknown;
      try { evaluate(declared, env); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(TerraformEvalError);
      // terraform wraps its diagnostics at 80 columns.
      const stderr = (error as TerraformEvalError).stderr.replace(/\s+/g, ' ');
      expect(stderr).toContain(`CloudConfigSecret "eval/declared": prop ${prop} contains a newline, carriage return or NUL character`);
      expect(stderr).not.toContain('S3cretMarker');
    });

    test('a NUL in a caller\'s password variable (from a var file: the environment cannot carry NUL)', () => {
      let error: unknown;
      try { evaluate(passed, { vsphere_cloud_config_user: 'u', vsphere_cloud_config_password: 'p' }, { own_password: 'S3cretMarker\u0000rest' }); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(TerraformEvalError);
      const stderr = (error as TerraformEvalError).stderr.replace(/\s+/g, ' ');
      expect(stderr).toContain('CloudConfigSecret "eval/passed": prop password contains a newline, carriage return or NUL character');
      expect(stderr).not.toContain('S3cretMarker');
    });
  });

  test('the Secret data is marked sensitive even when the caller\'s variable is not', () => {
    const stack = new TerraformStack(Testing.app(), 'eval');
    const pw = new TerraformVariable(stack, 'plain_password', { type: 'string' });
    const c = new CloudConfigSecret(stack, 'cc', { ...base, user: 'u', password: pw.stringValue });
    const synthesized = Testing.synth(stack);
    const outputs = { config: dataConfig(synthesized, stack, c) };
    // Terraform refuses an output that is not marked sensitive but whose value is.
    expect(() => terraformEval({ synthesized, outputs, env: { plain_password: 'x' }, sensitive: false }))
      .toThrow(/Output refers to sensitive values/);
    expect(terraformEval({ synthesized, outputs: { plain: '${var.plain_password}' }, env: { plain_password: 'x' }, sensitive: false }).values)
      .toEqual({ plain: 'x' });
  });
});
