//! Every rule at its thresholds: just below, at and above, in both
//! profiles, starting from the reference inventory (which passes
//! production) and changing one fact at a time. Missing facts give
//! unknown, never a pass.

use kubev_ha_model::{
    AccessMode, ByteSize, Count, Disk, DiskUsage, EvictionStrategy, Fencing, Inventory, LinkSpeed, LoadBalancerKind,
    Media, Nic, Profile, VipMode, Virtualization, VolumeMode,
};
use std::collections::BTreeSet;

use kubev_ha_rules::{CheckOptions, Severity, Thresholds, WaiverSpec, check};

use crate::common::{findings, judge, reference, severity_of};

use Severity::{Fail, Info, Pass, Unknown, Warn};

const PROD: Profile = Profile::Production;
const MIN: Profile = Profile::Minimum;

/// The severity `rule` gives `subject` after `change`, in `profile`.
fn after(change: impl FnOnce(&mut Inventory), profile: Profile, rule: &str, subject: &str) -> Severity {
    let mut inv = reference();
    change(&mut inv);
    severity_of(&judge(inv, profile), rule, subject)
}

/// Asserts the severity in both profiles.
fn expect(change: impl Fn(&mut Inventory), rule: &str, subject: &str, production: Severity, minimum: Severity) {
    assert_eq!(after(&change, PROD, rule, subject), production, "{rule} {subject} in production");
    assert_eq!(after(&change, MIN, rule, subject), minimum, "{rule} {subject} in minimum");
}

fn node<'a>(inv: &'a mut Inventory, name: &str) -> &'a mut kubev_ha_model::Node {
    &mut inv.nodes.iter_mut().find(|n| n.name == name).unwrap().value
}

fn one_byte_less(b: ByteSize) -> ByteSize {
    ByteSize::bytes(b.as_u64() - 1)
}

#[test]
fn the_reference_passes_production_with_only_unmeasured_unknowns() {
    let report = judge(reference(), PROD);
    let open: Vec<_> = report.findings.iter().filter(|f| f.severity != Pass).map(|f| (f.rule, f.severity)).collect();
    for (rule, severity) in &open {
        assert!(
            *severity == Unknown
                && (rule.starts_with("HOST-")
                    || ["CP-ETCD-FSYNC", "CP-ETCD-HEALTH", "NET-DNS", "NET-PORTS"].contains(rule))
                || (*severity == Info && *rule == "ST-REPLICATION"),
            "{rule} is {severity} in the reference"
        );
    }
}

#[test]
fn cp_count_at_every_size() {
    for n in 1..=9u32 {
        let change = |inv: &mut Inventory| {
            let template = inv.nodes[0].clone();
            inv.nodes.retain(|n| !n.is_control_plane());
            for i in 0..n {
                let mut cp = template.clone();
                cp.name = format!("cp-x{i}");
                cp.address = format!("10.10.1.{}", i + 1).parse().unwrap();
                inv.nodes.push(cp);
            }
        };
        let expected = match n {
            1 | 2 => Fail,
            _ if n % 2 == 0 => Warn,
            8.. => Warn,
            _ => Pass,
        };
        expect(change, "CP-COUNT", "cluster", expected, expected);
    }
}

#[test]
fn cp_cpu_threads_and_cores() {
    let threads = |t: u32| move |inv: &mut Inventory| node(inv, "cp-1").cpu.as_mut().unwrap().threads = Some(Count(t));
    expect(
        |inv| {
            let cpu = node(inv, "cp-1").cpu.as_mut().unwrap();
            cpu.cores = Some(Count(1));
            cpu.threads = Some(Count(1));
        },
        "CP-CPU",
        "node/cp-1",
        Fail,
        Fail,
    );
    expect(threads(2), "CP-CPU", "node/cp-1", Pass, Pass);
    expect(threads(3), "CP-CPU", "node/cp-1", Pass, Pass);
    // Cores alone are a lower bound: enough cores pass, too few are unknown.
    expect(
        |inv| {
            let cpu = node(inv, "cp-1").cpu.as_mut().unwrap();
            cpu.threads = None;
            cpu.cores = Some(Count(2));
        },
        "CP-CPU",
        "node/cp-1",
        Pass,
        Pass,
    );
    expect(
        |inv| {
            let cpu = node(inv, "cp-1").cpu.as_mut().unwrap();
            cpu.threads = None;
            cpu.cores = Some(Count(1));
        },
        "CP-CPU",
        "node/cp-1",
        Unknown,
        Unknown,
    );
}

#[test]
fn cp_memory_floors() {
    let mem = |b: ByteSize| move |inv: &mut Inventory| node(inv, "cp-1").memory = Some(b);
    expect(mem(one_byte_less(ByteSize::gib(4))), "CP-MEMORY", "node/cp-1", Fail, Fail);
    expect(mem(ByteSize::gib(4)), "CP-MEMORY", "node/cp-1", Warn, Info);
    expect(mem(one_byte_less(ByteSize::gib(8))), "CP-MEMORY", "node/cp-1", Warn, Info);
    expect(mem(ByteSize::gib(8)), "CP-MEMORY", "node/cp-1", Pass, Pass);
}

#[test]
fn cp_etcd_media_and_capacity() {
    let etcd_disk = |kind: Option<Media>, size: ByteSize| {
        move |inv: &mut Inventory| {
            node(inv, "cp-1").disks =
                Some(vec![Disk { name: Some("sda".into()), kind, size: Some(size), usage: vec![DiskUsage::Etcd] }]);
        }
    };
    expect(etcd_disk(Some(Media::Hdd), ByteSize::gib(100)), "CP-ETCD-MEDIA", "node/cp-1", Fail, Warn);
    expect(etcd_disk(Some(Media::Ssd), ByteSize::gib(100)), "CP-ETCD-MEDIA", "node/cp-1", Pass, Pass);
    expect(etcd_disk(None, ByteSize::gib(100)), "CP-ETCD-MEDIA", "node/cp-1", Unknown, Unknown);
    // 2 × the default 2Gi quota.
    expect(etcd_disk(Some(Media::Nvme), one_byte_less(ByteSize::gib(4))), "CP-ETCD-CAPACITY", "node/cp-1", Fail, Warn);
    expect(etcd_disk(Some(Media::Nvme), ByteSize::gib(4)), "CP-ETCD-CAPACITY", "node/cp-1", Pass, Pass);
    // A declared quota moves the bar; above 8Gi it is itself a finding.
    let quota = |q: ByteSize, disk: ByteSize| {
        move |inv: &mut Inventory| {
            inv.etcd = Some(kubev_ha_model::Etcd { quota_backend_bytes: Some(q) });
            etcd_disk(Some(Media::Nvme), disk)(inv);
        }
    };
    expect(quota(ByteSize::gib(8), one_byte_less(ByteSize::gib(16))), "CP-ETCD-CAPACITY", "node/cp-1", Fail, Warn);
    expect(quota(ByteSize::gib(8), ByteSize::gib(16)), "CP-ETCD-CAPACITY", "node/cp-1", Pass, Pass);
    expect(quota(ByteSize::gib(9), ByteSize::gib(100)), "CP-ETCD-CAPACITY", "cluster", Warn, Info);
}

