//! Unit tests of the LIVE-* rules: live clusters built in code from
//! `LiveCluster::empty`, for each rule a case that fails, one that passes
//! and an unknown for a resource the audit could not read.

use std::collections::BTreeMap;

use kubev_ha_model::{
    AccessMode, ClaimPropertySet, Condition, EvictionStrategy, Facts, InfraComponent, Inventory, KubeVirtConfig,
    LiveCluster, LiveInterface, LiveNetworkAttachment, LiveNode, LivePdb, LivePv, LivePvc, LiveStorageClass,
    LiveStorageProfile, LiveVm, LiveVmi, NodeResources, PodPlacement, Profile, RunStrategy, Unreadable, VirtHandlerPod,
    WhyUnreadable, node_labels,
};

use crate::engine::{CheckOptions, check};
use crate::finding::Finding;
use crate::severity::Severity::{self, Fail, Info, Pass, Unknown, Warn};

const GIB: u64 = 1 << 30;

fn run_facts(id: &'static str, facts: &Facts, profile: Profile) -> Vec<Finding> {
    let options = CheckOptions { profile: Some(profile), only: vec![id], ..CheckOptions::default() };
    check(facts, &options).findings
}

fn run(id: &'static str, live: LiveCluster) -> Vec<Finding> {
    run_facts(id, &Facts::from_live(live, None), Profile::Production)
}

fn severities(findings: &[Finding]) -> Vec<Severity> {
    findings.iter().map(|f| f.severity).collect()
}

/// The one finding about `subject`.
fn about<'a>(findings: &'a [Finding], subject: &str) -> &'a Finding {
    let matching: Vec<&Finding> = findings.iter().filter(|f| f.subject.to_string() == subject).collect();
    assert_eq!(matching.len(), 1, "one finding about {subject}: {findings:#?}");
    matching[0]
}

fn forbidden(resource: &str) -> Unreadable {
    Unreadable {
        resource: resource.into(),
        why: WhyUnreadable::Forbidden { verb: "list".into(), message: "forbidden".into() },
    }
}

fn not_installed(resource: &str, component: &str) -> Unreadable {
    Unreadable { resource: resource.into(), why: WhyUnreadable::NotInstalled { component: component.into() } }
}

/// Asserts one unknown naming the resource and the way to read it.
fn assert_unknown_naming(findings: &[Finding], resource: &str, hint: &str) {
    assert!(
        findings.iter().any(|f| f.severity == Unknown
            && f.message.contains(resource)
            && f.remediation.as_deref().is_some_and(|r| r.contains(hint))),
        "an unknown naming {resource} and {hint:?}: {findings:#?}"
    );
    assert!(!findings.iter().any(|f| f.severity == Pass), "nothing passes on an unread resource: {findings:#?}");
}

