// Imports an OVF/OVA as a VM template through the vSphere API without ever powering it on, the way `govc
// import.ova` and vCenter's "Deploy OVF Template" do: OvfManager.CreateImportSpec, ResourcePool.ImportVApp, the
// disks uploaded through the HttpNfcLease, HttpNfcLeaseComplete; then disk.enableUUID, the vApp properties
// machine-controller fills in (Flatcar), MarkAsTemplate. The VM is imported under a temporary name and renamed to
// the template name only once it is complete and marked as ours, so the name never stands for a half import.
//
// Ownership: the VM carries extraConfig `cdktf-kkp-vsphere.importedBy = <terraform_data id>` and
// `cdktf-kkp-vsphere.importKey = <hash of the import spec>`. The id changes when terraform loses or replaces the
// resource (a killed apply leaves it tainted or out of the state); the import key does not: it is the same for every
// run of one VmTemplate with one configuration. A VM of the template's name is this resource's when it carries our id
// or our import key; any other VM of that name is never touched (the import fails), and removal removes only ours.
// An import in progress carries its key in its temporary name from the moment vCenter creates it, so the next run,
// or the destroy, finds what an interrupted (killed) run left and removes it.
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { readOvf } from '../images/ovf';
import {
  OWNER_EXTRA_CONFIG_KEY,
  TemplateImportSpec,
  templateInventoryPath,
} from '../../contracts/template-import';
import { VcenterClient } from './client';
import { VcenterFaultError } from './soap';
import { imageSource, ImageSource, RemoteOptions } from './image-source';
import { ManagedObjectReference, XmlNode, asArray, asMoRef, asObject, text, xmlElement, xmlMoRef } from './soap';

/** How an import or removal runs. */
export interface TemplateImportContext {
  readonly client: VcenterClient;
  /** Accept any TLS certificate of the NFC upload endpoints (as VSPHERE_ALLOW_UNVERIFIED_SSL does for vCenter). */
  readonly insecure: boolean;
  /** Progress and decisions, one line each (the provisioner output in `terraform apply`). */
  readonly log: (line: string) => void;
  /** The URL's secret part from the sensitive variable, when the spec names one. */
  readonly urlSecret?: string;
  /** Stops an import between steps and during the upload; the partial VM is removed. */
  readonly signal?: AbortSignal;
}

/** What an import found or did. */
export interface TemplateImportResult {
  readonly outcome: 'imported' | 'already-imported';
  readonly vm: ManagedObjectReference;
  readonly inventoryPath: string;
}

/** The extraConfig key that carries the {@link importKey} of the spec a VM was imported for. */
export const IMPORT_KEY_EXTRA_CONFIG_KEY = 'cdktf-kkp-vsphere.importKey';

/**
 * What identifies one import across runs: a hash of its spec (every field, keys sorted). The same VmTemplate with the
 * same configuration has the same key in every run, whatever terraform_data id it has; any change of the spec (source,
 * placement, name) makes another key.
 */
export function importKey(spec: TemplateImportSpec): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(spec))).digest('hex').slice(0, 32);
}

/** A VM found by name, with what decides whether it is ours. */
interface FoundVm {
  readonly ref: ManagedObjectReference;
  readonly name: string;
  readonly owner?: string;
  readonly importKey?: string;
  readonly parent?: ManagedObjectReference;
  readonly template: boolean;
}

