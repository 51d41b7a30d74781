// The model of what KKP calls on vSphere: every row has its source, and docs/kkp-works.md is generated from it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KKP_COMPONENTS,
  KKP_LOGIN_TABLE,
  KKP_OPERATIONS,
  kkpLogins,
  kkpWorksCounts,
  renderKkpWorksMatrix,
} from '../../src/facts/kkp-operations';
import { KKP_RELEASES } from '../../src/facts/kkp';
import { privilegeCatalog } from '../../src/facts/privileges';

test('docs/kkp-works.md is what scripts/kkp-works-matrix.js renders from the data (regenerate it when this fails)', () => {
  const committed = readFileSync(join(__dirname, '../../docs/kkp-works.md'), 'utf8');
  expect(committed).toBe(`${renderKkpWorksMatrix()}\n`);
});

test('every operation names its call site at a tag, and every privilege need its source', () => {
  for (const op of KKP_OPERATIONS) {
    expect(op.calledIn.repo).toMatch(/^[\w-]+\/[\w-]+$/);
    expect(op.calledIn.ref).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(KKP_COMPONENTS.map((c) => c.id)).toContain(op.component);
    expect(op.needs.length).toBeGreaterThan(0);
    for (const need of op.needs) {
      expect(need.privileges.length).toBeGreaterThan(0);
      if (need.source.kind === 'api-reference') expect(need.source.url).toMatch(/^https:\/\/developer\.broadcom\.com\/xapis\/vsphere-web-services-api\//);
      if (need.source.kind === 'kkp-docs') expect(need.source.note).toMatch(/KKP page|KKP 2\.\d+\+ page|Low level file operations/);
    }
  }
});

test('every privilege an operation needs is one vCenter 8 knows (its catalog), System.* included', () => {
  const catalog = privilegeCatalog('8.0');
  const unknown = KKP_OPERATIONS.flatMap((o) => o.needs.flatMap((n) => n.privileges)).filter((id) => !id.startsWith('System.') && !catalog.has(id));
  expect(unknown).toEqual([]);
});

test('the login table covers every release once, and follows ARCHITECTURE.md "Who KKP logs in as"', () => {
  for (const release of KKP_RELEASES) {
    expect(KKP_LOGIN_TABLE.filter((r) => KKP_RELEASES.indexOf(r.first) <= KKP_RELEASES.indexOf(release) && KKP_RELEASES.indexOf(release) <= KKP_RELEASES.indexOf(r.last))).toHaveLength(1);
  }
  expect(kkpLogins('2.20')['machine-controller']).toBe('username');
  expect(kkpLogins('2.25')['vsphere-csi']).toBe('infra');
  expect(kkpLogins('2.26')['machine-controller']).toBe('either');
  expect(kkpLogins('2.31')).toMatchObject({ 'machine-controller': 'infra', 'vsphere-csi': 'username', 'kkp-seed-provider': 'infra' });
});

test('per release profile: components, operations and privileges modelled', () => {
  expect(kkpWorksCounts().map((c) => [c.profile, c.components, c.operations])).toEqual([
    ['kkp-2.12', 4, 16], ['kkp-2.14', 4, 16], ['kkp-2.18', 5, 22], ['kkp-2.21', 5, 22], ['kkp-2.22', 5, 22], ['kkp-2.23', 5, 23], ['kkp-2.26', 5, 25],
  ]);
});
