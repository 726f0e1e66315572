//! A synthetic cluster dump of any size: the files `kubectl get <kind> -A
//! -o json` prints, for benchmarks of `kubev-ha audit --from-dump` and for
//! the recorded clusters of `tests/data/clusters` (whose `healthy-3zone`
//! case is this generator's output for 6 workers, 3 zones and 12 VMs).
//!
//! Objects are written one at a time through a buffered writer, so 100,000
//! VMIs (hundreds of MB) never sit in memory together; the same seed gives
//! byte-identical files. The object shapes follow the upstream types, cited
//! where a name or a default matters (tests/data/clusters/README.md lists
//! every source):
//!
//! - KubeVirt v1.5.2 (`staging/src/kubevirt.io/api/core/v1/types.go`): the
//!   node labeller's label prefixes (`cpu-model.node.kubevirt.io/`,
//!   `cpu-feature.node.kubevirt.io/`, `host-model-cpu.node.kubevirt.io/`,
//!   `cpu-model-migration.node.kubevirt.io/`, `kubevirt.io/schedulable`),
//!   the `LiveMigratable` condition, `kubevirt.io/created-by`.
//! - The per-VMI PodDisruptionBudgets KubeVirt up to v1.5 made
//!   (`pkg/virt-controller/watch/drain/disruptionbudget/disruptionbudget.go`
//!   before commit 8fca829896, first released in v1.6.0, which made the
//!   controller only delete them): `generateName: kubevirt-disruption-budget-`,
//!   a controller ownerReference to the VMI, `minAvailable: 1`, selector
//!   `kubevirt.io/created-by: <VMI uid>`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// What [`write_dump`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DumpShape {
    /// VM-capable workers (3 control planes come on top).
    pub workers: u32,
    /// Zones the workers are spread over, round robin; the 3 control
    /// planes take the first three (or share them when there are fewer).
    pub zones: u32,
    /// VirtualMachines, each with its running VMI, a PVC and its PV.
    pub vms: u32,
    /// The same seed gives the same files.
    pub seed: u64,
}

impl Default for DumpShape {
    /// The recorded `healthy-3zone` case: 6 workers, 3 zones, 12 VMs.
    fn default() -> Self {
        DumpShape { workers: 6, zones: 3, vms: 12, seed: 1 }
    }
}

/// What [`write_dump`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DumpSummary {
    /// Every file written, one per kind, in the order written.
    pub files: Vec<PathBuf>,
    /// Nodes (control planes and workers).
    pub nodes: u64,
    /// Pods (etcd, virt-handler, virt-api, virt-controller, CoreDNS,
    /// OVN central, an application's).
    pub pods: u64,
    /// VirtualMachines.
    pub vms: u64,
    /// VirtualMachineInstances.
    pub vmis: u64,
    /// PersistentVolumeClaims.
    pub pvcs: u64,
    /// PersistentVolumes.
    pub pvs: u64,
    /// PodDisruptionBudgets.
    pub pdbs: u64,
    /// Bytes written in all.
    pub bytes: u64,
}

/// The files of a dump, one per kind, as the recorded clusters name them.
pub const DUMP_FILES: &[&str] = &[
    "nodes.json",
    "pods.json",
    "configmaps.json",
    "kubevirt.json",
    "vms.json",
    "vmis.json",
    "pvcs.json",
    "pvs.json",
    "storageclasses.json",
    "storageprofiles.json",
    "nads.json",
    "daemonsets.json",
    "subnets.json",
    "nodehealthchecks.json",
    "snrtemplates.json",
    "pdbs.json",
];

/// Writes a dump of a cluster of `shape` into `dir` (created if missing):
/// one Kubernetes List per kind ([`DUMP_FILES`]), as `kubectl get -A -o
/// json` prints it. Fails with `InvalidInput` on no workers or no zones.
pub fn write_dump(shape: &DumpShape, dir: &Path) -> io::Result<DumpSummary> {
    if shape.workers == 0 || shape.zones == 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "a dump needs at least one worker and one zone"));
    }
    std::fs::create_dir_all(dir)?;
    let cluster = Cluster::new(shape);
    let mut summary = DumpSummary::default();
    let mut rng = Rng::new(shape.seed);

    let mut list = ListWriter::create(dir, "nodes.json")?;
    for node in &cluster.nodes {
        list.push(&node_object(node, node_pod_net(cluster.nodes.len()), &mut rng))?;
    }
    summary.nodes = list.finish(&mut summary)?;

    let mut list = ListWriter::create(dir, "pods.json")?;
    cluster.write_pods(&mut rng, &mut list)?;
    summary.pods = list.finish(&mut summary)?;

    let mut list = ListWriter::create(dir, "configmaps.json")?;
    list.push(&kubeadm_config(&mut rng))?;
    list.finish(&mut summary)?;

    let mut list = ListWriter::create(dir, "kubevirt.json")?;
    list.push(&kubevirt_cr(&mut rng))?;
    list.finish(&mut summary)?;

    // VMs, VMIs, PVCs, PVs and the VMIs' PDBs: five files filled in step,
    // one VM at a time, so nothing is held but the VM being written.
    let mut vms = ListWriter::create(dir, "vms.json")?;
    let mut vmis = ListWriter::create(dir, "vmis.json")?;
    let mut pvcs = ListWriter::create(dir, "pvcs.json")?;
    let mut pvs = ListWriter::create(dir, "pvs.json")?;
    let mut pdbs = ListWriter::create(dir, "pdbs.json")?;
    pdbs.push(&app_pdb(&mut rng))?;
    let workers: Vec<&NodeSpec> = cluster.nodes.iter().filter(|n| !n.control_plane).collect();
    for i in 0..shape.vms {
        let vm = VmSpec::new(i, workers[i as usize % workers.len()], &mut rng);
        vms.push(&vm_object(&vm))?;
        vmis.push(&vmi_object(&vm, &mut rng))?;
        pvcs.push(&pvc_object(&vm))?;
        pvs.push(&pv_object(&vm))?;
        pdbs.push(&vmi_pdb(&vm, &mut rng))?;
    }
    summary.vms = vms.finish(&mut summary)?;
    summary.vmis = vmis.finish(&mut summary)?;
    summary.pvcs = pvcs.finish(&mut summary)?;
    summary.pvs = pvs.finish(&mut summary)?;

    let mut list = ListWriter::create(dir, "storageclasses.json")?;
    list.push(&storage_class(&mut rng))?;
    list.finish(&mut summary)?;

    let mut list = ListWriter::create(dir, "storageprofiles.json")?;
    list.push(&storage_profile(&mut rng))?;
    list.finish(&mut summary)?;

    let mut list = ListWriter::create(dir, "nads.json")?;
    list.push(&migration_nad(migration_net(shape.workers), &mut rng))?;
    list.finish(&mut summary)?;

    let mut list = ListWriter::create(dir, "daemonsets.json")?;
    list.push(&virt_handler_daemonset(workers.len() as u64, &mut rng))?;
    list.push(&node_local_dns_daemonset(cluster.nodes.len() as u64, &mut rng))?;
    list.finish(&mut summary)?;

    let mut list = ListWriter::create(dir, "subnets.json")?;
    list.push(&subnet_default(shape.vms as u64 + workers.len() as u64 * 4, &mut rng))?;
    list.push(&subnet_join(cluster.nodes.len() as u64, &mut rng))?;
    list.finish(&mut summary)?;

    let mut list = ListWriter::create(dir, "nodehealthchecks.json")?;
    list.push(&node_health_check(workers.len() as u64, &mut rng))?;
    list.finish(&mut summary)?;

    let mut list = ListWriter::create(dir, "snrtemplates.json")?;
    list.push(&snr_template(&mut rng))?;
    list.finish(&mut summary)?;

    summary.pdbs = pdbs.finish(&mut summary)?;
    Ok(summary)
}

// ------------------------------------------------------------------ writing

/// One List file, written item by item in kubectl's layout (4-space
/// indentation, `kind: List` and an empty resourceVersion last).
struct ListWriter {
    path: PathBuf,
    out: BufWriter<File>,
    count: u64,
    bytes: u64,
    buf: Vec<u8>,
}

impl ListWriter {
    fn create(dir: &Path, name: &str) -> io::Result<Self> {
        let path = dir.join(name);
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&path)?);
        let head = b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [";
        out.write_all(head)?;
        Ok(ListWriter { path, out, count: 0, bytes: head.len() as u64, buf: Vec::with_capacity(16 << 10) })
    }

    fn push(&mut self, item: &Value) -> io::Result<()> {
        self.buf.clear();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut self.buf, formatter);
        serde::Serialize::serialize(item, &mut ser).map_err(io::Error::other)?;
        let sep: &[u8] = if self.count == 0 { b"\n        " } else { b",\n        " };
        self.out.write_all(sep)?;
        self.bytes += sep.len() as u64;
        // Items sit two levels deep: every line of one moves 8 spaces in.
        for (i, line) in self.buf.split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                self.out.write_all(b"\n        ")?;
                self.bytes += 9;
            }
            self.out.write_all(line)?;
            self.bytes += line.len() as u64;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(mut self, summary: &mut DumpSummary) -> io::Result<u64> {
        let tail: &[u8] = if self.count == 0 {
            b"],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        } else {
            b"\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        };
        self.out.write_all(tail)?;
        self.out.flush()?;
        summary.bytes += self.bytes + tail.len() as u64;
        summary.files.push(self.path);
        Ok(self.count)
    }
}