/// A healthy VM node: ready, schedulable, KVM, Skylake.
fn node(name: &str, zone: &str) -> LiveNode {
    let labels: BTreeMap<String, String> = [
        (node_labels::ZONE, zone.to_string()),
        (node_labels::KUBEVIRT_SCHEDULABLE, "true".into()),
        ("cpu-model.node.kubevirt.io/Skylake-Server", "true".into()),
        ("host-model-cpu.node.kubevirt.io/Skylake-Server", "true".into()),
        ("cpu-model-migration.node.kubevirt.io/Skylake-Server", "true".into()),
        ("cpu-feature.node.kubevirt.io/avx2", "true".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let resources = NodeResources {
        cpu_millis: Some(16_000),
        memory: Some(64 * GIB),
        pods: Some(110),
        kvm_devices: Some(1000),
        ..NodeResources::default()
    };
    LiveNode {
        name: name.into(),
        labels,
        capacity: resources,
        allocatable: resources,
        ready: Some(true),
        ..LiveNode::default()
    }
}

fn migratable(status: bool, reason: Option<&str>) -> Option<Condition> {
    Some(Condition { status, reason: reason.map(Into::into), message: reason.map(|_| "details".into()) })
}

fn vmi(name: &str, on: &str) -> LiveVmi {
    LiveVmi {
        namespace: "prod".into(),
        name: name.into(),
        owner_vm: Some(name.into()),
        node: Some(on.into()),
        phase: Some("Running".into()),
        eviction_strategy: Some(EvictionStrategy::LiveMigrate),
        live_migratable: migratable(true, None),
        vcpus: 2,
        claims: vec![format!("{name}-disk")],
        ..LiveVmi::default()
    }
}

fn pvc(name: &str, class: &str, modes: Vec<AccessMode>) -> LivePvc {
    LivePvc {
        namespace: "prod".into(),
        name: name.into(),
        storage_class: Some(class.into()),
        access_modes: modes,
        volume_mode: None,
        volume: Some(format!("pv-{name}")),
        size: Some(20 * GIB),
    }
}

fn handler(on: &str, ready: bool) -> VirtHandlerPod {
    VirtHandlerPod {
        pod: PodPlacement {
            namespace: "kubevirt".into(),
            name: format!("virt-handler-{on}"),
            node: Some(on.into()),
            ready,
        },
        has_migration0: true,
        migration0_mtu: Some(9000),
    }
}

fn kubevirt() -> KubeVirtConfig {
    KubeVirtConfig {
        namespace: "kubevirt".into(),
        name: "kubevirt".into(),
        eviction_strategy: Some(EvictionStrategy::LiveMigrate),
        workload_update_methods: vec!["LiveMigrate".into()],
        ..KubeVirtConfig::default()
    }
}

/// A healthy cluster: three zones, two VMs on RWX storage, handlers ready.
fn healthy() -> LiveCluster {
    let mut live = LiveCluster::empty("test");
    live.nodes = Ok(vec![node("w-a", "a"), node("w-b", "b"), node("w-c", "c")]);
    live.kubevirt = Ok(Some(kubevirt()));
    live.vmis = Ok(vec![vmi("db", "w-a"), vmi("web", "w-b")]);
    live.vms = ["db", "web"]
        .iter()
        .map(|n| LiveVm {
            namespace: "prod".into(),
            name: (*n).into(),
            run_strategy: Some(RunStrategy::Always),
            status: Some("Running".into()),
        })
        .collect::<Vec<_>>()
        .pipe(Ok);
    live.pvcs = Ok(vec![
        pvc("db-disk", "ceph-rbd", vec![AccessMode::ReadWriteMany]),
        pvc("web-disk", "ceph-rbd", vec![AccessMode::ReadWriteMany]),
    ]);
    live.pvs = Ok(vec![LivePv { name: "pv-db-disk".into(), storage_class: Some("ceph-rbd".into()), pinned_to: None }]);
    live.storage_classes = Ok(vec![LiveStorageClass {
        name: "ceph-rbd".into(),
        provisioner: "rbd.csi.ceph.com".into(),
        binding_mode: None,
        default: true,
        default_virt: false,
    }]);
    live.storage_profiles = Ok(vec![LiveStorageProfile {
        name: "ceph-rbd".into(),
        provisioner: Some("rbd.csi.ceph.com".into()),
        claim_property_sets: vec![ClaimPropertySet {
            access_modes: vec![AccessMode::ReadWriteMany],
            volume_mode: None,
        }],
    }]);
    live.virt_handlers = Ok(vec![handler("w-a", true), handler("w-b", true), handler("w-c", true)]);
    live.network_attachments = Ok(vec![LiveNetworkAttachment {
        namespace: "kubevirt".into(),
        name: "migration".into(),
        cni_type: Some("macvlan".into()),
        mtu: Some(9000),
    }]);
    live.infra = ["virt-api", "virt-controller"]
        .iter()
        .map(|c| InfraComponent {
            name: (*c).into(),
            pods: Ok(["w-a", "w-b"]
                .iter()
                .map(|n| PodPlacement {
                    namespace: "kubevirt".into(),
                    name: format!("{c}-{n}"),
                    node: Some((*n).into()),
                    ready: true,
                })
                .collect()),
        })
        .collect();
    live
}

/// `x.pipe(f)` is `f(x)`: keeps the builder above in one expression.
trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}

fn with_network(mut live: LiveCluster, network: Option<&str>) -> LiveCluster {
    if let Ok(Some(kv)) = &mut live.kubevirt {
        kv.migrations.network = network.map(Into::into);
    }
    live
}

const LIVE_RULES: [&str; 10] = [
    "LIVE-MIGRATABLE",
    "LIVE-RESTART",
    "LIVE-STORAGE-PROFILE",
    "LIVE-MIGRATION-NETWORK",
    "LIVE-NODES",
    "LIVE-CPU-MODEL",
    "LIVE-DRAIN-BLOCKERS",
    "LIVE-INFRA",
    "LIVE-WORKLOAD-UPDATE",
    "LIVE-DRIFT",
];

#[test]
fn the_catalog_holds_the_ten_live_rules_measured_by_audit() {
    let live: Vec<&str> = crate::CATALOG.iter().map(|r| r.id).filter(|id| id.starts_with("LIVE-")).collect();
    assert_eq!(live, LIVE_RULES);
    for id in LIVE_RULES {
        let rule = crate::rule(id).unwrap();
        assert_eq!(rule.facts, crate::FactSource::Measured("kubev-ha audit"), "{id}");
        assert!(rule.explanation.contains("kubev-ha audit"), "{id} says where its facts come from");
    }
}

#[test]
fn without_a_live_cluster_no_live_rule_says_anything() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ha-reference.yaml");
    let facts = Facts::from(kubev_ha_model::load_file(&path).expect("the reference example loads"));
    for id in LIVE_RULES {
        assert!(run_facts(id, &facts, Profile::Production).is_empty(), "{id} judged facts without a live cluster");
    }
}