#[test]
fn cp_spread_by_zone_layout() {
    let zones = |z: [Option<&'static str>; 3]| {
        move |inv: &mut Inventory| {
            for (i, zone) in z.iter().enumerate() {
                node(inv, &format!("cp-{}", i + 1)).zone = zone.map(str::to_string);
            }
        }
    };
    expect(zones([Some("a"), Some("b"), Some("c")]), "CP-SPREAD", "cluster", Pass, Pass);
    expect(zones([Some("a"), Some("a"), Some("b")]), "CP-SPREAD", "cluster", Fail, Warn);
    expect(zones([Some("a"), Some("a"), Some("a")]), "CP-SPREAD", "cluster", Fail, Warn);
    // One node without a zone: it may share a zone with another, or not.
    expect(zones([Some("a"), Some("b"), None]), "CP-SPREAD", "cluster", Unknown, Unknown);
}

#[test]
fn cp_api_lb_cases() {
    let endpoint = |host: &'static str, lb: Option<LoadBalancerKind>, vip: Option<&'static str>| {
        move |inv: &mut Inventory| {
            let e = inv.api_endpoint.as_mut().unwrap();
            e.host = host.into();
            e.load_balancer = lb;
            e.vip = vip.map(|v| v.parse().unwrap());
        }
    };
    expect(endpoint("10.10.0.11", Some(LoadBalancerKind::External), None), "CP-API-LB", "cluster", Fail, Warn);
    expect(endpoint("api.example.com", Some(LoadBalancerKind::None), None), "CP-API-LB", "cluster", Fail, Warn);
    expect(endpoint("api.example.com", Some(LoadBalancerKind::Keepalived), None), "CP-API-LB", "cluster", Fail, Warn);
    expect(
        endpoint("10.99.0.5", Some(LoadBalancerKind::Keepalived), Some("10.99.0.5")),
        "CP-API-LB",
        "cluster",
        Fail,
        Warn,
    );
    expect(endpoint("api.example.com", Some(LoadBalancerKind::External), None), "CP-API-LB", "cluster", Pass, Pass);
    expect(
        endpoint("api.example.com", Some(LoadBalancerKind::KubeVip), Some("10.10.0.5")),
        "CP-API-LB",
        "cluster",
        Pass,
        Pass,
    );
    expect(|inv| inv.api_endpoint = None, "CP-API-LB", "cluster", Unknown, Unknown);
    // Regression: a kube-vip VIP outside the node CIDR failed even in BGP
    // mode, where kube-vip announces it as a route. The same-subnet check
    // is for ARP mode and keepalived only.
    let with_mode = |lb: LoadBalancerKind, mode: Option<VipMode>| {
        move |inv: &mut Inventory| {
            endpoint("10.99.0.5", Some(lb), Some("10.99.0.5"))(inv);
            inv.api_endpoint.as_mut().unwrap().mode = mode;
        }
    };
    expect(with_mode(LoadBalancerKind::KubeVip, Some(VipMode::Bgp)), "CP-API-LB", "cluster", Pass, Pass);
    expect(with_mode(LoadBalancerKind::KubeVip, Some(VipMode::Arp)), "CP-API-LB", "cluster", Fail, Warn);
    expect(with_mode(LoadBalancerKind::KubeVip, None), "CP-API-LB", "cluster", Unknown, Unknown);
    expect(with_mode(LoadBalancerKind::Keepalived, Some(VipMode::Bgp)), "CP-API-LB", "cluster", Fail, Warn);
}

#[test]
fn w_count_and_virtualization() {
    let virt = |v: Option<Virtualization>, emulation: bool| {
        move |inv: &mut Inventory| {
            node(inv, "w-a1").cpu.as_mut().unwrap().virtualization = v;
            inv.kubevirt =
                emulation.then_some(kubev_ha_model::KubeVirt { use_emulation: Some(true), ..Default::default() });
        }
    };
    expect(virt(Some(Virtualization::None), false), "W-VIRT", "node/w-a1", Fail, Fail);
    expect(virt(Some(Virtualization::None), true), "W-VIRT", "node/w-a1", Fail, Warn);
    expect(virt(Some(Virtualization::AmdV), false), "W-VIRT", "node/w-a1", Pass, Pass);
    expect(virt(None, false), "W-VIRT", "node/w-a1", Unknown, Unknown);
    expect(virt(Some(Virtualization::Unknown), false), "W-VIRT", "node/w-a1", Unknown, Unknown);
    let keep_workers = |n: usize| {
        move |inv: &mut Inventory| {
            let mut seen = 0;
            inv.nodes.retain(|node| {
                if !node.is_worker() {
                    return true;
                }
                seen += 1;
                seen <= n
            });
        }
    };
    expect(keep_workers(1), "W-COUNT", "cluster", Fail, Fail);
    expect(keep_workers(2), "W-COUNT", "cluster", Pass, Pass);
    // A worker declared without virtualization does not count.
    expect(
        |inv| {
            keep_workers(2)(inv);
            node(inv, "w-a2").cpu.as_mut().unwrap().virtualization = Some(Virtualization::None);
        },
        "W-COUNT",
        "cluster",
        Fail,
        Fail,
    );
    // Workers that do not say are not counted as capable, nor as a proven
    // shortfall: unknown, until declared or probed.
    expect(
        |inv| {
            keep_workers(2)(inv);
            node(inv, "w-a2").cpu.as_mut().unwrap().virtualization = None;
        },
        "W-COUNT",
        "cluster",
        Unknown,
        Unknown,
    );
    expect(
        |inv| {
            keep_workers(3)(inv);
            node(inv, "w-a2").cpu = None;
        },
        "W-COUNT",
        "cluster",
        Pass,
        Pass,
    );
}

