//! The dump path on realistic `kubectl get -o json` output: every kind's
//! conversion, routing by namespace and selector, directories, absent kinds
//! and errors with their line and column.

use std::path::PathBuf;

use kubev_ha_model::{
    AccessMode, ClaimPropertySet, EvictionStrategy, LiveCluster, PodPlacement, RunStrategy, VolumeMode, WhyUnreadable,
};

use super::*;

pub(crate) fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/cluster.json")
}

fn placement(ns: &str, name: &str, node: &str, ready: bool) -> PodPlacement {
    PodPlacement { namespace: ns.into(), name: name.into(), node: Some(node.into()), ready }
}

fn read() -> LiveCluster {
    read_dump(&fixture(), None).unwrap()
}

#[test]
fn nodes_keep_labels_resources_taints_readiness_and_address() {
    let live = read();
    let nodes = live.nodes.as_ref().unwrap();
    assert_eq!(nodes.len(), 2);
    let cp = &nodes[0];
    assert_eq!(cp.name, "cp-1");
    assert!(cp.is_control_plane());
    assert_eq!(cp.zone(), Some("ams-a"));
    assert_eq!(cp.capacity.cpu_millis, Some(4000));
    assert_eq!(cp.allocatable.cpu_millis, Some(3800));
    assert_eq!(cp.capacity.memory, Some(16_375_332 * 1024));
    assert_eq!(cp.capacity.pods, Some(110));
    assert_eq!(cp.capacity.kvm_devices, None);
    assert_eq!(cp.ready, Some(true));
    assert_eq!(cp.kernel.as_deref(), Some("6.8.0-49-generic"));
    assert_eq!(cp.kubelet.as_deref(), Some("v1.33.2"));
    assert_eq!(cp.internal_ip, Some("10.0.0.11".parse().unwrap()));
    assert!(cp.has_taint("node-role.kubernetes.io/control-plane"));
    assert_eq!(cp.taints[0].value, None);
    let w = &nodes[1];
    assert!(w.unschedulable);
    assert_eq!(w.ready, None, "Unknown is neither ready nor not");
    assert_eq!(w.capacity.kvm_devices, Some(1000));
    assert_eq!(w.allocatable.hugepages_2mi, Some(512 << 20));
    assert_eq!(w.allocatable.hugepages_1gi, Some(4 << 30));
    assert_eq!(w.capacity.memory, Some(128 << 30));
    assert_eq!(w.labels.get("kubevirt.io/schedulable").map(String::as_str), Some("true"));
}

#[test]
fn pods_are_routed_by_namespace_and_selector() {
    let live = read();
    assert_eq!(live.etcd_pods.unwrap(), vec![placement("kube-system", "etcd-cp-1", "cp-1", true)]);
    let handlers = live.virt_handlers.unwrap();
    assert_eq!(handlers.len(), 1);
    assert_eq!(handlers[0].pod, placement("kubevirt", "virt-handler-7xk2p", "w-1", false));
    assert!(handlers[0].has_migration0);
    assert_eq!(handlers[0].migration0_mtu, Some(9000));
    let infra: Vec<(&str, Vec<PodPlacement>)> =
        live.infra.iter().map(|c| (c.name.as_str(), c.pods.clone().unwrap())).collect();
    assert_eq!(
        infra,
        vec![
            ("virt-api", vec![placement("kubevirt", "virt-api-5d8f7b9c4-abcde", "cp-1", true)]),
            ("virt-controller", vec![placement("kubevirt", "virt-controller-6c7d8-fghij", "w-1", true)]),
            ("CoreDNS", vec![placement("kube-system", "coredns-668d6bf9bc-2xwq9", "cp-1", true)]),
            ("OVN central", vec![placement("kube-system", "ovn-central-7b6c9d-xyz12", "cp-1", true)]),
        ]
    );
}