/** Imports the template the spec describes, or confirms it is there already (imported by the same owner). */
export async function importTemplate(ctx: TemplateImportContext, spec: TemplateImportSpec, owner: string): Promise<TemplateImportResult> {
  checkOwner(owner);
  const { client, log } = ctx;
  const target = templateInventoryPath(spec);
  if (spec.power_on) throw new Error('power_on is true: this importer never powers a template on.');
  const key = importKey(spec);
  const placement = await resolvePlacement(client, spec);

  const sameName = await findVmsNamed(client, placement.vmFolderRoot, namesOf(spec, owner, key));
  for (const vm of sameName) {
    if (vm.name === spec.template && vm.owner === owner) {
      log(`${target}: already imported by this resource (${vm.ref.value}); nothing to do.`);
      return { outcome: 'already-imported', vm: vm.ref, inventoryPath: target };
    }
  }
  for (const vm of sameName) {
    // Complete (the rename is the import's last step) and imported for exactly this spec by an earlier run whose
    // terraform_data terraform no longer has (killed, tainted, state lost): this resource's template.
    if (vm.name === spec.template && vm.importKey === key) {
      log(
        `${target}: already imported for this same configuration by an earlier run (resource ${vm.owner ?? 'unknown'}, ` +
          `${vm.ref.value}) that terraform did not record; this resource takes it over, nothing to import.`,
      );
      return { outcome: 'already-imported', vm: vm.ref, inventoryPath: target };
    }
  }
  const foreign = sameName.find((vm) => vm.name === spec.template);
  if (foreign) {
    const where = await inventoryPathOf(client, foreign.ref).catch(() => foreign.ref.value);
    throw new Error(
      `a VM named "${spec.template}" already exists at ${where} and was not imported by this resource ` +
        `(${
          foreign.owner
            ? `it was imported by ${foreign.owner} for another configuration${foreign.importKey ? ` (import key ${foreign.importKey})` : ''}`
            : 'it carries no import mark'
        }); it is left untouched. ` +
        'machine-controller finds templates by name in the whole datacenter, so two VMs of one name would break it: ' +
        'choose another template name, or rename or remove that VM yourself.',
    );
  }
  // A temporary VM of an interrupted run of this same import (its name holds our import key or owner id): remove it,
  // start over.
  for (const vm of sameName.filter((v) => v.name !== spec.template)) {
    log(`removing ${vm.name} (${vm.ref.value}), left by an interrupted import of this template.`);
    await destroyVm(client, vm.ref);
  }
  throwIfStopped(ctx.signal, 'before the import began; nothing was created');

  const source = imageSource(spec.source_kind, spec.source, remoteOptions(spec, ctx));
  log(`reading the OVF descriptor of ${source.shown}`);
  const descriptor = await source.descriptor();
  const ovf = readOvf(descriptor, source.shown);
  if (ovf.disks.length !== 1) {
    throw new Error(`${source.shown} declares ${ovf.disks.length} disks; machine-controller needs a template with exactly one.`);
  }
  if (ovf.networks.length > 0 && !ovf.networks.includes(spec.ovf_network)) {
    throw new Error(
      `${source.shown} declares the OVF network${ovf.networks.length > 1 ? 's' : ''} ${ovf.networks.map((n) => `"${n}"`).join(', ')}, ` +
        `not "${spec.ovf_network}": set ovfNetworkName to the one to map.`,
    );
  }

  // The temporary name is the mark an import carries from its creation on: the next run or the destroy finds it by it.
  const entityName = tempName(spec.template, key);
  const importSpec = await createImportSpec(client, spec, placement, descriptor, entityName, source.shown);
  throwIfStopped(ctx.signal, 'before the import began; nothing was created');
  log(`importing ${source.shown} as ${target} (powered off, never started)`);
  const lease = asMoRef(
    await client.invoke(
      'ImportVApp',
      placement.pool,
      importSpec.specXml + xmlMoRef('folder', placement.folder) + (placement.host ? xmlMoRef('host', placement.host) : ''),
    ),
  );
  if (!lease) throw new Error('vCenter ImportVApp answered no lease.');

  let vm: ManagedObjectReference | undefined;
  let completed = false;
  try {
    const info = await waitForLease(client, lease, ctx.signal);
    vm = asMoRef(info?.entity);
    if (!vm) throw new Error('the import lease names no VM.');
    await uploadAll(ctx, client, lease, info, importSpec.fileItems, source);
    throwIfStopped(ctx.signal, 'during the import; the partial VM is removed');
    await client.invoke('HttpNfcLeaseComplete', lease);
    completed = true;

    const powerState = text((await client.properties(vm, ['runtime.powerState']))['runtime.powerState']);
    if (powerState !== 'poweredOff') throw new Error(`the imported VM is ${powerState}, not poweredOff.`);
    throwIfStopped(ctx.signal, 'during the import; the partial VM is removed');
    await configureTemplate(client, vm, spec, owner, key);
    if (spec.mark_as_template) await client.invoke('MarkAsTemplate', vm);
    await client.waitForTask(
      asMoRef(await client.invoke('Rename_Task', vm, xmlElement('newName', spec.template)))!,
      'Rename_Task',
    );
    log(`${target}: imported (${vm.value}), disk.enableUUID=TRUE${spec.mark_as_template ? ', marked as template' : ''}.`);
    return { outcome: 'imported', vm, inventoryPath: target };
  } catch (err) {
    // Leave nothing half-made behind: the VM is ours (we created it in this run).
    if (!completed) await client.invoke('HttpNfcLeaseAbort', lease).catch(() => undefined);
    // The lease may fail before it names its VM: the temporary name (which holds our owner id) finds it then.
    const made = vm ? [vm] : (await findVmsNamed(client, placement.vmFolderRoot, [entityName]).catch(() => [])).map((v) => v.ref);
    for (const ref of made) await destroyVm(client, ref).catch(() => undefined);
    throw err;
  }
}

