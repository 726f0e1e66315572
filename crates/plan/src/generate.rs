//! Synthetic inventories of any size, for benchmarks and demonstrations:
//! `kubev-ha generate --workers 5000 --zones 10 --vms 100000`.
//!
//! The shapes are realistic and the result is deterministic for a seed:
//! three control planes in the first three zones, workers of two hardware
//! generations spread evenly over the zones, and workloads of common VM
//! sizes whose replicas add up to the requested VM count. Worker memory is
//! sized so the VMs use about 55 % of it, leaving room for failures.

use std::collections::BTreeMap;

use kubev_ha_model::{
    AccessMode, ApiEndpoint, ByteSize, Count, Cpu, Disk, DiskUsage, EvictionStrategy, FailureDomain, Fencing, Ha,
    Interval, Inventory, LinkSpeed, LoadBalancerKind, Located, Media, Metadata, Migration, MigrationNetwork, Network,
    Nic, Node, Overcommit, Ratio, Role, RunStrategy, Storage, StorageClass, Tolerate, Virtualization, VolumeMode,
    Workload, WorkloadDisk,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Number of workers.
    pub workers: u32,
    /// Number of zones the workers and control planes are spread over (at least 1).
    pub zones: u32,
    /// Number of VMs, in workloads of typical sizes.
    pub vms: u32,
    /// The seed: the same shape gives the same inventory.
    pub seed: u64,
}

/// (vCPUs, memory in GiB) of the VM sizes generated, a typical catalogue.
const VM_SIZES: [(u32, u64); 6] = [(1, 2), (2, 4), (2, 8), (4, 16), (8, 32), (16, 64)];