#[test]
fn w_cpu_and_memory_floors() {
    let cores = |c: u32| {
        move |inv: &mut Inventory| {
            let cpu = node(inv, "w-a1").cpu.as_mut().unwrap();
            cpu.cores = Some(Count(c));
            cpu.threads = Some(Count(c * 2));
        }
    };
    expect(cores(7), "W-CPU", "node/w-a1", Fail, Fail);
    expect(cores(8), "W-CPU", "node/w-a1", Warn, Pass);
    expect(cores(15), "W-CPU", "node/w-a1", Warn, Pass);
    expect(cores(16), "W-CPU", "node/w-a1", Pass, Pass);
    // Threads alone bound cores from above.
    let threads_only = |t: u32| {
        move |inv: &mut Inventory| {
            let cpu = node(inv, "w-a1").cpu.as_mut().unwrap();
            cpu.cores = None;
            cpu.threads = Some(Count(t));
        }
    };
    expect(threads_only(7), "W-CPU", "node/w-a1", Fail, Fail);
    expect(threads_only(64), "W-CPU", "node/w-a1", Unknown, Unknown);

    let mem = |b: ByteSize| move |inv: &mut Inventory| node(inv, "w-a1").memory = Some(b);
    expect(mem(one_byte_less(ByteSize::gib(8))), "W-MEMORY", "node/w-a1", Fail, Fail);
    expect(mem(ByteSize::gib(8)), "W-MEMORY", "node/w-a1", Warn, Pass);
    expect(mem(one_byte_less(ByteSize::gib(16))), "W-MEMORY", "node/w-a1", Warn, Pass);
    expect(mem(ByteSize::gib(16)), "W-MEMORY", "node/w-a1", Pass, Pass);
}

#[test]
fn media_rules_per_profile() {
    expect(
        |inv| node(inv, "w-a1").disks.as_mut().unwrap()[1].kind = Some(Media::Hdd),
        "W-MEDIA",
        "node/w-a1",
        Warn,
        Info,
    );
    expect(|inv| node(inv, "w-a1").disks.as_mut().unwrap()[1].kind = None, "W-MEDIA", "node/w-a1", Unknown, Unknown);
    let class_media = |m: Option<Media>| move |inv: &mut Inventory| inv.storage.as_mut().unwrap().classes[0].media = m;
    expect(class_media(Some(Media::Hdd)), "ST-MEDIA", "storageclass/ceph-rbd-vm", Warn, Info);
    expect(class_media(Some(Media::Ssd)), "ST-MEDIA", "storageclass/ceph-rbd-vm", Pass, Pass);
    expect(class_media(None), "ST-MEDIA", "storageclass/ceph-rbd-vm", Unknown, Unknown);
}

/// The severities of one rule and subject, in order (a rule may give a
/// subject several findings, e.g. ST-CAPACITY before and after failure).
fn all_of(change: impl FnOnce(&mut Inventory), profile: Profile, rule: &str, subject: &str) -> Vec<Severity> {
    let mut inv = reference();
    change(&mut inv);
    findings(&judge(inv, profile), rule, Some(subject)).iter().map(|f| f.severity).collect()
}

#[test]
fn st_capacity_at_85_and_100_percent() {
    // The reference's class holds 4860Gi of disks × 3 replicas = 14580Gi raw.
    let raw = ByteSize::gib(14_580).as_u64();
    let capacity = |c: u64| {
        move |inv: &mut Inventory| inv.storage.as_mut().unwrap().classes[0].capacity = Some(ByteSize::bytes(c))
    };
    let first = |c: u64, p: Profile| all_of(capacity(c), p, "ST-CAPACITY", "storageclass/ceph-rbd-vm")[0];
    let at_85 = raw * 100 / 85 + 1; // the smallest capacity with used ≤ 85 %
    for p in [PROD, MIN] {
        assert_eq!(first(at_85, p), Pass, "just under 85 %");
        assert_eq!(first(at_85 - 2, p), Warn, "just over 85 %");
        assert_eq!(first(raw, p), Warn, "exactly 100 % still fits");
        assert_eq!(first(raw - 1, p), Fail, "just over 100 %");
    }
    expect(
        |inv| inv.storage.as_mut().unwrap().classes[0].capacity = None,
        "ST-REPLICATION",
        "storageclass/ceph-rbd-vm",
        Info,
        Info,
    );
    assert_eq!(all_of(capacity(0), PROD, "ST-CAPACITY", "storageclass/ceph-rbd-vm")[0], Fail);
    let unknown = all_of(
        |inv| inv.storage.as_mut().unwrap().classes[0].capacity = None,
        PROD,
        "ST-CAPACITY",
        "storageclass/ceph-rbd-vm",
    );
    assert_eq!(unknown, vec![Unknown]);
}

#[test]
fn st_replication_cases() {
    let class = |replicas: Option<u32>, domain: Option<kubev_ha_model::FailureDomain>| {
        move |inv: &mut Inventory| {
            let c = &mut inv.storage.as_mut().unwrap().classes[0];
            c.replicas = replicas.map(Count);
            c.failure_domain = domain;
        }
    };
    use kubev_ha_model::FailureDomain::{Host, Zone};
    expect(class(Some(1), Some(Zone)), "ST-REPLICATION", "storageclass/ceph-rbd-vm", Fail, Warn);
    // 2 replicas over 3 zones survive a zone loss and re-replicate.
    expect(class(Some(2), Some(Zone)), "ST-REPLICATION", "storageclass/ceph-rbd-vm", Pass, Pass);
    // Over hosts, with 2 storage hosts in each zone: a zone can hold both replicas.
    expect(class(Some(2), Some(Host)), "ST-REPLICATION", "storageclass/ceph-rbd-vm", Fail, Warn);
    // 3 replicas over hosts: no zone has 3 storage hosts, so one survives.
    expect(class(Some(3), Some(Host)), "ST-REPLICATION", "storageclass/ceph-rbd-vm", Pass, Pass);
    // More replicas over zones than there are zones.
    expect(class(Some(4), Some(Zone)), "ST-REPLICATION", "storageclass/ceph-rbd-vm", Fail, Warn);
    expect(class(None, Some(Zone)), "ST-REPLICATION", "storageclass/ceph-rbd-vm", Unknown, Unknown);
    expect(class(Some(3), None), "ST-REPLICATION", "storageclass/ceph-rbd-vm", Unknown, Unknown);
}