/// splitmix64: small, fast and the same on every platform, which is all a
/// deterministic generator needs (no cryptographic use).
struct Rng {
    state: u64,
    /// Every suffix handed out: generated names must be unique (the API
    /// server refuses a second object of one name), and at 100,000 VMIs
    /// five random letters collide by the birthday bound (27^5 ≈ 14 million).
    suffixes: std::collections::HashSet<String>,
}

impl Rng {
    fn new(seed: u64) -> Self {
        Rng { state: seed ^ 0x6b75_6265_762d_6861, suffixes: std::collections::HashSet::new() }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A version-4 UUID, as the API server gives every object.
    fn uid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// The 5 characters a generateName or ReplicaSet hash ends with
    /// (Kubernetes' alphabet: no vowels, no 0/1/3 that read as letters).
    /// A random suffix as Kubernetes' generateName makes them, never one
    /// handed out before (a draw that repeats one is drawn again, so a
    /// small dump's names do not change).
    fn suffix(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        loop {
            let s: String =
                (0..len).map(|_| ALPHABET[(self.next() % ALPHABET.len() as u64) as usize] as char).collect();
            if self.suffixes.insert(s.clone()) {
                return s;
            }
        }
    }

    fn resource_version(&mut self) -> String {
        (1_000_000 + self.next() % 90_000_000).to_string()
    }

    fn mac(&mut self) -> String {
        let v = self.next();
        format!("00:00:00:{:02x}:{:02x}:{:02x}", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(len);
        s
    }
}

/// An RFC 3339 time `secs` after the cluster was installed.
fn time(secs: u64) -> String {
    // 2026-10-05T08:00:00Z plus at most 25 days: stays inside October.
    let secs = secs % (25 * 86_400) + 8 * 3600;
    format!("2026-10-{:02}T{:02}:{:02}:{:02}Z", 5 + secs / 86_400, (secs / 3600) % 24, (secs / 60) % 60, secs % 60)
}

// ------------------------------------------------------------------ the cluster's nodes

const REGION: &str = "fra";
const KUBEVIRT_VERSION: &str = "v1.5.2";
const KUBELET_VERSION: &str = "v1.31.4";
const VM_NAMESPACE: &str = "prod";
const STORAGE_CLASS: &str = "ceph-rbd-vm";
const RBD_PROVISIONER: &str = "rook-ceph.rbd.csi.ceph.com";
const MIGRATION_NAD: &str = "migration-network";
const MIGRATION_MTU: u64 = 9000;

/// The CPU models KubeVirt's node labeller reports on a Cascade Lake host
/// (usable models, as `cpu-model.node.kubevirt.io/<model>` and, for the
/// host model's migration targets, `cpu-model-migration.node.kubevirt.io/`).
const CPU_MODELS: &[&str] = &[
    "Broadwell-noTSX-IBRS",
    "Cascadelake-Server-noTSX",
    "Haswell-noTSX-IBRS",
    "IvyBridge-IBRS",
    "Nehalem-IBRS",
    "Penryn",
    "SandyBridge-IBRS",
    "Skylake-Client-noTSX-IBRS",
    "Skylake-Server-noTSX-IBRS",
    "Westmere-IBRS",
];
const HOST_MODEL: &str = "Cascadelake-Server-noTSX";
const CPU_FEATURES: &[&str] =
    &["aes", "avx2", "avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl", "avx512vnni", "invtsc", "pku", "vmx"];

struct NodeSpec {
    name: String,
    zone: String,
    ip: String,
    control_plane: bool,
    index: u32,
}

struct Cluster {
    nodes: Vec<NodeSpec>,
}

/// `a`, `b`, ... `z`, `aa`, `ab`, ...: the letter of zone `i`.
fn zone_letters(mut i: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn ipv4(base: u32, offset: u32) -> String {
    let v = base + offset;
    format!("{}.{}.{}.{}", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
}

/// 10.10.0.0: the node network of examples/ha-reference.yaml.
const NODE_NET: u32 = 10 << 24 | 10 << 16;
/// 10.244.0.0: the pod network (10.244.0.0/16 while it holds the pods,
/// wider beyond; node podCIDRs count up from it).
const POD_NET: u32 = 10 << 24 | 244 << 16;
/// 100.64.0.0/16: Kube-OVN's join network (a node's port on it).
const JOIN_NET: u32 = 100 << 24 | 64 << 16;
/// The migration network for `workers` workers: 192.168.50.0/24 (as in
/// examples/ha-reference.yaml) while it holds them, else a 172.16.0.0
/// network wide enough (aligned up to /12).
fn migration_net(workers: u32) -> (u32, u32) {
    if workers + 21 < 254 {
        return (192 << 24 | 168 << 16 | 50 << 8, 24);
    }
    let mut prefix = 23;
    while prefix > 12 && (1u64 << (32 - prefix)) < u64::from(workers) + 32 {
        prefix -= 1;
    }
    (172 << 24 | 16 << 16, prefix)
}

impl Cluster {
    fn new(shape: &DumpShape) -> Self {
        let mut nodes = Vec::with_capacity(shape.workers as usize + 3);
        for i in 0..3u32 {
            nodes.push(NodeSpec {
                name: format!("cp-{}", i + 1),
                zone: format!("{REGION}-{}", zone_letters(i % shape.zones)),
                ip: ipv4(NODE_NET, 11 + i),
                control_plane: true,
                index: i,
            });
        }
        let mut per_zone = vec![0u32; shape.zones as usize];
        for i in 0..shape.workers {
            let z = i % shape.zones;
            per_zone[z as usize] += 1;
            nodes.push(NodeSpec {
                name: format!("w-{}{}", zone_letters(z), per_zone[z as usize]),
                zone: format!("{REGION}-{}", zone_letters(z)),
                ip: ipv4(NODE_NET, 21 + i),
                control_plane: false,
                index: 3 + i,
            });
        }
        // Workers zone by zone (w-a1, w-a2, w-b1 ...), as people list them.
        nodes[3..].sort_by_key(|n| n.index_in_zone_order(shape.zones));
        Cluster { nodes }
    }

    fn node(&self, i: usize) -> &NodeSpec {
        &self.nodes[i % self.nodes.len()]
    }

    fn workers(&self) -> Vec<&NodeSpec> {
        self.nodes.iter().filter(|n| !n.control_plane).collect()
    }

    /// Every pod the audit reads: etcd on each control plane, virt-handler
    /// on each worker, virt-api and virt-controller (2 each, in different
    /// zones), CoreDNS (2), OVN central (one per control plane) and an
    /// application behind a PodDisruptionBudget that allows a disruption.
    fn write_pods(&self, rng: &mut Rng, pods: &mut ListWriter) -> io::Result<()> {
        let cps: Vec<&NodeSpec> = self.nodes.iter().filter(|n| n.control_plane).collect();
        let workers = self.workers();
        for cp in &cps {
            pods.push(&etcd_pod(cp, &cps, rng))?;
        }
        let handler_hash = rng.suffix(10).to_lowercase();
        for w in &workers {
            pods.push(&virt_handler_pod(w, &handler_hash, migration_net(workers.len() as u32), rng))?;
        }
        // Two replicas on workers of different zones (the first worker of
        // zone a and of the next zone); one zone only has them together.
        let spread = |k: usize| -> &NodeSpec {
            let zones: Vec<&str> = {
                let mut z: Vec<&str> = workers.iter().map(|w| w.zone.as_str()).collect();
                z.dedup();
                z
            };
            let zone = zones[k % zones.len()];
            let in_zone: Vec<&&NodeSpec> = workers.iter().filter(|w| w.zone == zone).collect();
            in_zone[(k / zones.len()) % in_zone.len()]
        };
        let api_hash = rng.suffix(10);
        pods.push(&deployment_pod("kubevirt", "virt-api", &api_hash, spread(0), rng))?;
        pods.push(&deployment_pod("kubevirt", "virt-api", &api_hash, spread(1), rng))?;
        let ctl_hash = rng.suffix(10);
        pods.push(&deployment_pod("kubevirt", "virt-controller", &ctl_hash, spread(2), rng))?;
        pods.push(&deployment_pod("kubevirt", "virt-controller", &ctl_hash, spread(3), rng))?;
        let dns_hash = rng.suffix(10);
        pods.push(&deployment_pod("kube-system", "coredns", &dns_hash, self.node(0), rng))?;
        pods.push(&deployment_pod("kube-system", "coredns", &dns_hash, self.node(1), rng))?;
        let ovn_hash = rng.suffix(10);
        for cp in &cps {
            pods.push(&deployment_pod("kube-system", "ovn-central", &ovn_hash, cp, rng))?;
        }
        let app_hash = rng.suffix(10);
        for k in 0..3 {
            pods.push(&deployment_pod("shop", "web-frontend", &app_hash, spread(k + 1), rng))?;
        }
        Ok(())
    }
}

impl NodeSpec {
    fn index_in_zone_order(&self, zones: u32) -> (u32, u32) {
        let i = self.index - 3;
        (i % zones, i / zones)
    }
}

/// Where the nodes' /24 podCIDRs come from: 10.244.0.0/16 holds 256 of
/// them, beyond that 10.0.0.0/8 does (65,536).
fn node_pod_net(nodes: usize) -> u32 {
    if nodes <= 256 { POD_NET } else { 10 << 24 }
}

fn node_object(n: &NodeSpec, pod_net: u32, rng: &mut Rng) -> Value {
    let created = time(u64::from(n.index) * 600);
    let mut labels = serde_json::Map::new();
    for (k, v) in [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", n.name.as_str()),
        ("kubernetes.io/os", "linux"),
        ("topology.kubernetes.io/region", REGION),
        ("topology.kubernetes.io/zone", n.zone.as_str()),
    ] {
        labels.insert(k.into(), v.into());
    }
    let mut annotations = serde_json::Map::new();
    annotations
        .insert("kubeadm.alpha.kubernetes.io/cri-socket".into(), "unix:///var/run/containerd/containerd.sock".into());
    annotations.insert("node.alpha.kubernetes.io/ttl".into(), "0".into());
    annotations.insert("volumes.kubernetes.io/controller-managed-attach-detach".into(), "true".into());
    // Kube-OVN's join-network port for the node.
    annotations.insert("ovn.kubernetes.io/allocated".into(), "true".into());
    annotations.insert("ovn.kubernetes.io/cidr".into(), "100.64.0.0/16".into());
    annotations.insert("ovn.kubernetes.io/gateway".into(), "100.64.0.1".into());
    annotations.insert("ovn.kubernetes.io/ip_address".into(), ipv4(JOIN_NET, 2 + n.index).into());
    annotations.insert("ovn.kubernetes.io/logical_switch".into(), "join".into());
    annotations.insert("ovn.kubernetes.io/mac_address".into(), rng.mac().into());
    annotations.insert("ovn.kubernetes.io/port_name".into(), format!("node-{}", n.name).into());
    let taints;
    let (cpu, memory_ki, storage_ki);
    if n.control_plane {
        labels.insert("node-role.kubernetes.io/control-plane".into(), "".into());
        labels.insert("node.kubernetes.io/exclude-from-external-load-balancers".into(), "".into());
        labels.insert("kube-ovn/role".into(), "master".into());
        taints = json!([{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]);
        (cpu, memory_ki, storage_ki) = (16u64, 32_826_412u64, 937_291_776u64);
    } else {
        labels.insert("node-role.kubernetes.io/worker".into(), "".into());
        // KubeVirt's node labeller (pkg/virt-handler/node-labeller), v1.5.2.
        labels.insert("kubevirt.io/schedulable".into(), "true".into());
        labels.insert("kubevirt.io/ksm-enabled".into(), "false".into());
        labels.insert("cpu-vendor.node.kubevirt.io/Intel".into(), "true".into());
        labels.insert(format!("host-model-cpu.node.kubevirt.io/{HOST_MODEL}"), "true".into());
        labels.insert("host-model-required-features.node.kubevirt.io/invtsc".into(), "true".into());
        labels.insert("cpu-timer.node.kubevirt.io/tsc-frequency".into(), "2394374000".into());
        labels.insert("cpu-timer.node.kubevirt.io/tsc-scalable".into(), "true".into());
        labels.insert("machine-type.node.kubevirt.io/pc-q35-rhel9.4.0".into(), "true".into());
        labels.insert("kubevirt.io/vm-arch-amd64".into(), "true".into());
        for model in CPU_MODELS {
            labels.insert(format!("cpu-model.node.kubevirt.io/{model}"), "true".into());
            labels.insert(format!("cpu-model-migration.node.kubevirt.io/{model}"), "true".into());
        }
        for feature in CPU_FEATURES {
            labels.insert(format!("cpu-feature.node.kubevirt.io/{feature}"), "true".into());
        }
        annotations.insert("kubevirt.io/heartbeat".into(), time(20 * 86_400 + u64::from(n.index)).into());
        annotations.insert(
            "node-labeller-cpu-model-migration.node.kubevirt.io/Cascadelake-Server-noTSX".into(),
            "true".into(),
        );
        taints = Value::Null;
        (cpu, memory_ki, storage_ki) = (64, 527_952_624, 937_291_776);
    }
    let mut capacity = json!({
        "cpu": cpu.to_string(),
        "ephemeral-storage": format!("{storage_ki}Ki"),
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": format!("{memory_ki}Ki"),
        "pods": "110",
    });
    // kubelet's default hard eviction (memory.available<100Mi) and
    // nodefs.available<10% come off allocatable.
    let mut allocatable = json!({
        "cpu": cpu.to_string(),
        "ephemeral-storage": (storage_ki * 1024 / 10 * 9).to_string(),
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": format!("{}Ki", memory_ki - 102_400),
        "pods": "110",
    });
    if !n.control_plane {
        // virt-handler's device plugins: 1k of each (KubeVirt's default
        // permittedHostDevices-free plugins).
        for res in ["devices.kubevirt.io/kvm", "devices.kubevirt.io/tun", "devices.kubevirt.io/vhost-net"] {
            capacity[res] = "1k".into();
            allocatable[res] = "1k".into();
        }
    }
    let heartbeat = time(20 * 86_400 + u64::from(n.index) * 7);
    let transition = time(u64::from(n.index) * 600 + 120);
    let condition = |kind: &str, status: &str, reason: &str, message: &str| {
        json!({
            "lastHeartbeatTime": heartbeat,
            "lastTransitionTime": transition,
            "message": message,
            "reason": reason,
            "status": status,
            "type": kind,
        })
    };
    let octet = n.index + 11;
    let mut spec = json!({
        "podCIDR": format!("{}/24", ipv4(pod_net, n.index << 8)),
        "podCIDRs": [format!("{}/24", ipv4(pod_net, n.index << 8))],
    });
    if !taints.is_null() {
        spec["taints"] = taints;
    }
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": annotations,
            "creationTimestamp": created,
            "labels": labels,
            "name": n.name,
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"address": n.ip, "type": "InternalIP"},
                {"address": n.name, "type": "Hostname"},
            ],
            "allocatable": allocatable,
            "capacity": capacity,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": rng.uid(),
                "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "5.15.0-126-generic",
                "kubeProxyVersion": "",
                "kubeletVersion": KUBELET_VERSION,
                "machineID": rng.hex(32),
                "operatingSystem": "linux",
                "osImage": "Ubuntu 22.04.5 LTS",
                "systemUUID": format!("4c4c4544-00{:02x}-1010-8030-b2c04f{:06x}", octet % 256, octet),
            },
        },
    })
}

