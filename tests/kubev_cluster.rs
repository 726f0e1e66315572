//! Kube-V's own installer manifest: read, mapped onto the inventory, and
//! judged, with what it cannot say reported unknown.

use crate::common::{example, kubev_ha, stderr, stdout};

#[test]
fn the_manifest_maps_onto_the_inventory() {
    let loaded = kubev_ha_model::load_file(&example("kubev-cluster.yaml")).unwrap();
    assert_eq!(loaded.format, kubev_ha_model::SourceFormat::KubeVCluster);
    let inv = &loaded.inventory;
    assert_eq!(inv.control_planes().count(), 3);
    assert_eq!(inv.workers().count(), 3);
    let cp = &inv.nodes[0];
    assert_eq!(cp.address.to_string(), "192.168.1.10");
    assert_eq!(cp.zone.as_deref(), Some("room-a"), "from the topology.kubernetes.io/zone label");
    let ssh = cp.ssh.as_ref().unwrap();
    assert_eq!(ssh.username.as_deref(), Some("ubuntu"));
    assert_eq!(ssh.private_key_file.as_deref(), Some("/home/ops/.ssh/id_rsa"));
    assert!(cp.cpu.is_none() && cp.memory.is_none(), "hardware facts are unknown, not defaulted");
    let net = inv.network().unwrap();
    assert_eq!(net.pod_cidr.unwrap().to_string(), "10.244.0.0/16");
    assert_eq!(inv.api_endpoint.as_ref().unwrap().host, "192.168.1.100");
    assert_eq!(inv.storage_classes()[0].name, "longhorn");
    // Keys of the installer's schema this tool does not read are warnings.
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.message == "`kubevirt` is the installer's setting; kubev-ha does not judge it (ignored)"),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn check_reports_what_the_manifest_cannot_say_as_unknown() {
    let out = kubev_ha(&["check", "examples/kubev-cluster.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    for rule in ["CP-CPU", "CP-MEMORY", "W-VIRT", "W-CPU", "W-MEMORY", "NET-NIC-SPEED"] {
        let of_rule: Vec<_> = findings.iter().filter(|f| f["rule"] == rule).collect();
        assert!(!of_rule.is_empty());
        for f in of_rule {
            assert_eq!(f["severity"], "unknown", "{f}");
            assert!(f["remediation"].as_str().unwrap().contains("kubev-ha probe examples/kubev-cluster.yaml"), "{f}");
        }
    }
    let spread = findings.iter().find(|f| f["rule"] == "CP-SPREAD").unwrap();
    assert_eq!(spread["severity"], "pass", "three zones from the labels");
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("unknown until `kubev-ha probe`"))
    );
}

#[test]
fn a_host_without_a_valid_address_is_an_error_not_a_silent_gap() {
    let text = std::fs::read_to_string(example("kubev-cluster.yaml")).unwrap().replacen(
        "\"192.168.1.21\"",
        "\"192.168.1.300\"",
        1,
    );
    let err = kubev_ha_model::parse_str("m.yaml", &text).unwrap_err();
    let plain = err.render_plain();
    assert!(plain.starts_with("m.yaml:35:7: staticWorkers.hosts[1].address"), "{plain}");
}

#[test]
fn misspelt_kind_suggests_kubevcluster() {
    let text = std::fs::read_to_string(example("kubev-cluster.yaml")).unwrap().replacen(
        "kind: KubeVCluster",
        "kind: KubevCluster",
        1,
    );
    let err = kubev_ha_model::parse_str("m.yaml", &text).unwrap_err();
    assert_eq!(err.problems[0].help.as_deref(), Some("did you mean `KubeVCluster`?"));
}

#[test]
fn plan_of_a_manifest_says_what_is_missing() {
    let out = kubev_ha(&["plan", "examples/kubev-cluster.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("has no cpu.threads"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

/// Regression: `staticWorker:` (for `staticWorkers:`) was only a note, the
/// workers under it did not exist, and W-COUNT then failed with "0
/// VM-capable workers". A near-miss of a key that carries nodes is an
/// error at its line and column, exit 2.
#[test]
fn a_misspelt_static_workers_key_is_an_error_not_a_note() {
    let text =
        std::fs::read_to_string(example("kubev-cluster.yaml")).unwrap().replacen("staticWorkers:", "staticWorker:", 1);
    let err = kubev_ha_model::parse_str("m.yaml", &text).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{}", err.render_plain());
    assert_eq!(
        err.render_plain(),
        "m.yaml:28:1: unknown key `staticWorker` in the KubeVCluster manifest: did you mean `staticWorkers`? The hosts under it would be left out"
    );
    assert!(err.problems[0].help.as_deref().unwrap().contains("carries the cluster's nodes"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.yaml");
    std::fs::write(&file, &text).unwrap();
    let out = kubev_ha(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("m.yaml:28:1: unknown key `staticWorker`"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

/// The same one level down: `host:` for `hosts:`, and `adress:` in a host,
/// each at its own line.
#[test]
fn misspelt_hosts_and_address_keys_are_errors_at_their_lines() {
    let manifest = std::fs::read_to_string(example("kubev-cluster.yaml")).unwrap();
    let text = manifest.replacen("staticWorkers:\n  hosts:", "staticWorkers:\n  Host:", 1);
    let err = kubev_ha_model::parse_str("m.yaml", &text).unwrap_err();
    assert!(
        err.render_plain().starts_with(
            "m.yaml:29:3: unknown key `staticWorkers.Host` in the KubeVCluster manifest: did you mean `hosts`?"
        ),
        "{}",
        err.render_plain()
    );

    let text = manifest.replacen("- address: \"192.168.1.21\"", "- adress: \"192.168.1.21\"", 1);
    let err = kubev_ha_model::parse_str("m.yaml", &text).unwrap_err();
    let plain = err.render_plain();
    assert!(
        plain.contains("m.yaml:35:7: unknown key `staticWorkers.hosts[1].adress` in the KubeVCluster manifest: did you mean `address`?"),
        "{plain}"
    );
    assert!(plain.contains("staticWorkers.hosts[1] has no address"), "{plain}");
}

/// Other unknown keys stay warnings, each with its line and the closest
/// key where one is close.
#[test]
fn other_unknown_keys_are_warnings_with_a_did_you_mean() {
    let text = std::fs::read_to_string(example("kubev-cluster.yaml"))
        .unwrap()
        .replacen("      sshUsername: \"ubuntu\"\n", "      sshUser: \"ubuntu\"\n", 1)
        .replacen("  port: 6443", "  prot: 6443", 1);
    let loaded = kubev_ha_model::parse_str("m.yaml", &text).unwrap();
    let rendered: Vec<String> = loaded.warnings.iter().map(|w| w.render("m.yaml")).collect();
    assert!(
        rendered.contains(&"m.yaml:14:7: unknown key `controlPlane.hosts[0].sshUser` in the KubeVCluster manifest (ignored; did you mean `sshUsername`?)".to_string()),
        "{rendered:#?}"
    );
    assert!(
        rendered.contains(
            &"m.yaml:47:3: unknown key `apiEndpoint.prot` in the KubeVCluster manifest (ignored; did you mean `port`?)"
                .to_string()
        ),
        "{rendered:#?}"
    );
    assert_eq!(loaded.inventory.workers().count(), 3);
}
