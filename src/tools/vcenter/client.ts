// A small vSphere (vim25) SOAP client for the CLI's report/verify/grant tools: roles, permissions, inventory paths.
import {
  ManagedObjectReference,
  SoapTransport,
  VcenterFaultError,
  XmlNode,
  asArray,
  asMoRef,
  asObject,
  text,
  typedReturnval,
  xmlElement,
  xmlMoRef,
} from './soap';

/** How to reach and log in to a vCenter. */
export interface VcenterConnectOptions {
  /** The vCenter address, e.g. `https://vcenter.example.com` (a trailing `/sdk` is accepted). */
  readonly url: string;
  /** The vCenter user, e.g. `administrator@vsphere.local`. */
  readonly user: string;
  /** The user's password. It is sent once, in the Login request, and never appears in an error. */
  readonly password: string;
  /**
   * Accept any TLS certificate (KKP's `allowInsecure`).
   * @default false
   */
  readonly insecure?: boolean;
  /**
   * Milliseconds one SOAP request may take.
   * @default 60000
   */
  readonly timeoutMs?: number;
}

/** A vSphere role as the AuthorizationManager lists it. */
export interface VcenterRole {
  /** The role id (negative for the predefined roles: Admin is -1, Read-only is -2). */
  readonly id: number;
  /** The role name (predefined roles have internal names such as `ReadOnly`). */
  readonly name: string;
  /** The label vSphere shows, e.g. `Read-only`. */
  readonly label: string;
  /** Whether the role is predefined and cannot be changed. */
  readonly system: boolean;
  /** Privilege IDs, including the `System.*` ones vCenter adds to every role. */
  readonly privileges: readonly string[];
}

/** One permission: a principal holding a role on an entity. */
export interface VcenterPermission {
  /** The user or group, e.g. `VSPHERE.LOCAL\\kkp`. */
  readonly principal: string;
  /** Whether the principal is a group. */
  readonly group: boolean;
  /** The role id. */
  readonly roleId: number;
  /** Whether the permission propagates to child objects. */
  readonly propagate: boolean;
}

/** One inventory object as `inventoryObjects` lists it. */
export interface VcenterInventoryObject {
  readonly ref: ManagedObjectReference;
  /** The name as vCenter stores it: `/`, `%` and a backslash come escaped as `%2f`, `%25`, `%5c`. */
  readonly name: string;
  /** The parent; undefined for the root folder. */
  readonly parent?: ManagedObjectReference;
  /** Virtual machines only: whether it is marked as a template. */
  readonly template?: boolean;
}

/** A permission as vCenter reports it, with the entity it is defined on. */
export interface VcenterEntityPermission extends VcenterPermission {
  /** The entity the permission is defined on (differs from the asked entity for inherited permissions). */
  readonly entity: ManagedObjectReference;
}

/** What a server says it is. */
export interface VcenterAbout {
  /** e.g. `VMware vCenter Server 8.0.3 build-24022515`. */
  readonly fullName: string;
  /** e.g. `8.0.3`. */
  readonly version: string;
  /** `VirtualCenter` for a vCenter, `HostAgent` for an ESXi host. */
  readonly apiType: string;
}

/** A privilege as the AuthorizationManager's privilegeList names it. */
export interface VcenterPrivilege {
  /** e.g. `VirtualMachine.Config.AddExistingDisk`. */
  readonly id: string;
  /** Its group, e.g. `VirtualMachine.Config`. */
  readonly group: string;
}

/** The managed entity types `inventoryObjects` lists by default: every kind a KKP grant or template lives on. */
export const INVENTORY_TYPES: readonly string[] = [
  'Folder', 'Datacenter', 'ClusterComputeResource', 'ComputeResource', 'HostSystem', 'ResourcePool', 'VirtualApp',
  'Datastore', 'StoragePod', 'Network', 'DistributedVirtualPortgroup', 'OpaqueNetwork', 'VmwareDistributedVirtualSwitch',
  'VirtualMachine',
];

const SERVICE_INSTANCE: ManagedObjectReference = { type: 'ServiceInstance', value: 'ServiceInstance' };
const ADMIN_ROLE_ID = -1;

