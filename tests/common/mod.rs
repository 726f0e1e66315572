//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kubev_ha_model::{Facts, Inventory, Profile};
use kubev_ha_rules::{CheckOptions, Finding, Report, Severity, check};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

/// The bundled reference inventory, parsed.
pub fn reference() -> Inventory {
    load(&example("ha-reference.yaml"))
}

pub fn load(path: &Path) -> Inventory {
    kubev_ha_model::load_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).inventory
}

/// Runs the catalog over `inventory` with `profile`.
pub fn judge(inventory: Inventory, profile: Profile) -> Report {
    let facts = Facts::from_inventory(inventory, "test.yaml");
    check(&facts, &CheckOptions { profile: Some(profile), ..CheckOptions::default() })
}

/// The findings of one rule, optionally for one subject (`node/cp-1`).
pub fn findings<'a>(report: &'a Report, rule: &str, subject: Option<&str>) -> Vec<&'a Finding> {
    report.findings.iter().filter(|f| f.rule == rule && subject.is_none_or(|s| f.subject.to_string() == s)).collect()
}

/// The one severity a rule gives a subject; panics when there is not exactly one finding.
pub fn severity_of(report: &Report, rule: &str, subject: &str) -> Severity {
    let found = findings(report, rule, Some(subject));
    assert_eq!(found.len(), 1, "{rule} {subject}: expected one finding, got {found:#?}");
    found[0].severity
}

/// The `kubev-ha` binary with `args`, run from the repository root.
pub fn kubev_ha(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubev-ha"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the kubev-ha binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub mod dns;
pub mod etcd;
pub mod sshd;
pub mod testbed;

/// Prints why a test cannot run here, so a skip is never silent.
pub fn skip(test: &str, why: &str) {
    eprintln!("SKIPPED {test}: {why}");
}

/// A program on PATH, as the shell would find it.
pub fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(program)).find(|p| p.is_file()))
}