/** What a removal did. */
export interface TemplateRemoveResult {
  readonly removed: readonly string[];
  readonly leftAlone: readonly string[];
}

/**
 * Removes the template this resource imported (its owner id or, after terraform lost an earlier run's resource, its
 * import key) and temporary VMs of interrupted imports of the same spec; nothing else.
 */
export async function removeTemplate(ctx: TemplateImportContext, spec: TemplateImportSpec, owner: string): Promise<TemplateRemoveResult> {
  checkOwner(owner);
  const { client, log } = ctx;
  const key = importKey(spec);
  const dc = await mustFind(client, spec.datacenter, 'datacenter', 'Datacenter');
  const vmFolderRoot = asMoRef((await client.properties(dc, ['vmFolder'])).vmFolder)!;
  const found = await findVmsNamed(client, vmFolderRoot, namesOf(spec, owner, key));
  const removed: string[] = [];
  const leftAlone: string[] = [];
  for (const vm of found) {
    const where = await inventoryPathOf(client, vm.ref).catch(() => vm.ref.value);
    // The temporary name holds our import key (or owner id): such a VM is a leftover of our own interrupted import.
    if (vm.name === spec.template && vm.owner !== owner && vm.importKey !== key) {
      leftAlone.push(where);
      log(`${where}: not imported by this resource; left untouched.`);
      continue;
    }
    await destroyVm(client, vm.ref);
    removed.push(where);
    log(`${where}: removed (${vm.ref.value}).`);
  }
  if (found.length === 0) log(`${templateInventoryPath(spec)}: not there; nothing to remove.`);
  return { removed, leftAlone };
}

// ---- steps -------------------------------------------------------------------------------------------------------

function checkOwner(owner: string): void {
  if (!/^[A-Za-z0-9._:-]{8,100}$/.test(owner)) {
    throw new Error('the owner id is missing or malformed: run this command from the terraform_data that VmTemplate synthesizes.');
  }
}

function remoteOptions(spec: TemplateImportSpec, ctx: TemplateImportContext): RemoteOptions {
  if (spec.source_secret && (ctx.urlSecret === undefined || ctx.urlSecret === '')) {
    throw new Error(
      `the image URL needs its ${spec.source_secret.part} from variable ${spec.source_secret.variable}, but none arrived: ` +
        `set TF_VAR_${spec.source_secret.variable.replace(/^var\./, '')} (or the variable) for terraform apply.`,
    );
  }
  return {
    insecure: spec.allow_unverified_ssl_cert,
    secret: spec.source_secret ? { part: spec.source_secret.part, value: ctx.urlSecret! } : undefined,
  };
}

/**
 * The temporary name of an import in progress: recognisable, unique per import spec (or, as earlier versions wrote it,
 * per owner), within vSphere's 80 characters.
 */
function tempName(template: string, id: string): string {
  const suffix = `.importing-${id.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}`;
  return `${template.slice(0, 80 - suffix.length)}${suffix}`;
}

/** The names a VM of this import can have: the template's, and the temporary names by import key and by owner id. */
function namesOf(spec: TemplateImportSpec, owner: string, key: string): string[] {
  return [...new Set([spec.template, tempName(spec.template, key), tempName(spec.template, owner)])];
}

interface Placement {
  readonly folder: ManagedObjectReference;
  readonly vmFolderRoot: ManagedObjectReference;
  readonly datastore: ManagedObjectReference;
  readonly pool: ManagedObjectReference;
  readonly host?: ManagedObjectReference;
  readonly network: ManagedObjectReference;
}

