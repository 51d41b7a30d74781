// The shared input rules on their own: names, paths, Terraform template syntax, URLs in messages.
import {
  checkAbsoluteInventoryPath,
  checkInventoryName,
  checkRelativeInventoryPath,
  escapeTemplateSyntax,
  InputRef,
  KkpValidationError,
  rendererError,
  quoteForMessage,
  redactUrl,
  redactUrls,
} from '../src/base';
import { terraformEval } from './support/terraform-eval';

describe('redactUrl: user info and query never reach a message', () => {
  test.each([
    ['https://admin:PW@vc.example.com/sdk', 'https://REDACTED@vc.example.com/sdk'],
    ['https://images.example.com/x.ova?token=PW&x=1', 'https://images.example.com/x.ova?…'],
    ['https://u:PW@images.example.com/x.ova?sig=PW#frag', 'https://REDACTED@images.example.com/x.ova?…'],
    ['https://images.example.com/x.ova#access_token=PW', 'https://images.example.com/x.ova'],
    ['ftp://u:PW@files.example.com/a', 'ftp://REDACTED@files.example.com/a'],
    ['admin:PW@vc.example.com', 'REDACTED@vc.example.com'],
    ['admin:P@W@vc.example.com:443', 'REDACTED@vc.example.com:443'],
    ['HTTPS://U:PW@VC', 'HTTPS://REDACTED@VC'],
    ['https://vc.example.com', 'https://vc.example.com'],
    ['vc.example.com:8443', 'vc.example.com:8443'],
  ])('%s → %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
    expect(redactUrl(url)).not.toContain('PW');
  });

  test('every URL inside a text', () => {
    expect(redactUrls("fetch 'https://u:PW@a.example/x.ova?t=PW' failed, then http://b.example/?k=PW too")).toBe(
      "fetch 'https://REDACTED@a.example/x.ova?…' failed, then http://b.example/?… too",
    );
  });
});

describe('names and paths', () => {
  test('a message shows invisible characters as escapes and cuts long values', () => {
    expect(quoteForMessage('a\u2028b\u007f"\\')).toBe('"a\\u2028b\\u007f\\"\\\\"');
    expect(quoteForMessage('x'.repeat(100), 5)).toBe('"xxxxx…"');
  });

  test('80 characters pass, 81 do not; astral characters count once', () => {
    expect(checkInventoryName('x'.repeat(80), 'n')).toHaveLength(80);
    expect(() => checkInventoryName('x'.repeat(81), 'n')).toThrow('n: "xxxxxxxxxxxxxxxxxxxx…" has 81 characters');
    expect(checkInventoryName('🚀'.repeat(80), 'n')).toBe('🚀'.repeat(80));
  });

  test('names vSphere takes literally pass: spaces inside, dots, unicode, $ and { alone', () => {
    for (const name of ['VM Network', 'ds.ssd-1', 'Größe', 'a$b', 'a{b}', 'k8s_{x}', 'a.b.', '...']) {
      expect(checkInventoryName(name, 'n')).toBe(name);
    }
  });

  test('relative paths: trailing slash dropped, every segment checked', () => {
    expect(checkRelativeInventoryPath('kkp/templates/', 'p')).toBe('kkp/templates');
    expect(() => checkRelativeInventoryPath('kkp/%/x', 'p')).toThrow('p (segment 2): "%" contains "%"');
  });

  test.each([
    ['/dc-1/vm/kkp/', '/dc-1/vm/kkp'],
    ['/', '/'],
  ])('absolute path %j is %j', (path, expected) => {
    expect(checkAbsoluteInventoryPath(path, 'rootPath')).toBe(expected);
  });

  test.each([
    ['/dc-1/vm/kkp/../../host', 'has a ".." segment'],
    ['/dc-1/vm/./kkp', 'has a "." segment'],
    ['dc-1/vm', 'is not an absolute inventory path'],
    ['/dc-1//vm', 'has an empty path segment'],
    ['/dc-1/vm/${var.x}', 'contains "${"'],
  ])('absolute path %j is refused', (path, message) => {
    expect(() => checkAbsoluteInventoryPath(path, 'rootPath')).toThrow(message);
  });
});