#[test]
fn st_live_migration_and_vm_disks() {
    let modes = |m: Vec<AccessMode>| {
        move |inv: &mut Inventory| inv.storage.as_mut().unwrap().classes[0].access_modes = Some(m.clone())
    };
    expect(modes(vec![AccessMode::ReadWriteOnce]), "ST-LIVE-MIGRATION", "cluster", Fail, Fail);
    expect(modes(vec![AccessMode::ReadWriteMany]), "ST-LIVE-MIGRATION", "cluster", Pass, Pass);
    expect(|inv| inv.storage = None, "ST-LIVE-MIGRATION", "cluster", Unknown, Unknown);
    // Block without RWX is named as not migratable.
    let block_rwo = |inv: &mut Inventory| {
        let c = &mut inv.storage.as_mut().unwrap().classes[0];
        c.access_modes = Some(vec![AccessMode::ReadWriteOnce]);
        c.volume_modes = Some(vec![VolumeMode::Block]);
    };
    expect(block_rwo, "ST-LIVE-MIGRATION", "storageclass/ceph-rbd-vm", Info, Info);
    expect(modes(vec![AccessMode::ReadWriteOnce]), "ST-VM-DISKS", "workload/web", Fail, Warn);
    expect(modes(vec![AccessMode::ReadWriteMany]), "ST-VM-DISKS", "workload/web", Pass, Pass);
    // A workload without a strategy of its own takes the cluster's
    // LiveMigrate, and its disks must be shared all the same (before, only
    // a workload's own LiveMigrate was checked).
    let cluster_live_migrate_on_rwo = |inv: &mut Inventory| {
        modes(vec![AccessMode::ReadWriteOnce])(inv);
        inv.workloads[0].eviction_strategy = None;
        inv.kubevirt.get_or_insert_with(Default::default).eviction_strategy = Some(EvictionStrategy::LiveMigrate);
    };
    expect(cluster_live_migrate_on_rwo, "ST-VM-DISKS", "workload/web", Fail, Warn);
}

#[test]
fn nic_speed_floors_and_the_fastest_nic_counts() {
    let speed = |s: LinkSpeed| {
        move |inv: &mut Inventory| {
            node(inv, "cp-1").nics =
                Some(vec![Nic { name: Some("eth0".into()), speed: Some(s), mtu: Some(Count(9000)) }])
        }
    };
    expect(speed(LinkSpeed::mbps(999)), "NET-NIC-SPEED", "node/cp-1", Fail, Fail);
    expect(speed(LinkSpeed::gbps(1)), "NET-NIC-SPEED", "node/cp-1", Warn, Pass);
    expect(speed(LinkSpeed::mbps(9_999)), "NET-NIC-SPEED", "node/cp-1", Warn, Pass);
    expect(speed(LinkSpeed::gbps(10)), "NET-NIC-SPEED", "node/cp-1", Pass, Pass);
    expect(
        |inv| {
            node(inv, "cp-1").nics = Some(vec![
                Nic { name: Some("bmc".into()), speed: Some(LinkSpeed::mbps(100)), mtu: Some(Count(9000)) },
                Nic { name: Some("eth0".into()), speed: Some(LinkSpeed::gbps(25)), mtu: Some(Count(9000)) },
            ])
        },
        "NET-NIC-SPEED",
        "node/cp-1",
        Pass,
        Pass,
    );
    expect(|inv| node(inv, "cp-1").nics = None, "NET-NIC-SPEED", "node/cp-1", Unknown, Unknown);
}

#[test]
fn migration_network_and_mtu() {
    expect(|inv| inv.network.as_mut().unwrap().migration_network = None, "NET-MIGRATION", "cluster", Warn, Info);
    expect(
        |inv| node(inv, "w-b2").nics.as_mut().unwrap().retain(|n| n.name.as_deref() != Some("ens2f1")),
        "NET-MIGRATION",
        "node/w-b2",
        Fail,
        Fail,
    );
    expect(|inv| node(inv, "cp-1").nics.as_mut().unwrap()[0].mtu = Some(Count(1500)), "NET-MTU", "cluster", Fail, Fail);
    let all_mtu = |m: u32| {
        move |inv: &mut Inventory| {
            for n in &mut inv.nodes {
                for nic in n.nics.iter_mut().flatten() {
                    nic.mtu = Some(Count(m));
                }
            }
        }
    };
    expect(all_mtu(1500), "NET-MTU", "cluster", Info, Info);
    expect(all_mtu(1600), "NET-MTU", "cluster", Pass, Pass);
    expect(|inv| node(inv, "cp-1").nics.as_mut().unwrap()[0].mtu = None, "NET-MTU", "cluster", Unknown, Unknown);
}

#[test]
fn cidr_overlaps() {
    expect(
        |inv| inv.network.as_mut().unwrap().pod_cidr = Some("10.10.0.0/16".parse().unwrap()),
        "NET-CIDR",
        "cluster",
        Fail,
        Fail,
    );
    expect(
        |inv| inv.network.as_mut().unwrap().pod_cidr = Some("10.0.0.0/8".parse().unwrap()),
        "NET-CIDR",
        "node/cp-1",
        Fail,
        Fail,
    );
}

#[test]
fn dns_and_nodelocal_dns() {
    let servers = |s: Option<Vec<&'static str>>| {
        move |inv: &mut Inventory| {
            inv.network.as_mut().unwrap().dns.as_mut().unwrap().servers =
                s.clone().map(|v| v.iter().map(|a| a.parse().unwrap()).collect())
        }
    };
    expect(servers(Some(vec![])), "NET-DNS", "cluster", Fail, Warn);
    expect(servers(Some(vec!["10.10.0.2"])), "NET-DNS", "cluster", Unknown, Unknown);
    expect(servers(None), "NET-DNS", "cluster", Unknown, Unknown);
    let guest = |policy: kubev_ha_model::DnsPolicy, ip: &'static str| {
        move |inv: &mut Inventory| {
            let g = &mut inv.guest_clusters.as_mut().unwrap()[0];
            g.vm_dns_policy = Some(policy);
            g.node_local_dns_cache.as_mut().unwrap().ip = Some(ip.parse().unwrap());
        }
    };
    use kubev_ha_model::DnsPolicy::{ClusterFirst, None as PolicyNone};
    expect(guest(ClusterFirst, "169.254.20.10"), "NET-NODELOCAL-DNS", "guestcluster/tenant-a", Fail, Warn);
    expect(guest(PolicyNone, "169.254.20.10"), "NET-NODELOCAL-DNS", "guestcluster/tenant-a", Pass, Pass);
    expect(guest(ClusterFirst, "169.254.20.11"), "NET-NODELOCAL-DNS", "guestcluster/tenant-a", Pass, Pass);
}

