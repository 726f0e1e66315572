//! The inventory flattened into arrays the simulation can run over fast:
//! VM hosts with their capacity, workloads with their per-VM demand, one
//! entry per VM, failure domains by index, and the etcd members.

use std::collections::BTreeMap;

use kubev_ha_model::{Inventory, RunStrategy, Virtualization};
use serde::Serialize;

use crate::eviction::eviction_of;
use crate::resources::{Assumptions, MissingFact, Res, host_capacity, vm_demand};

/// A running cluster's placement and capacity, for planning on the live
/// cluster (`kubev-ha audit`) instead of a fresh placement of a design.
#[derive(Debug, Clone, Default)]
pub struct LivePlacement {
    /// The node each workload's VMs run on now (workload name → node name).
    /// Workloads not named, or named with a node that takes no VMs, are
    /// placed as new VMs are.
    pub running_on: BTreeMap<String, String>,
    /// Each node's allocatable CPU (millicores), memory (bytes) and pods
    /// (its maxPods), as its kubelet reports them: the host's capacity as
    /// it is, with no reservation of the planner's own (allocatable already
    /// excludes kube-reserved, system-reserved and the eviction threshold).
    /// DaemonSet pods are still taken from the pods.
    pub allocatable: BTreeMap<String, Res>,
}

/// Index of a host in [`Cluster::hosts`].
pub type HostId = u32;
/// Index of a VM in [`Cluster::vms`].
pub type VmId = u32;

/// A worker that can run VMs.
#[derive(Debug, Clone, Serialize)]
pub struct Host {
    /// The node's name.
    pub name: String,
    /// Index into [`Cluster::domains`]; `None` when the node declares no zone (or rack).
    pub domain: Option<u32>,
    /// What the worker offers VMs (allocatable CPU and memory after overcommit, pods).
    pub capacity: Res,
    /// The capacity counts cores because threads were not declared: a lower
    /// bound, good for proving a fit but not for proving a misfit.
    pub capacity_is_lower_bound: bool,
}

/// A workload: `replicas` identical VMs.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// The workload's name.
    pub name: String,
    /// What one VM requests of its host, KubeVirt's memory overhead included.
    pub demand: Res,
    /// vCPUs per VM.
    pub vcpus: u32,
    /// Guest memory per VM in bytes (without KubeVirt's overhead).
    pub guest_memory: u64,
    /// How many VMs the group has.
    pub replicas: u32,
    /// Runs at all (runStrategy other than Halted).
    pub running: bool,
    /// KubeVirt starts it elsewhere after its node fails (Always, RerunOnFailure).
    pub restarts: bool,
    /// Replicas on distinct nodes.
    pub spread: bool,
    /// A drain moves it by live migration rather than shutting it down
    /// ([`eviction_of`](crate::eviction_of), the answer HA-EVICTION gives too).
    pub migrates_on_drain: bool,
    /// The host its VMs run on now, in a live cluster
    /// ([`LivePlacement`]): the initial placement puts them there whatever
    /// the scheduler's scoring would choose. `None`: placed as a new VM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<HostId>,
}

/// One VM: a replica of a group.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Vm {
    /// Index into [`Cluster::groups`].
    pub group: u32,
}

/// An etcd member: a control-plane node.
#[derive(Debug, Clone, Serialize)]
pub struct EtcdMember {
    /// The control-plane node's name.
    pub name: String,
    /// Index into [`Cluster::domains`]; `None` when the node declares no zone (or rack).
    pub domain: Option<u32>,
    /// The member's node also hosts VMs (a worker with the control-plane role).
    pub host: Option<HostId>,
}

/// What the simulation runs over.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    /// The workers, in inventory order; a [`HostId`] indexes this.
    pub hosts: Vec<Host>,
    /// The workloads, in inventory order.
    pub groups: Vec<Group>,
    /// Every VM, grouped by workload; a [`VmId`] indexes this.
    #[serde(skip)]
    pub vms: Vec<Vm>,
    /// Failure-domain names, sorted.
    pub domains: Vec<String>,
    /// `zone` or `rack`: what the domains are.
    pub domain_kind: &'static str,
    /// The etcd members, one per control-plane node.
    pub etcd: Vec<EtcdMember>,
    /// The defaults and estimates the simulation took where the inventory is silent.
    pub assumptions: Assumptions,
}

/// Why the inventory cannot be simulated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CannotSimulate {
    /// The facts the simulation would need and the inventory does not state.
    pub missing: Vec<MissingFact>,
}

impl Cluster {
    /// Flattens `inventory`. VM hosts are the workers, less those declared
    /// without virtualization (unless KubeVirt emulation is on): control-plane
    /// and storage-only nodes take no VMs.
    pub fn from_inventory(inventory: &Inventory) -> Result<Cluster, CannotSimulate> {
        Cluster::build(inventory, None)
    }

