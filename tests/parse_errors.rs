//! Bad input gets a clear error naming file, line and column. The
//! messages are snapshots: a change in wording shows up in review.

use crate::common::example;

/// The reference example with `from` replaced by `to` (once), as text.
fn reference_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(example("ha-reference.yaml")).unwrap();
    assert!(text.contains(from), "the reference example has no `{from}`");
    text.replacen(from, to, 1)
}

/// The plain `file:line:column: message` lines for `text`, and the help.
fn error_of(text: &str) -> String {
    let err = kubev_ha_model::parse_str("inventory.yaml", text).expect_err("the input must be rejected");
    let mut out = err.render_plain();
    for p in &err.problems {
        if let Some(help) = &p.help {
            out.push_str(&format!("\n  help: {help}"));
        }
    }
    out
}

macro_rules! snapshot_error {
    ($name:ident, $text:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(error_of(&$text));
        }
    };
}

snapshot_error!(memory_with_gib_suffix, reference_with("memory: 32Gi", "memory: 16GiB"));
snapshot_error!(memory_in_milli_bytes, reference_with("memory: 32Gi", "memory: 500m"));
snapshot_error!(negative_core_count, reference_with("cores: 8,", "cores: -2,"));
snapshot_error!(cores_not_a_number, reference_with("cores: 8,", "cores: fast,"));
snapshot_error!(link_speed_without_unit, reference_with("speed: 25Gbps", "speed: 10G"));
snapshot_error!(link_speed_as_word, reference_with("speed: 25Gbps", "speed: fast"));
snapshot_error!(duration_without_unit, reference_with("maintenanceWindow: 30m", "maintenanceWindow: 30"));
snapshot_error!(misspelt_key, reference_with("    zone: fra-b", "    zoen: fra-b"));
snapshot_error!(misspelt_top_level_key, reference_with("workloads:", "workload:"));
snapshot_error!(misspelt_role, reference_with("roles: [control-plane]", "roles: [contol-plane]"));
snapshot_error!(cidr_with_host_bits, reference_with("podCIDR: 10.244.0.0/16", "podCIDR: 10.244.1.0/16"));
snapshot_error!(bad_ip_address, reference_with("address: 10.10.0.11", "address: 10.10.0.300"));
snapshot_error!(
    duplicate_node_name_and_address,
    reference_with("name: cp-2\n    address: 10.10.0.12", "name: cp-1\n    address: 10.10.0.11")
);
snapshot_error!(threads_below_cores, reference_with("cores: 8, threads: 16", "cores: 8, threads: 4"));
snapshot_error!(unknown_storage_class, reference_with("storageClass: ceph-rbd-vm}]", "storageClass: ceph-rdb-vm}]"));
snapshot_error!(node_name_not_rfc1123, reference_with("name: cp-1", "name: CP_1"));
snapshot_error!(wrong_api_version, reference_with("apiVersion: kubev-ha/v1alpha1", "apiVersion: kubev-ha/v1"));
snapshot_error!(wrong_kind, reference_with("kind: Inventory", "kind: Inventroy"));
snapshot_error!(missing_kind, "apiVersion: kubev-ha/v1alpha1\nmetadata: {name: x}\nnodes: []\n");
snapshot_error!(no_nodes, "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: x}\nnodes: []\n");
// Regression: positions of `metadata.name` and `nodes` were found by
// re-reading the text for block-style keys, so flow style got none.
snapshot_error!(
    flow_style_empty_name,
    "{apiVersion: kubev-ha/v1alpha1, kind: Inventory, metadata: {name: \"\"}, nodes: [{name: a, address: 10.0.0.1, roles: [worker]}]}"
);
snapshot_error!(
    flow_style_empty_nodes,
    "{apiVersion: kubev-ha/v1alpha1, kind: Inventory, metadata: {name: x}, nodes: []}"
);
snapshot_error!(empty_name, reference_with("  name: fra-prod", "  name: \"\""));
snapshot_error!(unclosed_bracket, "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nnodes: [\n");
snapshot_error!(not_a_mapping, "just a sentence\n");

/// The KubeVCluster example with `from` replaced by `to` (once), as text.
fn manifest_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(example("kubev-cluster.yaml")).unwrap();
    assert!(text.contains(from), "the manifest example has no `{from}`");
    text.replacen(from, to, 1)
}

// Regression: a KubeVCluster manifest's apiVersion was never checked, so a
// manifest of any version was read as if it were virtualization.k8c.io/v1alpha1.
snapshot_error!(
    manifest_wrong_api_version,
    manifest_with("apiVersion: virtualization.k8c.io/v1alpha1", "apiVersion: virtualization.k8c.io/v2")
);
snapshot_error!(manifest_misspelt_static_workers, manifest_with("staticWorkers:", "staticWorker:"));
snapshot_error!(
    manifest_misspelt_host_address,
    manifest_with("- address: \"192.168.1.11\"", "- adress: \"192.168.1.11\"")
);
snapshot_error!(duplicate_key, reference_with("    zone: fra-a\n", "    zone: fra-a\n    zone: fra-b\n"));

#[test]
fn every_problem_names_line_and_column() {
    let text = reference_with("memory: 32Gi", "memory: 16GiB");
    let err = kubev_ha_model::parse_str("inventory.yaml", &text).unwrap_err();
    let pos = err.problems[0].pos.expect("a position");
    let line = text.lines().nth(pos.line as usize - 1).unwrap();
    assert!(line[pos.column as usize - 1..].starts_with("16GiB"), "{pos} points at {line:?}");
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let err = kubev_ha_model::parse_bytes("inventory.yaml", b"kind: Inventory\nname: \xff\xfe\n").unwrap_err();
    assert_eq!(
        err.render_plain(),
        "inventory.yaml:2:7: byte 22 is a byte that is not UTF-8: the input is not UTF-8 text"
    );
}
snapshot_error!(kubevirt_version_not_modelled, reference_with("ha:\n", "kubevirt:\n  version: v1.10.0\nha:\n"));
snapshot_error!(kubevirt_version_as_a_number, reference_with("ha:\n", "kubevirt:\n  version: 1.6\nha:\n"));
snapshot_error!(
    overhead_ratio_below_one,
    reference_with("ha:\n", "kubevirt:\n  additionalGuestMemoryOverheadRatio: \"0.9\"\nha:\n")
);
