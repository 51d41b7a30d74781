// The benchmark's hand-written app: the same seed as library/main.ts (scenario.js), written directly against cdktf
// and the provider classes, as a careful team would write it without this library: the same resources, ids and
// values key for key (bench/compare.js checks it; only the `//` review comments are the library's own), shared
// values built once, grants collected in plain arrays. Plain JavaScript, so it runs without a compile step.
// Usage: node hand-written.js [N] [--package-root]   (--package-root: import the providers from their package roots)
'use strict';
const fs = require('fs');
const path = require('path');
const { createHash } = require('crypto');
const { App, DataResource, Fn, Op, TerraformOutput, TerraformProvider, TerraformResource, TerraformStack, TerraformVariable, Token } = require('cdktf');
const { Construct } = require('constructs');
const { userClusters, clusterCount, IMAGE_DIR } = require('./scenario');
// The roles of KKP 2.31's vSphere page for vSphere 8.0, as a team copies them from the documentation.
const ROLE_PRIVILEGES = require('./kkp-2.31-roles-vsphere-8.0.json');

const packageRoot = process.argv.includes('--package-root');
function vsphere(module, name) {
  return packageRoot ? require('@cdktf/provider-vsphere')[camel(module)][name] : require(`@cdktf/provider-vsphere/lib/${module}`)[name];
}
function kubernetes(module, name) {
  return packageRoot ? require('@cdktf/provider-kubernetes')[camel(module)][name] : require(`@cdktf/provider-kubernetes/lib/${module}`)[name];
}
function camel(module) {
  return module.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}
const VsphereProvider = vsphere('provider', 'VsphereProvider');
const DataVsphereDatacenter = vsphere('data-vsphere-datacenter', 'DataVsphereDatacenter');
const DataVsphereFolder = vsphere('data-vsphere-folder', 'DataVsphereFolder');
const DataVsphereComputeCluster = vsphere('data-vsphere-compute-cluster', 'DataVsphereComputeCluster');
const DataVsphereDatastore = vsphere('data-vsphere-datastore', 'DataVsphereDatastore');
const DataVsphereNetwork = vsphere('data-vsphere-network', 'DataVsphereNetwork');
const DataVsphereHost = vsphere('data-vsphere-host', 'DataVsphereHost');
const DataVsphereDistributedVirtualSwitch = vsphere('data-vsphere-distributed-virtual-switch', 'DataVsphereDistributedVirtualSwitch');
const Folder = vsphere('folder', 'Folder');
const Role = vsphere('role', 'Role');
const EntityPermissions = vsphere('entity-permissions', 'EntityPermissions');
const KubernetesProvider = kubernetes('provider', 'KubernetesProvider');
const Secret = kubernetes('secret', 'Secret');

const DC = 'dc-1';
const SERVER = 'vcenter.dc-1.example.com';
const STORAGE = 'VSPHERE.LOCAL\\kkp-storage';
const MACHINE_CONTROLLER = 'VSPHERE.LOCAL\\kkp-machine-controller';
const READ_ONLY = 'Read-only';
const DATASTORES = ['ds-ssd-1', 'ds-ssd-2'];
const NETWORKS = ['kkp-workers', 'kkp-storage'];
// The port groups' distributed switch.
const SWITCH = 'dvs-1';
const HOSTS = ['esxi-01.dc-1.example.com', 'esxi-02.dc-1.example.com'];
const hostId = (name) => name.replace(/[^A-Za-z0-9_-]+/g, '_');

// The kkpvsphere provider (this repository's provider/: additive grants and VM templates), written by hand as cdktf's
// generated classes would be: a provider block and two resource types, attributes as given.
const KKPVSPHERE = { providerName: 'kkpvsphere', providerVersion: '0.1.0', providerVersionConstraint: '~> 0.1' };
class KkpvsphereProvider extends TerraformProvider {
  constructor(scope, id, attributes) {
    super(scope, id, { terraformResourceType: 'kkpvsphere', terraformGeneratorMetadata: KKPVSPHERE, terraformProviderSource: 'cdktf-kkp-vsphere/kkpvsphere' });
    this.attributes = attributes;
  }
  synthesizeAttributes() {
    return this.attributes;
  }
}
class KkpvsphereResource extends TerraformResource {
  constructor(scope, id, type, attributes, meta = {}) {
    super(scope, id, { terraformResourceType: type, terraformGeneratorMetadata: KKPVSPHERE, ...meta });
    this.attributes = attributes;
  }
  synthesizeAttributes() {
    return this.attributes;
  }
}
/** The library's id of an additive grant's resource: its object, principal, and a digest of them. */
const sanitize = (text) => text.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'root';