async function mustFind(client: VcenterClient, path: string, what: string, ...types: string[]): Promise<ManagedObjectReference> {
  const ref = await client.findByInventoryPath(path);
  if (!ref) throw new Error(`the ${what} ${path} does not exist in vCenter ${client.server}.`);
  if (types.length && !types.includes(ref.type)) throw new Error(`${path} is a ${ref.type}, not a ${what}.`);
  return ref;
}

async function resolvePlacement(client: VcenterClient, spec: TemplateImportSpec): Promise<Placement> {
  const dc = await mustFind(client, spec.datacenter, 'datacenter', 'Datacenter');
  const vmFolderRoot = asMoRef((await client.properties(dc, ['vmFolder'])).vmFolder);
  if (!vmFolderRoot) throw new Error(`the datacenter ${spec.datacenter} has no VM folder.`);
  const folder = await mustFind(client, spec.folder, 'VM folder', 'Folder');
  let datastore = await mustFind(client, spec.datastore, 'datastore', 'Datastore', 'StoragePod');
  if (datastore.type === 'StoragePod') datastore = await firstMemberDatastore(client, datastore, spec.datastore);
  const pool = await mustFind(client, spec.resource_pool, 'resource pool', 'ResourcePool', 'VirtualApp');
  const network = await mustFind(client, spec.network, 'network', 'Network', 'DistributedVirtualPortgroup', 'OpaqueNetwork');
  let host: ManagedObjectReference | undefined;
  if (spec.host) {
    const owner = asMoRef((await client.properties(pool, ['owner'])).owner);
    const hosts = owner ? asArray(asObject((await client.properties(owner, ['host'])).host)?.ManagedObjectReference).map(asMoRef) : [];
    for (const h of hosts) {
      if (h && text((await client.properties(h, ['name'])).name) === spec.host) host = h;
    }
    if (!host) throw new Error(`the host "${spec.host}" is not a host of the compute resource of ${spec.resource_pool}.`);
  }
  return { folder, vmFolderRoot, datastore, pool, host, network };
}

async function firstMemberDatastore(client: VcenterClient, pod: ManagedObjectReference, path: string): Promise<ManagedObjectReference> {
  const children = asArray(asObject((await client.properties(pod, ['childEntity'])).childEntity)?.ManagedObjectReference)
    .map(asMoRef)
    .filter((r): r is ManagedObjectReference => r?.type === 'Datastore');
  const named: Array<{ ref: ManagedObjectReference; name: string }> = [];
  for (const ref of children) named.push({ ref, name: text((await client.properties(ref, ['name'])).name) ?? '' });
  named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!named.length) throw new Error(`the datastore cluster ${path} has no datastore.`);
  return named[0].ref;
}

interface FileItem {
  readonly deviceId: string;
  readonly path: string;
  readonly size: number;
  readonly create: boolean;
}

async function createImportSpec(
  client: VcenterClient,
  spec: TemplateImportSpec,
  placement: Placement,
  descriptor: string,
  entityName: string,
  shown: string,
): Promise<{ specXml: string; fileItems: FileItem[] }> {
  const cisp =
    '<cisp>' +
    xmlElement('locale', '') +
    xmlElement('deploymentOption', '') +
    xmlElement('entityName', entityName) +
    '<networkMapping>' +
    xmlElement('name', spec.ovf_network) +
    xmlMoRef('network', placement.network) +
    '</networkMapping>' +
    xmlElement('diskProvisioning', spec.disk_provisioning) +
    '</cisp>';
  const { result, raw } = await client.invokeRaw(
    'CreateImportSpec',
    client.manager('ovfManager'),
    xmlElement('ovfDescriptor', descriptor) + xmlMoRef('resourcePool', placement.pool) + xmlMoRef('datastore', placement.datastore) + cisp,
  );
  const r = asObject(result);
  const errors = asArray(r?.error).map((e) => text(asObject(e)?.localizedMessage) ?? text(asObject(asObject(e)?.fault)?.['@_type']) ?? 'error');
  if (errors.length) throw new Error(`vCenter cannot import ${shown}: ${errors.join('; ')}`);
  // The import spec goes back to ImportVApp exactly as vCenter wrote it (xsi:types included).
  const open = raw.indexOf('<importSpec');
  const close = raw.lastIndexOf('</importSpec>');
  if (open < 0 || close < 0) throw new Error(`vCenter CreateImportSpec answered no import spec for ${shown}.`);
  const specXml = `<spec${raw.slice(open + '<importSpec'.length, close)}</spec>`;
  const fileItems = asArray(r?.fileItem).map((f) => {
    const o = asObject(f);
    return {
      deviceId: text(o?.deviceId) ?? '',
      path: text(o?.path) ?? '',
      size: Number(text(o?.size) ?? '0'),
      create: text(o?.create) === 'true',
    };
  });
  return { specXml, fileItems };
}