    /// Flattens `inventory` as a running cluster: each worker offers its
    /// allocatable resources, and each workload named in
    /// `live.running_on` is pinned to the node it runs on now.
    pub fn from_live(inventory: &Inventory, live: &LivePlacement) -> Result<Cluster, CannotSimulate> {
        Cluster::build(inventory, Some(live))
    }

    fn build(inventory: &Inventory, live: Option<&LivePlacement>) -> Result<Cluster, CannotSimulate> {
        let mut assumptions = Assumptions::of(inventory);
        assumptions.allocatable_as_is = live.is_some();
        let emulation = inventory.kubevirt.as_ref().and_then(|k| k.use_emulation) == Some(true);
        let use_zones = inventory.nodes.iter().any(|n| n.zone.is_some());
        let domain_kind = if use_zones { "zone" } else { "rack" };
        let domain_of = |n: &kubev_ha_model::Node| if use_zones { n.zone.clone() } else { n.rack.clone() };

        let names: std::collections::BTreeSet<String> = inventory.nodes.iter().filter_map(|n| domain_of(n)).collect();
        let domains: Vec<String> = names.into_iter().collect();
        let index: BTreeMap<&str, u32> = domains.iter().enumerate().map(|(i, d)| (d.as_str(), i as u32)).collect();
        let domain_id = |n: &kubev_ha_model::Node| domain_of(n).and_then(|d| index.get(d.as_str()).copied());

        let mut missing = Vec::new();
        let mut hosts = Vec::new();
        let mut host_of_node = BTreeMap::new();
        for node in inventory.workers() {
            let virt = node.cpu.as_ref().and_then(|c| c.virtualization);
            if virt == Some(Virtualization::None) && !emulation {
                continue;
            }
            let capacity = match live {
                None => host_capacity(node, &assumptions),
                Some(live) => live
                    .allocatable
                    .get(&node.name)
                    .map(|a| Res { pods: a.pods.saturating_sub(u64::from(assumptions.daemon_set_pods)), ..*a })
                    .ok_or_else(|| MissingFact { subject: format!("node/{}", node.name), fact: "status.allocatable" }),
            };
            match capacity {
                Ok(capacity) => {
                    let lower_bound = live.is_none() && node.cpu.as_ref().is_some_and(|c| c.threads.is_none());
                    host_of_node.insert(node.name.clone(), hosts.len() as HostId);
                    hosts.push(Host {
                        name: node.name.clone(),
                        domain: domain_id(node),
                        capacity,
                        capacity_is_lower_bound: lower_bound,
                    });
                }
                Err(m) => missing.push(m),
            }
        }

        let mut groups = Vec::new();
        let mut vms = Vec::new();
        for workload in &inventory.workloads {
            // An unknown run strategy is taken as Always: the VM then needs a
            // home after a failure, the demanding case.
            let strategy = workload.run_strategy.unwrap_or(RunStrategy::Always);
            let running = strategy != RunStrategy::Halted;
            match vm_demand(workload, &assumptions) {
                Ok(demand) => {
                    let g = groups.len() as u32;
                    groups.push(Group {
                        name: workload.name.clone(),
                        demand,
                        vcpus: workload.cpu.map_or(0, |c| c.get()),
                        guest_memory: workload.memory.map_or(0, |m| m.as_u64()),
                        replicas: workload.replica_count(),
                        running,
                        restarts: strategy.restarts_after_failure(),
                        spread: workload.spread == Some(true),
                        migrates_on_drain: eviction_of(inventory, workload).migrates_on_drain(),
                        pinned: live
                            .and_then(|l| l.running_on.get(&workload.name))
                            .and_then(|node| host_of_node.get(node).copied()),
                    });
                    if running {
                        vms.extend((0..workload.replica_count()).map(|_| Vm { group: g }));
                    }
                }
                Err(m) => missing.push(m),
            }
        }
        if !missing.is_empty() {
            return Err(CannotSimulate { missing });
        }

        let etcd = inventory
            .control_planes()
            .map(|n| EtcdMember {
                name: n.name.clone(),
                domain: domain_id(n),
                host: host_of_node.get(&n.name).copied(),
            })
            .collect();

        Ok(Cluster { hosts, groups, vms, domains, domain_kind, etcd, assumptions })
    }

    /// What VM `vm` requests of its host.
    pub fn demand_of(&self, vm: VmId) -> Res {
        self.groups[self.vms[vm as usize].group as usize].demand
    }

    /// The workload VM `vm` belongs to.
    pub fn group_of(&self, vm: VmId) -> &Group {
        &self.groups[self.vms[vm as usize].group as usize]
    }

    /// The sum of every worker's capacity.
    pub fn total_capacity(&self) -> Res {
        self.hosts.iter().map(|h| h.capacity).sum()
    }
}