#[test]
fn the_healthy_cluster_passes_every_live_rule() {
    for id in LIVE_RULES.iter().filter(|id| **id != "LIVE-DRIFT") {
        let findings = run(id, with_network(healthy(), Some("migration")));
        assert!(!findings.is_empty(), "{id} said nothing");
        assert!(findings.iter().all(|f| f.severity == Pass), "{id}: {findings:#?}");
    }
}

// ---------------------------------------------------------------- LIVE-MIGRATABLE

#[test]
fn migratable_names_each_vmi_that_cannot_move_with_the_fix_for_its_reason() {
    let mut live = healthy();
    let vmis = live.vmis.as_mut().unwrap();
    vmis[0].live_migratable = migratable(false, Some("DisksNotLiveMigratable"));
    vmis[1].live_migratable = migratable(false, Some("InterfaceNotLiveMigratable"));
    vmis[1].eviction_strategy = Some(EvictionStrategy::LiveMigrateIfPossible);
    vmis[1].interfaces = vec![LiveInterface { name: "default".into(), binding: "bridge".into(), pod_network: true }];
    live.pvcs.as_mut().unwrap()[0].access_modes = vec![AccessMode::ReadWriteOnce];
    let findings = run("LIVE-MIGRATABLE", live);
    let db = about(&findings, "vmi/prod/db");
    assert_eq!(db.severity, Fail, "LiveMigrate that cannot migrate blocks the drain");
    assert!(db.message.contains("DisksNotLiveMigratable") && db.message.contains("details"), "{db:?}");
    assert!(db.remediation.as_deref().unwrap().contains("db-disk (ReadWriteOnce)"), "{db:?}");
    let web = about(&findings, "vmi/prod/web");
    assert_eq!(web.severity, Warn, "LiveMigrateIfPossible shuts down instead");
    assert!(web.remediation.as_deref().unwrap().contains("masquerade"), "{web:?}");
    assert!(!findings.iter().any(|f| f.severity == Pass), "{findings:#?}");
}

#[test]
fn migratable_is_unknown_without_the_condition_and_follows_the_clusters_strategy() {
    let mut live = healthy();
    let vmis = live.vmis.as_mut().unwrap();
    vmis[0].live_migratable = None;
    // No strategy of its own: the KubeVirt CR's LiveMigrate applies.
    vmis[1].eviction_strategy = None;
    vmis[1].live_migratable = migratable(false, Some("HostDeviceNotLiveMigratable"));
    vmis[1].host_devices = vec!["nvidia.com/A100".into()];
    let findings = run("LIVE-MIGRATABLE", live);
    assert_eq!(about(&findings, "vmi/prod/db").severity, Unknown);
    let web = about(&findings, "vmi/prod/web");
    assert_eq!(web.severity, Fail);
    assert!(web.remediation.as_deref().unwrap().contains("nvidia.com/A100"), "{web:?}");
}

#[test]
fn migratable_ignores_vmis_that_do_not_move_and_passes_when_none_run() {
    let mut live = healthy();
    for v in live.vmis.as_mut().unwrap() {
        v.eviction_strategy = Some(EvictionStrategy::None);
        v.live_migratable = migratable(false, Some("DisksNotLiveMigratable"));
    }
    assert_eq!(severities(&run("LIVE-MIGRATABLE", live)), [Pass]);
    let mut empty = healthy();
    empty.vmis = Ok(vec![]);
    let findings = run("LIVE-MIGRATABLE", empty);
    assert_eq!(severities(&findings), [Pass]);
    assert!(findings[0].message.contains("no VMIs run"));
}