// ------------------------------------------------------------------ pods

fn pod_conditions(start: &str) -> Value {
    json!([
        {"lastProbeTime": null, "lastTransitionTime": start, "status": "True", "type": "PodReadyToStartContainers"},
        {"lastProbeTime": null, "lastTransitionTime": start, "status": "True", "type": "Initialized"},
        {"lastProbeTime": null, "lastTransitionTime": start, "status": "True", "type": "Ready"},
        {"lastProbeTime": null, "lastTransitionTime": start, "status": "True", "type": "ContainersReady"},
        {"lastProbeTime": null, "lastTransitionTime": start, "status": "True", "type": "PodScheduled"},
    ])
}

fn container_status(name: &str, image: &str, start: &str, rng: &mut Rng) -> Value {
    json!({
        "containerID": format!("containerd://{}", rng.hex(64)),
        "image": image,
        "imageID": format!("{}@sha256:{}", image.split(':').next().unwrap_or(image), rng.hex(64)),
        "lastState": {},
        "name": name,
        "ready": true,
        "restartCount": 0,
        "started": true,
        "state": {"running": {"startedAt": start}},
    })
}

fn etcd_pod(cp: &NodeSpec, cps: &[&NodeSpec], rng: &mut Rng) -> Value {
    let start = time(u64::from(cp.index) * 600 + 30);
    let image = "registry.k8s.io/etcd:3.5.15-0";
    let cluster: Vec<String> = cps.iter().map(|c| format!("{}=https://{}:2380", c.name, c.ip)).collect();
    let hash = rng.hex(32);
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": {
                "kubeadm.kubernetes.io/etcd.advertise-client-urls": format!("https://{}:2379", cp.ip),
                "kubernetes.io/config.hash": hash,
                "kubernetes.io/config.mirror": hash,
                "kubernetes.io/config.seen": start,
                "kubernetes.io/config.source": "file",
            },
            "creationTimestamp": start,
            "labels": {"component": "etcd", "tier": "control-plane"},
            "name": format!("etcd-{}", cp.name),
            "namespace": "kube-system",
            "ownerReferences": [{"apiVersion": "v1", "controller": true, "kind": "Node", "name": cp.name, "uid": rng.uid()}],
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {
            "containers": [{
                "command": [
                    "etcd",
                    format!("--advertise-client-urls=https://{}:2379", cp.ip),
                    "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
                    "--client-cert-auth=true",
                    "--data-dir=/var/lib/etcd",
                    "--experimental-initial-corrupt-check=true",
                    "--experimental-watch-progress-notify-interval=5s",
                    format!("--initial-advertise-peer-urls=https://{}:2380", cp.ip),
                    format!("--initial-cluster={}", cluster.join(",")),
                    "--key-file=/etc/kubernetes/pki/etcd/server.key",
                    format!("--listen-client-urls=https://127.0.0.1:2379,https://{}:2379", cp.ip),
                    "--listen-metrics-urls=http://127.0.0.1:2381",
                    format!("--listen-peer-urls=https://{}:2380", cp.ip),
                    format!("--name={}", cp.name),
                    "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
                    "--peer-client-cert-auth=true",
                    "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
                    "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
                    "--snapshot-count=10000",
                    "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
                ],
                "image": image,
                "imagePullPolicy": "IfNotPresent",
                "livenessProbe": {
                    "failureThreshold": 8,
                    "httpGet": {"host": "127.0.0.1", "path": "/livez", "port": 2381, "scheme": "HTTP"},
                    "initialDelaySeconds": 10, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 15,
                },
                "name": "etcd",
                "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "volumeMounts": [
                    {"mountPath": "/var/lib/etcd", "name": "etcd-data"},
                    {"mountPath": "/etc/kubernetes/pki/etcd", "name": "etcd-certs"},
                ],
            }],
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": true,
            "hostNetwork": true,
            "nodeName": cp.name,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 2000001000,
            "priorityClassName": "system-node-critical",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "terminationGracePeriodSeconds": 30,
            "tolerations": [{"effect": "NoExecute", "operator": "Exists"}],
            "volumes": [
                {"hostPath": {"path": "/etc/kubernetes/pki/etcd", "type": "DirectoryOrCreate"}, "name": "etcd-certs"},
                {"hostPath": {"path": "/var/lib/etcd", "type": "DirectoryOrCreate"}, "name": "etcd-data"},
            ],
        },
        "status": {
            "conditions": pod_conditions(&start),
            "containerStatuses": [container_status("etcd", image, &start, rng)],
            "hostIP": cp.ip,
            "hostIPs": [{"ip": cp.ip}],
            "phase": "Running",
            "podIP": cp.ip,
            "podIPs": [{"ip": cp.ip}],
            "qosClass": "Burstable",
            "startTime": start,
        },
    })
}