#[test]
fn kubeadm_and_kubevirt_settings_are_read() {
    let live = read();
    let kubeadm = live.kubeadm.unwrap().unwrap();
    assert_eq!(kubeadm.control_plane_endpoint.as_deref(), Some("api.prod.example:6443"));
    assert!(!kubeadm.external_etcd);
    let kv = live.kubevirt.unwrap().unwrap();
    assert_eq!((kv.namespace.as_str(), kv.name.as_str()), ("kubevirt", "kubevirt"));
    assert_eq!(kv.version.as_deref(), Some("v1.5.0"));
    assert_eq!(kv.phase.as_deref(), Some("Deployed"));
    assert_eq!(kv.eviction_strategy, Some(EvictionStrategy::LiveMigrate));
    let m = &kv.migrations;
    assert_eq!(m.network.as_deref(), Some("migration-net"));
    assert_eq!(m.bandwidth_per_migration, Some(64 << 20));
    assert_eq!(m.completion_timeout_per_gib, Some(150));
    assert_eq!(m.progress_timeout, Some(150));
    assert_eq!(m.parallel_migrations_per_cluster, Some(5));
    assert_eq!(m.parallel_outbound_migrations_per_node, Some(2));
    assert_eq!(m.allow_post_copy, Some(false));
    assert_eq!(m.allow_auto_converge, Some(true));
    assert_eq!(kv.cpu_allocation_ratio, Some(10));
    assert_eq!(kv.memory_overcommit_percent, Some(150));
    assert_eq!(kv.use_emulation, None);
    assert_eq!(kv.workload_update_methods, vec!["LiveMigrate", "Evict"]);
    assert_eq!(kv.infra_replicas, Some(3));
}

#[test]
fn vms_and_vmis_keep_what_the_rules_judge() {
    let live = read();
    let vms = live.vms.unwrap();
    assert_eq!(vms[0].run_strategy, Some(RunStrategy::Always));
    assert_eq!(vms[0].status.as_deref(), Some("Running"));
    assert_eq!(vms[1].run_strategy, Some(RunStrategy::Halted), "running: false");
    let vmis = live.vmis.unwrap();
    let web = &vmis[0];
    assert_eq!(web.key(), "prod/web");
    assert_eq!(web.owner_vm.as_deref(), Some("web"));
    assert_eq!(web.node.as_deref(), Some("w-1"));
    assert_eq!(web.phase.as_deref(), Some("Running"));
    assert_eq!(web.eviction_strategy, Some(EvictionStrategy::LiveMigrateIfPossible));
    let lm = web.live_migratable.as_ref().unwrap();
    assert!(!lm.status);
    assert_eq!(lm.reason.as_deref(), Some("InterfaceNotLiveMigratable"));
    assert_eq!(web.cpu_millis, Some(1500));
    assert_eq!(web.vcpus, 4);
    assert_eq!(web.memory, Some(8 << 30));
    assert_eq!(web.claims, vec!["web-root", "web-data"]);
    let ifaces: Vec<(&str, &str, bool)> =
        web.interfaces.iter().map(|i| (i.name.as_str(), i.binding.as_str(), i.pod_network)).collect();
    assert_eq!(ifaces, vec![("default", "masquerade", true), ("data", "bridge", false), ("p", "passt", true)]);
    assert_eq!(web.host_devices, vec!["qat1", "gpu1"]);
    assert!(web.dedicated_cpus);
    assert_eq!(web.cpu_model.as_deref(), Some("Skylake-Server"));
    assert_eq!(web.required_cpu_features, vec!["avx512f", "pcid"]);
    assert_eq!(web.node_selector.get("cpu-model.node.kubevirt.io/Skylake-Server").map(String::as_str), Some("true"));
    assert!(web.node_affinity);
    assert_eq!(web.dns_policy.as_deref(), Some("None"));
    assert_eq!(web.dns_nameservers, vec!["10.96.0.10"]);
    let lone = &vmis[1];
    assert_eq!(lone.owner_vm, None);
    assert_eq!(lone.node, None);
    assert_eq!(lone.vcpus, 1);
    assert_eq!(lone.cpu_millis, Some(1000), "no request: the vCPUs");
    assert_eq!(lone.memory, Some(1 << 30), "no request: the guest memory");
    assert_eq!(lone.cpu_model.as_deref(), Some("host-model"));
    assert_eq!(lone.live_migratable, None);
    assert_eq!(lone.interfaces[0].binding, "bridge");
}

#[test]
fn storage_objects_convert() {
    let live = read();
    let pvcs = live.pvcs.unwrap();
    assert_eq!(pvcs[0].access_modes, vec![AccessMode::ReadWriteMany]);
    assert_eq!(pvcs[0].volume_mode, Some(VolumeMode::Block));
    assert_eq!(pvcs[0].volume.as_deref(), Some("pvc-3f1e"));
    assert_eq!(pvcs[0].size, Some(20 << 30));
    assert_eq!(pvcs[0].storage_class.as_deref(), Some("ceph-rbd"));
    assert_eq!(pvcs[1].volume_mode, Some(VolumeMode::Filesystem), "Kubernetes' default");
    assert_eq!(pvcs[1].size, Some(10_000_000_000), "the request, before binding");
    assert_eq!(pvcs[1].volume, None);
    let pvs = live.pvs.unwrap();
    // Name order, whatever the dump's (the reader sorts every list).
    assert_eq!(pvs[1].pinned_to, None);
    assert_eq!(pvs[0].pinned_to.as_deref(), Some("w-1"));
    let scs = live.storage_classes.unwrap();
    assert!(scs[0].default && scs[0].default_virt);
    assert_eq!(scs[0].provisioner, "rbd.csi.ceph.com");
    assert_eq!(scs[1].binding_mode.as_deref(), Some("WaitForFirstConsumer"));
    assert!(!scs[1].default);
    let sps = live.storage_profiles.unwrap();
    assert_eq!(
        sps[0].claim_property_sets,
        vec![
            ClaimPropertySet { access_modes: vec![AccessMode::ReadWriteMany], volume_mode: Some(VolumeMode::Block) },
            ClaimPropertySet {
                access_modes: vec![AccessMode::ReadWriteOnce],
                volume_mode: Some(VolumeMode::Filesystem)
            },
        ]
    );
    assert!(sps[1].claim_property_sets.is_empty());
    assert_eq!(sps[1].provisioner.as_deref(), Some("kubernetes.io/no-provisioner"));
}