#[test]
fn migratable_is_unknown_when_vmis_or_the_kubevirt_cr_cannot_be_read() {
    let mut live = healthy();
    live.vmis = Err(forbidden("virtualmachineinstances.kubevirt.io"));
    assert_unknown_naming(&run("LIVE-MIGRATABLE", live), "virtualmachineinstances.kubevirt.io", "kubev-ha render rbac");
    let mut live = healthy();
    live.kubevirt = Err(forbidden("kubevirts.kubevirt.io"));
    for v in live.vmis.as_mut().unwrap() {
        v.eviction_strategy = None;
    }
    assert_unknown_naming(
        &run("LIVE-MIGRATABLE", live),
        "kubevirts.kubevirt.io",
        "grant list on kubevirts.kubevirt.io",
    );
}

// ---------------------------------------------------------------- LIVE-RESTART

#[test]
fn restart_names_manual_vms_and_standalone_vmis() {
    let mut live = healthy();
    live.vms.as_mut().unwrap()[0].run_strategy = Some(RunStrategy::Manual);
    live.vms.as_mut().unwrap()[1].run_strategy = Some(RunStrategy::Halted);
    let mut lone = vmi("lone", "w-c");
    lone.owner_vm = None;
    live.vmis.as_mut().unwrap().push(lone);
    let findings = run("LIVE-RESTART", live);
    assert_eq!(about(&findings, "vm/prod/db").severity, Warn);
    assert!(about(&findings, "vm/prod/db").message.contains("Manual"));
    assert_eq!(about(&findings, "vm/prod/web").severity, Info, "Halted is off on purpose");
    assert_eq!(about(&findings, "vmi/prod/lone").severity, Warn);
    assert!(!findings.iter().any(|f| f.severity == Pass));
}

#[test]
fn restart_is_unknown_when_vms_cannot_be_read() {
    let mut live = healthy();
    live.vms = Err(forbidden("virtualmachines.kubevirt.io"));
    assert_unknown_naming(&run("LIVE-RESTART", live), "virtualmachines.kubevirt.io", "render rbac");
}

// ---------------------------------------------------------------- LIVE-STORAGE-PROFILE

#[test]
fn storage_profile_fails_rwo_classes_reports_unknown_provisioners_and_pinned_pvs() {
    let mut live = healthy();
    live.pvcs.as_mut().unwrap()[1].storage_class = Some("local".into());
    live.pvcs.as_mut().unwrap()[0].storage_class = Some("topolvm".into());
    live.storage_profiles.as_mut().unwrap().extend([
        LiveStorageProfile {
            name: "local".into(),
            provisioner: Some("kubernetes.io/no-provisioner".into()),
            claim_property_sets: vec![ClaimPropertySet {
                access_modes: vec![AccessMode::ReadWriteOnce],
                volume_mode: None,
            }],
        },
        LiveStorageProfile {
            name: "topolvm".into(),
            provisioner: Some("topolvm.io".into()),
            claim_property_sets: vec![],
        },
    ]);
    live.pvs.as_mut().unwrap()[0].pinned_to = Some("w-a".into());
    let findings = run("LIVE-STORAGE-PROFILE", live);
    let local = about(&findings, "storageclass/local");
    assert_eq!(local.severity, Fail);
    assert!(local.message.contains("ReadWriteOnce"), "{local:?}");
    let topolvm = about(&findings, "storageclass/topolvm");
    assert_eq!(topolvm.severity, Warn);
    assert!(topolvm.message.contains("topolvm.io"), "{topolvm:?}");
    let pinned = about(&findings, "pv/pv-db-disk");
    assert_eq!(pinned.severity, Fail);
    assert!(pinned.message.contains("w-a") && pinned.message.contains("prod/db"), "{pinned:?}");
    assert!(findings.iter().all(|f| f.subject.to_string() != "storageclass/ceph-rbd"), "unused classes are not judged");
}

#[test]
fn storage_profile_is_unknown_without_cdi() {
    let mut live = healthy();
    live.storage_profiles = Err(not_installed("storageprofiles.cdi.kubevirt.io", "CDI"));
    assert_unknown_naming(&run("LIVE-STORAGE-PROFILE", live), "storageprofiles.cdi.kubevirt.io", "CDI");
}

// ---------------------------------------------------------------- LIVE-MIGRATION-NETWORK

