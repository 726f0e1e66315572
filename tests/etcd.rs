//! `kubev-ha etcd` against a real 3-member etcd cluster on loopback, and
//! `kubev-ha disk` on a real file system.

use serde_json::Value;

use crate::common::etcd::EtcdCluster;
use crate::common::{kubev_ha, skip, stderr};

fn etcd_report(cluster: &EtcdCluster, extra: &[&str]) -> (Value, i32) {
    let endpoints = cluster.endpoints().join(",");
    let mut args: Vec<String> = vec!["etcd".into(), "--endpoints".into(), endpoints, "--format".into(), "json".into()];
    // Generous by default: healthy members must answer, and how fast a
    // loaded machine lets them is not what these tests are about. Tests of
    // what happens at the deadline pass their own.
    if !extra.contains(&"--timeout") {
        args.extend(["--timeout".into(), "10s".into()]);
    }
    if let Some(tls) = &cluster.tls {
        for (flag, path) in [("--cacert", &tls.ca), ("--cert", &tls.client_cert), ("--key", &tls.client_key)] {
            args.push(flag.into());
            args.push(path.display().to_string());
        }
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    json_report(&args)
}

/// Runs kubev-ha with these arguments and reads its JSON report and exit code.
fn json_report(args: &[&str]) -> (Value, i32) {
    let out = kubev_ha(args);
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (value, out.status.code().unwrap_or(-1))
}

/// Exit 1 only for the disk: etcd's measured fsync latency depends on how
/// busy this machine is, so it may fail CP-ETCD-FSYNC on its own.
fn fails_only_on_fsync(report: &Value, code: i32) -> bool {
    let fails: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "fail").collect();
    (code == 0 && fails.is_empty()) || (code == 1 && fails.iter().all(|f| f["rule"] == "CP-ETCD-FSYNC"))
}

fn finding<'a>(report: &'a Value, rule: &str, subject: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["subject"] == subject)
        .unwrap_or_else(|| panic!("no {rule} {subject}"))
}

#[test]
fn etcd_health_through_failures() {
    let mut cluster = match EtcdCluster::start(3, false) {
        Ok(c) => c,
        Err(why) => return skip("etcd_health_through_failures", &why),
    };

    // Healthy: 3 members, quorum 2, tolerance 1.
    let (report, code) = etcd_report(&cluster, &[]);
    assert!(fails_only_on_fsync(&report, code), "{report}");
    let members = report["measurements"]["etcd"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    assert_eq!(members.iter().filter(|m| m["isLeader"] == true).count(), 1, "exactly one leader");
    assert!(
        members
            .iter()
            .all(|m| m["health"]["state"] == "healthy" && m["version"].is_string() && m["walFsyncP99Ms"].is_number())
    );
    let q = finding(&report, "CP-ETCD-HEALTH", "cluster");
    assert_eq!(q["severity"], "pass", "{q}");
    assert!(q["message"].as_str().unwrap().contains("tolerates 1 more"));
    assert_eq!(finding(&report, "CP-COUNT", "cluster")["severity"], "pass");

    // One member down: quorum holds, no tolerance left: a warning.
    cluster.stop(2);
    let (report, code) = etcd_report(&cluster, &[]);
    assert!(fails_only_on_fsync(&report, code), "{report}");
    let q = finding(&report, "CP-ETCD-HEALTH", "cluster");
    assert_eq!(q["severity"], "warn", "{q}");
    assert!(q["message"].as_str().unwrap().contains("fault tolerance 0"));
    assert_eq!(
        finding(&report, "CP-ETCD-HEALTH", "etcd-member/m3")["message"].as_str().map(|m| m.starts_with("down")),
        Some(true)
    );

    // Two down: quorum lost, said plainly, exit 1, within the deadlines.
    cluster.stop(1);
    let started = std::time::Instant::now();
    // Without quorum the read waits for its deadline: a short one here.
    let (report, code) = etcd_report(&cluster, &["--timeout", "2s"]);
    // A "did not hang" bound, not a performance threshold: each request
    // has a 2 s deadline and there are a handful per member.
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "took {:?}", started.elapsed());
    assert_eq!(code, 1);
    let q = finding(&report, "CP-ETCD-HEALTH", "cluster");
    assert_eq!(q["severity"], "fail");
    assert!(q["message"].as_str().unwrap().starts_with("QUORUM LOST"), "{q}");
    assert_eq!(
        finding(&report, "CP-ETCD-HEALTH", "etcd-member/m1")["severity"],
        "fail",
        "reachable but cannot serve a linearizable read"
    );
}