async function waitForLease(client: VcenterClient, lease: ManagedObjectReference, signal: AbortSignal | undefined): Promise<ReturnType<typeof asObject>> {
  const end = Date.now() + 10 * 60_000;
  for (let delay = 50; ; delay = Math.min(delay * 2, 2000)) {
    throwIfStopped(signal, 'while vCenter prepared the import; the partial VM is removed');
    const props = await client.properties(lease, ['state', 'info', 'error']);
    const state = text(props.state);
    if (state === 'ready') return asObject(props.info);
    if (state === 'error') {
      const error = asObject(props.error);
      throw new Error(`the import failed: ${text(error?.localizedMessage) ?? text(asObject(error?.fault)?.['@_xsiType']) ?? 'lease error'}`);
    }
    if (state === 'done') throw new Error('the import lease ended before the upload.');
    if (Date.now() > end) throw new Error('the import lease did not become ready within 10 minutes.');
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

async function uploadAll(
  ctx: TemplateImportContext,
  client: VcenterClient,
  lease: ManagedObjectReference,
  info: ReturnType<typeof asObject>,
  items: readonly FileItem[],
  source: ImageSource,
): Promise<void> {
  const urls = asArray(info?.deviceUrl).map((d) => {
    const o = asObject(d);
    return { importKey: text(o?.importKey) ?? '', url: text(o?.url) ?? '' };
  });
  const total = items.reduce((sum, i) => sum + i.size, 0) || 1;
  let done = 0;
  let lastReport = Date.now();
  for (const item of items) {
    const device = urls.find((u) => u.importKey === item.deviceId);
    if (!device) throw new Error(`the import lease has no upload URL for ${item.path} (${item.deviceId}).`);
    const url = new URL(device.url.replace('://*', `://${new URL(client.server).host}`));
    const file = await source.open(item.path);
    ctx.log(`uploading ${item.path} (${(file.size / 2 ** 20).toFixed(1)} MiB)`);
    try {
      await upload(url, item.path, file.size, item.create, file.body, ctx.insecure, ctx.signal, (n) => {
        done += n;
        // A lease without progress reports times out on vCenter (about 5 minutes).
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          void client.invoke('HttpNfcLeaseProgress', lease, xmlElement('percent', Math.min(99, Math.floor((done * 100) / total)))).catch(() => undefined);
        }
      });
    } finally {
      file.close();
    }
  }
  await client.invoke('HttpNfcLeaseProgress', lease, xmlElement('percent', 100)).catch(() => undefined);
}

function upload(
  url: URL,
  name: string,
  size: number,
  create: boolean,
  body: AsyncIterable<Buffer>,
  insecure: boolean,
  signal: AbortSignal | undefined,
  onBytes: (n: number) => void,
): Promise<void> {
  // govmomi's lease upload: POST a stream-optimized disk; PUT (with Overwrite) a file the import creates.
  const headers: http.OutgoingHttpHeaders = create
    ? { 'Content-Length': size, Overwrite: 't', 'Content-Type': 'application/octet-stream' }
    : { 'Content-Length': size, 'Content-Type': 'application/x-vnd.vmware-streamVmdk' };
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<void>((resolve, reject) => {
    let sent = 0;
    let settled = false;
    let answered = false;
    // Wakes a writer that waits for 'drain': the request ended one way or another, so no 'drain' may ever come.
    let wake: (() => void) | undefined;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      wake?.();
      // Nothing of this request may outlive it: an open socket with unsent data keeps the process from exiting.
      if (!req.writableFinished || err) req.destroy();
      if (err) reject(err);
      else resolve();
    };
    // A connection of its own (no keep-alive pool): it closes with the request.
    const req = request(url, { method: create ? 'PUT' : 'POST', headers, rejectUnauthorized: !insecure, agent: false }, (res) => {
      answered = true;
      res.resume();
      const finish = () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) settle(new Error(`the upload of ${name} to ${url.origin} answered HTTP ${status}.`));
        else if (sent < size) {
          // The server answered before it can have had the whole file: vCenter would import a truncated disk.
          settle(
            new Error(
              `the upload of ${name} to ${url.origin} answered HTTP ${status} after only ${sent} of ${size} bytes were sent; ` +
                'the import is incomplete and was removed. Check the vCenter/ESXi host and any proxy between, then apply again.',
            ),
          );
        } else settle();
      };
      res.on('end', finish);
      res.on('error', (err) => settle(new Error(`the upload of ${name} to ${url.origin} failed: ${err.message}`)));
      res.on('close', () => (res.complete ? finish() : settle(new Error(`the upload of ${name} to ${url.origin} failed: the answer broke off.`))));
    });
    req.on('error', (err) => settle(new Error(`the upload of ${name} to ${url.origin} failed: ${err.message}`)));
    req.on('close', () => {
      // Closed before any answer (e.g. destroyed): the error handler or the answer has settled it, or this does.
      if (!settled && !answered) settle(new Error(`the upload of ${name} to ${url.origin} failed: the connection closed without an answer.`));
    });
    const onAbort = () => {
      const reason: unknown = signal?.reason;
      settle(reason instanceof Error ? reason : new Error(`stopped (${String(reason ?? 'aborted')}) during the upload of ${name}.`));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    void (async () => {
      try {
        for await (const chunk of body) {
          if (settled) return;
          if (sent + chunk.length > size) throw new Error(`${name} is larger than declared (${size} bytes).`);
          sent += chunk.length;
          onBytes(chunk.length);
          if (!req.write(chunk)) {
            await new Promise<void>((r) => {
              wake = r;
              req.once('drain', r);
            });
            wake = undefined;
            if (settled) return;
          }
        }
        if (settled) return;
        if (sent !== size) throw new Error(`${name} has ${sent} bytes, ${size} were declared.`);
        req.end();
      } catch (err) {
        settle(err as Error);
      }
    })();
  });
}