/// NET-NODELOCAL-DNS compares the addresses the clusters are configured
/// with. It once took an undeclared address as 169.254.20.10: a Kubespray
/// infrastructure (169.254.25.10) under a guest with no address declared
/// passed as "no conflict", and two clusters with no address declared
/// failed as a loop, both without knowing either address.
#[test]
fn nodelocal_dns_compares_configured_addresses_not_assumed_defaults() {
    use kubev_ha_model::DnsPolicy::{ClusterFirst, None as PolicyNone};
    let caches = |infra: Option<&'static str>, guest: Option<&'static str>, policy: kubev_ha_model::DnsPolicy| {
        move |inv: &mut Inventory| {
            let dns = inv.network.as_mut().unwrap().dns.as_mut().unwrap();
            dns.node_local_dns_cache.as_mut().unwrap().ip = infra.map(|ip| ip.parse().unwrap());
            let g = &mut inv.guest_clusters.as_mut().unwrap()[0];
            g.vm_dns_policy = Some(policy);
            g.node_local_dns_cache.as_mut().unwrap().ip = guest.map(|ip| ip.parse().unwrap());
        }
    };
    let guest = "guestcluster/tenant-a";
    // Kubespray's address under a guest whose address is not declared: unknown, not "no conflict".
    expect(caches(Some("169.254.25.10"), None, ClusterFirst), "NET-NODELOCAL-DNS", guest, Unknown, Unknown);
    // Neither address declared: unknown, not a loop.
    expect(caches(None, None, ClusterFirst), "NET-NODELOCAL-DNS", guest, Unknown, Unknown);
    expect(caches(None, Some("169.254.20.10"), ClusterFirst), "NET-NODELOCAL-DNS", guest, Unknown, Unknown);
    // Both declared: compared as declared.
    expect(caches(Some("169.254.25.10"), Some("169.254.25.10"), ClusterFirst), "NET-NODELOCAL-DNS", guest, Fail, Warn);
    expect(caches(Some("169.254.25.10"), Some("169.254.20.10"), ClusterFirst), "NET-NODELOCAL-DNS", guest, Pass, Pass);
    // dnsPolicy None avoids the loop whatever the addresses.
    expect(caches(None, None, PolicyNone), "NET-NODELOCAL-DNS", guest, Pass, Pass);

    // An undeclared infrastructure address is taken from what `net check`
    // found bound on the nodes (it looks for both well-known addresses).
    let measured = |bound: &'static str| {
        let mut inv = reference();
        caches(None, Some("169.254.25.10"), ClusterFirst)(&mut inv);
        let mut facts = kubev_ha_model::Facts::from_inventory(inv, "test.yaml");
        facts.measurements.network = Some(kubev_ha_model::NetworkMeasurements {
            from: vec!["w-a1".into()],
            nodelocal_bound: [("w-a1".to_string(), true)].into(),
            nodelocal_addresses: [("w-a1".to_string(), vec![bound.parse().unwrap()])].into(),
            ..Default::default()
        });
        let report = check(&facts, &CheckOptions { only: vec!["NET-NODELOCAL-DNS"], ..CheckOptions::default() });
        crate::common::severity_of(&report, "NET-NODELOCAL-DNS", guest)
    };
    assert_eq!(measured("169.254.25.10"), Fail, "the guest's address is the one the infrastructure binds");
    assert_eq!(measured("169.254.20.10"), Pass, "the infrastructure binds another address");
}

#[test]
fn fencing_and_eviction() {
    let fencing = |f: Option<Fencing>| move |inv: &mut Inventory| inv.ha.as_mut().unwrap().fencing = f;
    expect(fencing(Some(Fencing::None)), "HA-FENCING", "cluster", Warn, Info);
    expect(fencing(None), "HA-FENCING", "cluster", Unknown, Unknown);
    expect(fencing(Some(Fencing::FenceAgents)), "HA-FENCING", "cluster", Pass, Pass);
    let eviction = |e: Option<EvictionStrategy>| move |inv: &mut Inventory| inv.workloads[0].eviction_strategy = e;
    expect(eviction(Some(EvictionStrategy::None)), "HA-EVICTION", "workload/web", Warn, Info);
}

/// The effective eviction strategy: the workload's, else the KubeVirt CR's
/// (`kubevirt.evictionStrategy`), else KubeVirt's default None. The old
/// rule called an undeclared strategy unknown and passed
/// LiveMigrateIfPossible's shutdowns and LiveMigrate's blocked drains.
#[test]
fn eviction_strategy_falls_back_to_the_cluster_then_to_kubevirts_none() {
    use EvictionStrategy::{External, LiveMigrate, LiveMigrateIfPossible};
    let strategies = |workload: Option<EvictionStrategy>, cluster: Option<EvictionStrategy>| {
        move |inv: &mut Inventory| {
            inv.workloads[0].eviction_strategy = workload;
            inv.kubevirt.get_or_insert_with(Default::default).eviction_strategy = cluster;
        }
    };
    // Undeclared everywhere: KubeVirt's default None shuts the VM down.
    expect(strategies(None, None), "HA-EVICTION", "workload/web", Warn, Info);
    // The cluster's strategy applies to a workload that states none.
    expect(strategies(None, Some(LiveMigrate)), "HA-EVICTION", "workload/web", Pass, Pass);
    expect(strategies(None, Some(EvictionStrategy::None)), "HA-EVICTION", "workload/web", Warn, Info);
    // The workload's own wins over the cluster's.
    expect(strategies(Some(EvictionStrategy::None), Some(LiveMigrate)), "HA-EVICTION", "workload/web", Warn, Info);
    // LiveMigrateIfPossible on ReadWriteMany disks migrates.
    expect(strategies(Some(LiveMigrateIfPossible), None), "HA-EVICTION", "workload/web", Pass, Pass);
    // External is left to another controller: not a pass, not a defect.
    expect(strategies(Some(External), None), "HA-EVICTION", "workload/web", Info, Info);
}

