//! The recorded clusters of `tests/data/clusters`: every file is a List as
//! `kubectl get -A -o json` prints it, each case holds the kinds it says,
//! `healthy-3zone` is exactly the generator's output, and every
//! `<case>.expect.json` names only rules that exist, once each, with a reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{load, root};

/// The LIVE-* rules of /work/shared/spec/rules.md, section "Live cluster"
/// (issue 11): the catalog gains them as they are built, so the test knows
/// them from the spec, not from the catalog.
const LIVE_RULES: &[&str] = &[
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

const CASES: &[&str] = &["healthy-3zone", "broken-storage-eviction", "broken-topology", "broken-forbidden"];

/// Each file's kind, as the API server names it in the items.
const KINDS: &[(&str, &str)] = &[
    ("nodes.json", "Node"),
    ("pods.json", "Pod"),
    ("configmaps.json", "ConfigMap"),
    ("kubevirt.json", "KubeVirt"),
    ("vms.json", "VirtualMachine"),
    ("vmis.json", "VirtualMachineInstance"),
    ("pvcs.json", "PersistentVolumeClaim"),
    ("pvs.json", "PersistentVolume"),
    ("storageclasses.json", "StorageClass"),
    ("storageprofiles.json", "StorageProfile"),
    ("nads.json", "NetworkAttachmentDefinition"),
    ("daemonsets.json", "DaemonSet"),
    ("subnets.json", "Subnet"),
    ("nodehealthchecks.json", "NodeHealthCheck"),
    ("snrtemplates.json", "SelfNodeRemediationTemplate"),
    ("pdbs.json", "PodDisruptionBudget"),
];

fn case_dir(case: &str) -> PathBuf {
    root().join("tests/data/clusters").join(case)
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))
}

/// The kind files a case holds.
fn files(case: &str) -> BTreeSet<String> {
    std::fs::read_dir(case_dir(case))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n != "expect.json" && n != "standin.json")
        .collect()
}

#[test]
fn every_file_is_a_kubectl_list_of_its_kind_with_named_objects() {
    for case in CASES {
        let names = files(case);
        assert!(!names.is_empty(), "{case}");
        for name in &names {
            let path = case_dir(case).join(name);
            let list = read_json(&path);
            assert_eq!(list["apiVersion"], "v1", "{}", path.display());
            assert_eq!(list["kind"], "List", "{}", path.display());
            assert_eq!(list["metadata"]["resourceVersion"], "", "{}", path.display());
            let kind = KINDS
                .iter()
                .find(|(f, _)| f == name)
                .unwrap_or_else(|| panic!("{}: not a kind the audit reads", path.display()))
                .1;
            let mut seen = BTreeSet::new();
            for item in list["items"].as_array().unwrap_or_else(|| panic!("{}: no items", path.display())) {
                let id =
                    format!("{}/{}", item["metadata"]["namespace"].as_str().unwrap_or(""), item["metadata"]["name"]);
                assert!(item["apiVersion"].is_string(), "{}: {id}", path.display());
                assert_eq!(item["kind"], kind, "{}: {id}", path.display());
                assert!(item["metadata"]["name"].is_string(), "{}: an item without metadata.name", path.display());
                assert!(item["metadata"]["uid"].is_string(), "{}: {id} has no uid", path.display());
                assert!(seen.insert(id.clone()), "{}: {id} twice", path.display());
            }
        }
    }
}

#[test]
fn each_case_holds_the_kinds_it_says() {
    let all: BTreeSet<String> = KINDS.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(files("healthy-3zone"), all);
    assert_eq!(files("broken-topology"), all);
    // No medik8s operators: their CRDs are not served, so there is nothing to dump.
    let without = |gone: &[&str]| all.iter().filter(|f| !gone.contains(&f.as_str())).cloned().collect::<BTreeSet<_>>();
    assert_eq!(files("broken-storage-eviction"), without(&["nodehealthchecks.json", "snrtemplates.json"]));
    assert_eq!(files("broken-forbidden"), without(&["vmis.json"]));
    // The stand-in's 403s name resources as RBAC (and AUDIT_READS) does.
    let standin = read_json(&case_dir("broken-forbidden").join("standin.json"));
    let qualified: BTreeSet<String> = kubev_ha_spec::AUDIT_READS.iter().map(|r| r.qualified()).collect();
    for resource in standin["forbidden"].as_array().unwrap() {
        assert!(qualified.contains(resource.as_str().unwrap()), "{resource}");
    }
}