class KkpSeedStack extends TerraformStack {
  constructor(scope, id, clusters) {
    super(scope, id);
    // null: the provider reads VSPHERE_USER and VSPHERE_PASSWORD, and so does the kkpvsphere provider beside it.
    const fromEnvironment = Token.asString(Token.nullValue());
    new VsphereProvider(this, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
    new KkpvsphereProvider(this, 'kkpvsphere', { user: fromEnvironment, password: fromEnvironment });

    // Look-ups, once each.
    const inventory = new Construct(this, 'Inventory');
    const datacenter = new DataVsphereDatacenter(inventory, 'Datacenter', { name: DC });
    const datacenterId = datacenter.id;
    const root = new DataVsphereFolder(inventory, 'RootFolder', { path: '/' });
    const cluster = new DataVsphereComputeCluster(inventory, `ComputeCluster-_${DC}_host_cluster-1`, { name: 'cluster-1', datacenterId });
    const datastores = DATASTORES.map((name) => new DataVsphereDatastore(inventory, `Datastore-_${DC}_datastore_${name}`, { name, datacenterId }));
    const networks = NETWORKS.map((name) => new DataVsphereNetwork(inventory, `Network-_${DC}_network_${name}`, { name, datacenterId }));
    new DataVsphereDistributedVirtualSwitch(inventory, `DistributedSwitch-_${DC}_network_${SWITCH}`, { name: SWITCH, datacenterId });
    // The additive grants name each object by type and managed object id.
    const hosts = HOSTS.map((name) => new DataVsphereHost(inventory, `HostEntity-_${DC}_host_cluster-1_${hostId(name)}`, { name, datacenterId }));

    // Folders: KKP's root, the templates, and the groups the user-cluster folders sit in.
    const folder = (scope, id, folderPath, parent) =>
      new Folder(scope, id, { path: folderPath, type: 'vm', datacenterId, dependsOn: parent ? [parent] : undefined });
    const kkpRootScope = new Construct(this, 'KkpRoot');
    const kkpRoot = folder(kkpRootScope, 'Folder', 'kkp');
    const templates = folder(new Construct(this, 'Templates'), 'Folder', 'kkp/templates', kkpRoot);

    // VM templates: imported through the vSphere API by kkpvsphere_vm_template (never powered on, marked as
    // template); a change of what is imported replaces it.
    // A local image: written relative to terraform's working directory (<outdir>/stacks/<stack>) when it lies in the
    // project, replaced when the SHA-256 of the descriptor or its manifest changes (a terraform_data holds them).
    const localImage = (file) => {
      const workDir = path.resolve(process.env.CDKTF_OUTDIR || 'cdktf.out', 'stacks', this.node.id);
      const a = process.cwd().split(path.sep);
      const b = workDir.split(path.sep);
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      const root = a.slice(0, i).join(path.sep) || path.sep;
      const written = root === path.sep || file.startsWith(root + path.sep) ? path.relative(workDir, file).split(path.sep).join('/') : file;
      const sha256 = {};
      for (const f of [file, file.replace(/\.ovf$/, '.mf')]) {
        if (fs.existsSync(f)) sha256[path.basename(f)] = createHash('sha256').update(fs.readFileSync(f)).digest('hex');
      }
      return { written, image: { file: path.basename(file), sha256 } };
    };
    const template = (id, name, location, sourceKind, os) => {
      const scope = new Construct(this, id);
      const local = sourceKind === 'file' ? localImage(location) : undefined;
      const resource = new KkpvsphereResource(scope, 'Template', 'kkpvsphere_vm_template', {
        name,
        folder: `/${DC}/vm/kkp/templates`,
        resource_pool: `/${DC}/host/cluster-1/Resources`,
        datastore: `/${DC}/datastore/${DATASTORES[0]}`,
        network: `/${DC}/network/${NETWORKS[0]}`,
        ovf_network: 'VM Network',
        host: HOSTS[0],
        source: local ? local.written : location,
        disk_provisioning: 'thin',
        timeout: '30m',
      }, { dependsOn: [templates] });
      if (local) {
        const digest = new DataResource(scope, 'ImageDigest', { input: local.image });
        resource.lifecycle = { replaceTriggeredBy: [`terraform_data.${digest.friendlyUniqueId}`] };
      }
      return { os, name };
    };
    const vmTemplates = [
      template('UbuntuTemplate', 'kkp-ubuntu-22.04',
        'https://cloud-images.ubuntu.com/releases/22.04/release/ubuntu-22.04-server-cloudimg-amd64.ova', 'url', 'ubuntu'),
      template('RockyTemplate', 'kkp-rockylinux-9', path.join(IMAGE_DIR, 'kkp-rockylinux-9.ovf'), 'file', 'rockylinux'),
    ];

    // Roles.
    const rolesScope = new Construct(this, 'Roles');
    const role = {};
    for (const [name, privileges] of Object.entries(ROLE_PRIVILEGES)) {
      role[name] = new Role(new Construct(rolesScope, name), 'Role', { name: `kkp-${name}`, rolePrivileges: privileges });
    }

    // Grants. The stack's own folders: one vsphere_entity_permissions each, principals sorted case-insensitively.
    // Shared objects (vCenter root, datacenter, cluster, hosts, datastores, networks, the switch): additive grants, one
    // kkpvsphere_permissions per object, listing its principals (sorted case-insensitively).
    const objects = new Map();
    const owned = (id, entityId) => {
      if (!objects.has(id)) objects.set(id, { entityId, entityType: 'Folder', permissions: [] });
      return objects.get(id);
    };
    const additive = [];
    const sharedObject = (object, kind, entityType, entityId) => ({ shared: true, object, kind, entityType, entityId });
    const grant = (target, principal, roleName, propagate) => {
      if (target.shared) {
        additive.push({ target, principal, roleId: roleName === READ_ONLY ? '-2' : role[roleName.slice('kkp-'.length)].id, propagate });
      } else {
        target.permissions.push({ userOrGroup: principal, isGroup: false, propagate, roleId: roleName === READ_ONLY ? '-2' : role[roleName.slice('kkp-'.length)].id });
      }
    };
    const vcenter = sharedObject('/', 'vcenter', 'Folder', root.id);
    const dc = sharedObject(`/${DC}`, 'datacenter', 'Datacenter', datacenterId);
    const computeCluster = sharedObject(`/${DC}/host/cluster-1`, 'cluster', 'ClusterComputeResource', cluster.id);
    const datastoreObjects = DATASTORES.map((name, i) => sharedObject(`/${DC}/datastore/${name}`, 'datastore', 'Datastore', datastores[i].id));
    // A network's managed object type is known only to the data source, at plan time.
    const networkObjects = NETWORKS.map((name, i) => sharedObject(`/${DC}/network/${name}`, 'network', networks[i].type, networks[i].id));
    // A switch is named by its inventory path: its data source gives its UUID, which is no managed object id.
    const switchObject = { shared: true, object: `/${DC}/network/${SWITCH}`, kind: 'distributedSwitch', entityPath: `/${DC}/network/${SWITCH}` };
    const hostObjects = HOSTS.map((name, i) => sharedObject(`/${DC}/host/cluster-1/${name}`, 'host', 'HostSystem', hosts[i].id));
    const rootFolder = owned(`Perms-folder-${DC}_vm_kkp`, kkpRoot.id);
    const templateFolder = owned(`Perms-folder-${DC}_vm_kkp_templates`, templates.id);

    grant(vcenter, STORAGE, 'kkp-k8c-ccm-storage-cns', false);
    for (const f of [rootFolder, templateFolder]) grant(f, STORAGE, 'kkp-k8c-ccm-storage-vmfolder-propagate', true);
    for (const d of datastoreObjects) grant(d, STORAGE, 'kkp-k8c-ccm-storage-datastore-propagate', true);
    grant(dc, STORAGE, READ_ONLY, false);
    for (const h of hostObjects) grant(h, STORAGE, READ_ONLY, false);
    grant(vcenter, MACHINE_CONTROLLER, 'kkp-k8c-user-vcenter', false);
    grant(dc, MACHINE_CONTROLLER, 'kkp-k8c-user-datacenter', false);
    grant(computeCluster, MACHINE_CONTROLLER, 'kkp-k8c-user-cluster-propagate', true);
    for (const n of networkObjects) grant(n, MACHINE_CONTROLLER, 'kkp-k8c-network-attach', false);
    grant(switchObject, MACHINE_CONTROLLER, 'kkp-k8c-network-attach', false);
    for (const d of datastoreObjects) grant(d, MACHINE_CONTROLLER, 'kkp-k8c-user-datastore-propagate', true);
    for (const f of [rootFolder, templateFolder]) grant(f, MACHINE_CONTROLLER, 'kkp-k8c-user-folder-propagate', true);

    // KKP's datacenter spec.
    const templateLines = vmTemplates.sort((a, b) => a.os.localeCompare(b.os)).map((t) => `          ${t.os}: ${t.name}\n`).join('');
    const datacenterSpec = new TerraformOutput(new Construct(this, 'KkpDatacenter'), 'Yaml', {
      value: `datacenters:\n  vsphere-dc-1:\n    location: Hamburg\n    country: DE\n    spec:\n      vsphere:\n` +
        `        endpoint: https://${SERVER}\n        datastore: ds-ssd-1\n        datacenter: ${DC}\n        cluster: cluster-1\n` +
        `        rootPath: /${DC}/vm/kkp\n        templates:\n${templateLines}`,
      description: 'KKP datacenter "vsphere-dc-1" for KKP 2.31 (Seed spec.datacenters, camelCase); no credentials.',
    });
    datacenterSpec.overrideLogicalId('kkp_datacenter_vsphere_dc_1');

    // User clusters: KKP reads each cluster's vSphere credentials from a Secret on the seed (credentialsReference) and
    // renders the cloud-config itself. The plan-time check that a password holds no newline is built once per variable.
    const sharedPassword = new TerraformVariable(this, 'kkp_storage_password', {
      type: 'string',
      sensitive: true,
      description: 'Password of VSPHERE.LOCAL\\kkp-storage, written into the credentials Secret of clusters without their own storage user',
    });
    const carriable = (variable) => {
      const lacks = (c) => Op.not(Fn.strcontains(variable.stringValue, c));
      return Op.and(Op.and(lacks('\\n'), lacks('\\r')), lacks('\\u0000'));
    };
    const shared = { password: sharedPassword.stringValue, condition: carriable(sharedPassword) };
    // KKP's infra-management user (machine-controller's): the same in every cluster's Secret.
    const mcPassword = new TerraformVariable(this, 'kkp_machine_controller_password', {
      type: 'string',
      sensitive: true,
      description: `Password of ${MACHINE_CONTROLLER}, the infra-management user of every cluster's credentials Secret`,
    });
    const mc = { password: mcPassword.stringValue, condition: carriable(mcPassword) };
    const seed = new KubernetesProvider(this, 'kubernetes-seed', { alias: 'seed', configPath: 'kubeconfigs/seed' });
    const groups = new Map();
    for (const line of clusters) {
      const id = line.clusterId;
      const scope = new Construct(this, `UserCluster-${id}`);
      const [group, name] = splitLast(line.folderPath ?? `clusters/${id}`);
      if (!groups.has(group)) groups.set(group, folder(new Construct(kkpRootScope, `Group-${group.replace(/[^A-Za-z0-9_-]+/g, '_')}`), 'Folder', `kkp/${group}`, kkpRoot));
      const folderPath = `kkp/${group}/${name}`;
      const clusterFolder = folder(new Construct(scope, 'Folder'), 'Folder', folderPath, groups.get(group));
      const permissions = owned(`Perms-folder-${DC}_vm_${folderPath.replace(/\//g, '_')}`, clusterFolder.id);
      grant(permissions, MACHINE_CONTROLLER, 'kkp-k8c-user-folder-propagate', true);
      const datastore = line.datastore ?? 0;

      let credentials = shared;
      let storageUser = STORAGE;
      if (line.storagePrincipal !== undefined) {
        storageUser = line.storagePrincipal;
        grant(permissions, storageUser, 'kkp-k8c-ccm-storage-vmfolder-propagate', true);
        grant(datastoreObjects[datastore], storageUser, 'kkp-k8c-ccm-storage-datastore-propagate', true);
        grant(dc, storageUser, READ_ONLY, false);
        // CNS on the vCenter root and Read-only on the node hosts, as for the seed's storage user (KKP 2.26+).
        grant(vcenter, storageUser, 'kkp-k8c-ccm-storage-cns', false);
        for (const h of hostObjects) grant(h, storageUser, READ_ONLY, false);
        const variable = new TerraformVariable(scope, 'password-variable', {
          type: 'string',
          sensitive: true,
          nullable: false,
          description: `Password of the cloud-config user of KKP user cluster ${id}, written into its credentials Secret on the seed (set TF_VAR_vsphere_${id}_password).`,
        });
        variable.overrideLogicalId(`vsphere_${id}_password`);
        credentials = { password: variable.stringValue, condition: carriable(variable) };
      }
      const secretName = `kkp-vsphere-${id}`;
      new Secret(scope, 'Credentials', {
        metadata: { name: secretName, namespace: 'kubermatic' },
        type: 'Opaque',
        data: { username: storageUser, password: credentials.password, infraManagementUserUsername: MACHINE_CONTROLLER, infraManagementUserPassword: mc.password },
        lifecycle: {
          precondition: [
            {
              condition: credentials.condition,
              errorMessage: `KkpUserCluster ${scope.node.path}: prop credentials key password contains a newline, carriage return or NUL ` +
                'character, which the gcfg cloud-config cannot carry. Remove it from the value given to Terraform.',
            },
            {
              condition: mc.condition,
              errorMessage: `KkpUserCluster ${scope.node.path}: prop credentials key infraManagementUserPassword contains a newline, carriage ` +
                'return or NUL character, which the gcfg cloud-config cannot carry. Remove it from the value given to Terraform.',
            },
          ],
        },
        provider: seed,
      });

      const spec = new TerraformOutput(scope, 'CloudSpec', {
        value: `vsphere:\n  credentialsReference:\n    name: ${secretName}\n    namespace: kubermatic\n  networks:\n    - kkp-workers\n` +
          `  folder: /${DC}/vm/${folderPath}\n${line.datastore === undefined ? '' : `  datastore: ${DATASTORES[datastore]}\n`}`,
        description: `spec.cloud of KKP 2.31 user cluster ${id} (no credentials: credentialsReference names the Secret on the seed).`,
      });
      spec.overrideLogicalId(`kkp_cluster_${id.replace(/-/g, '_')}`);

      // What KKP will render into the cluster's cloud-config, for the reviewer (the password stays in the Secret).
      const user = `"${storageUser.replace(/\\/g, '\\\\')}"`;
      const password = `"<redacted: Secret kubermatic/${secretName}, key password>"`;
      const review = new TerraformOutput(scope, 'CloudConfigReview', {
        value: `[Global]\nuser = ${user}\npassword = ${password}\nport = "443"\ninsecure-flag = false\n` +
          `working-dir = "${id}"\ndatacenter = "${DC}"\ndatastore = "${DATASTORES[datastore]}"\nserver = "${SERVER}"\ncluster-id = "${id}"\n\n` +
          `[Disk]\nscsicontrollertype = "pvscsi"\n\n` +
          `[Workspace]\nserver = "${SERVER}"\ndatacenter = "${DC}"\nfolder = "/${DC}/vm/${folderPath}"\n` +
          `default-datastore = "${DATASTORES[datastore]}"\nresourcepool-path = ""\n\n` +
          `[VirtualCenter "${SERVER}"]\nuser = ${user}\npassword = ${password}\nport = "443"\ndatacenters = "${DC}"\n`,
        description: `The cloud-config KKP 2.31 renders into Secret cloud-config-csi of user cluster ${id}, password redacted (KKP writes it; this stack does not).`,
      });
      review.overrideLogicalId(`kkp_cloud_config_${id.replace(/-/g, '_')}`);
    }

    const permissionsScope = new Construct(this, 'KkpVspherePermissions');
    for (const [id, object] of objects) {
      const key = (p) => p.userOrGroup.toLowerCase();
      object.permissions.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      new EntityPermissions(permissionsScope, id, object);
    }
    const byObject = new Map();
    for (const grant of additive) {
      const key = `${grant.target.kind} ${grant.target.object}`;
      if (!byObject.has(key)) byObject.set(key, { target: grant.target, grants: [] });
      byObject.get(key).grants.push(grant);
    }
    for (const [key, { target, grants }] of byObject) {
      const id = `Grants-${sanitize(`${target.kind}-${target.object}`)}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
      const lower = (g) => g.principal.toLowerCase();
      grants.sort((a, b) => (lower(a) < lower(b) ? -1 : lower(a) > lower(b) ? 1 : 0));
      new KkpvsphereResource(permissionsScope, id, 'kkpvsphere_permissions', {
        ...(target.entityPath ? { entity_path: target.entityPath } : { entity_type: target.entityType, entity_id: target.entityId }),
        permissions: Object.fromEntries(grants.map((g) => [g.principal, { role_id: g.roleId, is_group: false, propagate: g.propagate }])),
      });
    }
  }
}

function splitLast(folderPath) {
  const i = folderPath.lastIndexOf('/');
  return [folderPath.slice(0, i), folderPath.slice(i + 1)];
}

const app = new App();
new KkpSeedStack(app, 'kkp-seed', userClusters(clusterCount(process.argv.slice(2))));
app.synth();