/// LiveMigrateIfPossible shuts down a VM that is not migratable; LiveMigrate
/// refuses its eviction, so the drain blocks. Both were passes before.
#[test]
fn eviction_depends_on_whether_the_vm_is_migratable() {
    let on_rwo = |strategy: EvictionStrategy| {
        move |inv: &mut Inventory| {
            let class = inv.storage.as_mut().unwrap().classes[0].value.clone();
            let mut rwo = class;
            rwo.name = "local-rwo".into();
            rwo.access_modes = Some(vec![AccessMode::ReadWriteOnce]);
            rwo.default = None;
            inv.storage.as_mut().unwrap().classes.push(kubev_ha_model::Located::new(rwo));
            inv.workloads[0].disks[0].storage_class = Some("local-rwo".into());
            inv.workloads[0].eviction_strategy = Some(strategy);
        }
    };
    expect(on_rwo(EvictionStrategy::LiveMigrateIfPossible), "HA-EVICTION", "workload/web", Warn, Info);
    expect(on_rwo(EvictionStrategy::LiveMigrate), "HA-EVICTION", "workload/web", Warn, Info);
    let mut inv = reference();
    on_rwo(EvictionStrategy::LiveMigrate)(&mut inv);
    let report = judge(inv, PROD);
    let found = findings(&report, "HA-EVICTION", Some("workload/web"));
    assert!(found[0].message.contains("drain blocks"), "{}", found[0].message);
}

/// The planner's drain and HA-EVICTION read one answer: the VMs HA-EVICTION
/// passes are the ones the drain migrates. Before, the drain migrated
/// LiveMigrateIfPossible VMs on ReadWriteOnce disks (which KubeVirt shuts
/// down) and shut down VMs that fall back to the cluster's LiveMigrate.
#[test]
fn the_drain_migrates_exactly_what_ha_eviction_passes() {
    let mut inv = reference();
    let mut rwo = inv.storage.as_ref().unwrap().classes[0].value.clone();
    rwo.name = "local-rwo".into();
    rwo.access_modes = Some(vec![AccessMode::ReadWriteOnce]);
    rwo.default = None;
    inv.storage.as_mut().unwrap().classes.push(kubev_ha_model::Located::new(rwo));
    inv.kubevirt.get_or_insert_with(Default::default).eviction_strategy = Some(EvictionStrategy::LiveMigrate);
    // web: LiveMigrateIfPossible on ReadWriteOnce, shut down; db: none of
    // its own, the cluster's LiveMigrate, migrates; the rest stay LiveMigrate.
    inv.workloads[0].eviction_strategy = Some(EvictionStrategy::LiveMigrateIfPossible);
    inv.workloads[0].disks[0].storage_class = Some("local-rwo".into());
    inv.workloads[1].eviction_strategy = None;
    let report = judge(inv.clone(), PROD);
    let plan = kubev_ha_plan::plan(&inv, kubev_ha_plan::PlanOptions::default()).unwrap();
    let cluster = kubev_ha_plan::Cluster::from_inventory(&inv).unwrap();
    for group in &cluster.groups {
        let passed = findings(&report, "HA-EVICTION", Some(&format!("workload/{}", group.name)))[0].severity == Pass;
        assert_eq!(group.migrates_on_drain, passed, "{}", group.name);
    }
    let web = cluster.groups.iter().find(|g| g.name == "web").unwrap();
    let db = cluster.groups.iter().find(|g| g.name == "db").unwrap();
    assert!(!web.migrates_on_drain && db.migrates_on_drain);
    // And the drain counts web's VMs as shut down.
    let stopped: u32 = plan.drain.hosts.iter().map(|h| h.stopped_vms).sum();
    assert_eq!(stopped, web.replicas);
}

/// HA-NODE-FAILURE without fencing: the VMs of a dead worker stay stuck
/// until the node is fenced, so "survives" cannot be claimed; the message
/// says what the verdict is with fencing. Before, it passed whatever
/// `ha.fencing` said.
#[test]
fn node_failure_survives_only_with_fencing() {
    let fencing = |f: Option<Fencing>| move |inv: &mut Inventory| inv.ha.as_mut().unwrap().fencing = f;
    expect(fencing(Some(Fencing::SelfNodeRemediation)), "HA-NODE-FAILURE", "cluster", Pass, Pass);
    expect(fencing(Some(Fencing::None)), "HA-NODE-FAILURE", "cluster", Fail, Warn);
    expect(fencing(None), "HA-NODE-FAILURE", "cluster", Unknown, Unknown);
    for (f, status) in [(None, "unknown"), (Some(Fencing::None), "fails")] {
        let mut inv = reference();
        fencing(f)(&mut inv);
        let report = judge(inv.clone(), PROD);
        let found = findings(&report, "HA-NODE-FAILURE", None);
        assert!(found[0].message.contains("with fencing: every restartable VM finds a home"), "{}", found[0].message);
        let plan = kubev_ha_plan::plan(&inv, kubev_ha_plan::PlanOptions::default()).unwrap();
        let json = serde_json::to_value(&plan.node_failure).unwrap();
        assert_eq!((json["status"].as_str(), json["withFencing"].as_str()), (Some(status), Some("survives")));
    }
}

#[test]
fn drain_time_against_the_window() {
    let window = |secs: u64| {
        move |inv: &mut Inventory| {
            inv.ha.as_mut().unwrap().maintenance_window = Some(kubev_ha_model::Interval::from_secs(secs))
        }
    };
    expect(window(10), "HA-DRAIN-TIME", "cluster", Warn, Info);
    expect(window(3600), "HA-DRAIN-TIME", "cluster", Pass, Pass);
    expect(|inv| inv.ha.as_mut().unwrap().maintenance_window = None, "HA-DRAIN-TIME", "cluster", Unknown, Unknown);
}

#[test]
fn node_and_zone_failure_verdicts() {
    // Shrink every worker until losing one leaves too little memory.
    let shrink = |gib: u64| {
        move |inv: &mut Inventory| {
            for n in inv.nodes.iter_mut().filter(|n| n.is_worker()) {
                n.memory = Some(ByteSize::gib(gib));
            }
        }
    };
    expect(shrink(512), "HA-NODE-FAILURE", "cluster", Pass, Pass);
    expect(shrink(160), "HA-NODE-FAILURE", "cluster", Fail, Warn);
    expect(shrink(160), "HA-ZONE-FAILURE", "cluster", Fail, Warn);
    expect(|inv| node(inv, "w-a1").memory = None, "HA-NODE-FAILURE", "cluster", Unknown, Unknown);
    // An etcd member without a zone may sit in the lost one: quorum is not
    // proven, so the zone verdict is unknown, never a pass.
    expect(|inv| node(inv, "cp-3").zone = None, "HA-ZONE-FAILURE", "cluster", Unknown, Unknown);
}