#[test]
fn etcd_with_tls_client_certificates() {
    let cluster = match EtcdCluster::start(3, true) {
        Ok(c) => c,
        Err(why) => return skip("etcd_with_tls_client_certificates", &why),
    };
    let (report, code) = etcd_report(&cluster, &[]);
    assert!(fails_only_on_fsync(&report, code), "{report}");
    assert!(report["measurements"]["etcd"]["endpoints"][0].as_str().unwrap().starts_with("https://"));
    assert_eq!(finding(&report, "CP-ETCD-HEALTH", "cluster")["severity"], "pass");

    // Without the client certificate etcd refuses us: no endpoint answers.
    let out = kubev_ha(&[
        "etcd",
        "--endpoints",
        &cluster.endpoints().join(","),
        "--cacert",
        cluster.tls.as_ref().unwrap().ca.to_str().unwrap(),
        "--timeout",
        "2s",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no endpoint answered"), "{}", stderr(&out));
}

#[test]
fn etcd_stopping_the_leader_is_an_election_not_quorum_lost() {
    // Reads are refused with 503 "leader changed" until the other two
    // have elected a new leader; asked right away, the report must wait
    // for that within its deadline rather than call quorum lost.
    let mut cluster = match EtcdCluster::start(3, false) {
        Ok(c) => c,
        Err(why) => return skip("etcd_stopping_the_leader_is_an_election_not_quorum_lost", &why),
    };
    let Some(leader) = cluster.leader() else { panic!("a started cluster names a leader") };
    cluster.stop(leader);
    // A deadline well past etcd's 500 ms election timeout, so a slow
    // machine's election still falls inside it.
    let (report, code) = etcd_report(&cluster, &["--timeout", "10s"]);
    assert!(fails_only_on_fsync(&report, code), "{report}");
    let q = finding(&report, "CP-ETCD-HEALTH", "cluster");
    assert_eq!(q["severity"], "warn", "{q}");
    assert!(q["message"].as_str().unwrap().contains("2 of 3 voting members healthy"), "{q}");
}

#[test]
fn etcd_inventory_places_members_in_zones() {
    let cluster = match EtcdCluster::start(3, false) {
        Ok(c) => c,
        Err(why) => return skip("etcd_inventory_places_members_in_zones", &why),
    };
    // The members are named m1..m3; an inventory that puts two in one zone.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inv.yaml");
    std::fs::write(
        &file,
        "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: e}\nnodes:\n\
  - {name: m1, address: 10.0.0.1, roles: [control-plane], zone: a}\n\
  - {name: m2, address: 10.0.0.2, roles: [control-plane], zone: a}\n\
  - {name: m3, address: 10.0.0.3, roles: [control-plane], zone: b}\n",
    )
    .unwrap();
    let (report, code) = etcd_report(&cluster, &[file.to_str().unwrap()]);
    assert_eq!(code, 1, "CP-SPREAD fails in production: {report}");
    let spread = finding(&report, "CP-SPREAD", "cluster");
    assert_eq!(spread["severity"], "fail");
    assert!(spread["message"].as_str().unwrap().contains("zone a"), "{spread}");
}

#[test]
fn etcd_inventory_maps_members_to_nodes_by_address() {
    // Members m1..m3 on 127.0.0.1..3, all on one client port; the nodes
    // carry other names, so only their addresses can place the members.
    let cluster = match EtcdCluster::start_on_loopback_aliases(3) {
        Ok(c) => c,
        Err(why) => return skip("etcd_inventory_maps_members_to_nodes_by_address", &why),
    };
    let port = cluster.client_port(0).to_string();
    let dir = tempfile::tempdir().unwrap();
    let inventory = |zones: [&str; 3]| {
        let file = dir.path().join(format!("inv-{}.yaml", zones.join("")));
        std::fs::write(
            &file,
            format!(
                "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {{name: e}}\nnodes:\n\
  - {{name: cp-north, address: 127.0.0.1, roles: [control-plane], zone: {}}}\n\
  - {{name: cp-south, address: 127.0.0.2, roles: [control-plane], zone: {}}}\n\
  - {{name: cp-east, address: 127.0.0.3, roles: [control-plane], zone: {}}}\n",
                zones[0], zones[1], zones[2]
            ),
        )
        .unwrap();
        file
    };
    let run = |file: &std::path::Path| {
        json_report(&["etcd", file.to_str().unwrap(), "--client-port", &port, "--format", "json", "--timeout", "10s"])
    };

    // m1 and m2 share zone a: losing it loses quorum.
    let (report, code) = run(&inventory(["a", "a", "b"]));
    assert_eq!(code, 1, "CP-SPREAD fails in production: {report}");
    let endpoints = report["measurements"]["etcd"]["endpoints"].as_array().unwrap();
    let expected: Vec<String> = (1..=3).map(|i| format!("http://127.0.0.{i}:{port}")).collect();
    assert_eq!(endpoints.iter().map(|e| e.as_str().unwrap()).collect::<Vec<_>>(), expected);
    assert_eq!(finding(&report, "CP-ETCD-HEALTH", "cluster")["severity"], "pass", "{report}");
    let spread = finding(&report, "CP-SPREAD", "cluster");
    assert_eq!(spread["severity"], "fail", "{spread}");
    let message = spread["message"].as_str().unwrap();
    assert!(message.contains("zones a: 2, b: 1") && message.contains("losing zone a"), "{spread}");

    // One member per zone: any zone may go.
    let (report, _) = run(&inventory(["a", "b", "c"]));
    let spread = finding(&report, "CP-SPREAD", "cluster");
    assert_eq!(spread["severity"], "pass", "{spread}");
    assert!(spread["message"].as_str().unwrap().contains("zones a: 1, b: 1, c: 1"), "{spread}");

    // --client-port is for the inventory's endpoints only.
    let out = kubev_ha(&["etcd", "--endpoints", "http://127.0.0.1:2379", "--client-port", "2380"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn etcd_one_endpoint_discovers_the_other_members() {
    let cluster = match EtcdCluster::start(3, false) {
        Ok(c) => c,
        Err(why) => return skip("etcd_one_endpoint_discovers_the_other_members", &why),
    };
    let first = cluster.endpoints()[0].clone();
    let args = ["etcd", "--endpoints", &first, "--format", "json", "--timeout", "10s"];

    // The member list names the other two; they are asked at their
    // advertised client URLs.
    let (report, code) = json_report(&args);
    assert!(fails_only_on_fsync(&report, code), "{report}");
    let members = report["measurements"]["etcd"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    for (m, endpoint) in members.iter().zip(cluster.endpoints()) {
        assert_eq!(m["health"]["state"], "healthy", "{m}");
        assert_eq!(m["endpoint"], endpoint.as_str(), "{m}");
    }
    assert_eq!(members.iter().filter(|m| m["isLeader"] == true).count(), 1, "exactly one leader");
    let q = finding(&report, "CP-ETCD-HEALTH", "cluster");
    assert_eq!(q["severity"], "pass", "{q}");
    assert!(q["message"].as_str().unwrap().contains("3 of 3 voting members healthy"), "{q}");

    // Without discovery the others stay unasked and the verdict unknown.
    let (report, _) = json_report(&[&args[..], &["--no-discover"]].concat());
    let states = member_states(&report);
    assert_eq!(states, ["healthy", "not-probed", "not-probed"]);
    assert_eq!(finding(&report, "CP-ETCD-HEALTH", "cluster")["severity"], "unknown");
}

#[test]
fn etcd_members_unreachable_at_their_advertised_urls_are_not_quorum_lost() {
    // m2 and m3 advertise client URLs nothing listens on: discovery finds
    // them down from here, yet m1 answers a linearizable read, which etcd
    // serves only with a quorum behind its leader.
    let cluster = match EtcdCluster::start_advertising_unreachable(3) {
        Ok(c) => c,
        Err(why) => return skip("etcd_members_unreachable_at_their_advertised_urls_are_not_quorum_lost", &why),
    };
    let first = cluster.endpoints()[0].clone();
    let (report, _) = json_report(&["etcd", "--endpoints", &first, "--format", "json", "--timeout", "10s"]);
    let states = member_states(&report);
    assert_eq!(states, ["healthy", "down", "down"], "{report}");
    let q = finding(&report, "CP-ETCD-HEALTH", "cluster");
    assert_eq!(q["severity"], "unknown", "{q}");
    assert!(q["message"].as_str().unwrap().starts_with("quorum holds in etcd's own view"), "{q}");
}

#[test]
fn etcd_wrong_endpoint_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = kubev_ha(&["etcd", "--endpoints", &format!("http://127.0.0.1:{port}"), "--timeout", "2s"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no endpoint answered"), "{}", stderr(&out));
    let out = kubev_ha(&["etcd", "--endpoints", "localhost:2379"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not an endpoint"), "{}", stderr(&out));
    let out = kubev_ha(&["etcd"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn disk_measures_fdatasync_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = kubev_ha(&["disk", dir.path().to_str().unwrap(), "--size", "2Mi", "--format", "json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Keyed by kind and node as every command's `measurements`; the run apart.
    let f = &report["measurements"]["fdatasync"]["this-host"];
    for key in ["p50Ms", "p99Ms", "maxMs", "samples"] {
        assert!(f[key].is_number(), "no {key}: {f}");
    }
    assert_eq!(f["samples"], (2u64 << 20) / 2300);
    let run = &report["diskRun"];
    assert_eq!(run["writes"], f["samples"]);
    assert_eq!(run["blockSize"], 2300);
    assert_eq!(run["directory"], dir.path().to_str().unwrap());
    assert!(f["p50Ms"].as_f64() <= f["p99Ms"].as_f64() && f["p99Ms"].as_f64() <= f["maxMs"].as_f64());
    let verdict = &report["findings"][0];
    assert_eq!(verdict["rule"], "CP-ETCD-FSYNC");
    let expected = if f["p99Ms"].as_f64().unwrap() < 10.0 { "pass" } else { "fail" };
    assert_eq!(verdict["severity"], expected);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the test file must be removed");
}

#[test]
fn disk_refuses_without_space() {
    let dir = tempfile::tempdir().unwrap();
    let out = kubev_ha(&["disk", dir.path().to_str().unwrap(), "--size", "1000Pi"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("free"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn disk_stops_cleanly_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kubev-ha"))
        .args(["disk", dir.path().to_str().unwrap(), "--size", "4Gi"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the test file exists, then interrupt.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::read_dir(dir.path()).unwrap().count() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the test file must be removed");
}

/// Each member's health state, in the order the cluster lists them.
fn member_states(report: &Value) -> Vec<String> {
    report["measurements"]["etcd"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["health"]["state"].as_str().unwrap().to_string())
        .collect()
}

/// `etcd` had no --quiet (exit 2) and always listed the passing findings;
/// --strict and --waive were refused too.
#[test]
fn etcd_accepts_the_judging_options() {
    let cluster = match EtcdCluster::start(1, false) {
        Ok(c) => c,
        Err(why) => return skip("etcd_accepts_the_judging_options", &why),
    };
    let endpoints = cluster.endpoints().join(",");
    let base = ["etcd", "--endpoints", &endpoints, "--timeout", "10s"];
    let run = |extra: &[&str]| kubev_ha(&[&base[..], extra].concat());
    let all = run(&[]);
    let text = crate::common::stdout(&all);
    assert!(text.contains("    pass "), "a healthy member passes CP-ETCD-HEALTH: {text}");
    let quiet = run(&["--quiet"]);
    assert_ne!(quiet.status.code(), Some(2), "{}", stderr(&quiet));
    let text = crate::common::stdout(&quiet);
    assert!(!text.contains("    pass "), "{text}");
    assert!(text.contains("pass,"), "passes still counted: {text}");
    // One member tolerates no failure: CP-COUNT fails; waived, it does not.
    let (report, _) = etcd_report(&cluster, &["--waive", "CP-COUNT=a test cluster", "--waive", "CP-ETCD-FSYNC"]);
    let count = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "CP-COUNT").unwrap();
    assert!(count["severity"] == "pass" || !count["waived"].is_null(), "{count}");
    let strict = run(&["--strict", "--waive", "CP-COUNT", "--waive", "CP-ETCD-FSYNC", "--waive", "CP-ETCD-HEALTH"]);
    assert_ne!(strict.status.code(), Some(2), "--strict is accepted: {}", stderr(&strict));
}

/// `disk` had neither --strict nor --waive: a waived CP-ETCD-FSYNC cannot
/// fail the run, however busy this machine's disk is.
#[test]
fn disk_accepts_the_judging_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let (report, code) =
        json_report(&["disk", path, "--size", "1Mi", "--waive", "CP-ETCD-FSYNC=a shared CI disk", "--format", "json"]);
    assert_eq!(code, 0, "{report}");
    let fsync = &report["findings"][0];
    assert!(fsync["severity"] == "pass" || !fsync["waived"].is_null(), "{fsync}");
}
