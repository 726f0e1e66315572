//! The mapping from a live cluster, built in code, to the inventory.

use super::*;
use crate::inventory::{EvictionStrategy, Fencing, Role, RunStrategy};
use crate::live::{
    ClaimPropertySet, KubeVirtConfig, KubeadmConfig, LiveNodeHealthCheck, LivePvc, LiveStorageClass,
    LiveStorageProfile, LiveVm, NodeResources, PodPlacement, Taint, Unreadable,
};

const GI: u64 = 1 << 30;

fn node(name: &str, zone: &str, labels: &[(&str, &str)]) -> LiveNode {
    let mut l: BTreeMap<String, String> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    l.insert(node_labels::ZONE.into(), zone.into());
    LiveNode {
        name: name.into(),
        labels: l,
        capacity: NodeResources {
            cpu_millis: Some(32_000),
            memory: Some(128 * GI),
            pods: Some(110),
            ..Default::default()
        },
        allocatable: NodeResources {
            cpu_millis: Some(31_500),
            memory: Some(120 * GI),
            pods: Some(250),
            kvm_devices: Some(1000),
            ..Default::default()
        },
        internal_ip: Some(format!("10.0.0.{}", name.len()).parse().unwrap()),
        ..Default::default()
    }
}

fn etcd(node: &str) -> PodPlacement {
    PodPlacement { namespace: "kube-system".into(), name: format!("etcd-{node}"), node: Some(node.into()), ready: true }
}

fn vmi(ns: &str, name: &str, node: Option<&str>, owner: Option<&str>, claims: &[&str]) -> LiveVmi {
    LiveVmi {
        namespace: ns.into(),
        name: name.into(),
        owner_vm: owner.map(str::to_string),
        node: node.map(str::to_string),
        phase: Some("Running".into()),
        vcpus: 4,
        memory: Some(8 * GI),
        claims: claims.iter().map(|c| c.to_string()).collect(),
        ..Default::default()
    }
}

fn cluster() -> LiveCluster {
    let cp = [("node-role.kubernetes.io/control-plane", "")];
    let sched = [(node_labels::KUBEVIRT_SCHEDULABLE, "true"), ("cpu-vendor.node.kubevirt.io/Intel", "true")];
    let mut live = LiveCluster::empty("context test");
    live.nodes = Ok(vec![
        LiveNode {
            taints: vec![Taint {
                key: "node-role.kubernetes.io/control-plane".into(),
                value: None,
                effect: "NoSchedule".into(),
            }],
            ..node("cp-1", "a", &cp)
        },
        node("cp-2", "b", &cp),
        node("w-1", "a", &sched),
        node("w-2", "b", &sched),
        node("w-3", "c", &[(node_labels::KUBEVIRT_SCHEDULABLE, "false")]),
    ]);
    live.etcd_pods = Ok(vec![etcd("cp-1"), etcd("cp-2")]);
    live.kubeadm =
        Ok(Some(KubeadmConfig { control_plane_endpoint: Some("api.example:6443".into()), external_etcd: false }));
    live.kubevirt = Ok(Some(KubeVirtConfig {
        namespace: "kubevirt".into(),
        name: "kubevirt".into(),
        version: Some("v1.5.0".into()),
        eviction_strategy: Some(EvictionStrategy::LiveMigrate),
        memory_overcommit_percent: Some(150),
        migrations: crate::live::LiveMigrations {
            network: Some("migration-net".into()),
            parallel_migrations_per_cluster: Some(7),
            ..Default::default()
        },
        ..Default::default()
    }));
    live.vms = Ok(vec![LiveVm {
        namespace: "prod".into(),
        name: "db".into(),
        run_strategy: Some(RunStrategy::RerunOnFailure),
        status: Some("Running".into()),
    }]);
    live.vmis = Ok(vec![
        vmi("prod", "db", Some("w-1"), Some("db"), &["db-root"]),
        LiveVmi { eviction_strategy: Some(EvictionStrategy::None), ..vmi("lab", "scratch", Some("w-2"), None, &[]) },
    ]);
    live.pvcs = Ok(vec![LivePvc {
        namespace: "prod".into(),
        name: "db-root".into(),
        storage_class: Some("ceph-rbd".into()),
        access_modes: vec![AccessMode::ReadWriteMany],
        volume_mode: Some(VolumeMode::Block),
        volume: Some("pv-1".into()),
        size: Some(50 * GI),
    }]);
    live.storage_classes = Ok(vec![
        LiveStorageClass {
            name: "ceph-rbd".into(),
            provisioner: "rbd.csi.ceph.com".into(),
            binding_mode: None,
            default: false,
            default_virt: true,
        },
        LiveStorageClass {
            name: "local".into(),
            provisioner: "topolvm.io".into(),
            binding_mode: Some("WaitForFirstConsumer".into()),
            default: true,
            default_virt: false,
        },
    ]);
    live.storage_profiles = Ok(vec![LiveStorageProfile {
        name: "ceph-rbd".into(),
        provisioner: Some("rbd.csi.ceph.com".into()),
        claim_property_sets: vec![
            ClaimPropertySet { access_modes: vec![AccessMode::ReadWriteMany], volume_mode: Some(VolumeMode::Block) },
            ClaimPropertySet {
                access_modes: vec![AccessMode::ReadWriteOnce],
                volume_mode: Some(VolumeMode::Filesystem),
            },
        ],
    }]);
    live.node_health_checks = Ok(vec![LiveNodeHealthCheck {
        name: "workers".into(),
        selector: Default::default(),
        template_kind: Some("SelfNodeRemediationTemplate".into()),
        template: Some("openshift-workload-availability/snr".into()),
        min_healthy: None,
        max_unhealthy: None,
        phase: Some("Enabled".into()),
        observed_nodes: None,
        healthy_nodes: None,
    }]);
    live
}

