// The registry's synth-time values (src/core/permissions/synth-value.ts): what cdktf writes for them equals what it writes
// for Lazy.anyValue, whether the produced data holds tokens or not.
import { DataResource, Lazy, TerraformVariable } from 'cdktf';
import { PlainSynthValue, SynthValue } from '../../src/core/permissions';
import { newStack, synthJson } from './support';

function written(make: (produce: () => unknown) => unknown, data: (stack: any) => unknown): any {
  const stack = newStack();
  const produced = data(stack);
  const resource = new DataResource(stack, 'Value', {});
  resource.addOverride('//.kkp', make(() => produced));
  resource.addOverride('input', make(() => produced));
  return synthJson(stack).resource.terraform_data.Value;
}

const plain = () => ({ entity: '/dc-1/vm/kkp ${x} %{y}', permissions: [{ principal: 'VSPHERE.LOCAL\\kkp', isGroup: false, grantedRoles: ['a', 'b'] }], n: 3, none: null });
const withTokens = (stack: any) => {
  const v = new TerraformVariable(stack, 'name', { type: 'string' });
  return { entity: v.stringValue, inner: { list: [v.stringValue, 'x'], skipped: undefined }, lazy: Lazy.stringValue({ produce: () => 'late' }) };
};

describe('synth-time values', () => {
  test.each([
    ['plain data', plain],
    ['data holding tokens and undefined', withTokens],
  ])('PlainSynthValue and SynthValue write %s as Lazy.anyValue does', (_name, data) => {
    const lazy = written((produce) => Lazy.anyValue({ produce }), data);
    expect(written((produce) => new PlainSynthValue(produce), data)).toEqual(lazy);
    expect(written((produce) => new SynthValue(produce), data)).toEqual(lazy);
  });

  test('plain data is handed to cdktf as it is, tokens inside are resolved', () => {
    expect(written((produce) => new PlainSynthValue(produce), plain)['//'].kkp).toEqual(plain());
    const resolved = written((produce) => new PlainSynthValue(produce), withTokens);
    expect(resolved['//'].kkp).toEqual(resolved.input);
    expect(resolved.input).toEqual({ entity: '${var.name}', inner: { list: ['${var.name}', 'x'] }, lazy: 'late' });
  });

  test('a failing produce is reported as a resolution error', () => {
    const stack = newStack();
    const resource = new DataResource(stack, 'Value', {});
    resource.addOverride('//.kkp', new PlainSynthValue(() => {
      throw new Error('no metadata');
    }));
    expect(() => synthJson(stack)).toThrow(/Resolution error: no metadata/);
  });
});