/** The managed objects of ServiceContent that this client uses. */
interface ServiceContent {
  readonly rootFolder: ManagedObjectReference;
  readonly propertyCollector: ManagedObjectReference;
  readonly sessionManager: ManagedObjectReference;
  readonly authorizationManager: ManagedObjectReference;
  readonly searchIndex: ManagedObjectReference;
  /** Optional in the answer of an ESXi host or an old vCenter; the template importer needs them. */
  readonly ovfManager?: ManagedObjectReference;
  readonly viewManager?: ManagedObjectReference;
  readonly eventManager?: ManagedObjectReference;
}

/** A logged-in vCenter session. Create it with `VcenterClient.connect`, end it with `logout`. */
export class VcenterClient {
  /** Retrieves the service content and logs in; a wrong password fails with an `InvalidLogin` fault. */
  public static async connect(options: VcenterConnectOptions): Promise<VcenterClient> {
    for (const key of ['url', 'user', 'password'] as const) {
      if (typeof options[key] !== 'string' || options[key] === '') {
        throw new Error(`vCenter connect: ${key} is empty: pass the vCenter ${key}.`);
      }
    }
    const transport = new SoapTransport({
      url: options.url,
      insecure: options.insecure ?? false,
      timeoutMs: options.timeoutMs ?? 60_000,
    });
    try {
      const content = asObject(await transport.call('RetrieveServiceContent', SERVICE_INSTANCE));
      const ref = (name: keyof ServiceContent): ManagedObjectReference => {
        const value = asMoRef(content?.[name]);
        if (!value) {
          throw new Error(`vCenter RetrieveServiceContent: the answer names no ${name}; is ${transport.server} a vCenter?`);
        }
        return value;
      };
      const service: ServiceContent = {
        rootFolder: ref('rootFolder'),
        propertyCollector: ref('propertyCollector'),
        sessionManager: ref('sessionManager'),
        authorizationManager: ref('authorizationManager'),
        searchIndex: ref('searchIndex'),
        ovfManager: asMoRef(content?.ovfManager),
        viewManager: asMoRef(content?.viewManager),
        eventManager: asMoRef(content?.eventManager),
      };
      await transport.call(
        'Login',
        service.sessionManager,
        xmlElement('userName', options.user) + xmlElement('password', options.password),
      );
      const about = asObject(content?.about);
      return new VcenterClient(transport, service, {
        fullName: text(about?.fullName) ?? '',
        version: text(about?.version) ?? '',
        apiType: text(about?.apiType) ?? '',
      });
    } catch (err) {
      transport.close();
      throw err;
    }
  }

  private constructor(
    private readonly transport: SoapTransport,
    private readonly service: ServiceContent,
    /** What the server says it is (ServiceContent.about), e.g. `{ fullName: 'VMware vCenter Server 8.0.3 ...', version: '8.0.3' }`. */
    public readonly about: VcenterAbout,
  ) {}

  /** The vCenter root folder (`group-d1`): where vCenter-wide permissions go. */
  public get rootFolder(): ManagedObjectReference {
    return this.service.rootFolder;
  }

  /** The vCenter address (`https://host:port`), for messages and for NFC URLs that name the host as `*`. */
  public get server(): string {
    return this.transport.server;
  }

  /** The PropertyCollector, for retrievals that need a traversal (container views). */
  public get propertyCollector(): ManagedObjectReference {
    return this.service.propertyCollector;
  }

  /** A manager of the service content that not every endpoint has (`ovfManager`, `viewManager`, `eventManager`). */
  public manager(name: 'ovfManager' | 'viewManager' | 'eventManager'): ManagedObjectReference {
    const ref = this.service[name];
    if (!ref) throw new Error(`vCenter ${this.transport.server} has no ${name}; is it a vCenter?`);
    return ref;
  }

  /** Calls any vim25 operation with already-escaped XML parameters; returns the parsed `returnval`. */
  public async invoke(operation: string, self: ManagedObjectReference, params = ''): Promise<XmlNode | XmlNode[] | undefined> {
    return this.transport.call(operation, self, params);
  }