#[test]
fn unknown_facts_are_never_a_pass() {
    let mut inv = reference();
    for n in &mut inv.nodes {
        n.cpu = None;
        n.memory = None;
        n.disks = None;
        n.nics = None;
    }
    for profile in [PROD, MIN] {
        let report = judge(inv.clone(), profile);
        for rule in [
            "CP-CPU",
            "CP-MEMORY",
            "CP-ETCD-MEDIA",
            "CP-ETCD-CAPACITY",
            "W-VIRT",
            "W-COUNT",
            "W-CPU",
            "W-MEMORY",
            "W-MEDIA",
            "NET-NIC-SPEED",
        ] {
            let f = findings(&report, rule, None);
            assert!(!f.is_empty(), "{rule}");
            assert!(f.iter().all(|f| f.severity == Unknown), "{rule}: {f:#?}");
        }
        assert_eq!(severity_of(&report, "HA-NODE-FAILURE", "cluster"), Unknown);
    }
}

#[test]
fn a_waiver_turns_a_failure_into_waived_and_keeps_it() {
    let mut inv = reference();
    node(&mut inv, "cp-1").memory = Some(ByteSize::gib(2));
    let facts = kubev_ha_model::Facts::from_inventory(inv, "test.yaml");
    let waiver: WaiverSpec = "CP-MEMORY:cp-1=lab box until March".parse().unwrap();
    let before = check(&facts, &CheckOptions::default());
    let after = check(&facts, &CheckOptions { waivers: vec![waiver], ..CheckOptions::default() });
    assert!(before.failed(false));
    assert!(!after.failed(false));
    assert_eq!(after.summary.fail + 1, before.summary.fail);
    assert_eq!(after.summary.waived, before.summary.waived + 1);
    let f = after.findings.iter().find(|f| f.rule == "CP-MEMORY" && f.subject.to_string() == "node/cp-1").unwrap();
    assert_eq!(f.severity, Fail, "a waived finding keeps its severity");
    assert_eq!(f.waived.as_ref().unwrap().reason, "lab box until March");
    let err = "CP-MEMROY:cp-1".parse::<WaiverSpec>().unwrap_err();
    assert_eq!(err.suggestion.as_deref(), Some("CP-MEMORY"));
    assert!(err.to_string().contains("did you mean `CP-MEMORY`"), "{err}");
}

/// Regression (review of issue 9): HA-DRAIN-TIME timed only the VMs that
/// migrate, so a LiveMigrate VM on ReadWriteOnce disks (whose eviction
/// KubeVirt refuses, blocking the drain for good) left it a pass; and a VM
/// whose disks are not declared was timed as if it migrates, also a pass.
#[test]
fn a_drain_that_kubevirt_refuses_or_may_refuse_is_not_a_pass() {
    let with_rwo = |inv: &mut Inventory| {
        let mut rwo = inv.storage.as_ref().unwrap().classes[0].value.clone();
        rwo.name = "local-rwo".into();
        rwo.access_modes = Some(vec![AccessMode::ReadWriteOnce]);
        rwo.default = None;
        inv.storage.as_mut().unwrap().classes.push(kubev_ha_model::Located::new(rwo));
    };
    // The reference design drains within its window: the baseline.
    assert_eq!(findings(&judge(reference(), PROD), "HA-DRAIN-TIME", Some("cluster"))[0].severity, Pass);

    let mut inv = reference();
    with_rwo(&mut inv);
    inv.workloads[0].eviction_strategy = Some(EvictionStrategy::LiveMigrate);
    inv.workloads[0].disks[0].storage_class = Some("local-rwo".into());
    let name = inv.workloads[0].name.clone();
    let report = judge(inv, PROD);
    let drain = findings(&report, "HA-DRAIN-TIME", Some("cluster"));
    assert!(drain.iter().all(|f| f.severity != Pass), "{drain:?}");
    assert!(drain.iter().any(|f| f.message.contains("refuses to evict") && f.message.contains(&name)), "{drain:?}");

    let mut inv = reference();
    inv.workloads[0].disks.clear();
    let report = judge(inv, PROD);
    let drain = findings(&report, "HA-DRAIN-TIME", Some("cluster"));
    assert!(drain.iter().all(|f| f.severity != Pass), "{drain:?}");
    let eviction = findings(&report, "HA-EVICTION", Some(&format!("workload/{name}")));
    assert_eq!(eviction[0].severity, Unknown, "{eviction:?}");
}

/// Every number with a unit in `text`, as `number` + `unit` ("8Gi",
/// "10ms", "2vCPUs"). A number right after a letter, digit or `-` is part
/// of a name (`w-a1`, `nvme0n1`) and skipped; a bare number (an index, the
/// quorum arithmetic "3 tolerate one failure") carries no unit to check.
fn numbers_with_units(text: &str) -> Vec<String> {
    const UNITS: &[&str] = &[
        "GiB",
        "MiB",
        "TiB",
        "Gi",
        "Mi",
        "Ki",
        "Ti",
        "Gbps",
        "Mbps",
        "Gbit/s",
        "ms",
        "%",
        "vCPUs",
        "physical cores",
        "control-plane node",
        "replica",
        "VM-capable worker",
        "× quota",
    ];
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit() && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '-'));
        if !starts {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < chars.len()
            && (chars[end].is_ascii_digit()
                || (chars[end] == '.' && end + 1 < chars.len() && chars[end + 1].is_ascii_digit()))
        {
            end += 1;
        }
        let number: String = chars[i..end].iter().collect();
        let rest: String = chars[end..].iter().collect();
        let rest = rest.strip_prefix(' ').unwrap_or(&rest);
        if let Some(unit) = UNITS.iter().find(|u| rest.starts_with(**u)) {
            found.push(format!("{number}{unit}"));
        }
        i = end;
    }
    found
}

/// The numbers of `t` as its findings state them, with their units. The
/// advised ranges are left out: they are advice, and stand in a text only
/// as the whole phrase `{low}–{high} recommended`, which
/// [`every_number_a_finding_states_comes_from_the_profiles_table`] strips first.
fn table_numbers(t: &Thresholds) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let counts = [t.cp_count_min, t.cp_count_max, t.w_count_min, t.st_min_replicas, t.st_usual_replicas]
        .into_iter()
        .chain(t.cp_vcpus.iter().map(|f| f.below))
        .chain(t.w_cores.iter().map(|f| f.below));
    for c in counts {
        for unit in ["vCPUs", "physical cores", "control-plane node", "replica", "VM-capable worker"] {
            set.insert(format!("{c}{unit}"));
        }
    }
    let sizes = t.cp_memory.iter().chain(t.w_memory).map(|f| f.below).chain([
        t.etcd_default_quota,
        t.etcd_max_advised_quota,
        t.etcd_default_quota.saturating_mul(t.cp_etcd_capacity_factor),
    ]);
    set.extend(sizes.map(|b| b.to_string()));
    set.extend(t.net_nic_speed.iter().map(|f| f.below.to_string()));
    set.insert(format!("{}ms", t.cp_etcd_fsync_p99_ms));
    set.insert(format!("{}× quota", t.cp_etcd_capacity_factor));
    set.insert(format!("{:.0}%", t.st_capacity_warn_ratio * 100.0));
    set.insert(format!("{:.0}%", t.st_capacity_fail_ratio * 100.0));
    set
}