/** disk.enableUUID, the owner mark, and (for Flatcar) the vApp properties machine-controller writes Ignition into. */
async function configureTemplate(client: VcenterClient, vm: ManagedObjectReference, spec: TemplateImportSpec, owner: string, key: string): Promise<void> {
  const extra = [
    ...(spec.enable_disk_uuid ? [['disk.enableUUID', 'TRUE']] : []),
    [OWNER_EXTRA_CONFIG_KEY, owner],
    [IMPORT_KEY_EXTRA_CONFIG_KEY, key],
  ]
    .map(([k, v]) => `<extraConfig xsi:type="OptionValue">${xmlElement('key', k)}<value xsi:type="xsd:string">${xmlValue(v)}</value></extraConfig>`)
    .join('');
  let vapp = '';
  if (spec.vapp_properties.length) {
    const current = asObject((await client.properties(vm, ['config.vAppConfig']))['config.vAppConfig']);
    const props = asArray(current?.property).map(asObject);
    const have = new Set(props.map((p) => text(p?.id)));
    let key = Math.max(-1, ...props.map((p) => Number(text(p?.key) ?? '-1'))) + 1;
    const add = spec.vapp_properties
      .filter((id) => !have.has(id))
      .map(
        (id) =>
          '<property><operation>add</operation><info>' +
          xmlElement('key', key++) +
          xmlElement('id', id) +
          xmlElement('type', 'string') +
          xmlElement('userConfigurable', true) +
          xmlElement('value', '') +
          '</info></property>',
      )
      .join('');
    const transports = asArray(current?.ovfEnvironmentTransport).map((t) => text(t));
    const transport = transports.includes('com.vmware.guestInfo') ? '' : xmlElement('ovfEnvironmentTransport', 'com.vmware.guestInfo');
    if (add || transport) vapp = `<vAppConfig xsi:type="VmConfigSpec">${add}${transport}</vAppConfig>`;
  }
  const task = asMoRef(await client.invoke('ReconfigVM_Task', vm, `<spec>${extra}${vapp}</spec>`));
  if (!task) throw new Error('vCenter ReconfigVM_Task answered no task.');
  await client.waitForTask(task, 'ReconfigVM_Task');
}