/// A synthetic inventory of `shape`, for benchmarks: three control planes, `workers` workers over
/// `zones` zones and `vms` VMs.
pub fn generate(shape: Shape) -> Inventory {
    let mut rng = ChaCha8Rng::seed_from_u64(shape.seed);
    let zones = shape.zones.max(1);
    let zone = |i: u32| format!("zone-{:02}", i % zones + 1);

    // Workloads first: their total decides how big the workers must be.
    let mut workloads = Vec::new();
    let mut remaining = shape.vms;
    let mut total_mem_gib = 0u64;
    let mut i = 0;
    while remaining > 0 {
        let (vcpus, mem) = VM_SIZES[rng.random_range(0..VM_SIZES.len())];
        let replicas = rng.random_range(1..=200u32).min(remaining);
        remaining -= replicas;
        total_mem_gib += mem * u64::from(replicas);
        let spread = replicas <= shape.workers / 2 && rng.random_range(0..4) == 0;
        workloads.push(Located::new(Workload {
            name: format!("app-{:05}", i + 1),
            replicas: Some(Count(replicas)),
            cpu: Some(Count(vcpus)),
            memory: Some(ByteSize::gib(mem)),
            disks: vec![WorkloadDisk { size: Some(ByteSize::gib(20 + mem * 2)), storage_class: None, source: None }],
            run_strategy: Some(if rng.random_range(0..10) == 0 { RunStrategy::Manual } else { RunStrategy::Always }),
            eviction_strategy: Some(EvictionStrategy::LiveMigrate),
            spread: Some(spread),
            dedicated_cpus: None,
        }));
        i += 1;
    }

    // Workers: enough memory that the VMs fill about 55 % of it.
    let per_worker_gib = (total_mem_gib as f64 / 0.55 / f64::from(shape.workers.max(1))).ceil() as u64;
    let generation = |big: bool| {
        if big { (64u32, per_worker_gib.next_power_of_two().max(64)) } else { (48, per_worker_gib.max(32)) }
    };
    let mut nodes = Vec::new();
    for c in 0..3 {
        nodes.push(Located::new(node(
            format!("cp-{}", c + 1),
            format!("10.0.0.{}", c + 11),
            vec![Role::ControlPlane],
            zone(c),
            (16, 64),
            false,
        )));
    }
    for w in 0..shape.workers {
        let big = w % 3 == 0;
        nodes.push(Located::new(node(
            format!("w-{:05}", w + 1),
            format!("10.{}.{}.{}", 1 + w / 65536, (w / 256) % 256, w % 256),
            vec![Role::Worker, Role::Storage],
            zone(w),
            generation(big),
            true,
        )));
    }

    let disk_total: u64 = workloads
        .iter()
        .map(|w| w.disks.iter().filter_map(|d| d.size).map(|s| s.as_u64()).sum::<u64>() * u64::from(w.replica_count()))
        .sum();
    Inventory {
        api_version: kubev_ha_model::API_VERSION.into(),
        kind: kubev_ha_model::KIND.into(),
        metadata: Metadata {
            name: format!("generated-{}w-{}z-{}vm", shape.workers, zones, shape.vms).into(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        },
        profile: None,
        api_endpoint: Some(Located::new(ApiEndpoint {
            host: "10.255.255.5".into(),
            port: Some(6443),
            load_balancer: Some(LoadBalancerKind::External),
            vip: None,
            mode: None,
        })),
        network: Some(Located::new(Network {
            node_cidr: "10.0.0.0/9".parse().ok(),
            pod_cidr: "10.128.0.0/10".parse().ok(),
            service_cidr: "10.192.0.0/12".parse().ok(),
            overlay: None,
            migration_network: Some(MigrationNetwork { dedicated: Some(true), nic: Some("ens2f1".into()), cidr: None }),
            dns: None,
            interconnection: None,
            bgp: None,
        })),
        nodes: nodes.into(),
        storage: Some(Located::new(Storage {
            classes: vec![Located::new(StorageClass {
                name: "ceph-rbd".into(),
                provisioner: Some("rook-ceph.rbd.csi.ceph.com".into()),
                access_modes: Some(vec![AccessMode::ReadWriteMany]),
                volume_modes: Some(vec![VolumeMode::Block]),
                replicas: Some(Count(3)),
                failure_domain: Some(FailureDomain::Zone),
                capacity: Some(ByteSize::bytes(disk_total.saturating_mul(3) * 2)),
                media: Some(Media::Nvme),
                default: Some(true),
            })],
        })),
        guest_clusters: None,
        workloads,
        overcommit: Some(Overcommit { cpu: Some(Ratio(8.0)), memory: Some(Ratio(1.0)) }),
        ha: Some(Located::new(Ha {
            tolerate: Some(Tolerate { nodes: Some(Count(1)), zones: Some(Count(1)) }),
            maintenance_window: Some(Interval::from_secs(3600)),
            migration: Some(Migration {
                parallel_migrations_per_cluster: Some(Count(5)),
                parallel_outbound_migrations_per_node: Some(Count(2)),
                bandwidth_per_migration: None,
                completion_timeout_per_gib: None,
                progress_timeout: None,
            }),
            fencing: Some(Fencing::SelfNodeRemediation),
        })),
        kubelet: None,
        kubevirt: None,
        etcd: None,
        waivers: vec![],
    }
}

fn node(
    name: String,
    address: String,
    roles: Vec<Role>,
    zone: String,
    (threads, mem_gib): (u32, u64),
    worker: bool,
) -> Node {
    let mut nics = vec![Nic { name: Some("ens2f0".into()), speed: Some(LinkSpeed::gbps(25)), mtu: Some(Count(9000)) }];
    if worker {
        nics.push(Nic { name: Some("ens2f1".into()), speed: Some(LinkSpeed::gbps(25)), mtu: Some(Count(9000)) });
    }
    let address = address.parse().unwrap_or(kubev_ha_model::Address::Name("invalid".into()));
    Node {
        zone: Some(zone),
        cpu: Some(Cpu {
            cores: Some(Count(threads / 2)),
            threads: Some(Count(threads)),
            virtualization: Some(Virtualization::VtX),
        }),
        memory: Some(ByteSize::gib(mem_gib)),
        disks: Some(vec![Disk {
            name: Some("nvme0n1".into()),
            kind: Some(Media::Nvme),
            size: Some(ByteSize::gib(960)),
            usage: vec![DiskUsage::Os, DiskUsage::Etcd],
        }]),
        nics: Some(nics),
        ..Node::new(name, address, roles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_what_was_asked() {
        let inv = generate(Shape { workers: 50, zones: 5, vms: 1000, seed: 3 });
        assert_eq!(inv.workers().count(), 50);
        assert_eq!(inv.workloads.iter().map(|w| w.replica_count()).sum::<u32>(), 1000);
        let zones: std::collections::BTreeSet<_> = inv.nodes.iter().filter_map(|n| n.zone.clone()).collect();
        assert_eq!(zones.len(), 5);
        assert!(kubev_ha_model::validate(&inv).is_empty());
    }

    #[test]
    fn is_deterministic_per_seed() {
        let a = generate(Shape { workers: 20, zones: 3, vms: 300, seed: 9 });
        let b = generate(Shape { workers: 20, zones: 3, vms: 300, seed: 9 });
        assert_eq!(a, b);
        assert_ne!(a, generate(Shape { workers: 20, zones: 3, vms: 300, seed: 10 }));
    }
}