  /** Like {@link invoke}, also returning the raw response body (to hand complex objects back unchanged). */
  public async invokeRaw(
    operation: string,
    self: ManagedObjectReference,
    params = '',
  ): Promise<{ result: XmlNode | XmlNode[] | undefined; raw: string }> {
    return this.transport.callRaw(operation, self, params);
  }

  /**
   * The named properties of one object (`RetrievePropertiesEx`); a property that is unset is absent. Values keep
   * a reference's `@_type` and carry the xsi:type as `@_xsiType`.
   */
  public async properties(obj: ManagedObjectReference, paths: readonly string[]): Promise<Record<string, XmlNode | XmlNode[] | undefined>> {
    const { raw } = await this.transport.callRaw(
      'RetrievePropertiesEx',
      this.service.propertyCollector,
      `<specSet><propSet>${xmlElement('type', obj.type)}${paths.map((p) => xmlElement('pathSet', p)).join('')}</propSet>` +
        `<objectSet>${xmlMoRef('obj', obj)}</objectSet></specSet><options/>`,
    );
    const result = typedReturnval(raw, 'RetrievePropertiesEx');
    const out: Record<string, XmlNode | XmlNode[] | undefined> = {};
    const objects = asArray(asObject(result)?.objects);
    for (const prop of asArray(asObject(objects[0])?.propSet).map(asObject)) {
      const name = text(prop?.name);
      if (name !== undefined) out[name] = prop?.val;
    }
    return out;
  }

