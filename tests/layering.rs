//! The crate graph keeps its layers (ARCHITECTURE.md, "Invariants"): the
//! I/O crates reach the spec and the model, never the rule catalog or the
//! simulation; the spec is data over the model; the pure crates never
//! reach an I/O crate. Read from each crate's Cargo.toml, so a dependency
//! added for convenience fails here before it shows in `cargo tree`.

use crate::common::root;

/// The workspace crates `crate_dir` depends on in its `[dependencies]`
/// (build and dev dependencies are not part of the library's layering).
fn workspace_dependencies(crate_dir: &str) -> Vec<String> {
    dependencies_in(&root().join("crates").join(crate_dir).join("Cargo.toml"), "kubev-ha-")
}

/// The dependencies of the `[dependencies]` section of the manifest at
/// `path` whose names start with `prefix`.
fn dependencies_in(path: &std::path::Path, prefix: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut in_dependencies = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
        } else if in_dependencies && line.starts_with(prefix) {
            let name = line.split(['.', ' ', '=']).next().unwrap_or_default();
            out.push(name.to_string());
        }
    }
    out
}

#[test]
fn net_depends_on_neither_the_rules_nor_the_plan() {
    let deps = workspace_dependencies("net");
    assert!(deps.contains(&"kubev-ha-spec".to_string()), "net reads the port matrix from the spec: {deps:?}");
    for layer in ["kubev-ha-rules", "kubev-ha-plan", "kubev-ha-report"] {
        assert!(!deps.contains(&layer.to_string()), "kubev-ha-net must not depend on {layer}: {deps:?}");
    }
}

#[test]
fn the_spec_depends_on_the_model_only() {
    assert_eq!(workspace_dependencies("spec"), ["kubev-ha-model"]);
}

#[test]
fn pure_crates_reach_no_io_crate() {
    for pure in ["model", "spec", "plan", "rules", "report"] {
        let deps = workspace_dependencies(pure);
        for io in ["kubev-ha-probe", "kubev-ha-etcd", "kubev-ha-net", "kubev-ha-cluster"] {
            assert!(!deps.contains(&io.to_string()), "kubev-ha-{pure} must not depend on {io}: {deps:?}");
        }
    }
}

#[test]
fn the_cluster_reader_depends_on_the_model_and_the_spec_only() {
    // It turns API objects into live facts and issues the spec's reads;
    // judging them is the rules' job, printing them the report's.
    assert_eq!(workspace_dependencies("cluster"), ["kubev-ha-model", "kubev-ha-spec"]);
}

#[test]
fn only_the_binary_reads_the_cluster() {
    let users: Vec<String> = std::fs::read_dir(root().join("crates"))
        .expect("crates/")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|dir| dir != "cluster" && dir != "kube-standin")
        .filter(|dir| workspace_dependencies(dir).contains(&"kubev-ha-cluster".to_string()))
        .collect();
    assert!(users.is_empty(), "only the kubev-ha binary may depend on kubev-ha-cluster, not crates/{users:?}");
    let binary = dependencies_in(&root().join("Cargo.toml"), "kubev-ha-");
    assert!(binary.contains(&"kubev-ha-cluster".to_string()), "{binary:?}");
}

#[test]
fn the_kubernetes_stand_in_is_test_support_only() {
    // The stand-in API server (crates/kube-standin) serves recorded objects
    // to tests; no library and not the binary may link it.
    let mut manifests = vec![root().join("Cargo.toml")];
    for entry in std::fs::read_dir(root().join("crates")).expect("crates/").flatten() {
        manifests.push(entry.path().join("Cargo.toml"));
    }
    for manifest in manifests.iter().filter(|m| m.exists()) {
        for prefix in ["kube-standin", "kubev-ha-kube-standin"] {
            let found = dependencies_in(manifest, prefix);
            assert!(found.is_empty(), "{}: {found:?} in [dependencies]; a dev-dependency only", manifest.display());
        }
    }
    let standin = root().join("crates/kube-standin/Cargo.toml");
    if let Ok(text) = std::fs::read_to_string(&standin) {
        assert!(text.lines().any(|l| l.replace(' ', "") == "publish=false"), "{}: publish = false", standin.display());
    }
}