fn forbidden(resource: &str) -> Unreadable {
    Unreadable {
        resource: resource.into(),
        why: WhyUnreadable::Forbidden { verb: "list".into(), message: "no".into() },
    }
}

#[test]
fn nodes_take_roles_from_etcd_pods_and_kubevirt_labels() {
    let (inv, _) = implied_inventory(&cluster());
    let roles: Vec<(&str, Vec<Role>)> = inv.nodes.iter().map(|n| (n.name.as_str(), n.roles.clone())).collect();
    assert_eq!(
        roles,
        vec![
            ("cp-1", vec![Role::ControlPlane]),
            ("cp-2", vec![Role::ControlPlane]),
            ("w-1", vec![Role::Worker]),
            ("w-2", vec![Role::Worker]),
            ("w-3", vec![]),
        ]
    );
    let w1 = inv.node("w-1").unwrap();
    assert_eq!(w1.zone.as_deref(), Some("a"));
    assert_eq!(w1.address.to_string(), "10.0.0.3");
    assert_eq!(w1.memory, Some(ByteSize::bytes(128 * GI)), "capacity, the machine; allocatable goes to the planner");
    let cpu = w1.cpu.as_ref().unwrap();
    assert_eq!((cpu.threads, cpu.cores, cpu.virtualization), (Some(Count(32)), None, Some(Virtualization::VtX)));
    assert_eq!(inv.node("w-3").unwrap().cpu.as_ref().unwrap().virtualization, Some(Virtualization::Unknown));
    assert_eq!(inv.max_pods(), 250, "the nodes' allocatable pods");
}

#[test]
fn etcd_unreadable_or_external_falls_back_to_role_labels() {
    let mut live = cluster();
    live.etcd_pods = Err(forbidden("pods"));
    let (inv, _) = implied_inventory(&live);
    // cp-1 and cp-2 are control planes by label.
    assert_eq!(inv.control_planes().count(), 2);
    assert!(etcd_nodes(&live).is_none());
    let mut live = cluster();
    live.kubeadm = Ok(Some(KubeadmConfig { control_plane_endpoint: None, external_etcd: true }));
    assert!(etcd_nodes(&live).is_none());
}

#[test]
fn without_kubevirt_labels_workers_are_the_nodes_that_take_pods() {
    let mut live = cluster();
    for n in live.nodes.as_mut().unwrap() {
        n.labels.remove(node_labels::KUBEVIRT_SCHEDULABLE);
    }
    let (inv, _) = implied_inventory(&live);
    let workers: Vec<&str> = inv.workers().map(|n| n.name.as_str()).collect();
    assert_eq!(workers, vec!["w-1", "w-2", "w-3"]);
}

#[test]
fn classes_take_modes_from_storage_profiles_and_the_virt_default() {
    let (inv, _) = implied_inventory(&cluster());
    let rbd = inv.storage_class("ceph-rbd").unwrap();
    assert_eq!(rbd.provisioner.as_deref(), Some("rbd.csi.ceph.com"));
    assert_eq!(rbd.access_modes, Some(vec![AccessMode::ReadWriteMany, AccessMode::ReadWriteOnce]));
    assert_eq!(rbd.volume_modes, Some(vec![VolumeMode::Block, VolumeMode::Filesystem]));
    assert_eq!(rbd.default, Some(true), "the default-virt class is where VM disks land");
    let local = inv.storage_class("local").unwrap();
    assert_eq!((local.access_modes.as_ref(), local.default), (None, Some(false)), "no profile: modes unknown");
}

