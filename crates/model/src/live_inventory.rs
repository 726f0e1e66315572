//! The [`Inventory`] a [`LiveCluster`] implies: its nodes, storage classes,
//! VMs (one workload per VMI) and KubeVirt's settings, so that the catalog
//! rules and the planner judge a running cluster as they judge a design.
//!
//! What the cluster does not say stays `None` (unknown), never a default
//! that passes; a resource that could not be read leaves its part unknown
//! and says so in a note the report passes on.
//!
//! Two facts are kept apart from the inventory because the inventory has no
//! place for them without faking numbers: each node's **allocatable**
//! resources (what the scheduler really offers VMs) and where each VMI runs
//! now. [`LiveCluster::allocatable`] and [`LiveCluster::running_on`] give them
//! to the planner (`kubev_ha_plan::LivePlacement`).

use std::collections::{BTreeMap, BTreeSet};

use crate::inventory::{
    AccessMode, Address, ApiEndpoint, Cpu, Dns, Fencing, Ha, Inventory, KubeVirt, Kubelet, Metadata, Migration,
    MigrationNetwork, Network, Node, NodeLocalDnsCache, Overcommit, Role, RunStrategy, Storage, StorageClass,
    Virtualization, VolumeMode, Workload, WorkloadDisk,
};
use crate::live::{LiveCluster, LiveNode, LiveVmi, WhyUnreadable, node_labels};
use crate::location::Located;
use crate::quantity::{ByteSize, Count, Ratio};

/// The label KubeVirt's node-labeller puts on a node for its CPU vendor,
/// `cpu-vendor.node.kubevirt.io/<vendor>: "true"` (staging/src/kubevirt.io/api/core/v1/types.go,
/// CPUModelVendorLabel; the vendor is libvirt's, `Intel` as
/// pkg/virt-controller/services/template.go IntelVendorName spells it, KubeVirt v1.9.0).
const CPU_VENDOR_PREFIX: &str = "cpu-vendor.node.kubevirt.io/";

