//! `kubev-ha audit` end to end, against the recorded clusters of
//! `tests/data/clusters/`: each served over HTTPS by the stand-in
//! (`kube-standin`: real API paths, discovery, pages of a fixed size, 403
//! and 404 as Status objects) and read again with `--from-dump`. Every case
//! concludes what its `<case>.expect.json` states, rule by rule; both paths give
//! the same findings; the audit asks for nothing `render rbac` does not
//! grant and never anything but GET.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use kube_standin::{StandIn, StandInOptions};
use serde_json::Value;

use crate::common::{kubev_ha, root, stderr, stdout};

fn cases() -> Vec<PathBuf> {
    let dir = root().join("tests/data/clusters");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && expect_file(p).is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 4, "the recorded cases are missing from {}", dir.display());
    cases
}

fn case(name: &str) -> PathBuf {
    root().join("tests/data/clusters").join(name)
}

/// The stand-in serving `dir` in pages of `page_size`, and a kubeconfig for it.
struct Served {
    standin: StandIn,
    _tmp: tempfile::TempDir,
    kubeconfig: PathBuf,
}

fn serve(dir: &Path, options: StandInOptions) -> Served {
    let standin = StandIn::start(dir, options).unwrap_or_else(|e| panic!("stand-in for {}: {e}", dir.display()));
    let tmp = tempfile::tempdir().unwrap();
    let kubeconfig = tmp.path().join("kubeconfig");
    standin.write_kubeconfig(&kubeconfig, "recorded").unwrap();
    Served { standin, _tmp: tmp, kubeconfig }
}

fn small_pages() -> StandInOptions {
    // Pages of 3 so that every list of the recorded cases takes several
    // requests, and --page-size 2 below asks for fewer still.
    StandInOptions { page_size: Some(3), ..StandInOptions::default() }
}

fn audit_live(served: &Served, extra: &[&str]) -> Output {
    let kubeconfig = served.kubeconfig.to_str().unwrap();
    let mut args = vec!["audit", "--kubeconfig", kubeconfig, "--page-size", "2", "--format", "json"];
    args.extend_from_slice(extra);
    kubev_ha(&args)
}

fn audit_dump(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["audit", "--from-dump", dir.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    kubev_ha(&args)
}

fn report(output: &Output) -> Value {
    serde_json::from_str(&stdout(output))
        .unwrap_or_else(|e| panic!("audit printed no JSON report ({e}); stderr:\n{}", stderr(output)))
}

/// Each rule's worst verdict: fail over unknown over warn over info over pass.
fn verdicts(report: &Value) -> BTreeMap<String, String> {
    let rank = |s: &str| match s {
        "fail" => 4,
        "unknown" => 3,
        "warn" => 2,
        "info" => 1,
        _ => 0,
    };
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for f in report["findings"].as_array().expect("findings") {
        let rule = f["rule"].as_str().unwrap().to_string();
        let severity = f["severity"].as_str().unwrap().to_string();
        let worse = out.get(&rule).is_none_or(|old| rank(&severity) > rank(old));
        if worse {
            out.insert(rule, severity);
        }
    }
    out
}

/// The findings without what differs by path (the source line).
fn findings(report: &Value) -> Vec<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["subject"].to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn expect(case: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(expect_file(case)).unwrap()).unwrap()
}

/// `<case>.expect.json`, beside the case's directory: in it, the stand-in
/// and `--from-dump` would read it as objects.
fn expect_file(case: &Path) -> PathBuf {
    case.with_file_name(format!("{}.expect.json", case.file_name().unwrap().to_str().unwrap()))
}

/// `--inventory FILE` when the case is judged against a declared design.
fn inventory_args(case: &Path) -> Vec<String> {
    match expect(case)["inventory"].as_str() {
        Some(file) => vec!["--inventory".into(), case.join(file).to_str().unwrap().into()],
        None => vec![],
    }
}

fn check_expectations(case: &Path, got: &BTreeMap<String, String>, how: &str) {
    check_against(case, &expect(case), got, how)
}