#[test]
fn one_workload_per_vmi_with_its_pvcs_and_owner() {
    let (inv, notes) = implied_inventory(&cluster());
    assert!(notes.is_empty(), "{notes:?}");
    let names: Vec<&str> = inv.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, vec!["prod/db", "lab/scratch"]);
    let db = &inv.workloads[0];
    assert_eq!((db.cpu, db.memory, db.replica_count()), (Some(Count(4)), Some(ByteSize::bytes(8 * GI)), 1));
    assert_eq!(db.run_strategy, Some(RunStrategy::RerunOnFailure));
    assert_eq!(db.disks.len(), 1);
    assert_eq!(db.disks[0].storage_class.as_deref(), Some("ceph-rbd"));
    assert_eq!(db.disks[0].size, Some(ByteSize::bytes(50 * GI)));
    // The cluster's strategy applies to db; scratch states its own.
    assert_eq!(inv.eviction_strategy_of(db).0, EvictionStrategy::LiveMigrate);
    let scratch = &inv.workloads[1];
    assert_eq!(scratch.run_strategy, Some(RunStrategy::Once), "a standalone VMI is never restarted");
    assert_eq!(inv.eviction_strategy_of(scratch).0, EvictionStrategy::None);
}

#[test]
fn kubevirt_settings_fencing_dns_and_endpoint() {
    let (inv, _) = implied_inventory(&cluster());
    let kv = inv.kubevirt.as_ref().unwrap();
    assert_eq!(kv.version.map(|v| v.to_string()).as_deref(), Some("v1.5.0"));
    assert_eq!(inv.memory_overcommit(), 1.5);
    assert_eq!(inv.cpu_overcommit(), 10.0, "unset: KubeVirt's default");
    assert_eq!(inv.migration().unwrap().parallel_migrations_per_cluster, Some(Count(7)));
    assert_eq!(inv.migration_network().unwrap().dedicated, Some(true));
    assert_eq!(inv.ha().unwrap().fencing, Some(Fencing::SelfNodeRemediation));
    let dns = inv.network().unwrap().dns.as_ref().unwrap().node_local_dns_cache.as_ref().unwrap();
    assert_eq!(dns.enabled, Some(false), "no node-local-dns DaemonSet");
    let api = inv.api_endpoint.as_ref().unwrap();
    assert_eq!((api.host.as_str(), api.port, api.load_balancer), ("api.example", Some(6443), None));
}

#[test]
fn what_cannot_be_read_stays_unknown_and_is_noted() {
    let mut live = cluster();
    live.kubevirt = Err(forbidden("kubevirts.kubevirt.io"));
    live.pvcs = Err(forbidden("persistentvolumeclaims"));
    live.node_health_checks = Err(forbidden("nodehealthchecks.remediation.medik8s.io"));
    live.node_local_dns = Err(forbidden("daemonsets"));
    let (inv, notes) = implied_inventory(&live);
    assert!(inv.kubevirt.is_none() && inv.overcommit.is_none() && inv.migration().is_none());
    assert_eq!(inv.ha().unwrap().fencing, None);
    assert!(inv.migration_network().is_none());
    assert!(inv.network().unwrap().dns.is_none());
    assert!(inv.workloads[0].disks.is_empty());
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("persistentvolumeclaims") && n.contains("disks are unknown")));
}

#[test]
fn no_fencing_operator_installed_is_no_fencing() {
    let mut live = cluster();
    live.node_health_checks = Err(Unreadable {
        resource: "nodehealthchecks.remediation.medik8s.io".into(),
        why: WhyUnreadable::NotInstalled { component: "medik8s NodeHealthCheck operator".into() },
    });
    assert_eq!(implied_inventory(&live).0.ha().unwrap().fencing, Some(Fencing::None));
}

#[test]
fn pinned_placement_and_allocatable_for_the_planner() {
    let live = cluster();
    let on = live.running_on();
    assert_eq!(on.get("prod/db").map(String::as_str), Some("w-1"));
    assert_eq!(live.allocatable().get("w-2"), Some(&(31_500, 120 * GI, 250)));
}

#[test]
fn endpoints_split_host_and_port() {
    assert_eq!(split_host_port("10.0.0.10:6443"), ("10.0.0.10".into(), Some(6443)));
    assert_eq!(split_host_port("[fd00::1]:6443"), ("fd00::1".into(), Some(6443)));
    assert_eq!(split_host_port("fd00::1"), ("fd00::1".into(), None));
    assert_eq!(split_host_port("api.example"), ("api.example".into(), None));
}

#[test]
fn the_declared_design_gives_what_the_cluster_cannot_report() {
    let mut design = implied_inventory(&cluster()).0;
    design.profile = Some(crate::inventory::Profile::Minimum);
    design.ha = Some(Located::new(Ha {
        tolerate: Some(crate::inventory::Tolerate { nodes: Some(Count(2)), zones: Some(Count(1)) }),
        fencing: Some(Fencing::None),
        ..Ha::default()
    }));
    let facts = crate::Facts::from_live(cluster(), Some(design));
    assert_eq!(facts.inventory.profile, Some(crate::inventory::Profile::Minimum));
    assert_eq!((facts.inventory.tolerated_node_failures(), facts.inventory.tolerated_zone_failures()), (2, 1));
    // What the cluster reports stays as read: its NodeHealthCheck, not the design's "none".
    assert_eq!(facts.inventory.ha().unwrap().fencing, Some(Fencing::SelfNodeRemediation));
}