test('free text keeps Terraform from evaluating ${ and %{: the real terraform reads it back unchanged', () => {
  const texts = ['a ${b} %{c} $${d} $ {e} %', 'kkp-${var.vsphere_password}', '%{ if true }x%{ endif }', '$$$${x}', '${', '%{'];
  expect(escapeTemplateSyntax(texts[0])).toBe('a $${b} %%{c} $$${d} $ {e} %');
  const outputs = Object.fromEntries(texts.map((t, i) => [`t${i}`, escapeTemplateSyntax(t)]));
  const { values } = terraformEval({ synthesized: {}, outputs, sensitive: false });
  expect(texts.map((_, i) => values[`t${i}`])).toEqual(texts);
});

describe('KkpValidationError: the construct, its path and the prop, rendered as every message begins', () => {
  const folder = { node: { path: 'seed/Folder' } };
  const fields = (e: KkpValidationError) => [e.message, e.construct, e.constructPath, e.prop, e.problem];

  test('InputRef.at continues the prop: a name with ".", an index or key as is', () => {
    const where = InputRef.of(folder, 'VmFolder');
    expect(fields(where.at('networks').at('[1]').at('name').error('is empty.'))).toEqual([
      'VmFolder seed/Folder networks[1].name: is empty.', 'VmFolder', 'seed/Folder', 'networks[1].name', 'is empty.',
    ]);
    expect(fields(where.error('props are missing.'))).toEqual(['VmFolder seed/Folder: props are missing.', 'VmFolder', 'seed/Folder', undefined, 'props are missing.']);
  });

  test('a construct not created yet, a quoted path, a prop named in the sentence, a problem that continues it', () => {
    expect(InputRef.beforeCreation({ node: { path: '' } }, 'F', 'UserClusterFolder').at('path').error('x').message).toBe('UserClusterFolder F path: x');
    const cc = InputRef.of({ node: { path: 'seed/cc' } }, 'CloudConfigSecret', { quoted: true });
    expect(fields(cc.propError('server', 'is empty.'))).toEqual([
      'CloudConfigSecret "seed/cc": prop server is empty.', 'CloudConfigSecret', 'seed/cc', 'server', 'is empty.',
    ]);
    expect(fields(InputRef.of(folder, 'VmFolder').at('path').errorContinuing('(segment 2): has 81 characters.'))).toEqual([
      'VmFolder seed/Folder path (segment 2): has 81 characters.', 'VmFolder', 'seed/Folder', 'path', '(segment 2): has 81 characters.',
    ]);
  });

  test("a renderer's error: its field becomes the prop, a sentence stays as it is", () => {
    const where = InputRef.of({ node: { path: 'seed/Dc' } }, 'KkpDatacenterSpec');
    expect(fields(rendererError(where, new Error('country: "de" is not a code.')))).toEqual([
      'KkpDatacenterSpec seed/Dc country: "de" is not a code.', 'KkpDatacenterSpec', 'seed/Dc', 'country', '"de" is not a code.',
    ]);
    expect(rendererError(where, new Error('datastore and datastoreCluster are both set.')).message).toBe(
      'KkpDatacenterSpec seed/Dc datastore and datastoreCluster are both set.',
    );
  });

  test('a check handed a description instead of an InputRef names it, without a construct path', () => {
    let thrown: unknown;
    try {
      checkRelativeInventoryPath('', 'VmTemplateSource.localOvf');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KkpValidationError);
    expect(fields(thrown as KkpValidationError).slice(1, 4)).toEqual([undefined, undefined, undefined]);
    expect((thrown as Error).message).toMatch(/^VmTemplateSource\.localOvf: must be a non-empty path/);
  });

  test('recognised across copies of the package by a registered symbol, not by instanceof', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('cdktf-kkp-vsphere.KkpValidationError')]: true });
    expect(KkpValidationError.isKkpValidationError(foreign)).toBe(true);
    expect(KkpValidationError.isKkpValidationError(new Error('x'))).toBe(false);
    expect(KkpValidationError.isKkpValidationError(undefined)).toBe(false);
  });
});
