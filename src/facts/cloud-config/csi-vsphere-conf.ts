// The upstream vSphere CSI driver's own config file, `csi-vsphere.conf`, for a cluster KKP does not manage (such as
// the seed cluster itself). Its dialect differs from KKP's cloud-config: the driver reads it with gcfg into
// kubernetes-sigs/vsphere-csi-driver pkg/common/config/types.go `Config` (Global: cluster-id, cluster-distribution,
// ca-file, thumbprint, ...; VirtualCenter "<host>": insecure-flag, user, password, port, datacenters), and the vanilla
// manifests mount it from Secret `vsphere-config-secret` in namespace `vmware-system-csi`
// (manifests/vanilla/vsphere-csi-driver.yaml; the install guide creates it with
// `--from-file=csi-vsphere.conf`). Pure: no cdktf.
import { GcfgQuote, GcfgSection, gcfgQuote, renderGcfg } from './gcfg';
import { vspherePort } from './vsphere';

/** Where the upstream driver looks for its config. */
export const VSPHERE_CSI_CONFIG_SECRET = { name: 'vsphere-config-secret', namespace: 'vmware-system-csi', key: 'csi-vsphere.conf' } as const;

/** The inputs of one `csi-vsphere.conf` with one vCenter. */
export interface VsphereCsiConfigInput {
  /** `[Global] cluster-id`: unique per Kubernetes cluster on the vCenter (CNS tags volumes with it). */
  readonly clusterId: string;
  /**
   * `[Global] cluster-distribution`, e.g. `KKP-seed`, shown in vCenter's CNS UI.
   * @default - key omitted
   */
  readonly clusterDistribution?: string;
  /** vCenter host name or IP: the `[VirtualCenter "<host>"]` subsection. */
  readonly server: string;
  /** @default 443 */
  readonly port?: number | string;
  /** Skip TLS verification (`insecure-flag`). @default false */
  readonly insecure?: boolean;
  /**
   * `[Global] ca-file`: a CA bundle path inside the driver's pods (ignored by the driver when insecure).
   * @default - key omitted
   */
  readonly caFile?: string;
  /** `[Global] thumbprint` of vCenter's certificate (ignored when insecure). @default - key omitted */
  readonly thumbprint?: string;
  readonly user: string;
  readonly password: string;
  /** Datacenter name(s) of the node VMs: `datacenters`, comma-separated in the file. */
  readonly datacenters: string | readonly string[];
}

/** The file as gcfg sections, in the order of the driver's documented example. */
export function vsphereCsiConfigSections(input: VsphereCsiConfigInput): GcfgSection[] {
  const datacenters = typeof input.datacenters === 'string' ? input.datacenters : input.datacenters.join(',');
  return [
    {
      name: 'Global',
      entries: [
        { key: 'cluster-id', value: input.clusterId },
        ...(input.clusterDistribution === undefined ? [] : [{ key: 'cluster-distribution', value: input.clusterDistribution }]),
        ...(input.caFile === undefined ? [] : [{ key: 'ca-file', value: input.caFile }]),
        ...(input.thumbprint === undefined ? [] : [{ key: 'thumbprint', value: input.thumbprint }]),
      ],
    },
    {
      name: 'VirtualCenter',
      subsection: input.server,
      entries: [
        { key: 'insecure-flag', bool: input.insecure ?? false },
        { key: 'user', value: input.user },
        { key: 'password', value: input.password },
        { key: 'port', value: vspherePort(input.port) },
        { key: 'datacenters', value: datacenters },
      ],
    },
  ];
}

/** Renders `csi-vsphere.conf`; every string value goes through `quote` (the default rejects what gcfg cannot carry). */
export function renderVsphereCsiConfig(input: VsphereCsiConfigInput, quote: GcfgQuote = gcfgQuote): string {
  return renderGcfg(vsphereCsiConfigSections(input), quote);
}
