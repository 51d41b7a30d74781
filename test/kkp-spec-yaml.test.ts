// The KKP specs are written without loading `yaml` when every name is plain; the result must be byte for byte what
// `yaml` writes, for plain names and for every value that needs quoting (those go through `yaml` itself).
import { stringify } from 'yaml';
import {
  KKP_RELEASES,
  KkpSpecOptions,
  kkpClusterCloudObject,
  kkpDatacenterObject,
  renderKkpClusterCloudSpec,
  renderKkpDatacenterSpec,
} from '../src/facts/kkp';

const yamlOf = (value: unknown) => stringify(value, { lineWidth: 0, indent: 2 });

// Names as users write them, and strings YAML would read back as something else or that need quotes.
const NAMES = [
  'dc-1', 'ds_ssd.1', 'kkp-ubuntu-22.04', 'Hamburg', 'DE', 'vsphere-dc-1', '/dc-1/vm/kkp', 'a/b:c', 'user@domain',
  'true', 'True', 'TRUE', 'false', 'FALSE', 'null', 'Null', 'NULL', 'yes', 'no', 'on', 'off', 'y', 'n', '~', '1', '1.0',
  '0x1F', '0o17', '1e3', '-1', '.inf', '.NaN', '-a', '?a', ':a', 'a:', 'a: b', 'a :b', 'a #b', 'a#b', '#a', 'a b', '[a]',
  '{a}', 'a,b', '*a', '&a', '!a', '%a', '@a', '`a', '|a', '>a', "'a", '"a', "a'b", 'a"b', 'Zürich', 'a\\b',
  '2024-01-01', '12:30', 'infinity', 'nan', '<<', '=', '_a', 'A-B_C.d/e',
];

/** Renders with the library and with yaml; false when the library refuses the input for this release/format. */
function sameAsYaml(render: () => string, object: () => unknown): boolean {
  let expected: string;
  try {
    expected = yamlOf(object());
  } catch {
    return false;
  }
  expect(render()).toBe(expected);
  return true;
}

test('the datacenter spec is what yaml writes, whatever the names, in every release and format', () => {
  let compared = 0;
  for (const kkpRelease of KKP_RELEASES) {
    for (const name of NAMES) {
      const input = {
        name: `dc-${NAMES.indexOf(name)}`,
        endpoint: 'https://vcenter.example.com',
        datacenter: 'dc-1',
        datastore: name,
        cluster: name,
        rootPath: '/dc-1/vm/kkp',
        templates: { ubuntu: name, flatcar: 'flatcar-stable' },
        location: name,
        country: 'DE',
      };
      const variants: [typeof input & Record<string, unknown>, KkpSpecOptions][] = [
        [input, { kkpRelease }],
        [{ ...input, name, allowInsecure: true, storagePolicy: name }, { kkpRelease, format: 'seed' }],
        [{ ...input, ipv6Enabled: false }, { kkpRelease }],
        [{ ...input, seed: name }, { kkpRelease, format: 'legacy' }],
      ];
      for (const [value, options] of variants) {
        if (sameAsYaml(() => renderKkpDatacenterSpec(value, options), () => kkpDatacenterObject(value, options))) compared++;
      }
    }
  }
  expect(compared).toBeGreaterThan(KKP_RELEASES.length * NAMES.length);
});

test('the cluster cloud spec is what yaml writes, whatever the names, in every release', () => {
  let compared = 0;
  for (const kkpRelease of KKP_RELEASES) {
    for (const name of NAMES) {
      const inputs = [
        { folder: `/dc-1/vm/kkp/${name}`, datastore: name, networks: [name, 'kkp-workers'] },
        { folder: `/dc-1/vm/kkp/${name}`, datastore: name, networks: [name], resourcePool: name, storagePolicy: name },
        { folder: '/dc-1/vm/kkp/clusters/abc', networks: [] },
      ];
      for (const input of inputs) {
        if (sameAsYaml(() => renderKkpClusterCloudSpec(input, kkpRelease), () => kkpClusterCloudObject(input, kkpRelease))) compared++;
      }
    }
  }
  expect(compared).toBeGreaterThan(KKP_RELEASES.length * NAMES.length);
});
