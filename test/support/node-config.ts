/**
 * The configuration files of the real node's parts, each as text. Every path points into
 * the node's work dir, every address is the node's own bridge address or loopback, and
 * every setting that would touch the host (iptables chains, OOM score, host DNS) is off.
 * ../shared/docs/real-node.md has the reason for each choice.
 */

export interface NodeLayout {
  dir: string;
  /** The node's name: its hostname label and its kubelet identity. */
  name: string;
  bridge: string;
  bridgeIp: string;
  /** The pods' /24, on the bridge. */
  subnet: string;
  cgroupRoot: string;
  containerdSocket: string;
  kubeletPort: number;
  pauseImage: string;
}

/** containerd 1.6 (Debian) with the CRI plugin, everything under the work dir. */
export function containerdConfig(n: NodeLayout): string {
  return `version = 2
root = "${n.dir}/containerd/root"
state = "${n.dir}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "${n.containerdSocket}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${n.pauseImage}"
  # root here lacks CAP_SYS_RESOURCE: runc could not give the sandbox oom_score_adj -998.
  restrict_oom_score_adj = true
  # Pod network namespaces are pinned under the state dir, not under the host's /run/netns.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${n.dir}/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${n.dir}/cni/net.d"

[plugins."io.containerd.internal.v1.opt"]
  path = "${n.dir}/containerd/opt"
`;
}

/** The bridge plugin on our own bridge: no gateway, no masquerade, so no host routing or firewall change. */
export function cniConfig(n: NodeLayout): string {
  const prefix = n.subnet.replace(/\.0\/24$/, '');
  return JSON.stringify({
    cniVersion: '0.4.0',
    name: 'galera-gitops',
    plugins: [
      {
        type: 'bridge',
        bridge: n.bridge,
        isGateway: false,
        ipMasq: false,
        ipam: { type: 'host-local', ranges: [[{ subnet: n.subnet, rangeStart: `${prefix}.10`, rangeEnd: `${prefix}.250` }]], dataDir: `${n.dir}/cni/ipam` },
      },
    ],
  });
}

export function kubeletConfig(n: NodeLayout): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: n.bridgeIp,
    port: n.kubeletPort,
    readOnlyPort: 0,
    healthzPort: 0,
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    // cgroup v1 here; containerd 1.6 does not report its driver. Pods live under a cgroup
    // root of their own, so teardown knows exactly what to kill and remove.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: n.cgroupRoot,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${n.containerdSocket}`,
    clusterDNS: [n.bridgeIp],
    clusterDomain: 'cluster.local',
    resolvConf: `${n.dir}/resolv.conf`,
    podLogsDir: `${n.dir}/pod-logs`,
    makeIPTablesUtilChains: false,
    // A test machine's disk may be nearly full; evicting the database would be a false failure.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'nodefs.inodesFree': '1%', 'imagefs.available': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    // ConfigMap and Secret volumes follow changes within seconds (rotation tests).
    syncFrequency: '10s',
  });
}

/** CoreDNS on the bridge address: the cluster zone from the apiserver, NXDOMAIN for the rest. */
export function corefile(n: NodeLayout, kubeconfig: string): string {
  return `cluster.local:53 in-addr.arpa:53 {
  bind ${n.bridgeIp}
  errors
  kubernetes cluster.local in-addr.arpa {
    kubeconfig ${kubeconfig} node
    pods insecure
    ttl 5
  }
}
.:53 {
  bind ${n.bridgeIp}
  template ANY ANY {
    rcode NXDOMAIN
  }
}
`;
}

/** A kubeconfig with a bearer token, trusting the run's CA. */
export function kubeconfig(server: string, caFile: string, user: string, token: string): string {
  return [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: node', '  cluster:', `    server: ${server}`, `    certificate-authority: ${caFile}`,
    'users:', `- name: ${user}`, '  user:', `    token: ${token}`,
    'contexts:', '- name: node', `  context: {cluster: node, user: ${user}}`, 'current-context: node', '',
  ].join('\n');
}

/**
 * What the private mount namespace of containerd and the kubelet hides: the paths both
 * hard-code are bound to folders of the work dir, and the kernel settings the kubelet
 * rewrites (vm.overcommit_memory, kernel.panic, ...) to small files holding the host's
 * values. The host's directories and settings are never written.
 */
export const HARD_CODED_DIRS = ['/run/containerd', '/var/lib/cni', '/var/lib/kubelet', '/var/log/pods', '/var/log/containers'];
export const GUARDED_SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'net/ipv4/ip_forward',
];