fn virt_handler_pod(w: &NodeSpec, revision: &str, migration_net: (u32, u32), rng: &mut Rng) -> Value {
    let start = time(86_400 + u64::from(w.index) * 60);
    let image = format!("quay.io/kubevirt/virt-handler:{KUBEVIRT_VERSION}");
    let pod_ip = ipv4(10 << 24 | 244 << 16, u32::from(w.index as u16) << 8 | 10);
    let migration_ip = ipv4(migration_net.0, 21 + w.index - 3);
    let network_status = serde_json::to_string_pretty(&json!([
        {"name": "kube-ovn", "interface": "eth0", "ips": [pod_ip], "mac": rng.mac(), "default": true, "dns": {}},
        {"name": format!("kubevirt/{MIGRATION_NAD}"), "interface": "migration0", "ips": [migration_ip],
         "mac": rng.mac(), "mtu": MIGRATION_MTU, "dns": {}},
    ]))
    .unwrap_or_default();
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": {
                "k8s.v1.cni.cncf.io/network-status": network_status,
                "k8s.v1.cni.cncf.io/networks": format!("[{{\"interface\":\"migration0\",\"name\":\"{MIGRATION_NAD}\",\"namespace\":\"kubevirt\"}}]"),
                "kubevirt.io/install-strategy-identifier": rng.hex(40),
                "kubevirt.io/install-strategy-registry": "quay.io/kubevirt",
                "kubevirt.io/install-strategy-version": KUBEVIRT_VERSION,
                "ovn.kubernetes.io/allocated": "true",
                "ovn.kubernetes.io/cidr": "10.244.0.0/16",
                "ovn.kubernetes.io/gateway": "10.244.0.1",
                "ovn.kubernetes.io/ip_address": pod_ip,
                "ovn.kubernetes.io/logical_router": "ovn-cluster",
                "ovn.kubernetes.io/logical_switch": "ovn-default",
                "ovn.kubernetes.io/mac_address": rng.mac(),
                "ovn.kubernetes.io/pod_nic_type": "veth-pair",
                "ovn.kubernetes.io/routed": "true",
            },
            "creationTimestamp": start,
            "generateName": "virt-handler-",
            "labels": {
                "app.kubernetes.io/component": "kubevirt",
                "app.kubernetes.io/managed-by": "virt-operator",
                "app.kubernetes.io/version": KUBEVIRT_VERSION,
                "controller-revision-hash": revision,
                "kubevirt.io": "virt-handler",
                "pod-template-generation": "1",
                "prometheus.kubevirt.io": "true",
            },
            "name": format!("virt-handler-{}", rng.suffix(5)),
            "namespace": "kubevirt",
            "ownerReferences": [{
                "apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
                "kind": "DaemonSet", "name": "virt-handler", "uid": rng.uid(),
            }],
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [w.name]}]}
            ]}}},
            "containers": [{
                "args": ["--port", "8443", "--hostname-override", "$(NODE_NAME)", "--pod-ip-address", "$(MY_POD_IP)",
                         "--max-metric-requests", "3", "--console-server-port", "8186", "--graceful-shutdown-seconds", "315",
                         "-v", "2"],
                "command": ["virt-handler"],
                "image": image,
                "imagePullPolicy": "IfNotPresent",
                "name": "virt-handler",
                "ports": [{"containerPort": 8443, "name": "metrics", "protocol": "TCP"}],
                "resources": {"requests": {"cpu": "10m", "memory": "357Mi"}},
                "securityContext": {"privileged": true, "seLinuxOptions": {"level": "s0"}},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }],
            "dnsPolicy": "ClusterFirst",
            "hostPID": true,
            "nodeName": w.name,
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "priority": 1000000000,
            "priorityClassName": "kubevirt-cluster-critical",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "serviceAccount": "kubevirt-handler",
            "serviceAccountName": "kubevirt-handler",
            "terminationGracePeriodSeconds": 315,
            "tolerations": [
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists"},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists"},
            ],
        },
        "status": {
            "conditions": pod_conditions(&start),
            "containerStatuses": [container_status("virt-handler", &image, &start, rng)],
            "hostIP": w.ip,
            "hostIPs": [{"ip": w.ip}],
            "phase": "Running",
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "qosClass": "Burstable",
            "startTime": start,
        },
    })
}