fn check_against(case: &Path, expect: &Value, got: &BTreeMap<String, String>, how: &str) {
    let mut wrong = vec![];
    for (verdict, accepted) in [("fail", &["fail"][..]), ("pass", &["pass", "info"][..]), ("unknown", &["unknown"][..])]
    {
        for rule in expect[verdict].as_array().map(Vec::as_slice).unwrap_or_default() {
            let rule = rule.as_str().unwrap();
            let actual = got.get(rule).map_or("no finding", String::as_str);
            if !accepted.contains(&actual) {
                let why = expect["why"][rule].as_str().unwrap_or("");
                wrong.push(format!("{rule}: expected {verdict}, got {actual} ({why})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} ({how}):\n  {}", case.display(), wrong.join("\n  "));
}

#[test]
fn every_recorded_case_concludes_what_its_expect_json_states_through_the_standin() {
    for case in cases() {
        let served = serve(&case, small_pages());
        let inventory = inventory_args(&case);
        let out = audit_live(&served, &inventory.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}: {}", case.display(), stderr(&out));
        check_expectations(&case, &verdicts(&report(&out)), "through the stand-in");
    }
}

#[test]
fn every_recorded_case_concludes_what_its_expect_json_states_from_the_dump() {
    for case in cases() {
        // A forbidden resource has no file in the dump: the dump cannot say
        // 403, so that case is judged through the stand-in only.
        if case.join("standin.json").is_file() {
            continue;
        }
        let inventory = inventory_args(&case);
        let out = audit_dump(&case, &inventory.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}: {}", case.display(), stderr(&out));
        check_expectations(&case, &verdicts(&report(&out)), "from the dump");
        // Each other design the case is judged against changes the verdicts it names.
        if let Some(with) = expect(&case)["with"].as_object() {
            for (file, changed) in with {
                let path = case.join(file);
                let out = audit_dump(&case, &["--inventory", path.to_str().unwrap()]);
                check_against(&case, changed, &verdicts(&report(&out)), &format!("from the dump, with {file}"));
            }
        }
    }
}

#[test]
fn the_standin_and_the_dump_give_the_same_findings() {
    for case in cases() {
        if case.join("standin.json").is_file() {
            continue;
        }
        let served = serve(&case, small_pages());
        let live = report(&audit_live(&served, &[]));
        let dump = report(&audit_dump(&case, &[]));
        assert_eq!(findings(&live), findings(&dump), "{}: the two paths disagree", case.display());
        assert_eq!(live["summary"], dump["summary"], "{}", case.display());
    }
}

#[test]
fn the_healthy_cluster_exits_0_and_a_broken_one_exits_1() {
    let healthy = serve(&case("healthy-3zone"), small_pages());
    let inventory = inventory_args(&case("healthy-3zone"));
    let out = audit_live(&healthy, &inventory.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let broken = serve(&case("broken-topology"), small_pages());
    assert_eq!(audit_live(&broken, &[]).status.code(), Some(1));
}

#[test]
fn the_audit_reads_in_pages_and_asks_only_what_render_rbac_grants() {
    let served = serve(&case("healthy-3zone"), small_pages());
    let out = audit_live(&served, &[]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let log = served.standin.requests();
    assert!(log.iter().all(|r| r.method == "GET"), "the audit wrote: {log:?}");

    // Every resource request maps to a (group, resource) the ClusterRole grants.
    let rbac = stdout(&kubev_ha(&["render", "rbac"]));
    let mut granted: BTreeSet<(String, String)> = BTreeSet::new();
    let docs: Vec<Value> = serde_saphyr_docs(&rbac);
    for doc in &docs {
        if doc["kind"] == "ClusterRole" {
            for rule in doc["rules"].as_array().unwrap() {
                for group in rule["apiGroups"].as_array().unwrap() {
                    for resource in rule["resources"].as_array().unwrap() {
                        granted.insert((group.as_str().unwrap().into(), resource.as_str().unwrap().into()));
                    }
                }
            }
        }
    }
    assert!(!granted.is_empty(), "no ClusterRole in:\n{rbac}");
    let mut asked = BTreeSet::new();
    let mut continued = false;
    for r in &log {
        continued |= r.query.contains("continue=");
        if let Some(gr) = group_resource(&r.path) {
            asked.insert(gr);
        }
    }
    let ungranted: Vec<_> = asked.difference(&granted).collect();
    assert!(ungranted.is_empty(), "the audit read what render rbac does not grant: {ungranted:?}");
    assert!(continued, "no request followed a continue token: pagination untested: {log:?}");
}

/// The (API group, resource) of a resource URL; `None` for discovery and /version.
fn group_resource(path: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group, rest) = match parts.as_slice() {
        ["api", _version, rest @ ..] => (String::new(), rest),
        ["apis", group, _version, rest @ ..] => (group.to_string(), rest),
        _ => return None,
    };
    let resource = match rest {
        ["namespaces", _, resource, ..] => resource,
        [resource, ..] => resource,
        [] => return None,
    };
    Some((group, resource.to_string()))
}

fn serde_saphyr_docs(yaml: &str) -> Vec<Value> {
    yaml.split("\n---")
        .filter(|d| d.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')))
        .map(|d| serde_saphyr::from_str::<Value>(d).unwrap_or_else(|e| panic!("{e}:\n{d}")))
        .collect()
}

#[test]
fn a_forbidden_resource_makes_its_rules_unknown_naming_the_permission() {
    let served = serve(&case("broken-forbidden"), small_pages());
    let out = audit_live(&served, &[]);
    let report = report(&out);
    let text = report.to_string();
    assert!(text.contains("virtualmachineinstances.kubevirt.io"), "{text}");
    let verdicts = verdicts(&report);
    assert_eq!(verdicts.get("LIVE-MIGRATABLE").map(String::as_str), Some("unknown"), "{verdicts:?}");
    assert!(!text.contains(served.standin.token()), "the token leaked into the report");
}

#[test]
fn a_server_slower_than_the_request_deadline_stops_the_audit_with_exit_2() {
    let options = StandInOptions { delay: Some(Duration::from_secs(20)), ..StandInOptions::default() };
    let served = serve(&case("healthy-3zone"), options);
    let kubeconfig = served.kubeconfig.to_str().unwrap();
    let started = std::time::Instant::now();
    let out = kubev_ha(&["audit", "--kubeconfig", kubeconfig, "--request-timeout", "1s", "--timeout", "4s"]);
    assert_eq!(out.status.code(), Some(2), "{}\n{}", stdout(&out), stderr(&out));
    // Not a timing threshold: a bound far above the deadlines that proves the
    // audit did not wait for the 20-second answers.
    assert!(started.elapsed() < Duration::from_secs(19), "the deadline did not fire");
}

#[test]
fn a_server_that_is_not_there_exits_2_naming_it_and_no_credential() {
    let served = serve(&case("healthy-3zone"), StandInOptions::default());
    let kubeconfig = std::fs::read_to_string(&served.kubeconfig).unwrap();
    let url = served.standin.url().to_string();
    let token = served.standin.token().to_string();
    drop(served);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("kubeconfig");
    std::fs::write(&path, &kubeconfig).unwrap();
    let out = kubev_ha(&["audit", "--kubeconfig", path.to_str().unwrap(), "--timeout", "20s"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains(&url), "{all}");
    assert!(!all.contains(&token), "the token leaked: {all}");
}

#[test]
fn a_namespace_filter_leaves_the_failure_simulation_and_other_namespaces_budgets_unknown() {
    let out = audit_dump(&case("healthy-3zone"), &["--namespace", "prod"]);
    let verdicts = verdicts(&report(&out));
    for rule in ["HA-NODE-FAILURE", "HA-ZONE-FAILURE", "LIVE-DRAIN-BLOCKERS"] {
        assert_eq!(verdicts.get(rule).map(String::as_str), Some("unknown"), "{rule}: {}", stdout(&out));
    }
    // Without the filter the same cluster passes them.
    let whole = verdicts_of(&audit_dump(&case("healthy-3zone"), &[]));
    assert_eq!(whole.get("HA-NODE-FAILURE").map(String::as_str), Some("pass"));
    assert_eq!(whole.get("LIVE-DRAIN-BLOCKERS").map(String::as_str), Some("pass"));
}

fn verdicts_of(out: &Output) -> BTreeMap<String, String> {
    verdicts(&report(out))
}

#[test]
fn a_dump_without_the_pods_a_blocking_budget_covers_leaves_the_drain_unknown_not_passed() {
    // broken-topology's shop/web-frontend budget allows no disruption; keep
    // only kube-system's pods, as a partial dump would.
    let tmp = tempfile::tempdir().unwrap();
    let src = case("broken-topology");
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&path, tmp.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let pods_file = tmp.path().join("pods.json");
    let mut pods: Value = serde_json::from_str(&std::fs::read_to_string(&pods_file).unwrap()).unwrap();
    pods["items"].as_array_mut().unwrap().retain(|p| p["metadata"]["namespace"] == "kube-system");
    std::fs::write(&pods_file, serde_json::to_string(&pods).unwrap()).unwrap();
    let whole = verdicts_of(&audit_dump(&src, &[]));
    assert_eq!(whole.get("LIVE-DRAIN-BLOCKERS").map(String::as_str), Some("fail"));
    let out = audit_dump(tmp.path(), &[]);
    let partial = verdicts_of(&out);
    assert_eq!(partial.get("LIVE-DRAIN-BLOCKERS").map(String::as_str), Some("unknown"), "{}", stdout(&out));
}

#[test]
fn passing_vms_of_one_rule_are_counted_in_one_pass_and_problems_stay_listed() {
    // healthy-3zone runs 12 VMIs: more than the passes a live report lists one by one.
    let report = report(&audit_dump(&case("healthy-3zone"), &[]));
    let eviction: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "HA-EVICTION").collect();
    assert_eq!(eviction.len(), 1, "{eviction:?}");
    assert_eq!(eviction[0]["severity"], "pass");
    assert!(eviction[0]["message"].as_str().unwrap().starts_with("12 VMs pass"), "{}", eviction[0]);
    // broken-storage-eviction's warnings are each still named.
    let broken = self::report(&audit_dump(&case("broken-storage-eviction"), &[]));
    let warned = broken["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "HA-EVICTION" && f["severity"] == "warn")
        .count();
    assert_eq!(warned, 12);
}
