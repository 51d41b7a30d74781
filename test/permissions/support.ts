// Small helpers for tests that build a stack and read its synthesized Terraform.
import { Testing, TerraformStack } from 'cdktf';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';

/** A stack with a vSphere provider; `context` is the app's (e.g. the provisioners' command). */
export function newStack(context?: Record<string, unknown>): TerraformStack {
  const app = Testing.app(context ? { context } : undefined);
  const stack = new TerraformStack(app, 'test');
  new VsphereProvider(stack, 'vsphere', { user: '${var.u}', password: '${var.p}' });
  return stack;
}

/**
 * The synthesized stack as `cdktf synth` writes it: validations run, and the `//` comments (the reviewer metadata)
 * kept, which Testing.synth strips.
 */
export function synthJson(stack: TerraformStack): any {
  invokeAspects(stack);
  stack.runAllValidations();
  return JSON.parse(JSON.stringify(stack.toTerraform()));
}

export function resources(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** The entity-permissions resource whose `//.kkp.entity` is `inventoryPath`. */
export function permissionsOn(json: any, inventoryPath: string): any {
  const all = resources(json, 'vsphere_entity_permissions').filter((r) => r['//'].kkp.entity === inventoryPath);
  if (all.length !== 1) throw new Error(`expected one vsphere_entity_permissions on ${inventoryPath}, found ${all.length}`);
  return all[0];
}

/** The role resource named `name`. */
export function roleNamed(json: any, name: string): any {
  return resources(json, 'vsphere_role').find((r) => r.name === name);
}