/// A Deployment's pod: virt-api, virt-controller, coredns, ovn-central or
/// the application, with the labels the audit selects them by.
fn deployment_pod(namespace: &str, app: &str, hash: &str, node: &NodeSpec, rng: &mut Rng) -> Value {
    let start = time(86_400 + 3_600 + u64::from(node.index) * 60);
    let (labels, image, host_network, priority_class) = match app {
        "virt-api" | "virt-controller" => (
            json!({
                "app.kubernetes.io/component": "kubevirt",
                "app.kubernetes.io/managed-by": "virt-operator",
                "app.kubernetes.io/version": KUBEVIRT_VERSION,
                "kubevirt.io": app,
                "pod-template-hash": hash,
                "prometheus.kubevirt.io": "true",
            }),
            format!("quay.io/kubevirt/{app}:{KUBEVIRT_VERSION}"),
            false,
            "kubevirt-cluster-critical",
        ),
        "coredns" => (
            json!({"k8s-app": "kube-dns", "pod-template-hash": hash}),
            "registry.k8s.io/coredns/coredns:v1.11.3".to_string(),
            false,
            "system-cluster-critical",
        ),
        "ovn-central" => (
            json!({"app": "ovn-central", "component": "network", "ovn-nb-leader": "false", "ovn-northd-leader": "false",
                   "ovn-sb-leader": "false", "pod-template-hash": hash, "type": "infra"}),
            "docker.io/kubeovn/kube-ovn:v1.13.2".to_string(),
            true,
            "system-cluster-critical",
        ),
        _ => (json!({"app": app, "pod-template-hash": hash}), "docker.io/library/nginx:1.27.3".to_string(), false, ""),
    };
    let pod_ip = if host_network {
        node.ip.clone()
    } else {
        ipv4(10 << 24 | 244 << 16, u32::from(node.index as u16) << 8 | (20 + (rng.next() % 200) as u32))
    };
    let mut spec = json!({
        "containers": [{
            "image": image,
            "imagePullPolicy": "IfNotPresent",
            "name": app,
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
        }],
        "dnsPolicy": if host_network { "ClusterFirstWithHostNet" } else { "ClusterFirst" },
        "enableServiceLinks": true,
        "nodeName": node.name,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "serviceAccountName": if namespace == "kubevirt" { format!("kubevirt-{}", app.trim_start_matches("virt-")) } else { "default".into() },
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
        ],
    });
    if host_network {
        spec["hostNetwork"] = true.into();
        spec["nodeSelector"] = json!({"kube-ovn/role": "master", "kubernetes.io/os": "linux"});
    }
    if !priority_class.is_empty() {
        spec["priorityClassName"] = priority_class.into();
    }
    if node.control_plane
        && let Some(t) = spec["tolerations"].as_array_mut()
    {
        t.push(json!({"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}));
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "creationTimestamp": start,
            "generateName": format!("{app}-{hash}-"),
            "labels": labels,
            "name": format!("{app}-{hash}-{}", rng.suffix(5)),
            "namespace": namespace,
            "ownerReferences": [{
                "apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
                "kind": "ReplicaSet", "name": format!("{app}-{hash}"), "uid": rng.uid(),
            }],
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": spec,
        "status": {
            "conditions": pod_conditions(&start),
            "containerStatuses": [container_status(app, &image, &start, rng)],
            "hostIP": node.ip,
            "hostIPs": [{"ip": node.ip}],
            "phase": "Running",
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "qosClass": "Burstable",
            "startTime": start,
        },
    })
}

// ------------------------------------------------------------------ cluster-wide objects

fn kubeadm_config(rng: &mut Rng) -> Value {
    let config = "apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta4\ncaCertificateValidityPeriod: 87600h0m0s\n\
certificateValidityPeriod: 8760h0m0s\ncertificatesDir: /etc/kubernetes/pki\nclusterName: kubernetes\n\
controlPlaneEndpoint: 10.10.0.5:6443\ncontrollerManager: {}\ndns: {}\nencryptionAlgorithm: RSA-2048\n\
etcd:\n  local:\n    dataDir: /var/lib/etcd\nimageRepository: registry.k8s.io\nkind: ClusterConfiguration\n\
kubernetesVersion: v1.31.4\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/12\n\
proxy: {}\nscheduler: {}\n";
    json!({
        "apiVersion": "v1",
        "data": {"ClusterConfiguration": config},
        "kind": "ConfigMap",
        "metadata": {
            "creationTimestamp": time(40),
            "name": "kubeadm-config",
            "namespace": "kube-system",
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
    })
}

fn kubevirt_cr(rng: &mut Rng) -> Value {
    json!({
        "apiVersion": "kubevirt.io/v1",
        "kind": "KubeVirt",
        "metadata": {
            "annotations": {"kubevirt.io/latest-observed-api-version": "v1", "kubevirt.io/storage-observed-api-version": "v1"},
            "creationTimestamp": time(86_000),
            "finalizers": ["foregroundDeleteKubeVirt"],
            "generation": 3,
            "name": "kubevirt",
            "namespace": "kubevirt",
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {
            "certificateRotateStrategy": {},
            "configuration": {
                "developerConfiguration": {"featureGates": ["LiveMigration", "Snapshot", "HotplugVolumes"]},
                "evictionStrategy": "LiveMigrate",
                "migrations": {
                    "allowAutoConverge": false,
                    "allowPostCopy": false,
                    "completionTimeoutPerGiB": 150,
                    "network": MIGRATION_NAD,
                    "parallelMigrationsPerCluster": 5,
                    "parallelOutboundMigrationsPerNode": 2,
                    "progressTimeout": 150,
                },
            },
            "customizeComponents": {},
            "imagePullPolicy": "IfNotPresent",
            "infra": {"replicas": 2},
            "workloadUpdateStrategy": {
                "batchEvictionInterval": "1m0s",
                "batchEvictionSize": 10,
                "workloadUpdateMethods": ["LiveMigrate"],
            },
        },
        "status": {
            "conditions": [
                {"lastProbeTime": time(90_000), "lastTransitionTime": time(90_000), "message": "All components are ready.", "reason": "AllComponentsReady", "status": "True", "type": "Available"},
                {"lastProbeTime": time(90_000), "lastTransitionTime": time(90_000), "message": "All components are ready.", "reason": "AllComponentsReady", "status": "False", "type": "Progressing"},
                {"lastProbeTime": time(90_000), "lastTransitionTime": time(90_000), "message": "All components are ready.", "reason": "AllComponentsReady", "status": "False", "type": "Degraded"},
                {"lastProbeTime": null, "lastTransitionTime": null, "message": "All resources were created.", "reason": "AllResourcesCreated", "status": "True", "type": "Created"},
            ],
            "defaultArchitecture": "amd64",
            "observedDeploymentConfig": "{\"id\":\"d7a3c2b0e5f4\",\"namespace\":\"kubevirt\",\"registry\":\"quay.io/kubevirt\",\"kubeVirtVersion\":\"v1.5.2\"}",
            "observedDeploymentID": "d7a3c2b0e5f4",
            "observedGeneration": 3,
            "observedKubeVirtRegistry": "quay.io/kubevirt",
            "observedKubeVirtVersion": KUBEVIRT_VERSION,
            "operatorVersion": KUBEVIRT_VERSION,
            "outdatedVirtualMachineInstanceWorkloads": 0,
            "phase": "Deployed",
            "targetDeploymentConfig": "{\"id\":\"d7a3c2b0e5f4\",\"namespace\":\"kubevirt\",\"registry\":\"quay.io/kubevirt\",\"kubeVirtVersion\":\"v1.5.2\"}",
            "targetDeploymentID": "d7a3c2b0e5f4",
            "targetKubeVirtRegistry": "quay.io/kubevirt",
            "targetKubeVirtVersion": KUBEVIRT_VERSION,
        },
    })
}

fn storage_class(rng: &mut Rng) -> Value {
    json!({
        "allowVolumeExpansion": true,
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "annotations": {
                "storageclass.kubernetes.io/is-default-class": "true",
                "storageclass.kubevirt.io/is-default-virt-class": "true",
            },
            "creationTimestamp": time(80_000),
            "name": STORAGE_CLASS,
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "parameters": {
            "clusterID": "rook-ceph",
            "csi.storage.k8s.io/controller-expand-secret-name": "rook-csi-rbd-provisioner",
            "csi.storage.k8s.io/controller-expand-secret-namespace": "rook-ceph",
            "csi.storage.k8s.io/node-stage-secret-name": "rook-csi-rbd-node",
            "csi.storage.k8s.io/node-stage-secret-namespace": "rook-ceph",
            "csi.storage.k8s.io/provisioner-secret-name": "rook-csi-rbd-provisioner",
            "csi.storage.k8s.io/provisioner-secret-namespace": "rook-ceph",
            "imageFeatures": "layering",
            "imageFormat": "2",
            "pool": "replicapool",
        },
        "provisioner": RBD_PROVISIONER,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
    })
}

/// CDI's StorageProfile for the RBD class: what CDI's
/// pkg/storagecapabilities lists for `rbd.csi.ceph.com` (RWX Block first,
/// then RWO Block and RWO Filesystem).
fn storage_profile(rng: &mut Rng) -> Value {
    json!({
        "apiVersion": "cdi.kubevirt.io/v1beta1",
        "kind": "StorageProfile",
        "metadata": {
            "creationTimestamp": time(80_010),
            "generation": 1,
            "labels": {
                "app": "containerized-data-importer",
                "app.kubernetes.io/component": "storage",
                "app.kubernetes.io/managed-by": "cdi-controller",
                "cdi.kubevirt.io": "",
            },
            "name": STORAGE_CLASS,
            "ownerReferences": [{
                "apiVersion": "storage.k8s.io/v1", "blockOwnerDeletion": true, "controller": true,
                "kind": "StorageClass", "name": STORAGE_CLASS, "uid": rng.uid(),
            }],
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {},
        "status": {
            "claimPropertySets": [
                {"accessModes": ["ReadWriteMany"], "volumeMode": "Block"},
                {"accessModes": ["ReadWriteOnce"], "volumeMode": "Block"},
                {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"},
            ],
            "cloneStrategy": "csi-clone",
            "dataImportCronSourceFormat": "snapshot",
            "provisioner": RBD_PROVISIONER,
            "snapshotClass": "ceph-rbd-snapclass",
            "storageClass": STORAGE_CLASS,
        },
    })
}

fn migration_nad(net: (u32, u32), rng: &mut Rng) -> Value {
    let range = format!("{}/{}", ipv4(net.0, 0), net.1);
    let config = format!(
        "{{\n  \"cniVersion\": \"0.3.1\",\n  \"name\": \"{MIGRATION_NAD}\",\n  \"type\": \"macvlan\",\n  \"master\": \"ens2f1\",\n  \"mode\": \"bridge\",\n  \"mtu\": {MIGRATION_MTU},\n  \"ipam\": {{\n    \"type\": \"whereabouts\",\n    \"range\": \"{range}\"\n  }}\n}}"
    );
    json!({
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {
            "creationTimestamp": time(85_000),
            "generation": 1,
            "name": MIGRATION_NAD,
            "namespace": "kubevirt",
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {"config": config},
    })
}

fn daemonset_status(n: u64) -> Value {
    json!({
        "currentNumberScheduled": n,
        "desiredNumberScheduled": n,
        "numberAvailable": n,
        "numberMisscheduled": 0,
        "numberReady": n,
        "observedGeneration": 1,
        "updatedNumberScheduled": n,
    })
}

fn virt_handler_daemonset(workers: u64, rng: &mut Rng) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "annotations": {"deprecated.daemonset.template.generation": "1", "kubevirt.io/install-strategy-version": KUBEVIRT_VERSION},
            "creationTimestamp": time(86_400),
            "generation": 1,
            "labels": {"app.kubernetes.io/component": "kubevirt", "app.kubernetes.io/managed-by": "virt-operator",
                       "app.kubernetes.io/version": KUBEVIRT_VERSION, "kubevirt.io": "virt-handler"},
            "name": "virt-handler",
            "namespace": "kubevirt",
            "ownerReferences": [{"apiVersion": "kubevirt.io/v1", "blockOwnerDeletion": true, "controller": true,
                                 "kind": "KubeVirt", "name": "kubevirt", "uid": rng.uid()}],
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"kubevirt.io": "virt-handler"}},
            "template": {
                "metadata": {"labels": {"kubevirt.io": "virt-handler", "prometheus.kubevirt.io": "true"}},
                "spec": {
                    "containers": [{"command": ["virt-handler"], "image": format!("quay.io/kubevirt/virt-handler:{KUBEVIRT_VERSION}"),
                                    "name": "virt-handler", "resources": {"requests": {"cpu": "10m", "memory": "357Mi"}}}],
                    "hostPID": true,
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "priorityClassName": "kubevirt-cluster-critical",
                    "serviceAccountName": "kubevirt-handler",
                },
            },
            "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"},
        },
        "status": daemonset_status(workers),
    })
}

/// NodeLocal DNSCache as kubernetes/kubernetes
/// cluster/addons/dns/nodelocaldns/nodelocaldns.yaml deploys it, in
/// kube-proxy IPVS mode (`-localip` the link-local address alone).
fn node_local_dns_daemonset(nodes: u64, rng: &mut Rng) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "annotations": {"deprecated.daemonset.template.generation": "1"},
            "creationTimestamp": time(84_000),
            "generation": 1,
            "labels": {"addonmanager.kubernetes.io/mode": "Reconcile", "k8s-app": "node-local-dns", "kubernetes.io/cluster-service": "true"},
            "name": "node-local-dns",
            "namespace": "kube-system",
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"k8s-app": "node-local-dns"}},
            "template": {
                "metadata": {"labels": {"k8s-app": "node-local-dns"}},
                "spec": {
                    "containers": [{
                        "args": ["-localip", "169.254.20.10", "-conf", "/etc/Corefile", "-upstreamsvc", "kube-dns-upstream"],
                        "image": "registry.k8s.io/dns/k8s-dns-node-cache:1.23.1",
                        "name": "node-cache",
                        "ports": [
                            {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                            {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                            {"containerPort": 9253, "name": "metrics", "protocol": "TCP"},
                        ],
                        "resources": {"requests": {"cpu": "25m", "memory": "5Mi"}},
                        "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}},
                    }],
                    "dnsPolicy": "Default",
                    "hostNetwork": true,
                    "priorityClassName": "system-node-critical",
                    "serviceAccountName": "node-local-dns",
                    "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                    {"effect": "NoExecute", "operator": "Exists"},
                                    {"effect": "NoSchedule", "operator": "Exists"}],
                },
            },
            "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"}, "type": "RollingUpdate"},
        },
        "status": daemonset_status(nodes),
    })
}

