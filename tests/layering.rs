//! The crate graph keeps its layers (ARCHITECTURE.md, "Invariants"): the
//! I/O crates reach the spec and the model, never the rule catalog or the
//! simulation; the spec is data over the model; the pure crates never
//! reach an I/O crate. Read from each crate's Cargo.toml, so a dependency
//! added for convenience fails here before it shows in `cargo tree`.

use crate::common::root;

/// The workspace crates `crate_dir` depends on in its `[dependencies]`
/// (build and dev dependencies are not part of the library's layering).
fn workspace_dependencies(crate_dir: &str) -> Vec<String> {
    let path = root().join("crates").join(crate_dir).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut in_dependencies = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
        } else if in_dependencies && line.starts_with("kubev-ha-") {
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
        for io in ["kubev-ha-probe", "kubev-ha-etcd", "kubev-ha-net"] {
            assert!(!deps.contains(&io.to_string()), "kubev-ha-{pure} must not depend on {io}: {deps:?}");
        }
    }
}