#[test]
fn migration_network_unset_means_the_pod_network() {
    let findings = run("LIVE-MIGRATION-NETWORK", with_network(healthy(), None));
    assert_eq!(severities(&findings), [Warn]);
    assert!(findings[0].message.contains("pod network"));
    let minimum =
        run_facts("LIVE-MIGRATION-NETWORK", &Facts::from_live(with_network(healthy(), None), None), Profile::Minimum);
    assert_eq!(severities(&minimum), [Info]);
}

#[test]
fn migration_network_resolves_unqualified_names_in_the_kubevirt_namespace() {
    // The NAD exists, but in another namespace than KubeVirt's.
    let mut live = with_network(healthy(), Some("migration"));
    live.network_attachments.as_mut().unwrap()[0].namespace = "default".into();
    let findings = run("LIVE-MIGRATION-NETWORK", live.clone());
    assert_eq!(severities(&findings), [Fail]);
    assert!(findings[0].message.contains("kubevirt/migration"), "{findings:#?}");
    // Qualified, it resolves where it says.
    let findings = run("LIVE-MIGRATION-NETWORK", with_network(live, Some("default/migration")));
    assert_eq!(severities(&findings), [Pass]);
}

#[test]
fn migration_network_names_handlers_without_migration0_and_mtu_mismatches() {
    let mut live = with_network(healthy(), Some("migration"));
    let handlers = live.virt_handlers.as_mut().unwrap();
    handlers[0].has_migration0 = false;
    handlers[1].migration0_mtu = Some(1500);
    let findings = run("LIVE-MIGRATION-NETWORK", live);
    assert_eq!(severities(&findings), [Fail, Fail], "{findings:#?}");
    assert!(findings[0].message.contains("virt-handler-w-a"));
    assert!(findings[1].message.contains("virt-handler-w-b (1500)"));
}

#[test]
fn migration_network_is_unknown_when_nads_cannot_be_read() {
    let mut live = with_network(healthy(), Some("migration"));
    live.network_attachments = Err(not_installed("network-attachment-definitions.k8s.cni.cncf.io", "Multus"));
    assert_unknown_naming(&run("LIVE-MIGRATION-NETWORK", live), "network-attachment-definitions", "Multus");
}

// ---------------------------------------------------------------- LIVE-NODES

#[test]
fn nodes_names_unusable_and_cordoned_vm_nodes() {
    let mut live = healthy();
    let nodes = live.nodes.as_mut().unwrap();
    nodes[0].ready = Some(false);
    nodes[1].allocatable.kvm_devices = Some(0);
    nodes[2].unschedulable = true;
    live.virt_handlers.as_mut().unwrap().retain(|h| h.pod.node.as_deref() != Some("w-a"));
    let findings = run("LIVE-NODES", live);
    let a = about(&findings, "node/w-a");
    assert_eq!(a.severity, Fail);
    assert!(a.message.contains("NotReady") && a.message.contains("no virt-handler pod"), "{a:?}");
    let b = about(&findings, "node/w-b");
    assert_eq!(b.severity, Fail);
    assert!(b.message.contains("devices.kubevirt.io/kvm"), "{b:?}");
    assert_eq!(about(&findings, "node/w-c").severity, Warn);
    assert!(!findings.iter().any(|f| f.severity == Pass));
}

#[test]
fn nodes_accept_no_kvm_devices_under_emulation() {
    let mut live = healthy();
    live.nodes.as_mut().unwrap().iter_mut().for_each(|n| n.allocatable.kvm_devices = None);
    assert_eq!(severities(&run("LIVE-NODES", live.clone())), [Fail, Fail, Fail]);
    live.kubevirt.as_mut().unwrap().as_mut().unwrap().use_emulation = Some(true);
    assert_eq!(severities(&run("LIVE-NODES", live)), [Pass]);
}

#[test]
fn nodes_are_unknown_when_nodes_cannot_be_read() {
    let mut live = healthy();
    live.nodes = Err(forbidden("nodes"));
    assert_unknown_naming(&run("LIVE-NODES", live), "nodes", "grant list on nodes");
}

// ---------------------------------------------------------------- LIVE-CPU-MODEL