fn subnet_conditions() -> Value {
    json!([
        {"lastTransitionTime": time(83_000), "lastUpdateTime": time(83_000), "reason": "ResourceReady", "status": "True", "type": "Validated"},
        {"lastTransitionTime": time(83_000), "lastUpdateTime": time(83_000), "reason": "ResourceReady", "status": "True", "type": "Ready"},
    ])
}

/// A Subnet's status: every field of Kube-OVN's SubnetStatus, which has
/// no `omitempty` (pkg/apis/kubeovn/v1/subnet.go), so the API returns them all.
fn subnet_status(used: u64, size: u64, available_range: &str, using_range: &str) -> Value {
    json!({
        "activateGateway": "",
        "conditions": subnet_conditions(),
        "dhcpV4OptionsUUID": "",
        "dhcpV6OptionsUUID": "",
        "mcastQuerierIP": "",
        "mcastQuerierMAC": "",
        "natOutgoingPolicyRules": null,
        "u2oInterconnectionIP": "",
        "u2oInterconnectionMAC": "",
        "u2oInterconnectionVPC": "",
        "v4availableIPrange": available_range,
        "v4availableIPs": size.saturating_sub(used),
        "v4usingIPrange": using_range,
        "v4usingIPs": used,
        "v6availableIPrange": "",
        "v6availableIPs": 0,
        "v6usingIPrange": "",
        "v6usingIPs": 0,
    })
}

