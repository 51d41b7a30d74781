// How the provisioners of the stack's terraform_data resources (additive grants, VM template imports) run this
// package's CLI. One home for the fact, so grants and templates cannot disagree about it.
import type { IConstruct } from 'constructs';
import { InputRef, inputError } from '../base/errors';

/**
 * The command the provisioners run by default. Terraform runs local-exec in its working directory
 * (`cdktf.out/stacks/<stack>` under `cdktf deploy`); `npx` walks up from there to the app's `node_modules/.bin`, so
 * this works with or without `node_modules/.bin` on `PATH`, and `--no-install` makes a missing package an error
 * instead of a download at apply time.
 */
export const DEFAULT_CLI_COMMAND = 'npx --no-install cdktf-kkp-vsphere';

/** Context key (`cdktf.json` `context`, or `new App({ context })`) that names another command for the whole app. */
export const CLI_COMMAND_CONTEXT = 'cdktf-kkp-vsphere:command';

/**
 * The command for the provisioners of `scope`: `override` (a construct prop) when given, else the
 * {@link CLI_COMMAND_CONTEXT} context value, else {@link DEFAULT_CLI_COMMAND}. An empty or non-string value is an
 * error naming `where`.
 */
export function cliCommand(scope: IConstruct, where: string | InputRef, override?: string): string {
  const command = override ?? (scope.node.tryGetContext(CLI_COMMAND_CONTEXT) as unknown) ?? DEFAULT_CLI_COMMAND;
  if (typeof command !== 'string' || command.trim() === '') {
    const from = override !== undefined ? 'command' : `the context value ${CLI_COMMAND_CONTEXT}`;
    throw inputError(where, `${from} is empty or not a string; give how to run cdktf-kkp-vsphere, e.g. "${DEFAULT_CLI_COMMAND}".`);
  }
  return command.trim();
}