#[test]
fn cpu_model_fails_a_vmi_whose_model_no_other_node_offers() {
    let mut live = healthy();
    // Only w-a offers Cascadelake; db runs there and asks for it.
    live.nodes.as_mut().unwrap()[0]
        .labels
        .insert("cpu-model.node.kubevirt.io/Cascadelake-Server".into(), "true".into());
    let vmis = live.vmis.as_mut().unwrap();
    vmis[0].cpu_model = Some("Cascadelake-Server".into());
    // web (host-model on w-b) requires a feature nobody has.
    vmis[1].required_cpu_features = vec!["amx-tile".into()];
    let findings = run("LIVE-CPU-MODEL", live);
    let db = about(&findings, "vmi/prod/db");
    assert_eq!(db.severity, Fail);
    assert!(db.message.contains("Cascadelake-Server"), "{db:?}");
    let web = about(&findings, "vmi/prod/web");
    assert_eq!(web.severity, Fail);
    assert!(web.message.contains("host-model Skylake-Server") && web.message.contains("amx-tile"), "{web:?}");
}

#[test]
fn cpu_model_host_model_needs_the_migration_label_and_required_features_elsewhere() {
    let mut live = healthy();
    let nodes = live.nodes.as_mut().unwrap();
    // The source requires a feature of its host model that only it has.
    nodes[0].labels.insert("host-model-required-features.node.kubevirt.io/pku".into(), "true".into());
    nodes[0].labels.insert("cpu-feature.node.kubevirt.io/pku".into(), "true".into());
    let findings = run("LIVE-CPU-MODEL", live.clone());
    assert_eq!(about(&findings, "vmi/prod/db").severity, Fail, "{findings:#?}");
    // A second node offers it: db can move.
    live.nodes.as_mut().unwrap()[2].labels.insert("cpu-feature.node.kubevirt.io/pku".into(), "true".into());
    assert_eq!(severities(&run("LIVE-CPU-MODEL", live)), [Pass]);
}

#[test]
fn cpu_model_is_unknown_when_vmis_cannot_be_read() {
    let mut live = healthy();
    live.vmis = Err(forbidden("virtualmachineinstances.kubevirt.io"));
    assert_unknown_naming(&run("LIVE-CPU-MODEL", live), "virtualmachineinstances.kubevirt.io", "render rbac");
}

// ---------------------------------------------------------------- LIVE-DRAIN-BLOCKERS

fn pdb(name: &str, allowed: i64, kubevirt_owned: bool, on: &str) -> LivePdb {
    LivePdb {
        namespace: "prod".into(),
        name: name.into(),
        disruptions_allowed: allowed,
        selector: Default::default(),
        kubevirt_owned,
        pods: vec![PodPlacement {
            namespace: "prod".into(),
            name: format!("{name}-0"),
            node: Some(on.into()),
            ready: true,
        }],
    }
}

#[test]
fn drain_blockers_name_budgets_per_node_but_not_kubevirts_own() {
    let mut live = healthy();
    live.pdbs = Ok(vec![
        pdb("zk", 0, false, "w-a"),
        pdb("kubevirt-migration-pdb-db", 0, true, "w-b"),
        pdb("web", 1, false, "w-c"),
    ]);
    let findings = run("LIVE-DRAIN-BLOCKERS", live.clone());
    assert_eq!(severities(&findings), [Fail]);
    assert_eq!(findings[0].subject.to_string(), "node/w-a");
    assert!(findings[0].message.contains("prod/zk"));
    live.pdbs.as_mut().unwrap().remove(0);
    assert_eq!(severities(&run("LIVE-DRAIN-BLOCKERS", live)), [Pass]);
}

#[test]
fn drain_blockers_are_unknown_when_pdbs_cannot_be_read() {
    let mut live = healthy();
    live.pdbs = Err(forbidden("poddisruptionbudgets.policy"));
    assert_unknown_naming(&run("LIVE-DRAIN-BLOCKERS", live), "poddisruptionbudgets.policy", "render rbac");
}

// ---------------------------------------------------------------- LIVE-INFRA

#[test]
fn infra_fails_one_node_and_warns_one_zone() {
    let mut live = healthy();
    live.nodes.as_mut().unwrap()[1].labels.insert(node_labels::ZONE.into(), "a".into());
    live.infra[0].pods.as_mut().unwrap().truncate(1);
    let findings = run("LIVE-INFRA", live);
    assert_eq!(about(&findings, "component/virt-api").severity, Fail);
    let controller = about(&findings, "component/virt-controller");
    assert_eq!(controller.severity, Warn, "w-a and w-b now share zone a");
    assert!(controller.message.contains("zone a"), "{controller:?}");
}

