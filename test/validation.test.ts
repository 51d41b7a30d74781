// The shared input rules on their own: names, paths, Terraform template syntax, URLs in messages.
import {
  checkAbsoluteInventoryPath,
  checkInventoryName,
  checkRelativeInventoryPath,
  escapeTemplateSyntax,
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
