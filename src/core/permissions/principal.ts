// vSphere principals: users and groups of an identity source, written DOMAIN\name.
import { InputRef, inputError } from '../../base/errors';

/** A vSphere user or group, as permissions name it: `DOMAIN\name` (e.g. `VSPHERE.LOCAL\k8c-storage`). */
export class Principal {
  /** A user, `DOMAIN\name`. */
  public static user(name: string): Principal {
    return new Principal(name, false);
  }

  /** A group, `DOMAIN\name`. */
  public static group(name: string): Principal {
    return new Principal(name, true);
  }

  /** A principal given as a `Principal` or as a string (a user); `input` names the prop in errors. */
  public static of(value: Principal | string, input: string | InputRef): Principal {
    if (value instanceof Principal) return value;
    if (typeof value !== 'string') {
      throw inputError(input, `expected a principal such as "VSPHERE.LOCAL\\\\k8c-storage", got ${typeof value}.`);
    }
    return new Principal(value, false, input);
  }

  /** `DOMAIN\name` exactly as given. */
  public readonly name: string;
  public readonly isGroup: boolean;
  /** Case-insensitive identity: vCenter matches principals without regard to case. */
  public readonly key: string;

  private constructor(name: string, isGroup: boolean, input: string | InputRef = isGroup ? 'Principal.group' : 'Principal.user') {
    this.name = validatePrincipalName(name, input);
    this.isGroup = isGroup;
    this.key = this.name.toLowerCase();
  }

  public toString(): string {
    return `${this.isGroup ? 'group' : 'user'} ${this.name}`;
  }
}

const DOMAIN = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

function validatePrincipalName(name: string, input: string | InputRef): string {
  const example = 'write it as DOMAIN\\name, e.g. "VSPHERE.LOCAL\\k8c-storage" (in TypeScript "VSPHERE.LOCAL\\\\k8c-storage")';
  if (typeof name !== 'string' || name.trim() === '') {
    throw inputError(input, `the principal is empty; ${example}.`);
  }
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw inputError(input, `principal ${JSON.stringify(name)} contains a control character; ${example}.`);
  }
  const parts = name.split('\\');
  if (parts.length !== 2) {
    const hint = /^[^@\\]+@[^@\\]+$/.test(name)
      ? ` For "${name}" that is "${name.split('@')[1].toUpperCase()}\\${name.split('@')[0]}".`
      : '';
    throw inputError(input, `principal "${name}" is not of the form DOMAIN\\name; ${example}.${hint}`);
  }
  const [domain, user] = parts;
  if (!DOMAIN.test(domain)) {
    throw inputError(input, `principal "${name}" has an invalid domain "${domain}"; ${example}.`);
  }
  if (user.trim() === '' || user !== user.trim()) {
    throw inputError(input, `principal "${name}" has an empty name or white space around it; ${example}.`);
  }
  return name;
}