#[test]
fn infra_is_unknown_when_a_components_pods_cannot_be_read() {
    let mut live = healthy();
    live.infra[1].pods = Err(forbidden("pods"));
    let findings = run("LIVE-INFRA", live);
    let controller = about(&findings, "component/virt-controller");
    assert_eq!(controller.severity, Unknown);
    assert!(controller.remediation.as_deref().unwrap().contains("grant list on pods"));
}

// ---------------------------------------------------------------- LIVE-WORKLOAD-UPDATE

#[test]
fn workload_update_wants_live_migrate() {
    for (methods, expected) in [(vec!["Evict"], Warn), (vec![], Warn), (vec!["LiveMigrate", "Evict"], Pass)] {
        let mut live = healthy();
        live.kubevirt.as_mut().unwrap().as_mut().unwrap().workload_update_methods =
            methods.iter().map(|m| m.to_string()).collect();
        assert_eq!(severities(&run("LIVE-WORKLOAD-UPDATE", live)), [expected], "{methods:?}");
    }
}

#[test]
fn workload_update_is_unknown_without_a_readable_kubevirt_cr() {
    let mut live = healthy();
    live.kubevirt = Err(not_installed("kubevirts.kubevirt.io", "KubeVirt"));
    assert_unknown_naming(&run("LIVE-WORKLOAD-UPDATE", live), "kubevirts.kubevirt.io", "KubeVirt");
}

// ---------------------------------------------------------------- LIVE-DRIFT

fn declared() -> Inventory {
    kubev_ha_model::parse_str("lab-minimum.yaml", include_str!("../../../../../examples/lab-minimum.yaml"))
        .expect("the lab example parses")
        .inventory
}

/// The lab example as it runs: three control planes, two workers, longhorn.
fn lab_live() -> LiveCluster {
    let mut live = LiveCluster::empty("lab");
    let mk = |name: &str, cp: bool, cpus: u64, mem_gib: u64| {
        let mut n = node(name, "");
        n.labels.remove(node_labels::ZONE);
        if cp {
            n.labels.insert("node-role.kubernetes.io/control-plane".into(), String::new());
        }
        // MemTotal-like: a little below the installed RAM.
        n.capacity.cpu_millis = Some(cpus * 1000);
        n.capacity.memory = Some(mem_gib * GIB / 100 * 97);
        n
    };
    live.nodes = Ok(vec![
        mk("lab-cp-1", true, 2, 4),
        mk("lab-cp-2", true, 2, 4),
        mk("lab-cp-3", true, 2, 4),
        mk("lab-w-1", false, 16, 16),
        mk("lab-w-2", false, 16, 16),
    ]);
    live.storage_classes = Ok(vec![LiveStorageClass {
        name: "longhorn".into(),
        provisioner: "driver.longhorn.io".into(),
        binding_mode: None,
        default: true,
        default_virt: false,
    }]);
    live
}

fn drift(live: LiveCluster) -> Vec<Finding> {
    run_facts("LIVE-DRIFT", &Facts::from_live(live, Some(declared())), Profile::Production)
}

#[test]
fn drift_passes_a_cluster_that_matches_its_inventory() {
    let findings = drift(lab_live());
    assert_eq!(severities(&findings), [Pass], "{findings:#?}");
    assert!(findings[0].message.contains("5 nodes"));
}

#[test]
fn drift_names_missing_extra_and_different_nodes_and_absent_classes() {
    let mut live = lab_live();
    let nodes = live.nodes.as_mut().unwrap();
    nodes.retain(|n| n.name != "lab-cp-3");
    nodes.push(node("lab-w-3", "a"));
    nodes[2].capacity.memory = Some(8 * GIB);
    nodes[2].labels.insert("node-role.kubernetes.io/control-plane".into(), String::new());
    live.storage_classes = Ok(vec![]);
    let findings = drift(live);
    assert!(about(&findings, "node/lab-cp-3").message.contains("no such node"));
    assert!(about(&findings, "node/lab-w-3").message.contains("not declared"));
    let w1 = about(&findings, "node/lab-w-1");
    assert!(w1.message.contains("memory declared 16Gi") && w1.message.contains("control-plane"), "{w1:?}");
    assert!(about(&findings, "storageclass/longhorn").message.contains("no such StorageClass"));
    assert!(findings.iter().filter(|f| f.severity != Pass).all(|f| f.severity == Warn), "{findings:#?}");
}