/// Kube-OVN's default Subnet (pkg/apis/kubeovn/v1/subnet.go field names),
/// on the Geneve overlay: 100 bytes below the 9000 of the node NICs.
fn subnet_default(used: u64, rng: &mut Rng) -> Value {
    // The smallest prefix, from /16 down, with room for twice the pods: a
    // /16 holds 65533, so 100,000 VMs need a /14 (10.244.0.0/14 is aligned).
    let mut prefix = 16u32;
    while prefix > 12 && (1u64 << (32 - prefix)) - 3 < used * 2 {
        prefix -= 1;
    }
    let size = (1u64 << (32 - prefix)) - 3;
    let last = ipv4(POD_NET, (size + 1) as u32);
    let first_free = ipv4(POD_NET, (used + 2).min(size + 1) as u32);
    let last_used = ipv4(POD_NET, (used + 1).min(size + 1) as u32);
    json!({
        "apiVersion": "kubeovn.io/v1",
        "kind": "Subnet",
        "metadata": {
            "creationTimestamp": time(83_000),
            "finalizers": ["kubeovn.io/kube-ovn-controller"],
            "generation": 2,
            "name": "ovn-default",
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {
            "cidrBlock": format!("10.244.0.0/{prefix}"),
            "default": true,
            "enableLb": true,
            "excludeIps": ["10.244.0.1"],
            "gateway": "10.244.0.1",
            "gatewayNode": "",
            "gatewayType": "distributed",
            "mtu": MIGRATION_MTU - 100,
            "natOutgoing": true,
            "private": false,
            "protocol": "IPv4",
            "provider": "ovn",
            "vpc": "ovn-cluster",
        },
        "status": subnet_status(used, size, &format!("{first_free}-{last}"), &format!("10.244.0.2-{last_used}")),
    })
}

fn subnet_join(nodes: u64, rng: &mut Rng) -> Value {
    json!({
        "apiVersion": "kubeovn.io/v1",
        "kind": "Subnet",
        "metadata": {
            "creationTimestamp": time(83_000),
            "finalizers": ["kubeovn.io/kube-ovn-controller"],
            "generation": 1,
            "name": "join",
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {
            "cidrBlock": "100.64.0.0/16",
            "default": false,
            "excludeIps": ["100.64.0.1"],
            "gateway": "100.64.0.1",
            "gatewayNode": "",
            "gatewayType": "distributed",
            "natOutgoing": false,
            "private": false,
            "protocol": "IPv4",
            "provider": "ovn",
            "vpc": "ovn-cluster",
        },
        "status": subnet_status(
            nodes,
            65533,
            &format!("{}-100.64.255.254", ipv4(JOIN_NET, 2 + nodes as u32)),
            &format!("100.64.0.2-{}", ipv4(JOIN_NET, 1 + nodes as u32)),
        ),
    })
}

/// A medik8s NodeHealthCheck over the workers with Self Node Remediation
/// (node-healthcheck-operator api/v1alpha1/nodehealthcheck_types.go).
fn node_health_check(workers: u64, rng: &mut Rng) -> Value {
    json!({
        "apiVersion": "remediation.medik8s.io/v1alpha1",
        "kind": "NodeHealthCheck",
        "metadata": {
            "creationTimestamp": time(88_000),
            "generation": 1,
            "name": "nhc-workers",
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {
            "minHealthy": "51%",
            "remediationTemplate": {
                "apiVersion": "self-node-remediation.medik8s.io/v1alpha1",
                "kind": "SelfNodeRemediationTemplate",
                "name": "self-node-remediation-automatic-strategy-template",
                "namespace": "medik8s",
            },
            "selector": {"matchExpressions": [{"key": "node-role.kubernetes.io/worker", "operator": "Exists"}]},
            "unhealthyConditions": [
                {"duration": "300s", "status": "False", "type": "Ready"},
                {"duration": "300s", "status": "Unknown", "type": "Ready"},
            ],
        },
        "status": {
            "conditions": [{"lastTransitionTime": time(88_010), "message": "No issues found, NodeHealthCheck is enabled.",
                            "reason": "NodeHealthCheckEnabled", "status": "False", "type": "Disabled"}],
            "healthyNodes": workers,
            "observedNodes": workers,
            "phase": "Enabled",
            "reason": "NHC is enabled, no ongoing remediation",
        },
    })
}

fn snr_template(rng: &mut Rng) -> Value {
    json!({
        "apiVersion": "self-node-remediation.medik8s.io/v1alpha1",
        "kind": "SelfNodeRemediationTemplate",
        "metadata": {
            "annotations": {"remediation.medik8s.io/multiple-templates-support": "true"},
            "creationTimestamp": time(87_000),
            "generation": 1,
            "name": "self-node-remediation-automatic-strategy-template",
            "namespace": "medik8s",
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {"template": {"spec": {"remediationStrategy": "Automatic"}}},
    })
}

fn app_pdb(rng: &mut Rng) -> Value {
    json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {
            "creationTimestamp": time(90_000),
            "generation": 1,
            "name": "web-frontend",
            "namespace": "shop",
            "resourceVersion": rng.resource_version(),
            "uid": rng.uid(),
        },
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web-frontend"}}},
        "status": {
            "conditions": [{"lastTransitionTime": time(90_100), "message": "", "observedGeneration": 1,
                            "reason": "SufficientPods", "status": "True", "type": "DisruptionAllowed"}],
            "currentHealthy": 3,
            "desiredHealthy": 2,
            "disruptionsAllowed": 1,
            "expectedPods": 3,
            "observedGeneration": 1,
        },
    })
}

// ------------------------------------------------------------------ VMs

/// Sizes of the VMs, cycled through: vCPUs, memory in GiB, disk in GiB.
const VM_SIZES: &[(&str, u64, u64, u64)] = &[("web", 2, 4, 40), ("app", 4, 8, 60), ("db", 8, 32, 100)];

struct VmSpec {
    name: String,
    role: &'static str,
    vcpus: u64,
    memory_gi: u64,
    disk_gi: u64,
    node: String,
    vm_uid: String,
    vmi_uid: String,
    pvc_uid: String,
    created: u64,
}

impl VmSpec {
    fn new(i: u32, node: &NodeSpec, rng: &mut Rng) -> Self {
        let (role, vcpus, memory_gi, disk_gi) = VM_SIZES[(rng.next() % VM_SIZES.len() as u64) as usize];
        VmSpec {
            name: format!("{role}-{:05}", i + 1),
            role,
            vcpus,
            memory_gi,
            disk_gi,
            node: node.name.clone(),
            vm_uid: rng.uid(),
            vmi_uid: rng.uid(),
            pvc_uid: rng.uid(),
            created: 2 * 86_400 + u64::from(i) * 7,
        }
    }

    fn claim(&self) -> String {
        format!("{}-rootdisk", self.name)
    }

    fn pv(&self) -> String {
        format!("pvc-{}", self.pvc_uid)
    }
}

fn vm_disks() -> Value {
    json!([
        {"disk": {"bus": "virtio"}, "name": "rootdisk"},
        {"disk": {"bus": "virtio"}, "name": "cloudinitdisk"},
    ])
}

fn vm_volumes(vm: &VmSpec) -> Value {
    json!([
        {"name": "rootdisk", "persistentVolumeClaim": {"claimName": vm.claim()}},
        {"cloudInitNoCloud": {"userData": format!("#cloud-config\nhostname: {}\nssh_pwauth: false\n", vm.name)}, "name": "cloudinitdisk"},
    ])
}

fn vm_object(vm: &VmSpec) -> Value {
    let t = time(vm.created);
    json!({
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": {
            "annotations": {"kubevirt.io/latest-observed-api-version": "v1", "kubevirt.io/storage-observed-api-version": "v1"},
            "creationTimestamp": t,
            "finalizers": ["kubevirt.io/virtualMachineControllerFinalize"],
            "generation": 1,
            "labels": {"app": vm.role},
            "name": vm.name,
            "namespace": VM_NAMESPACE,
            "resourceVersion": (2_000_000 + vm.created).to_string(),
            "uid": vm.vm_uid,
        },
        "spec": {
            "runStrategy": "Always",
            "template": {
                "metadata": {"creationTimestamp": null, "labels": {"app": vm.role, "kubevirt.io/domain": vm.name}},
                "spec": {
                    "architecture": "amd64",
                    "domain": {
                        "cpu": {"cores": vm.vcpus, "sockets": 1, "threads": 1},
                        "devices": {"disks": vm_disks(), "interfaces": [{"masquerade": {}, "name": "default"}]},
                        "machine": {"type": "q35"},
                        "memory": {"guest": format!("{}Gi", vm.memory_gi)},
                        "resources": {"requests": {"memory": format!("{}Gi", vm.memory_gi)}},
                    },
                    "evictionStrategy": "LiveMigrate",
                    "networks": [{"name": "default", "pod": {}}],
                    "terminationGracePeriodSeconds": 180,
                    "volumes": vm_volumes(vm),
                },
            },
        },
        "status": {
            "conditions": [
                {"lastProbeTime": null, "lastTransitionTime": time(vm.created + 40), "status": "True", "type": "Ready"},
                {"lastProbeTime": null, "lastTransitionTime": null, "status": "True", "type": "LiveMigratable"},
                {"lastProbeTime": null, "lastTransitionTime": null, "status": "True", "type": "StorageLiveMigratable"},
            ],
            "created": true,
            "desiredGeneration": 1,
            "observedGeneration": 1,
            "printableStatus": "Running",
            "ready": true,
            "runStrategy": "Always",
            "volumeSnapshotStatuses": [
                {"enabled": true, "name": "rootdisk"},
                {"enabled": false, "name": "cloudinitdisk", "reason": "Snapshot is not supported for this volumeSource type [cloudinitdisk]"},
            ],
        },
    })
}

fn vmi_object(vm: &VmSpec, rng: &mut Rng) -> Value {
    let t = time(vm.created + 5);
    let running = time(vm.created + 40);
    let ip = format!("10.244.{}.{}", 100 + (rng.next() % 150), 2 + rng.next() % 250);
    let mut active_pods = serde_json::Map::new();
    active_pods.insert(rng.uid(), vm.node.clone().into());
    let mut vmi = json!({
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachineInstance",
        "metadata": {
            "annotations": {
                "kubevirt.io/latest-observed-api-version": "v1",
                "kubevirt.io/storage-observed-api-version": "v1",
                "kubevirt.io/vm-generation": "1",
            },
            "creationTimestamp": t,
            "finalizers": ["kubevirt.io/virtualMachineControllerFinalize", "foregroundDeleteVirtualMachine"],
            "generation": 8,
            "labels": {"app": vm.role, "kubevirt.io/domain": vm.name, "kubevirt.io/nodeName": vm.node},
            "name": vm.name,
            "namespace": VM_NAMESPACE,
            "ownerReferences": [{
                "apiVersion": "kubevirt.io/v1", "blockOwnerDeletion": true, "controller": true,
                "kind": "VirtualMachine", "name": vm.name, "uid": vm.vm_uid,
            }],
            "resourceVersion": (3_000_000 + vm.created).to_string(),
            "uid": vm.vmi_uid,
        },
        "spec": {
            "architecture": "amd64",
            "domain": {
                "cpu": {"cores": vm.vcpus, "maxSockets": 4, "model": "host-model", "sockets": 1, "threads": 1},
                "devices": {"disks": vm_disks(), "interfaces": [{"masquerade": {}, "name": "default"}]},
                "features": {"acpi": {"enabled": true}},
                "firmware": {"serial": rng.uid(), "uuid": rng.uid()},
                "machine": {"type": "pc-q35-rhel9.4.0"},
                "memory": {"guest": format!("{}Gi", vm.memory_gi), "maxGuest": format!("{}Gi", vm.memory_gi * 4)},
                "resources": {"requests": {"memory": format!("{}Gi", vm.memory_gi)}},
            },
            "evictionStrategy": "LiveMigrate",
            "networks": [{"name": "default", "pod": {}}],
            "terminationGracePeriodSeconds": 180,
            "volumes": vm_volumes(vm),
        },
        "status": {
            "activePods": active_pods,
            "conditions": [
                {"lastProbeTime": null, "lastTransitionTime": running, "status": "True", "type": "Ready"},
                {"lastProbeTime": null, "lastTransitionTime": null, "status": "True", "type": "LiveMigratable"},
                {"lastProbeTime": null, "lastTransitionTime": null, "status": "True", "type": "StorageLiveMigratable"},
                {"lastProbeTime": "2026-10-25T10:00:00Z", "lastTransitionTime": null, "status": "True", "type": "AgentConnected"},
            ],
            "currentCPUTopology": {"cores": vm.vcpus, "sockets": 1, "threads": 1},
            "guestOSInfo": {
                "id": "ubuntu", "kernelRelease": "6.8.0-48-generic", "kernelVersion": "#48-Ubuntu SMP PREEMPT_DYNAMIC",
                "machine": "x86_64", "name": "Ubuntu", "prettyName": "Ubuntu 24.04.1 LTS", "version": "24.04.1 LTS (Noble Numbat)",
                "versionId": "24.04",
            },
            "interfaces": [{
                "infoSource": "domain, guest-agent",
                "interfaceName": "enp1s0",
                "ipAddress": ip,
                "ipAddresses": [ip],
                "mac": rng.mac(),
                "name": "default",
                "podInterfaceName": "eth0",
                "queueCount": 1,
            }],
            "launcherContainerImageVersion": format!("quay.io/kubevirt/virt-launcher:{KUBEVIRT_VERSION}"),
            "machine": {"type": "pc-q35-rhel9.4.0"},
            "memory": {
                "guestAtBoot": format!("{}Gi", vm.memory_gi),
                "guestCurrent": format!("{}Gi", vm.memory_gi),
                "guestRequested": format!("{}Gi", vm.memory_gi),
            },
            // Every disk is on shared (RWX) storage: no block copy.
            "migrationMethod": "LiveMigration",
            "migrationTransport": "Unix",
            "nodeName": vm.node,
            "phase": "Running",
            "phaseTransitionTimestamps": [
                {"phase": "Pending", "phaseTransitionTimestamp": t},
                {"phase": "Scheduling", "phaseTransitionTimestamp": t},
                {"phase": "Scheduled", "phaseTransitionTimestamp": time(vm.created + 30)},
                {"phase": "Running", "phaseTransitionTimestamp": running},
            ],
            "qosClass": "Burstable",
            "runtimeUser": 107,
            "selinuxContext": "none",
            "virtualMachineRevisionName": format!("revision-start-vm-{}-1", vm.vm_uid),
            "volumeStatus": [
                {"name": "cloudinitdisk", "size": 1048576, "target": "vdb"},
                {"name": "rootdisk", "persistentVolumeClaimInfo": {
                    "accessModes": ["ReadWriteMany"],
                    "capacity": {"storage": format!("{}Gi", vm.disk_gi)},
                    "claimName": vm.claim(),
                    "filesystemOverhead": "0",
                    "requests": {"storage": format!("{}Gi", vm.disk_gi)},
                    "volumeMode": "Block",
                }, "target": "vda"},
            ],
        },
    });
    if vm.role == "app" {
        // The "app" VMs are a tenant cluster's nodes running their own
        // NodeLocal DNSCache on 169.254.20.10: dnsPolicy None with the
        // cluster DNS service as nameserver keeps them out of the DNS loop
        // NET-NODELOCAL-DNS warns of.
        vmi["spec"]["dnsPolicy"] = "None".into();
        vmi["spec"]["dnsConfig"] = json!({"nameservers": ["10.96.0.10"], "searches": ["prod.svc.cluster.local", "svc.cluster.local", "cluster.local"]});
    }
    vmi
}

fn pvc_object(vm: &VmSpec) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "annotations": {
                "pv.kubernetes.io/bind-completed": "yes",
                "pv.kubernetes.io/bound-by-controller": "yes",
                "volume.beta.kubernetes.io/storage-provisioner": RBD_PROVISIONER,
                "volume.kubernetes.io/storage-provisioner": RBD_PROVISIONER,
            },
            "creationTimestamp": time(vm.created),
            "finalizers": ["kubernetes.io/pvc-protection"],
            "labels": {"app": vm.role},
            "name": vm.claim(),
            "namespace": VM_NAMESPACE,
            "resourceVersion": (1_000_000 + vm.created).to_string(),
            "uid": vm.pvc_uid,
        },
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "resources": {"requests": {"storage": format!("{}Gi", vm.disk_gi)}},
            "storageClassName": STORAGE_CLASS,
            "volumeMode": "Block",
            "volumeName": vm.pv(),
        },
        "status": {
            "accessModes": ["ReadWriteMany"],
            "capacity": {"storage": format!("{}Gi", vm.disk_gi)},
            "phase": "Bound",
        },
    })
}