  /** Waits for a task to end; resolves with its result, or throws its fault as a VcenterFaultError. */
  public async waitForTask(task: ManagedObjectReference, operation: string, timeoutMs = 30 * 60_000): Promise<XmlNode | XmlNode[] | undefined> {
    const end = Date.now() + timeoutMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 2000)) {
      const info = asObject((await this.properties(task, ['info'])).info);
      const state = text(info?.state);
      if (state === 'success') return info?.result;
      if (state === 'error') {
        const error = asObject(info?.error);
        const fault = asObject(error?.fault);
        const name = text(fault?.['@_xsiType']) ?? 'UnknownFault';
        throw new VcenterFaultError(operation, name, text(error?.localizedMessage) ?? '', {});
      }
      if (Date.now() > end) throw new Error(`vCenter ${operation}: the task did not finish within ${Math.round(timeoutMs / 1000)} s.`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** Ends the session and closes the connection. */
  public async logout(): Promise<void> {
    try {
      await this.transport.call('Logout', this.service.sessionManager);
    } finally {
      this.transport.close();
    }
  }

  /** The object at an inventory path such as `/DC0/vm/kkp`, or undefined when there is none. */
  public async findByInventoryPath(path: string): Promise<ManagedObjectReference | undefined> {
    const result = await this.transport.call('FindByInventoryPath', this.service.searchIndex, xmlElement('inventoryPath', path));
    return asMoRef(result);
  }

  /**
   * Every permission defined anywhere in this vCenter (AuthorizationManager.RetrieveAllPermissions), each with the
   * entity it is defined on. Read-only.
   */
  public async retrieveAllPermissions(): Promise<VcenterEntityPermission[]> {
    const result = await this.transport.call('RetrieveAllPermissions', this.service.authorizationManager);
    return asArray(result).map((node) => parsePermission(node, this.service.rootFolder));
  }

  /**
   * Every object of the given types below the root folder, with name and parent (and for VMs whether they are
   * templates): one ContainerView read page by page, then destroyed. Read-only.
   */
  public async inventoryObjects(types: readonly string[] = INVENTORY_TYPES): Promise<VcenterInventoryObject[]> {
    const view = asMoRef(
      await this.transport.call(
        'CreateContainerView',
        this.manager('viewManager'),
        xmlMoRef('container', this.service.rootFolder) + types.map((t) => xmlElement('type', t)).join('') + xmlElement('recursive', true),
      ),
    );
    if (!view) throw new Error('vCenter CreateContainerView: the answer names no view.');
    const containerView = { type: 'ContainerView', value: view.value };
    try {
      const propSets = types
        .map((t) => `<propSet>${xmlElement('type', t)}<pathSet>name</pathSet><pathSet>parent</pathSet>${t === 'VirtualMachine' ? '<pathSet>config.template</pathSet>' : ''}</propSet>`)
        .join('');
      const spec =
        `<specSet>${propSets}<objectSet>${xmlMoRef('obj', containerView)}<skip>true</skip>` +
        '<selectSet xsi:type="TraversalSpec"><name>view</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet>' +
        '</objectSet></specSet>';
      const objects: VcenterInventoryObject[] = [this.rootFolderObject()];
      let page = asObject(await this.transport.call('RetrievePropertiesEx', this.service.propertyCollector, `${spec}<options/>`));
      for (;;) {
        for (const node of asArray(page?.objects)) objects.push(parseInventoryObject(node));
        const token = text(page?.token);
        if (!token) break;
        page = asObject(await this.transport.call('ContinueRetrievePropertiesEx', this.service.propertyCollector, xmlElement('token', token)));
      }
      // A property value's xsi:type (ManagedObjectReference) hides the reference's own type attribute: take the
      // parent's type from the parent itself (managed object ids are unique within a vCenter).
      const typeOf = new Map(objects.map((o) => [o.ref.value, o.ref.type]));
      return objects.map((o) => (o.parent ? { ...o, parent: { type: typeOf.get(o.parent.value) ?? o.parent.type, value: o.parent.value } } : o));
    } finally {
      await this.transport.call('DestroyView', containerView).catch(() => undefined);
    }
  }

  private rootFolderObject(): VcenterInventoryObject {
    return { ref: this.service.rootFolder, name: '' };
  }

  /** Every role vCenter knows, predefined ones included. */
  public async roleList(): Promise<VcenterRole[]> {
    const result = await this.transport.call(
      'RetrievePropertiesEx',
      this.service.propertyCollector,
      '<specSet><propSet><type>AuthorizationManager</type><pathSet>roleList</pathSet></propSet>' +
        `<objectSet>${xmlMoRef('obj', this.service.authorizationManager)}</objectSet></specSet><options/>`,
    );
    const objects = asArray(asObject(result)?.objects);
    const roleList = asArray(asObject(objects[0])?.propSet)
      .map(asObject)
      .find((prop) => text(prop?.name) === 'roleList');
    return asArray(asObject(roleList?.val)?.AuthorizationRole).map((node) => parseRole(node));
  }

  /**
   * Creates a role with exactly these privilege IDs and returns it as vCenter stores it (with the `System.*`
   * privileges vCenter adds). An unknown ID fails with an `InvalidArgument` fault that lists the unknown IDs.
   */
  public async addRole(name: string, privilegeIds: readonly string[]): Promise<VcenterRole> {
    try {
      await this.transport.call(
        'AddAuthorizationRole',
        this.service.authorizationManager,
        xmlElement('name', name) + privilegeIds.map((id) => xmlElement('privIds', id)).join(''),
      );
    } catch (err) {
      throw await this.explainPrivilegeFault(err, privilegeIds);
    }
    // Read the id back by name: the govmomi simulator answers 0 for every new role.
    const role = (await this.roleList()).find((r) => r.name === name);
    if (!role) {
      throw new Error(`vCenter AddAuthorizationRole: role "${name}" was accepted but is not in the role list.`);
    }
    return role;
  }

  /**
   * Removes a role.
   * @param failIfUsed refuse when a permission still uses the role (vCenter otherwise removes those permissions too)
   */
  public async removeRole(id: number, failIfUsed = true): Promise<void> {
    await this.transport.call(
      'RemoveAuthorizationRole',
      this.service.authorizationManager,
      xmlElement('roleId', id) + xmlElement('failIfUsed', failIfUsed),
    );
  }

  /** The permissions defined on an entity, and with `inherited` also those on its ancestors. */
  public async retrieveEntityPermissions(entity: ManagedObjectReference, inherited = false): Promise<VcenterEntityPermission[]> {
    const result = await this.transport.call(
      'RetrieveEntityPermissions',
      this.service.authorizationManager,
      xmlMoRef('entity', entity) + xmlElement('inherited', inherited),
    );
    return asArray(result).map((node) => parsePermission(node, entity));
  }

  /**
   * Sets permissions on an entity. vCenter adds or updates the listed principals only and keeps every other one
   * (govmomi's stock simulator replaces the whole list; the test simulator behaves as vCenter does).
   */
  public async setEntityPermissions(entity: ManagedObjectReference, permissions: readonly VcenterPermission[]): Promise<void> {
    const items = permissions.map(
      (p) =>
        '<permission>' +
        xmlElement('principal', p.principal) +
        xmlElement('group', p.group) +
        xmlElement('roleId', checkedRoleId(p.roleId)) +
        xmlElement('propagate', p.propagate) +
        '</permission>',
    );
    await this.transport.call('SetEntityPermissions', this.service.authorizationManager, xmlMoRef('entity', entity) + items.join(''));
  }

  /** Removes the permission of one principal (user or group) from an entity. */
  public async removeEntityPermission(entity: ManagedObjectReference, principal: string, group: boolean): Promise<void> {
    await this.transport.call(
      'RemoveEntityPermission',
      this.service.authorizationManager,
      xmlMoRef('entity', entity) + xmlElement('user', principal) + xmlElement('isGroup', group),
    );
  }

  /**
   * Changes a role's name and privileges (what the provider does for an in-place update of a `vsphere_role`).
   * vCenter keeps the role id, so every permission with this role keeps it.
   */
  public async updateRole(id: number, name: string, privilegeIds: readonly string[]): Promise<void> {
    try {
      await this.transport.call(
        'UpdateAuthorizationRole',
        this.service.authorizationManager,
        xmlElement('roleId', id) + xmlElement('newName', name) + privilegeIds.map((p) => xmlElement('privIds', p)).join(''),
      );
    } catch (err) {
      throw await this.explainPrivilegeFault(err, privilegeIds);
    }
  }

  /**
   * Every privilege the server knows (AuthorizationManager.privilegeList). Empty when the server does not list them
   * (the govmomi simulator); the Admin role (id -1) holds every privilege, so its list is the fallback.
   */
  public async privilegeList(): Promise<VcenterPrivilege[]> {
    const prop = (await this.properties(this.service.authorizationManager, ['privilegeList'])).privilegeList;
    return asArray(asObject(prop)?.AuthorizationPrivilege).map((node) => {
      const p = asObject(node);
      return { id: text(p?.privId) ?? '', group: text(p?.privGroupName) ?? '' };
    });
  }

  /**
   * What vCenter says `userName` may do on each entity: AuthorizationManager.FetchUserPrivilegeOnEntities (vSphere 6.5+),
   * the privileges from the user's own and its groups' permissions, propagation applied. Read-only; the caller needs
   * System.View on the entities (the API reference), as openshift/installer uses it
   * to check a user before installing (pkg/asset/installconfig/vsphere/permissions.go comparePrivileges).
   */
  public async fetchUserPrivilegeOnEntities(entities: readonly ManagedObjectReference[], userName: string): Promise<{ entity: ManagedObjectReference; privileges: string[] }[]> {
    if (entities.length === 0) return [];
    const result = await this.transport.call(
      'FetchUserPrivilegeOnEntities',
      this.service.authorizationManager,
      entities.map((e) => xmlMoRef('entities', e)).join('') + xmlElement('userName', userName),
    );
    return asArray(result).map((node) => {
      const r = asObject(node);
      return { entity: asMoRef(r?.entity) ?? entities[0], privileges: asArray(r?.privileges).map((p) => text(p) ?? '') };
    });
  }

  /** AuthorizationManager.HasUserPrivilegeOnEntities: whether `userName` holds each of `privileges` on each entity. Read-only. */
  public async hasUserPrivilegeOnEntities(
    entities: readonly ManagedObjectReference[],
    userName: string,
    privileges: readonly string[],
  ): Promise<{ entity: ManagedObjectReference; granted: Record<string, boolean> }[]> {
    if (entities.length === 0) return [];
    const result = await this.transport.call(
      'HasUserPrivilegeOnEntities',
      this.service.authorizationManager,
      entities.map((e) => xmlMoRef('entities', e)).join('') + xmlElement('userName', userName) + privileges.map((p) => xmlElement('privId', p)).join(''),
    );
    return asArray(result).map((node) => {
      const r = asObject(node);
      const granted: Record<string, boolean> = {};
      for (const a of asArray(r?.privAvailability).map(asObject)) granted[text(a?.privId) ?? ''] = text(a?.isGranted) === 'true';
      return { entity: asMoRef(r?.entity) ?? entities[0], granted };
    });
  }

  /** Creates a folder named `name` in `parent` (a folder) and returns it. */
  public async createFolder(parent: ManagedObjectReference, name: string): Promise<ManagedObjectReference> {
    const created = asMoRef(await this.transport.call('CreateFolder', parent, xmlElement('name', name)));
    if (!created) throw new Error(`vCenter CreateFolder: no folder reference in the answer for "${name}".`);
    return { type: 'Folder', value: created.value };
  }

  /** Destroys a managed entity (a folder, a VM) and waits for the task. */
  public async destroyEntity(entity: ManagedObjectReference): Promise<void> {
    const task = asMoRef(await this.transport.call('Destroy_Task', entity));
    if (!task) throw new Error('vCenter Destroy_Task: the answer names no task.');
    await this.waitForTask(task, 'Destroy_Task');
  }

  // vCenter's InvalidArgument names the property (privIds) but not the ID: find the IDs the Admin role lacks.
  private async explainPrivilegeFault(err: unknown, privilegeIds: readonly string[]): Promise<unknown> {
    if (!(err instanceof VcenterFaultError) || err.fault !== 'InvalidArgument' || err.details.invalidProperty !== 'privIds') {
      return err;
    }
    let known: ReadonlySet<string>;
    try {
      const admin = (await this.roleList()).find((role) => role.id === ADMIN_ROLE_ID);
      if (!admin) {
        return err;
      }
      known = new Set(admin.privileges);
    } catch {
      return err;
    }
    const unknown = privilegeIds.filter((id) => !known.has(id));
    if (unknown.length === 0) {
      return err;
    }
    return new VcenterFaultError(
      err.operation,
      err.fault,
      '',
      { ...err.details },
      `privilege IDs this vCenter does not know: ${unknown.join(', ')}`,
    );
  }
}

function checkedRoleId(id: number): number {
  if (!Number.isInteger(id)) {
    throw new Error(`vCenter permission roleId must be an integer role id, got ${id}.`);
  }
  return id;
}

function parseRole(node: XmlNode): VcenterRole {
  const role = asObject(node);
  const info = asObject(role?.info);
  const name = text(role?.name) ?? '';
  return {
    id: parseInteger(text(role?.roleId), `role ${name} roleId`),
    name,
    label: text(info?.label) ?? name,
    system: text(role?.system) === 'true',
    privileges: asArray(role?.privilege).map((p) => text(p) ?? ''),
  };
}

function parseInventoryObject(node: XmlNode): VcenterInventoryObject {
  const obj = asObject(node);
  const ref = asMoRef(obj?.obj);
  if (!ref) throw new Error('vCenter RetrievePropertiesEx: an object without a reference in the answer.');
  let name = '';
  let parent: ManagedObjectReference | undefined;
  let template: boolean | undefined;
  for (const prop of asArray(obj?.propSet).map(asObject)) {
    const key = text(prop?.name);
    if (key === 'name') name = text(prop?.val) ?? '';
    else if (key === 'parent') parent = asMoRef(prop?.val);
    else if (key === 'config.template') template = text(prop?.val) === 'true';
  }
  return { ref, name, ...(parent ? { parent } : {}), ...(ref.type === 'VirtualMachine' ? { template: template ?? false } : {}) };
}

function parsePermission(node: XmlNode, asked: ManagedObjectReference): VcenterEntityPermission {
  const permission = asObject(node);
  return {
    // The simulator omits the entity on permissions of the asked entity itself.
    entity: asMoRef(permission?.entity) ?? asked,
    principal: text(permission?.principal) ?? '',
    group: text(permission?.group) === 'true',
    roleId: parseInteger(text(permission?.roleId), 'permission roleId'),
    propagate: text(permission?.propagate) === 'true',
  };
}

function parseInteger(value: string | undefined, what: string): number {
  const n = value === undefined ? NaN : Number(value);
  if (!Number.isInteger(n)) {
    throw new Error(`vCenter answered ${what} "${value ?? ''}", which is not an integer.`);
  }
  return n;
}