function xmlValue(v: string): string {
  return xmlElement('v', v).slice(3, -4);
}

async function destroyVm(client: VcenterClient, vm: ManagedObjectReference): Promise<void> {
  const state = text((await client.properties(vm, ['runtime.powerState']))['runtime.powerState']);
  if (state && state !== 'poweredOff') {
    // Only ever reached for a VM this owner imported; someone powered it on since (not possible for a template).
    await client.waitForTask(asMoRef(await client.invoke('PowerOffVM_Task', vm))!, 'PowerOffVM_Task');
  }
  await client.waitForTask(asMoRef(await client.invoke('Destroy_Task', vm))!, 'Destroy_Task');
}

/** Every VM below the datacenter's VM folder with one of these names, with its import mark. */
async function findVmsNamed(client: VcenterClient, root: ManagedObjectReference, names: readonly string[]): Promise<FoundVm[]> {
  const view = asMoRef(
    await client.invoke(
      'CreateContainerView',
      client.manager('viewManager'),
      xmlMoRef('container', root) + xmlElement('type', 'VirtualMachine') + xmlElement('recursive', true),
    ),
  );
  if (!view) throw new Error('vCenter CreateContainerView answered no view.');
  try {
    const spec =
      '<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet>' +
      `<objectSet>${xmlMoRef('obj', view)}<skip>true</skip><selectSet xsi:type="TraversalSpec"><name>view</name>` +
      '<type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet>';
    const matches: ManagedObjectReference[] = [];
    const collect = (result: XmlNode | XmlNode[] | undefined) => {
      for (const o of asArray(asObject(result)?.objects).map(asObject)) {
        const name = text(asObject(asArray(o?.propSet)[0])?.val);
        const ref = asMoRef(o?.obj);
        if (ref && name !== undefined && names.includes(decodeName(name))) matches.push(ref);
      }
      return text(asObject(result)?.token);
    };
    let token = collect(await client.invoke('RetrievePropertiesEx', client.propertyCollector, `${spec}<options/>`));
    while (token) {
      token = collect(await client.invoke('ContinueRetrievePropertiesEx', client.propertyCollector, xmlElement('token', token)));
    }
    const out: FoundVm[] = [];
    for (const ref of matches) {
      // A VM removed between the listing and this read is simply not there.
      const p = await client.properties(ref, ['name', 'parent', 'config.template', 'config.extraConfig']).catch((err: unknown) => {
        if (err instanceof VcenterFaultError && err.fault === 'ManagedObjectNotFound') return undefined;
        throw err;
      });
      if (!p) continue;
      const extra = asArray(asObject(p['config.extraConfig'])?.OptionValue).map(asObject);
      const owner = extra.find((o) => text(o?.key) === OWNER_EXTRA_CONFIG_KEY);
      const key = extra.find((o) => text(o?.key) === IMPORT_KEY_EXTRA_CONFIG_KEY);
      out.push({
        ref,
        name: decodeName(text(p.name) ?? ''),
        owner: owner ? text(owner.value) : undefined,
        importKey: key ? text(key.value) : undefined,
        parent: asMoRef(p.parent),
        template: text(p['config.template']) === 'true',
      });
    }
    return out;
  } finally {
    await client.invoke('DestroyView', view).catch(() => undefined);
  }
}

// vSphere escapes %, / and \ in names as %25, %2f, %5c.
function decodeName(name: string): string {
  return name.replace(/%(25|2f|5c)/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** `/dc/vm/folder/name` of an object, by walking its parents. */
export async function inventoryPathOf(client: VcenterClient, ref: ManagedObjectReference): Promise<string> {
  const parts: string[] = [];
  let current: ManagedObjectReference | undefined = ref;
  for (let depth = 0; current && depth < 64; depth++) {
    const p = await client.properties(current, ['name', 'parent']);
    const parent = asMoRef(p.parent);
    if (!parent) break; // the root folder has no name in paths
    parts.unshift(text(p.name) ?? current.value);
    current = parent;
  }
  return `/${parts.join('/')}`;
}

/** Throws the abort reason (an Error says why, e.g. the overall timeout) or a message with `when`. */
function throwIfStopped(signal: AbortSignal | undefined, when: string): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  throw reason instanceof Error ? reason : new Error(`stopped (${String(reason ?? 'aborted')}) ${when}.`);
}