#[test]
fn networks_daemonsets_and_fencing_convert() {
    let live = read();
    let nads = live.network_attachments.unwrap();
    assert_eq!((nads[0].cni_type.as_deref(), nads[0].mtu), (Some("macvlan"), Some(9000)));
    assert_eq!((nads[1].cni_type.as_deref(), nads[1].mtu), (Some("bridge"), Some(1500)), "a conflist");
    let subnets = live.subnets.unwrap();
    assert_eq!(
        (subnets[1].mtu, subnets[1].default, subnets[1].cidr.as_deref()),
        (Some(1400), true, Some("10.16.0.0/16"))
    );
    assert_eq!((subnets[0].mtu, subnets[0].default), (None, false));
    let ds = live.virt_handler_daemonset.unwrap().unwrap();
    assert_eq!((ds.desired, ds.ready), (2, 1));
    let nld = live.node_local_dns.unwrap().unwrap();
    assert_eq!(nld.name, "kube-system/node-local-dns");
    assert_eq!(nld.address, Some("169.254.20.10".parse().unwrap()));
    let nhc = &live.node_health_checks.unwrap()[0];
    assert_eq!(nhc.template_kind.as_deref(), Some("SelfNodeRemediationTemplate"), "the first escalation step");
    assert_eq!(nhc.template.as_deref(), Some("medik8s/self-node-remediation-automatic-strategy-template"));
    assert_eq!(nhc.min_healthy.as_deref(), Some("51%"));
    assert_eq!(nhc.max_unhealthy, None);
    assert_eq!((nhc.phase.as_deref(), nhc.observed_nodes, nhc.healthy_nodes), (Some("Remediating"), Some(2), Some(1)));
    assert_eq!(nhc.selector.match_expressions[0].operator, "Exists");
    assert_eq!(
        live.self_node_remediation_templates.unwrap(),
        vec!["medik8s/self-node-remediation-automatic-strategy-template"]
    );
}

#[test]
fn a_kind_absent_from_the_dump_is_not_installed_and_says_so() {
    let live = read();
    let e = live.fence_agents_remediation_templates.unwrap_err();
    assert_eq!(e.resource, "fenceagentsremediationtemplates.fence-agents-remediation.medik8s.io");
    match e.why {
        WhyUnreadable::NotInstalled { component } => {
            assert!(
                component.contains("not") || component.contains("no FenceAgentsRemediationTemplate in the dump"),
                "{component}"
            );
            assert!(component.contains("in the dump"), "{component}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn blocking_budgets_get_their_pods_and_kubevirts_own_are_marked() {
    let live = read();
    let pdbs = live.pdbs.unwrap();
    let db = &pdbs[0];
    assert_eq!((db.name.as_str(), db.disruptions_allowed, db.kubevirt_owned), ("db", 0, false));
    assert_eq!(
        db.pods,
        vec![placement("prod", "db-0", "w-1", true)],
        "same labels in another namespace are not its pods"
    );
    let kv = &pdbs[1];
    assert!(kv.kubevirt_owned);
    assert!(kv.pods.is_empty(), "KubeVirt's budgets are not followed up");
}

#[test]
fn the_namespace_filter_narrows_only_the_reads_that_follow_it() {
    let live = read_dump(&fixture(), Some("staging")).unwrap();
    assert_eq!(live.namespace.as_deref(), Some("staging"));
    assert_eq!(live.vms.unwrap().iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), vec!["legacy"]);
    assert_eq!(live.vmis.unwrap().len(), 1);
    assert!(live.pvcs.unwrap().is_empty());
    assert!(live.pdbs.unwrap().is_empty());
    assert_eq!(live.nodes.unwrap().len(), 2, "nodes are read whole");
    assert_eq!(live.network_attachments.unwrap().len(), 2, "NADs are read whole");
}

#[test]
fn a_directory_dump_equals_the_one_file_and_empty_named_lists_are_served() {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let all: serde_json::Value = serde_json::from_str(&text).unwrap();
    let items = all["items"].as_array().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Split as the documented loop does: one file per kind, plus an empty
    // list named after a resource, plus a file that is not JSON-named.
    let mut by_kind: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for item in items {
        by_kind.entry(item["kind"].as_str().unwrap().to_string()).or_default().push(item.clone());
    }
    for (kind, items) in &by_kind {
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items});
        std::fs::write(dir.path().join(format!("{kind}.json")), serde_json::to_string_pretty(&list).unwrap()).unwrap();
    }
    let empty = r#"{"apiVersion": "v1", "items": [], "kind": "List", "metadata": {"resourceVersion": ""}}"#;
    std::fs::write(dir.path().join("fenceagentsremediationtemplates.fence-agents-remediation.medik8s.io.json"), empty)
        .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not read").unwrap();
    let from_dir = read_dump(dir.path(), None).unwrap();
    assert_eq!(from_dir.fence_agents_remediation_templates, Ok(vec![]));
    let mut one = read();
    one.fence_agents_remediation_templates = Ok(vec![]);
    one.source = from_dir.source.clone();
    assert_eq!(format!("{one:?}"), format!("{from_dir:?}"));
}

