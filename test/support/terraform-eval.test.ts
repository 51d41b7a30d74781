import { TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { TerraformEvalError, evalConfiguration, terraformEval } from './terraform-eval';

describe('terraformEval harness', () => {
  const stack = new TerraformStack(Testing.app(), 'h');
  const name = new TerraformVariable(stack, 'name', { type: 'string' });
  const greeting = new TerraformLocal(stack, 'greeting', `hello ${name.stringValue}`);
  new TerraformOutput(stack, 'ignored', { value: greeting.expression });
  const synthesized = Testing.synth(stack);

  test('keeps variables and locals, drops everything else, adds the outputs', () => {
    const config = evalConfiguration({ synthesized, outputs: { o: '${local.greeting}' } });
    expect(Object.keys(config).sort()).toEqual(['locals', 'output', 'variable']);
    expect(config.output).toEqual({ o: { value: '${local.greeting}', sensitive: true } });
  });

  test('evaluates locals and JSON-valued outputs with TF_VAR_ values', () => {
    const { values, millis } = terraformEval({
      synthesized,
      outputs: { text: '${local.greeting}', structured: { list: ['${upper(var.name)}', 1] } },
      env: { name: 'wörld "x"' },
    });
    expect(values).toEqual({ text: 'hello wörld "x"', structured: { list: ['WÖRLD "X"', 1] } });
    expect(millis).toBeGreaterThan(0);
  });

  test('reports terraform\'s diagnostics when a precondition fails', () => {
    expect(() => terraformEval({
      synthesized,
      outputs: { text: '${local.greeting}' },
      env: { name: 'x' },
      preconditions: [{ condition: '${var.name != "x"}', error_message: 'name must not be x.' }],
    })).toThrow(TerraformEvalError);
  });
});