#[test]
fn drift_says_nothing_without_a_declared_inventory_and_is_unknown_on_unread_nodes() {
    assert!(run("LIVE-DRIFT", lab_live()).is_empty());
    let mut live = lab_live();
    live.nodes = Err(forbidden("nodes"));
    let findings = drift(live);
    assert!(findings.iter().any(|f| f.severity == Unknown && f.message.contains("nodes")), "{findings:#?}");
}

#[test]
fn host_drift_says_nothing_on_audit_facts() {
    let facts = Facts::from_live(lab_live(), Some(declared()));
    assert!(run_facts("HOST-DRIFT", &facts, Profile::Production).is_empty());
}

// ---------------------------------------------------------------- scale

/// 100,000 VMIs on 1,000 nodes: every rule counts what passes into one
/// finding instead of one per VMI, so the report stays readable (and the
/// rules linear: a quadratic scan here would not finish).
#[test]
fn a_hundred_thousand_healthy_vmis_give_one_pass_per_rule() {
    let mut live = healthy();
    let zones = ["a", "b", "c"];
    live.nodes = Ok((0..1000).map(|i| node(&format!("w-{i}"), zones[i % 3])).collect());
    live.virt_handlers = Ok((0..1000).map(|i| handler(&format!("w-{i}"), true)).collect());
    let vmis: Vec<LiveVmi> = (0..100_000).map(|i| vmi(&format!("vm-{i}"), &format!("w-{}", i % 1000))).collect();
    live.pvcs = Ok(vmis.iter().map(|v| pvc(&v.claims[0], "ceph-rbd", vec![AccessMode::ReadWriteMany])).collect());
    live.vms = Ok(vmis
        .iter()
        .map(|v| LiveVm {
            namespace: v.namespace.clone(),
            name: v.name.clone(),
            run_strategy: Some(RunStrategy::Always),
            status: None,
        })
        .collect());
    live.vmis = Ok(vmis);
    let facts = Facts::from_live(live, None);
    for id in ["LIVE-MIGRATABLE", "LIVE-RESTART", "LIVE-STORAGE-PROFILE", "LIVE-NODES", "LIVE-CPU-MODEL"] {
        let findings = run_facts(id, &facts, Profile::Production);
        assert_eq!(severities(&findings), [Pass], "{id}: {:?}", findings.first());
    }
}

/// Every reason KubeVirt v1.9.0 sets on a False LiveMigratable condition
/// (staging/src/kubevirt.io/api/core/v1/types.go) gets a fix of its own,
/// not the generic one.
#[test]
fn every_kubevirt_reason_has_its_own_fix() {
    let generic = super::migratable_fix(&vmi("x", "w-a"), "SomethingNew", None);
    for reason in [
        "DisksNotLiveMigratable",
        "InterfaceNotLiveMigratable",
        "HotplugNotLiveMigratable",
        "CPUModeLiveMigratable",
        "VirtIOFSNotLiveMigratable",
        "HostDeviceNotLiveMigratable",
        "SEVNotLiveMigratable",
        "SecureExecutionNotLiveMigratable",
        "TDXNotLiveMigratable",
        "NoTSCFrequencyNotLiveMigratable",
        "HypervPassthroughNotLiveMigratable",
        "PersistentReservationNotLiveMigratable",
    ] {
        assert_ne!(super::migratable_fix(&vmi("x", "w-a"), reason, None), generic, "{reason}");
    }
}

#[test]
fn infra_in_a_cluster_without_zones_needs_only_two_nodes() {
    let mut live = healthy();
    live.nodes.as_mut().unwrap().iter_mut().for_each(|n| {
        n.labels.remove(node_labels::ZONE);
    });
    let findings = run("LIVE-INFRA", live);
    assert_eq!(severities(&findings), [Pass, Pass]);
    assert!(findings[0].message.contains("0 labelled zones"), "{findings:#?}");
}

#[test]
fn restart_counts_the_vms_that_restart_beside_those_it_names() {
    let mut live = healthy();
    live.vms.as_mut().unwrap()[1].run_strategy = Some(RunStrategy::Once);
    let findings = run("LIVE-RESTART", live);
    assert_eq!(about(&findings, "vm/prod/web").severity, Warn);
    let pass = about(&findings, "cluster");
    assert_eq!(pass.severity, Pass);
    assert!(pass.message.starts_with("1 VM restarts after"), "{pass:?}");
}