#[test]
fn a_single_object_file_is_routed() {
    let dir = tempfile::tempdir().unwrap();
    let cm = r#"{
    "apiVersion": "v1",
    "data": {"ClusterConfiguration": "controlPlaneEndpoint: 10.0.0.10:6443\netcd:\n  external:\n    endpoints: [https://10.0.0.5:2379]\n"},
    "kind": "ConfigMap",
    "metadata": {"name": "kubeadm-config", "namespace": "kube-system", "resourceVersion": "210"}
}"#;
    std::fs::write(dir.path().join("configmaps.json"), cm).unwrap();
    let live = read_dump(dir.path(), None).unwrap();
    let k = live.kubeadm.unwrap().unwrap();
    assert_eq!(k.control_plane_endpoint.as_deref(), Some("10.0.0.10:6443"));
    assert!(k.external_etcd);
    assert!(matches!(live.nodes.unwrap_err().why, WhyUnreadable::NotInstalled { .. }));
}

#[test]
fn bad_json_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("{\n  \"kind\": \"List\",\n  \"items\": [\n    {\"kind\": \"Node\" \"apiVersion\": \"v1\"}\n  ]\n}", 4),
        ("{\"items\": [1]}", 1),
        ("[]", 1),
        ("{\"items\": []} trailing", 1),
        ("{\"items\": [{\"kind\": \"Node\"}]}", 1),
    ];
    for (i, (text, line)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.json"));
        std::fs::write(&path, text).unwrap();
        let e = read_dump(&path, None).unwrap_err();
        let ClusterError::Dump { path: p, reason } = &e else { panic!("{e:?}") };
        assert_eq!(p, &path);
        assert!(reason.contains(&format!("line {line} column")), "{text}: {reason}");
    }
    let missing = dir.path().join("none.json");
    assert!(matches!(read_dump(&missing, None), Err(ClusterError::Dump { .. })));
    let empty_dir = tempfile::tempdir().unwrap();
    let e = read_dump(empty_dir.path(), None).unwrap_err();
    assert!(e.to_string().contains("no *.json"), "{e}");
}

#[test]
fn an_object_that_does_not_convert_fails_its_resource_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.json");
    let text = r#"{"kind":"List","apiVersion":"v1","items":[
        {"apiVersion":"v1","kind":"Node","metadata":{"name":"ok"},"status":{"capacity":{"cpu":"2"}}},
        {"apiVersion":"v1","kind":"Node","metadata":{"name":"bad"},"status":{"capacity":{"memory":"12 GB"}}},
        {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"namespace":"a","name":"vm"},"spec":{"runStrategy":7}}
    ]}"#;
    std::fs::write(&path, text).unwrap();
    let live = read_dump(&path, None).unwrap();
    let e = live.nodes.unwrap_err();
    let WhyUnreadable::Failed { reason } = &e.why else { panic!("{e:?}") };
    assert!(reason.contains("node bad") && reason.contains("\"12 GB\""), "{reason}");
    let e = live.vms.unwrap_err();
    let WhyUnreadable::Failed { reason } = &e.why else { panic!("{e:?}") };
    assert!(reason.contains("VirtualMachine a/vm"), "{reason}");
}
