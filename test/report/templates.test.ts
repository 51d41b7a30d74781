// The report's template table for VmTemplate's kkpvsphere_vm_template: a URL source reads as a URL (with its preset), a
// local file as a local file with its path from the stack directory and its SHA-256; a URL's secret part never shows,
// also from metadata the library did not write (hand-written, or an older library's "preset <name>: <url>").
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataResource, TerraformStack, TerraformVariable } from 'cdktf';
import { VsphereInventory, VmTemplate, VmTemplateSource } from '../../src';
import { readKkpMetadata } from '../../src/contracts';
import { readSynthOutput, renderReportMarkdown } from '../../src/tools/report';
import { synthToDisk, tablesOf } from './support';

const SECRET = 's3cr3t-T0KEN';
let images: string;
let out: string;

beforeAll(() => {
  images = mkdtempSync(path.join(tmpdir(), 'kkp-report-images-'));
  writeFileSync(path.join(images, 'kkp-rocky.ovf'), '<Envelope/>\n');
  writeFileSync(path.join(images, 'kkp-rocky.mf'), 'SHA256(kkp-rocky-disk1.vmdk)= 11\n');
  out = synthToDisk((app) => {
    const stack = new TerraformStack(app, 'templates');
    const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
    const common = { inventory, folder: 'kkp/templates', network: 'kkp-workers', datastore: 'ds-1', resourcePool: 'cluster-1/Resources' };
    new VmTemplate(stack, 'Ubuntu', { ...common, source: VmTemplateSource.preset('ubuntu-22.04') });
    const token = new TerraformVariable(stack, 'flatcar_token', { type: 'string', sensitive: true });
    new VmTemplate(stack, 'Flatcar', {
      ...common,
      name: 'kkp-flatcar',
      source: VmTemplateSource.ovaUrl('https://images.example.com/flatcar.ova', { os: 'flatcar', urlSecret: { variable: token, part: 'query' } }),
    });
    new VmTemplate(stack, 'Rocky', { ...common, source: VmTemplateSource.localOvf(path.join(images, 'kkp-rocky.ovf'), { os: 'rockylinux' }) });
    new VmTemplate(stack, 'Missing', { ...common, source: VmTemplateSource.localOvf(path.join(images, 'kkp-missing.ova'), { os: 'centos' }) });
    // Metadata the library did not write this way: an older library's "preset <name>: <url>", and a URL with secrets.
    for (const [id, source] of [
      ['Legacy', 'preset ubuntu-20.04: https://cloud-images.ubuntu.com/focal.ova'],
      ['HandWritten', `https://builder:${SECRET}@images.example.com/custom.ova?sig=${SECRET}#${SECRET}`],
    ]) {
      const r = new DataResource(stack, id, { input: { x: 1 } });
      r.addOverride('//.kkp', { template: `kkp-${id.toLowerCase()}`, os: 'ubuntu', folder: '/dc-1/vm/kkp/templates', source });
    }
  });
});

afterAll(() => {
  rmSync(images, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

test('the metadata VmTemplate writes is read through the one type: kind, preset, path and digests', () => {
  const tf = require(path.join(out, 'stacks', 'templates', 'cdk.tf.json'));
  const meta = Object.values<any>(tf.resource.kkpvsphere_vm_template).map(readKkpMetadata);
  expect(meta).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ type: 'template', template: 'kkp-ubuntu-22.04', sourceKind: 'url', preset: 'ubuntu-22.04', source: expect.stringMatching(/^https:\/\/cloud-images/) }),
      expect.objectContaining({ type: 'template', template: 'kkp-flatcar', sourceKind: 'url', source: 'https://images.example.com/flatcar.ova' }),
      expect.objectContaining({
        type: 'template',
        template: 'kkp-rocky',
        sourceKind: 'file',
        image: { file: 'kkp-rocky.ovf', sha256: { 'kkp-rocky.ovf': expect.stringMatching(/^[0-9a-f]{64}$/), 'kkp-rocky.mf': expect.stringMatching(/^[0-9a-f]{64}$/) } },
      }),
    ]),
  );
});

test('the template table says URL or local file, with the preset and the digests; no secret anywhere', () => {
  const markdown = renderReportMarkdown(readSynthOutput(out));
  const rows = tablesOf(markdown).get('Templates')!;
  // The OVF network and the network it is mapped to, as for an OVF deploy.
  expect(rows.find((r) => r[0] === 'kkp-flatcar (flatcar)')![3]).toBe('VM Network → /dc-1/network/kkp-workers');
  const source = Object.fromEntries(rows.slice(1).map((r) => [r[0], r[4]]));
  expect(source).toEqual({
    'kkp-ubuntu-22.04 (ubuntu)': 'URL https://cloud-images.ubuntu.com/releases/22.04/release/ubuntu-22.04-server-cloudimg-amd64.ova (preset ubuntu-22.04)',
    'kkp-flatcar (flatcar)': 'URL https://images.example.com/flatcar.ova',
    'kkp-rocky (rockylinux)': expect.stringMatching(
      /^local file \.\.\/\.\.\/\.\.\/kkp-report-images-\w+\/kkp-rocky\.ovf \(relative to the stack's directory in cdktf\.out\), SHA-256 kkp-rocky\.mf [0-9a-f]{16}…, kkp-rocky\.ovf [0-9a-f]{16}…$/,
    ),
    'kkp-missing (centos)': expect.stringMatching(/^local file \S+\/kkp-missing\.ova \(relative to the stack's directory in cdktf\.out\), missing at synth: identified by file name only$/),
    'kkp-legacy (ubuntu)': 'URL https://cloud-images.ubuntu.com/focal.ova (preset ubuntu-20.04)',
    'kkp-handwritten (ubuntu)': 'URL https://REDACTED@images.example.com/custom.ova?…',
  });
  expect(markdown).not.toContain(SECRET);
  expect(markdown).not.toMatch(/local file https?:/);
  expect(JSON.stringify(readSynthOutput(out))).not.toContain(SECRET);
});
