// The real vSphere provider (vmware/vsphere 2.15.0, from the resolution of scripts/real-binaries.js) against the vCenter
// simulator: a synthesized stack goes into a TerraformWorkspace whose environment names the simulator the way a user
// names a vCenter (the provider's own VSPHERE_* variables), so the configuration carries no credential.
import { App, TerraformStack, Testing, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { TerraformWorkspace } from './terraform';
import { Vcsim } from './vcsim';

/**
 * The simulator as the vSphere provider reads it: host:port (the provider speaks https, so start the simulator with
 * `tls: true`), the simulator's user and password, and its self-signed certificate allowed.
 */
export function vsphereEnv(sim: Vcsim): Record<string, string> {
  if (!sim.url.startsWith('https:')) {
    throw new Error(`The vSphere provider connects over https; start the simulator with startVcsim({ tls: true }) (it serves ${sim.url}).`);
  }
  return {
    VSPHERE_SERVER: new URL(sim.url).host,
    VSPHERE_USER: sim.user,
    VSPHERE_PASSWORD: sim.password,
    VSPHERE_ALLOW_UNVERIFIED_SSL: 'true',
  };
}

/** A stack whose vSphere provider block is what a user writes: no credential, everything from the environment. */
export function providerStack(name = 'test', app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, name);
  // null, as examples/kkp-seed writes it: the provider reads VSPHERE_USER and VSPHERE_PASSWORD.
  const fromEnvironment = Token.asString(Token.nullValue());
  new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
  return stack;
}

/** A workspace for `config` (synthesized JSON) with the simulator in the provider's variables, initialised. */
export function vsphereWorkspace(sim: Vcsim, config: string | object): TerraformWorkspace {
  const ws = TerraformWorkspace.create(config, vsphereEnv(sim));
  ws.init();
  return ws;
}

/** Each planned resource change as `<address> <actions>`, sorted; no-ops and reads left out. */
export function plannedChanges(plan: any): string[] {
  return (plan.resource_changes ?? [])
    .filter((c: any) => !(c.change.actions.length === 1 && ['no-op', 'read'].includes(c.change.actions[0])))
    .map((c: any) => `${c.address} ${c.change.actions.join(',')}`)
    .sort();
}

/** The managed resources of one type in the state (`terraform show -json`), by address. */
export function stateResources(state: any, type: string): Map<string, any> {
  const out = new Map<string, any>();
  const walk = (module: any): void => {
    for (const r of module?.resources ?? []) if (r.mode === 'managed' && r.type === type) out.set(r.address, r.values);
    for (const child of module?.child_modules ?? []) walk(child);
  };
  walk(state.values?.root_module);
  return out;
}