/// The inventory `live` implies, and notes on what it could not tell.
pub(crate) fn implied_inventory(live: &LiveCluster) -> (Inventory, Vec<String>) {
    let mut notes = Vec::new();
    let nodes = match &live.nodes {
        Ok(nodes) => nodes.as_slice(),
        Err(e) => {
            notes.push(format!("{e}: the cluster's nodes are unknown"));
            &[]
        }
    };
    let etcd_nodes = etcd_nodes(live);
    let running: BTreeSet<&str> =
        live.vmis.as_ref().map_or_else(|_| BTreeSet::new(), |v| v.iter().filter_map(|v| v.node.as_deref()).collect());
    // KubeVirt labels every node its virt-handler serves; where no node
    // carries the label at all, KubeVirt is absent (or not yet ready) and
    // the nodes a VM could be scheduled on are those that take ordinary pods.
    let kubevirt_labels = nodes.iter().any(|n| n.labels.contains_key(node_labels::KUBEVIRT_SCHEDULABLE));
    let mut inventory_nodes = Vec::with_capacity(nodes.len());
    for n in nodes {
        let control_plane = match &etcd_nodes {
            Some(etcd) => etcd.contains(n.name.as_str()),
            None => n.is_control_plane(),
        };
        let worker = if kubevirt_labels {
            n.labels.get(node_labels::KUBEVIRT_SCHEDULABLE).is_some_and(|v| v == "true")
                || running.contains(n.name.as_str())
        } else {
            !n.is_control_plane() && !n.taints.iter().any(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        };
        let mut roles = Vec::new();
        if control_plane {
            roles.push(Role::ControlPlane);
        }
        if worker {
            roles.push(Role::Worker);
        }
        inventory_nodes.push(node_of(n, roles));
    }
    let mut inventory = Inventory::of_nodes(Metadata::named(&live.source), inventory_nodes);
    inventory.kubelet = kubelet_of(nodes);
    inventory.kubevirt = kubevirt_of(live, &mut notes);
    inventory.overcommit = overcommit_of(live);
    inventory.storage = storage_of(live, &mut notes);
    inventory.workloads = workloads_of(live, &mut notes);
    inventory.ha = Some(Located::new(Ha {
        tolerate: None,
        maintenance_window: None,
        migration: migration_of(live),
        fencing: fencing_of(live),
    }));
    inventory.network = Some(Located::new(network_of(live)));
    inventory.api_endpoint = api_endpoint_of(live);
    (inventory, notes)
}

/// Takes from the declared design (`audit --inventory`) what a running
/// cluster cannot report: the profile, what it must survive
/// (`ha.tolerate`), the maintenance window, the guest clusters and the
/// waivers. Everything the cluster does report stays as read.
pub(crate) fn adopt_design(inventory: &mut Inventory, declared: &Inventory) {
    inventory.profile = declared.profile;
    if inventory.guest_clusters.is_none() {
        inventory.guest_clusters = declared.guest_clusters.clone();
    }
    inventory.waivers = declared.waivers.clone();
    if let (Some(ha), Some(design)) = (inventory.ha.as_mut(), declared.ha()) {
        ha.value.tolerate = design.tolerate.clone();
        ha.value.maintenance_window = design.maintenance_window;
    }
}

/// The nodes the etcd pods run on; `None` when that is not known: the pods
/// could not be read, or kubeadm says etcd is external.
pub(crate) fn etcd_nodes(live: &LiveCluster) -> Option<BTreeSet<&str>> {
    if matches!(&live.kubeadm, Ok(Some(k)) if k.external_etcd) {
        return None;
    }
    let pods = live.etcd_pods.as_ref().ok()?;
    Some(pods.iter().filter_map(|p| p.node.as_deref()).collect())
}

fn node_of(n: &LiveNode, roles: Vec<Role>) -> Node {
    let address = match n.internal_ip {
        Some(ip) => Address::Ip(ip),
        None => n.name.parse().unwrap_or_else(|_| Address::Name(n.name.to_ascii_lowercase())),
    };
    // status.capacity is the machine (what W-CPU and W-MEMORY judge); the
    // planner takes status.allocatable instead (LiveCluster::allocatable).
    let threads = n.capacity.cpu_millis.map(|m| Count((m / 1000) as u32));
    let cpu = Some(Cpu { cores: None, threads, virtualization: virtualization_of(n) });
    Node {
        zone: n.zone().map(str::to_string),
        cpu,
        memory: n.capacity.memory.map(ByteSize::bytes),
        labels: n.labels.clone(),
        ..Node::new(n.name.clone(), address, roles)
    }
}

/// Hardware virtualisation as the node reports it. virt-handler's device
/// plugin advertises `devices.kubevirt.io/kvm` from /dev/kvm
/// (pkg/virt-handler/node-labeller/util/util.go KVMPath, v1.9.0): none
/// allocatable means no usable KVM; some, with the node-labeller's vendor
/// label, tells VT-x from AMD-V. Without the resource it is unknown.
fn virtualization_of(n: &LiveNode) -> Option<Virtualization> {
    match n.allocatable.kvm_devices.or(n.capacity.kvm_devices)? {
        0 => Some(Virtualization::None),
        _ => {
            let vendor = |v: &str| n.labels.get(&format!("{CPU_VENDOR_PREFIX}{v}")).is_some_and(|x| x == "true");
            Some(if vendor("Intel") {
                Virtualization::VtX
            } else if vendor("AMD") {
                Virtualization::AmdV
            } else {
                Virtualization::Unknown
            })
        }
    }
}

/// The kubelet's maxPods, as the nodes' allocatable pods state it: the
/// smallest over the nodes (the inventory has one value for all; each
/// node's own goes to the planner through [`LiveCluster::allocatable`]).
fn kubelet_of(nodes: &[LiveNode]) -> Option<Kubelet> {
    let max_pods = nodes.iter().filter_map(|n| n.allocatable.pods).min()?;
    Some(Kubelet { max_pods: Some(Count(max_pods.min(u64::from(u32::MAX)) as u32)), ..Kubelet::default() })
}

fn kubevirt_of(live: &LiveCluster, notes: &mut Vec<String>) -> Option<KubeVirt> {
    let kv = match &live.kubevirt {
        Ok(Some(kv)) => kv,
        Ok(None) => {
            notes.push("no KubeVirt CR: KubeVirt is not deployed, so no VM can run".into());
            return None;
        }
        Err(e) => {
            notes.push(format!("{e}: KubeVirt's settings are unknown"));
            return None;
        }
    };
    let version = kv.version.as_deref().and_then(|v| match v.parse() {
        Ok(version) => Some(version),
        Err(e) => {
            notes.push(format!("KubeVirt {v}: {e}; the plan models the newest modelled release"));
            None
        }
    });
    Some(KubeVirt {
        use_emulation: kv.use_emulation,
        version,
        // The CR's own; a VMI's spec.evictionStrategy overrides it per
        // workload, as LiveCluster::effective_eviction does.
        eviction_strategy: kv.eviction_strategy,
        additional_guest_memory_overhead_ratio: None,
    })
}

/// KubeVirt's overcommit as the CR sets it. Unset fields stay `None`, for
/// which the inventory's accessors apply KubeVirt's own defaults, the same
/// the cluster applies: cpuAllocationRatio 10 and memoryOvercommit 100 %
/// (pkg/virt-config/virt-config.go DefaultCPUAllocationRatio,
/// DefaultMemoryOvercommit, KubeVirt v1.9.0). memoryOvercommit is the guest
/// memory per request in percent (150: a request of 100/150 of the guest),
/// the inventory's ratio of guest memory per byte of request.
fn overcommit_of(live: &LiveCluster) -> Option<Overcommit> {
    let Ok(Some(kv)) = &live.kubevirt else { return None };
    let cpu = kv.cpu_allocation_ratio.filter(|&r| r > 0).map(|r| Ratio(f64::from(r)));
    let memory = kv.memory_overcommit_percent.filter(|&p| p > 0).map(|p| Ratio(f64::from(p) / 100.0));
    (cpu.is_some() || memory.is_some()).then_some(Overcommit { cpu, memory })
}

/// The storage classes with what CDI's StorageProfiles say they can do.
/// CDI picks the class a VM disk without one lands on: the
/// `storageclass.kubevirt.io/is-default-virt-class` one, else the cluster
/// default (containerized-data-importer pkg/util/storage, GetStorageClassByNameWithVirtFallback).
fn storage_of(live: &LiveCluster, notes: &mut Vec<String>) -> Option<Located<Storage>> {
    let classes = match &live.storage_classes {
        Ok(c) => c,
        Err(e) => {
            notes.push(format!("{e}: the storage classes are unknown"));
            return None;
        }
    };
    let profiles: BTreeMap<&str, _> = match &live.storage_profiles {
        Ok(p) => p.iter().map(|p| (p.name.as_str(), p)).collect(),
        Err(e) => {
            if !matches!(e.why, WhyUnreadable::NotInstalled { .. }) {
                notes.push(format!("{e}: the storage classes' access and volume modes are unknown"));
            }
            BTreeMap::new()
        }
    };
    let any_virt_default = classes.iter().any(|c| c.default_virt);
    let classes = classes
        .iter()
        .map(|c| {
            let sets = profiles.get(c.name.as_str()).map(|p| p.claim_property_sets.as_slice()).unwrap_or_default();
            let (access_modes, volume_modes) = if sets.is_empty() {
                (None, None)
            } else {
                let mut access: Vec<AccessMode> = Vec::new();
                let mut volume: Vec<VolumeMode> = Vec::new();
                for s in sets {
                    for m in &s.access_modes {
                        if !access.contains(m) {
                            access.push(*m);
                        }
                    }
                    if let Some(v) = s.volume_mode
                        && !volume.contains(&v)
                    {
                        volume.push(v);
                    }
                }
                (Some(access), (!volume.is_empty()).then_some(volume))
            };
            Located::new(StorageClass {
                name: c.name.clone(),
                provisioner: Some(c.provisioner.clone()),
                access_modes,
                volume_modes,
                replicas: None,
                failure_domain: None,
                capacity: None,
                media: None,
                default: Some(if any_virt_default { c.default_virt } else { c.default }),
            })
        })
        .collect();
    Some(Located::new(Storage { classes }))
}

/// One workload per VMI, named `namespace/name`.
fn workloads_of(live: &LiveCluster, notes: &mut Vec<String>) -> Vec<Located<Workload>> {
    let vmis = match &live.vmis {
        Ok(v) => v,
        Err(e) => {
            notes.push(format!("{e}: the running VMs are unknown"));
            return vec![];
        }
    };
    let vms: Option<BTreeMap<(&str, &str), _>> = live
        .vms
        .as_ref()
        .ok()
        .map(|vms| vms.iter().map(|vm| ((vm.namespace.as_str(), vm.name.as_str()), vm)).collect());
    if let Err(e) = &live.vms {
        notes.push(format!("{e}: whether KubeVirt restarts the VMs is unknown (taken as runStrategy Always)"));
    }
    let pvcs: Option<BTreeMap<(&str, &str), _>> =
        live.pvcs.as_ref().ok().map(|p| p.iter().map(|c| ((c.namespace.as_str(), c.name.as_str()), c)).collect());
    if let Err(e) = &live.pvcs {
        notes.push(format!("{e}: the VMs' disks are unknown"));
    }
    let mut missing_claims = 0usize;
    // A VMI that has finished (Succeeded, Failed) runs nowhere and asks
    // for nothing; it is no workload.
    let workloads = vmis
        .iter()
        .filter(|vmi| !matches!(vmi.phase.as_deref(), Some("Succeeded" | "Failed")))
        .map(|vmi| {
            let run_strategy = match &vmi.owner_vm {
                // A VMI no VirtualMachine owns is never restarted.
                None => Some(RunStrategy::Once),
                Some(owner) => vms
                    .as_ref()
                    .and_then(|vms| vms.get(&(vmi.namespace.as_str(), owner.as_str())))
                    .and_then(|vm| vm.run_strategy),
            };
            let disks = match &pvcs {
                None => vec![],
                Some(pvcs) => vmi
                    .claims
                    .iter()
                    .filter_map(|claim| {
                        let found = pvcs.get(&(vmi.namespace.as_str(), claim.as_str()));
                        if found.is_none() {
                            missing_claims += 1;
                        }
                        found
                    })
                    .map(|pvc| WorkloadDisk {
                        size: pvc.size.map(ByteSize::bytes),
                        storage_class: pvc.storage_class.clone(),
                        source: Some(crate::inventory::DiskSource::Pvc),
                    })
                    .collect(),
            };
            Located::new(workload_of(vmi, run_strategy, disks))
        })
        .collect();
    if missing_claims > 0 {
        notes.push(format!("{missing_claims} PVC(s) the VMIs mount were not found: those disks are left out"));
    }
    workloads
}

fn workload_of(vmi: &LiveVmi, run_strategy: Option<RunStrategy>, disks: Vec<WorkloadDisk>) -> Workload {
    Workload {
        name: vmi.key(),
        replicas: Some(Count(1)),
        cpu: Some(Count(vmi.vcpus.max(1))),
        memory: vmi.memory.map(ByteSize::bytes),
        disks,
        run_strategy,
        eviction_strategy: vmi.eviction_strategy,
        spread: None,
        dedicated_cpus: Some(vmi.dedicated_cpus),
    }
}

fn migration_of(live: &LiveCluster) -> Option<Migration> {
    let Ok(Some(kv)) = &live.kubevirt else { return None };
    let m = &kv.migrations;
    let count = |v: Option<u64>| v.map(|v| Count(v.min(u64::from(u32::MAX)) as u32));
    Some(Migration {
        parallel_migrations_per_cluster: m.parallel_migrations_per_cluster.map(Count),
        parallel_outbound_migrations_per_node: m.parallel_outbound_migrations_per_node.map(Count),
        bandwidth_per_migration: m.bandwidth_per_migration.map(ByteSize::bytes),
        completion_timeout_per_gib: count(m.completion_timeout_per_gib),
        progress_timeout: count(m.progress_timeout),
    })
}

/// Fencing from the NodeHealthChecks: the remediation template kind of an
/// enabled one (medik8s node-healthcheck-operator: SelfNodeRemediationTemplate,
/// FenceAgentsRemediationTemplate; any other template is another
/// mechanism). None installed, or none defined: no fencing. Unreadable:
/// unknown.
fn fencing_of(live: &LiveCluster) -> Option<Fencing> {
    let checks = match &live.node_health_checks {
        Ok(c) => c,
        Err(e) if matches!(e.why, WhyUnreadable::NotInstalled { .. }) => return Some(Fencing::None),
        Err(_) => return None,
    };
    let rank = |f: Fencing| match f {
        Fencing::FenceAgents => 3,
        Fencing::SelfNodeRemediation => 2,
        Fencing::Other => 1,
        Fencing::None => 0,
    };
    checks
        .iter()
        .filter(|c| c.phase.as_deref() != Some("Disabled"))
        .map(|c| match c.template_kind.as_deref() {
            Some("SelfNodeRemediationTemplate") => Fencing::SelfNodeRemediation,
            Some("FenceAgentsRemediationTemplate") => Fencing::FenceAgents,
            _ => Fencing::Other,
        })
        .max_by_key(|&f| rank(f))
        .or(Some(Fencing::None))
}

fn network_of(live: &LiveCluster) -> Network {
    let migration_network = match &live.kubevirt {
        Ok(Some(kv)) => {
            Some(MigrationNetwork { dedicated: Some(kv.migrations.network.is_some()), nic: None, cidr: None })
        }
        Ok(None) | Err(_) => None,
    };
    let node_local_dns_cache = match &live.node_local_dns {
        Ok(Some(d)) => Some(NodeLocalDnsCache { enabled: Some(d.status.desired > 0), ip: d.address }),
        Ok(None) => Some(NodeLocalDnsCache { enabled: Some(false), ip: None }),
        Err(_) => None,
    };
    Network {
        migration_network,
        dns: node_local_dns_cache.map(|c| Dns { servers: None, node_local_dns_cache: Some(c) }),
        ..Network::default()
    }
}

/// kubeadm's controlPlaneEndpoint, `host` or `host:port` (`[v6]:port`).
/// What carries it (keepalived, kube-vip, a load balancer) the cluster
/// does not say, so `loadBalancer` stays unknown.
fn api_endpoint_of(live: &LiveCluster) -> Option<Located<ApiEndpoint>> {
    let Ok(Some(kubeadm)) = &live.kubeadm else { return None };
    let text = kubeadm.control_plane_endpoint.as_deref()?.trim();
    let (host, port) = split_host_port(text);
    Some(Located::new(ApiEndpoint { host, port, load_balancer: None, vip: None, mode: None }))
}

fn split_host_port(text: &str) -> (String, Option<u16>) {
    if let Some(rest) = text.strip_prefix('[')
        && let Some((host, tail)) = rest.split_once(']')
    {
        return (host.to_string(), tail.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match text.rsplit_once(':') {
        // One colon: host:port. More: a bare IPv6 address.
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(p) => (host.to_string(), Some(p)),
            Err(_) => (text.to_string(), None),
        },
        _ => (text.to_string(), None),
    }
}

impl LiveCluster {
    /// Why the cluster does not tell where its etcd members run, when it
    /// does not: kubeadm says etcd is external, or the etcd pods could not
    /// be read. `None` when the etcd pods tell (the implied inventory's
    /// control planes are then the nodes they run on).
    pub fn etcd_members_unknown(&self) -> Option<String> {
        if matches!(&self.kubeadm, Ok(Some(k)) if k.external_etcd) {
            return Some("etcd is external (kubeadm's etcd.external): no etcd pods tell where its members run".into());
        }
        self.etcd_pods.as_ref().err().map(|e| format!("{e}: where the etcd members run is unknown"))
    }

    /// Where each running VMI runs now, by workload name (`namespace/name`)
    /// → node: the planner's pinned placement. VMIs without a node are left
    /// out (the planner places them as it would a new VM).
    pub fn running_on(&self) -> BTreeMap<String, String> {
        self.vmis.as_ref().map_or_else(
            |_| BTreeMap::new(),
            |vmis| vmis.iter().filter_map(|v| v.node.clone().map(|n| (v.key(), n))).collect(),
        )
    }

    /// Each node's `status.allocatable` CPU (millicores), memory (bytes)
    /// and pods, where it reports all three. Allocatable is already capacity
    /// less kube-reserved, system-reserved and the hard eviction threshold
    /// (Kubernetes docs, "Reserve Compute Resources for System Daemons",
    /// Node Allocatable), so the planner takes it as it is, with no
    /// reservation of its own.
    pub fn allocatable(&self) -> BTreeMap<String, (u64, u64, u64)> {
        self.nodes.as_ref().map_or_else(
            |_| BTreeMap::new(),
            |nodes| {
                nodes
                    .iter()
                    .filter_map(|n| {
                        let a = n.allocatable;
                        Some((n.name.clone(), (a.cpu_millis?, a.memory?, a.pods?)))
                    })
                    .collect()
            },
        )
    }
}

#[cfg(test)]
mod tests;