fn pv_object(vm: &VmSpec) -> Value {
    let image = format!("csi-vol-{}", vm.pvc_uid);
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "annotations": {
                "pv.kubernetes.io/provisioned-by": RBD_PROVISIONER,
                "volume.kubernetes.io/provisioner-deletion-secret-name": "rook-csi-rbd-provisioner",
                "volume.kubernetes.io/provisioner-deletion-secret-namespace": "rook-ceph",
            },
            "creationTimestamp": time(vm.created + 2),
            "finalizers": ["external-provisioner.volume.kubernetes.io/finalizer", "kubernetes.io/pv-protection"],
            "name": vm.pv(),
            "resourceVersion": (1_500_000 + vm.created).to_string(),
            "uid": format!("{}{}", &vm.vmi_uid[..24], &vm.pvc_uid[24..]),
        },
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "capacity": {"storage": format!("{}Gi", vm.disk_gi)},
            "claimRef": {
                "apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": vm.claim(), "namespace": VM_NAMESPACE,
                "resourceVersion": (1_000_000 + vm.created).to_string(), "uid": vm.pvc_uid,
            },
            "csi": {
                "controllerExpandSecretRef": {"name": "rook-csi-rbd-provisioner", "namespace": "rook-ceph"},
                "driver": RBD_PROVISIONER,
                "nodeStageSecretRef": {"name": "rook-csi-rbd-node", "namespace": "rook-ceph"},
                "volumeAttributes": {
                    "clusterID": "rook-ceph",
                    "imageFeatures": "layering",
                    "imageFormat": "2",
                    "imageName": image,
                    "journalPool": "replicapool",
                    "pool": "replicapool",
                    "storage.kubernetes.io/csiProvisionerIdentity": "1759651200000-8081-rook-ceph.rbd.csi.ceph.com",
                },
                "volumeHandle": format!("0001-0009-rook-ceph-0000000000000002-{}", vm.pvc_uid),
            },
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": STORAGE_CLASS,
            "volumeMode": "Block",
        },
        "status": {"lastPhaseTransitionTime": time(vm.created + 2), "phase": "Bound"},
    })
}

/// The PodDisruptionBudget KubeVirt (up to v1.5) made for a VMI that
/// migrates on eviction: it covers the virt-launcher pod, allows no
/// disruption, and is owned by the VMI so that a drain asks virt-controller
/// to migrate instead.
fn vmi_pdb(vm: &VmSpec, rng: &mut Rng) -> Value {
    json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {
            "creationTimestamp": time(vm.created + 6),
            "generateName": "kubevirt-disruption-budget-",
            "generation": 1,
            "name": format!("kubevirt-disruption-budget-{}", rng.suffix(5)),
            "namespace": VM_NAMESPACE,
            "ownerReferences": [{
                "apiVersion": "kubevirt.io/v1", "blockOwnerDeletion": true, "controller": true,
                "kind": "VirtualMachineInstance", "name": vm.name, "uid": vm.vmi_uid,
            }],
            "resourceVersion": (4_000_000 + vm.created).to_string(),
            "uid": rng.uid(),
        },
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"kubevirt.io/created-by": vm.vmi_uid}}},
        "status": {
            "conditions": [{"lastTransitionTime": time(vm.created + 41), "message": "", "observedGeneration": 1,
                            "reason": "InsufficientPods", "status": "False", "type": "DisruptionAllowed"}],
            "currentHealthy": 1,
            "desiredHealthy": 1,
            "disruptionsAllowed": 0,
            "expectedPods": 1,
            "observedGeneration": 1,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(dir: &Path, file: &str) -> Vec<Value> {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let list: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(list["kind"], "List", "{file}");
        assert_eq!(list["metadata"]["resourceVersion"], "", "{file}");
        list["items"].as_array().unwrap().clone()
    }

    #[test]
    fn a_small_dump_has_the_counts_asked_for_and_every_file_is_a_list() {
        let dir = std::env::temp_dir().join(format!("kubev-ha-generate-{}", std::process::id()));
        let shape = DumpShape { workers: 7, zones: 3, vms: 25, seed: 9 };
        let summary = write_dump(&shape, &dir).unwrap();
        assert_eq!(summary.files.len(), DUMP_FILES.len());
        assert_eq!(summary.nodes, 10);
        assert_eq!((summary.vms, summary.vmis, summary.pvcs, summary.pvs), (25, 25, 25, 25));
        assert_eq!(summary.pdbs, 26, "a PDB per VMI and the application's");
        for file in DUMP_FILES {
            for item in items(&dir, file) {
                assert!(item["apiVersion"].is_string() && item["kind"].is_string(), "{file}");
                assert!(item["metadata"]["name"].is_string(), "{file}");
            }
        }
        let nodes = items(&dir, "nodes.json");
        let zones: std::collections::BTreeSet<_> =
            nodes.iter().map(|n| n["metadata"]["labels"]["topology.kubernetes.io/zone"].as_str().unwrap()).collect();
        assert_eq!(zones.len(), 3);
        let handlers = items(&dir, "pods.json")
            .into_iter()
            .filter(|p| p["metadata"]["labels"]["kubevirt.io"] == "virt-handler")
            .count();
        assert_eq!(handlers, 7);
        // Every VMI runs on a worker that exists, and mounts its own PVC.
        let names: Vec<_> = nodes.iter().map(|n| n["metadata"]["name"].as_str().unwrap().to_string()).collect();
        for vmi in items(&dir, "vmis.json") {
            assert!(names.iter().any(|n| n == vmi["status"]["nodeName"].as_str().unwrap()));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
        let base = std::env::temp_dir().join(format!("kubev-ha-generate-seed-{}", std::process::id()));
        let shape = DumpShape { workers: 4, zones: 2, vms: 6, seed: 3 };
        write_dump(&shape, &base.join("a")).unwrap();
        write_dump(&shape, &base.join("b")).unwrap();
        write_dump(&DumpShape { seed: 4, ..shape }, &base.join("c")).unwrap();
        let read = |d: &str| std::fs::read(base.join(d).join("vmis.json")).unwrap();
        assert_eq!(read("a"), read("b"));
        assert_ne!(read("a"), read("c"));
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn addresses_stay_valid_and_unique_past_the_small_networks() {
        // 300 workers: more nodes than a /24 per node fits in 10.244.0.0/16,
        // more migration addresses than 192.168.50.0/24 holds.
        let dir = std::env::temp_dir().join(format!("kubev-ha-generate-wide-{}", std::process::id()));
        write_dump(&DumpShape { workers: 300, zones: 4, vms: 5, seed: 1 }, &dir).unwrap();
        let private = |ip: std::net::Ipv4Addr| ip.is_private();
        let mut cidrs = std::collections::BTreeSet::new();
        let mut ips = std::collections::BTreeSet::new();
        for node in items(&dir, "nodes.json") {
            let cidr = node["spec"]["podCIDR"].as_str().unwrap();
            let net: std::net::Ipv4Addr = cidr.strip_suffix("/24").unwrap().parse().unwrap();
            assert!(private(net), "{cidr}");
            assert!(cidrs.insert(cidr.to_string()), "{cidr} twice");
            let ip: std::net::Ipv4Addr = node["status"]["addresses"][0]["address"].as_str().unwrap().parse().unwrap();
            assert!(private(ip) && ips.insert(ip), "{ip}");
        }
        let nad = &items(&dir, "nads.json")[0];
        let config: Value = serde_json::from_str(nad["spec"]["config"].as_str().unwrap()).unwrap();
        let (base, prefix) = config["ipam"]["range"].as_str().unwrap().split_once('/').unwrap();
        let (base, prefix): (std::net::Ipv4Addr, u32) = (base.parse().unwrap(), prefix.parse().unwrap());
        let mask = u32::MAX << (32 - prefix);
        let mut migration = std::collections::BTreeSet::new();
        for pod in items(&dir, "pods.json").iter().filter(|p| p["metadata"]["labels"]["kubevirt.io"] == "virt-handler")
        {
            let status: Value = serde_json::from_str(
                pod["metadata"]["annotations"]["k8s.v1.cni.cncf.io/network-status"].as_str().unwrap(),
            )
            .unwrap();
            let ip: std::net::Ipv4Addr = status[1]["ips"][0].as_str().unwrap().parse().unwrap();
            assert_eq!(u32::from(ip) & mask, u32::from(base), "{ip} outside {base}/{prefix}");
            assert!(migration.insert(ip), "{ip} twice");
        }
        assert_eq!(migration.len(), 300);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_workers_is_refused() {
        let err = write_dump(&DumpShape { workers: 0, ..DumpShape::default() }, Path::new("/nonexistent")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn the_pod_subnet_widens_past_a_slash_16_and_never_goes_negative() {
        let mut rng = Rng::new(1);
        assert_eq!(subnet_default(100, &mut rng)["spec"]["cidrBlock"], "10.244.0.0/16");
        let big = subnet_default(120_000, &mut rng);
        assert_eq!(big["spec"]["cidrBlock"], "10.244.0.0/14");
        assert_eq!(big["status"]["v4availableIPs"], 262_141 - 120_000);
        let huge = subnet_default(10_000_000, &mut rng);
        assert_eq!(huge["status"]["v4availableIPs"], 0);
    }

    #[test]
    fn zone_letters_go_past_z() {
        assert_eq!(zone_letters(0), "a");
        assert_eq!(zone_letters(25), "z");
        assert_eq!(zone_letters(26), "aa");
        assert_eq!(zone_letters(27), "ab");
    }

    #[test]
    fn suffixes_never_repeat_even_past_the_birthday_bound() {
        // 200,000 five-letter suffixes (as many as 100,000 VMIs' budgets and
        // 5,000 nodes' pods need) from a 27^5 space: random draws would repeat.
        let mut rng = Rng::new(7);
        let drawn: std::collections::HashSet<String> = (0..200_000).map(|_| rng.suffix(5)).collect();
        assert_eq!(drawn.len(), 200_000);
    }
}