#[test]
fn healthy_3zone_is_the_generators_output_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let shape = kubev_ha_cluster::DumpShape { workers: 6, zones: 3, vms: 12, seed: 1 };
    assert_eq!(shape, kubev_ha_cluster::DumpShape::default());
    let summary = kubev_ha_cluster::write_dump(&shape, dir.path()).unwrap();
    assert_eq!(summary.files.len(), kubev_ha_cluster::DUMP_FILES.len());
    for name in kubev_ha_cluster::DUMP_FILES {
        let made = std::fs::read(dir.path().join(name)).unwrap();
        let recorded = std::fs::read(case_dir("healthy-3zone").join(name)).unwrap();
        assert!(
            made == recorded,
            "{name}: healthy-3zone differs from `kubev-ha generate --cluster-dump DIR --workers 6 --zones 3 --vms 12`; \
             regenerate it and rerun tests/data/clusters/derive.py"
        );
    }
}

fn ids(value: &Value, key: &str) -> Vec<String> {
    value[key].as_array().map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

fn known(id: &str) -> bool {
    LIVE_RULES.contains(&id) || kubev_ha_rules::rule(id).is_some_and(|r| r.id == id)
}

#[test]
fn expectations_name_real_rules_once_each_with_a_reason() {
    let mut failed = BTreeSet::new();
    let mut passed = BTreeSet::new();
    for case in CASES {
        let expect = read_json(&expect_file(case));
        let mut seen = BTreeMap::new();
        for verdict in ["fail", "warn", "info", "pass", "unknown"] {
            for id in ids(&expect, verdict) {
                assert!(known(&id), "{case}: {id} is neither a catalog rule nor a LIVE-* rule of the spec");
                assert!(expect["why"][&id].as_str().is_some_and(|w| !w.is_empty()), "{case}: {id} has no why");
                if let Some(other) = seen.insert(id.clone(), verdict) {
                    panic!("{case}: {id} is both {other} and {verdict}");
                }
                // A warning is a requirement found unmet too, at the
                // severity the production profile gives it.
                match verdict {
                    "fail" | "warn" => failed.insert(id),
                    "pass" => passed.insert(id),
                    _ => false,
                };
            }
        }
        for id in expect["why"].as_object().unwrap().keys() {
            assert!(seen.contains_key(id), "{case}: why explains {id}, which no verdict names");
        }
        // Every catalog rule audit runs is judged in every case.
        for id in kubev_ha_rules::AUDIT_RULES {
            assert!(seen.contains_key(*id), "{case}: no expectation for {id}");
        }
        for id in LIVE_RULES.iter().filter(|id| **id != "LIVE-DRIFT") {
            assert!(seen.contains_key(*id), "{case}: no expectation for {id}");
        }
        // Runs with another inventory: only the verdicts that change.
        if let Some(with) = expect["with"].as_object() {
            for (inventory, alt) in with {
                assert!(case_dir(case).join(inventory).is_file(), "{case}: {inventory}");
                for id in ids(alt, "fail").into_iter().chain(ids(alt, "warn")) {
                    assert!(known(&id) && alt["why"][&id].is_string(), "{case} with {inventory}: {id}");
                    failed.insert(id);
                }
            }
        }
        if let Some(inventory) = expect["inventory"].as_str() {
            load(&case_dir(case).join(inventory));
        }
    }
    // The healthy case passes every LIVE-* rule and the failure scenarios.
    let healthy = read_json(&expect_file("healthy-3zone"));
    let pass = ids(&healthy, "pass");
    for id in LIVE_RULES.iter().chain(&["HA-NODE-FAILURE", "HA-ZONE-FAILURE", "CP-COUNT", "CP-SPREAD"]) {
        assert!(pass.iter().any(|p| p == id), "healthy-3zone: {id} not in pass");
    }
    // Every LIVE-* rule has a case that finds it unmet (fail or warn) and one that passes it.
    for id in LIVE_RULES {
        assert!(failed.contains(*id), "no recorded case fails {id}");
        assert!(passed.contains(*id), "no recorded case passes {id}");
    }
}

#[test]
fn the_drifted_inventory_differs_from_the_matching_one_where_it_says() {
    let dir = case_dir("healthy-3zone");
    let same = load(&dir.join("inventory.yaml"));
    let drifted = load(&dir.join("inventory-drifted.yaml"));
    let node =
        |inv: &kubev_ha_model::Inventory, name: &str| inv.nodes.iter().find(|n| n.name == name).cloned().unwrap();
    assert_ne!(node(&same, "w-c2").zone, node(&drifted, "w-c2").zone);
    assert_ne!(node(&same, "w-a1").memory, node(&drifted, "w-a1").memory);
    let classes = |inv: &kubev_ha_model::Inventory| -> BTreeSet<String> {
        inv.storage.as_ref().map(|s| s.classes.iter().map(|c| c.name.clone()).collect()).unwrap_or_default()
    };
    assert!(classes(&same).contains("ceph-rbd-vm") && !classes(&drifted).contains("ceph-rbd-vm"));
    // The matching inventory names the live nodes, with their zones.
    let nodes = read_json(&dir.join("nodes.json"));
    for item in nodes["items"].as_array().unwrap() {
        let name = item["metadata"]["name"].as_str().unwrap();
        let zone = item["metadata"]["labels"]["topology.kubernetes.io/zone"].as_str().unwrap();
        assert_eq!(node(&same, name).zone.as_deref(), Some(zone), "{name}");
    }
}

fn item_count(path: &Path) -> usize {
    read_json(path)["items"].as_array().unwrap().len()
}

#[test]
fn generate_cluster_dump_writes_the_counts_asked_for_and_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dump");
    let out_str = out.to_str().unwrap();
    let output = crate::common::kubev_ha(&[
        "generate",
        "--cluster-dump",
        out_str,
        "--workers",
        "5",
        "--zones",
        "2",
        "--vms",
        "17",
        "--seed",
        "7",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", crate::common::stderr(&output));
    assert!(output.stdout.is_empty(), "the dump goes to files, not stdout");
    assert!(crate::common::stderr(&output).contains("wrote 16 files"), "{}", crate::common::stderr(&output));
    assert_eq!(item_count(&out.join("nodes.json")), 8, "3 control planes and 5 workers");
    for file in ["vms.json", "vmis.json", "pvcs.json", "pvs.json"] {
        assert_eq!(item_count(&out.join(file)), 17, "{file}");
    }
    let nodes = read_json(&out.join("nodes.json"));
    let zones: BTreeSet<&str> = nodes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["metadata"]["labels"]["topology.kubernetes.io/zone"].as_str().unwrap())
        .collect();
    assert_eq!(zones.len(), 2);
}

#[test]
fn generate_cluster_dump_into_a_file_is_an_error_naming_it() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let path = file.path().to_str().unwrap();
    let output = crate::common::kubev_ha(&["generate", "--cluster-dump", path, "--workers", "2"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(crate::common::stderr(&output).contains(path), "{}", crate::common::stderr(&output));
}

#[test]
fn generate_help_says_what_the_dump_holds() {
    let output = crate::common::kubev_ha(&["generate", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = crate::common::stdout(&output);
    for needle in ["--cluster-dump <DIR>", "kubectl get <kind> -A -o json", "audit --from-dump", "vmis.json", "seed"] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
}

/// A case's expectations, beside its directory (not in it: the stand-in
/// and `--from-dump` read every `*.json` in the directory as objects).
fn expect_file(case: &str) -> std::path::PathBuf {
    case_dir(case).with_file_name(format!("{case}.expect.json"))
}