/// Regression: the W-MEMORY fix said "at least 16Gi (16–32Gi recommended)"
/// whatever the profile, so under the minimum profile (floor 8Gi) a 6Gi
/// worker was told 16Gi. Every number with a unit that a threshold-bearing
/// finding states must be the profile's own (as the finding formats it), or
/// a fact of the subject the case set.
#[test]
fn every_number_a_finding_states_comes_from_the_profiles_table() {
    type Change = Box<dyn Fn(&mut Inventory)>;
    let mem = |name: &'static str, b: ByteSize| -> Change { Box::new(move |inv| node(inv, name).memory = Some(b)) };
    let cases: Vec<(&str, &str, Change, Vec<&str>)> = vec![
        ("W-MEMORY", "node/w-a1", mem("w-a1", ByteSize::gib(6)), vec!["6Gi"]),
        ("W-MEMORY", "node/w-a1", mem("w-a1", ByteSize::gib(12)), vec!["12Gi"]),
        ("CP-MEMORY", "node/cp-1", mem("cp-1", ByteSize::gib(3)), vec!["3Gi"]),
        ("CP-MEMORY", "node/cp-1", mem("cp-1", ByteSize::gib(6)), vec!["6Gi"]),
        (
            "W-CPU",
            "node/w-a1",
            Box::new(|inv| {
                let cpu = node(inv, "w-a1").cpu.as_mut().unwrap();
                cpu.cores = Some(Count(4));
                cpu.threads = Some(Count(8));
            }),
            vec![],
        ),
        (
            "CP-CPU",
            "node/cp-1",
            Box::new(|inv| node(inv, "cp-1").cpu.as_mut().unwrap().threads = Some(Count(1))),
            vec![],
        ),
        (
            "NET-NIC-SPEED",
            "node/cp-1",
            Box::new(|inv| {
                node(inv, "cp-1").nics = Some(vec![Nic {
                    name: Some("eth0".into()),
                    speed: Some(LinkSpeed::mbps(100)),
                    mtu: Some(Count(9000)),
                }])
            }),
            vec!["100Mbps"],
        ),
        (
            "CP-ETCD-CAPACITY",
            "node/cp-1",
            Box::new(|inv| node(inv, "cp-1").disks.as_mut().unwrap()[0].size = Some(ByteSize::gib(3))),
            vec!["3Gi"],
        ),
        ("CP-COUNT", "cluster", Box::new(|inv| inv.nodes.retain(|n| n.name != "cp-3")), vec!["2control-plane node"]),
        ("CP-SPREAD", "cluster", Box::new(|inv| inv.nodes.retain(|n| !n.is_control_plane())), vec![]),
        (
            "ST-REPLICATION",
            "storageclass/ceph-rbd-vm",
            Box::new(|inv| inv.storage.as_mut().unwrap().classes[0].replicas = Some(Count(1))),
            vec!["1replica"],
        ),
    ];
    for (rule, subject, change, facts) in &cases {
        let mut triggered = false;
        for profile in [PROD, MIN] {
            let t = Thresholds::for_profile(profile);
            let allowed = table_numbers(t);
            let advised =
                [t.cp_memory_advised, t.w_memory_advised].map(|(low, high)| format!("{low}–{high} recommended"));
            let mut inv = reference();
            change(&mut inv);
            let report = judge(inv, profile);
            for finding in findings(&report, rule, Some(subject)) {
                triggered |= finding.severity != Pass;
                let mut text = format!("{} {}", finding.message, finding.remediation.as_deref().unwrap_or(""));
                for phrase in &advised {
                    text = text.replace(phrase.as_str(), "");
                }
                for number in numbers_with_units(&text) {
                    assert!(
                        allowed.contains(&number) || facts.contains(&number.as_str()),
                        "{rule} in {profile:?} states {number}, which is neither in the table nor a fact of the case: {finding:?}"
                    );
                }
            }
        }
        assert!(triggered, "{rule} {subject}: the case must give a finding other than pass in some profile");
    }
}

#[test]
fn numbers_with_units_skips_names_and_bare_numbers() {
    assert_eq!(
        numbers_with_units("give w-a1 at least 8Gi (16Gi–32Gi recommended); nvme0n1 10 ms, 85 %, 3 tolerate, 2 vCPUs"),
        ["8Gi", "16Gi", "32Gi", "10ms", "85%", "2vCPUs"]
    );
}

/// Regression: with one control-plane node CP-SPREAD said "1 etcd members"
/// and "1 members tolerate no loss", and CP-COUNT "1 control-plane node(s)";
/// with one of three nodes lacking a zone, "cp-3 declare no zone". Counts
/// now agree with their nouns and verbs.
#[test]
fn quorum_messages_agree_in_number_with_their_counts() {
    let text = |report: &kubev_ha_rules::Report, rule: &str| {
        findings(report, rule, Some("cluster"))
            .iter()
            .map(|f| format!("{} {}", f.message, f.remediation.as_deref().unwrap_or("")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut one = reference();
    one.nodes.retain(|n| !n.is_control_plane() || n.name == "cp-1");
    let report = judge(one, PROD);
    let spread = text(&report, "CP-SPREAD");
    assert!(spread.contains("the only etcd member is in one zone"), "{spread}");
    assert!(spread.contains("etcd with 1 member tolerates no loss"), "{spread}");
    assert!(!spread.contains("1 etcd members") && !spread.contains("1 members"), "{spread}");
    let count = text(&report, "CP-COUNT");
    assert!(count.starts_with("1 control-plane node (cp-1)"), "{count}");

    let mut undeclared = reference();
    node(&mut undeclared, "cp-3").zone = None;
    let spread = text(&judge(undeclared, PROD), "CP-SPREAD");
    assert!(spread.contains("3 etcd members") && spread.contains("cp-3 declares no zone"), "{spread}");
    assert!(spread.contains("depends on where it is"), "{spread}");
}
