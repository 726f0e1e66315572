//! Network verification between real hosts: network namespaces joined by
//! veth pairs to a bridge, each with its own sshd (scripts/testbed.sh),
//! plus loopback tests of the responder and the prober, and the rendered
//! firewall rules checked by nft itself.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::testbed::Testbed;
use crate::common::{kubev_ha, skip, stderr, stdout};

/// `net matrix` over the test bed, as JSON.
fn matrix(bed: &Testbed, timeout: &str) -> (Value, i32) {
    let inventory = bed.inventory();
    let config = bed.ssh_config();
    let out = kubev_ha(&[
        "net",
        "matrix",
        inventory.to_str().unwrap(),
        "--ssh-config",
        config.to_str().unwrap(),
        "--timeout",
        timeout,
        "--format",
        "json",
    ]);
    let value: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (value, out.status.code().unwrap_or(-1))
}

/// (from, to, port) of every probe that did not find the port open.
fn red_cells(report: &Value) -> BTreeSet<(String, String, u64)> {
    report["measurements"]["network"]["probes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["state"] != "open" && p["state"] != "open-other")
        .map(|p| {
            (
                p["from"].as_str().unwrap().to_string(),
                p["to"].as_str().unwrap().to_string(),
                p["port"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (group, from, to, state) of every matrix cell in the JSON.
fn cells(report: &Value) -> Vec<(String, String, String, String)> {
    report["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("no cells: {report}"))
        .iter()
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_else(|| panic!("{k} in {c}")).to_string();
            (text("group"), text("from"), text("to"), text("state"))
        })
        .collect()
}

fn nft_available() -> bool {
    Command::new("nft").arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success())
}

#[test]
fn matrix_green_then_firewalled_then_one_rule_missing() {
    let bed = match Testbed::up() {
        Ok(b) => b,
        Err(why) => return skip("matrix_green_then_firewalled_then_one_rule_missing", &why),
    };
    // 1. Nothing in the way: every cell green. Something else holds the
    //    kubelet port on w-2: its responder cannot take it, the probes get
    //    "another service", and NET-PORTS warns about the holder.
    let squatter = bed.hold_tcp("w-2", 10250);
    let (report, code) = matrix(&bed, "20s");
    drop(squatter);
    assert_eq!(code, 0, "{}", report["findings"]);
    assert!(red_cells(&report).is_empty(), "{:?}", red_cells(&report));
    let all_cells = cells(&report);
    assert!(all_cells.len() > 50, "{} cells", all_cells.len());
    assert!(all_cells.iter().all(|c| c.3 == "open"), "{all_cells:?}");
    // Every pair of the 5 nodes reaches something (NodePort services at least).
    let pairs: BTreeSet<(&str, &str)> = all_cells.iter().map(|c| (c.1.as_str(), c.2.as_str())).collect();
    assert_eq!(pairs.len(), 5 * 4);
    let taken = report["measurements"]["network"]["taken"].as_array().unwrap();
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert_eq!((taken[0]["node"].as_str(), taken[0]["port"].as_u64()), (Some("w-2"), Some(10250)));
    assert!(taken[0]["holder"].as_str().unwrap().contains(&format!("pid {}", std::process::id())), "{taken:?}");
    let held = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "NET-PORTS" && f["subject"] == "node/w-2")
        .unwrap_or_else(|| panic!("no NET-PORTS finding for w-2: {}", report["findings"]));
    assert_eq!(held["severity"], "warn");
    let message = held["message"].as_str().unwrap();
    assert!(message.contains("10250/tcp (kubelet)") && message.contains("Before install"), "{message}");
    let probes = report["measurements"]["network"]["probes"].as_array().unwrap().len();
    assert!(probes > 100, "the matrix has {probes} probes");
    assert_eq!(report["measurements"]["network"]["from"].as_array().unwrap().len(), 5);
    assert!(report["measurements"]["network"]["dns"].as_array().unwrap().iter().all(|d| d["matches"] == true));

    if !nft_available() {
        return skip("matrix_green_then_firewalled_then_one_rule_missing (nftables part)", "no nft (install nftables)");
    }
    // 2. The rendered rules applied on every node: still all green.
    let nodes = ["cp-1", "cp-2", "cp-3", "w-1", "w-2"];
    for node in nodes {
        let out = kubev_ha(&["render", "nftables", bed.inventory().to_str().unwrap(), "--node", node]);
        assert_eq!(out.status.code(), Some(0));
        let file = bed.write(&format!("{node}.nft"), &stdout(&out));
        bed.exec(node, &["nft", "-f", file.to_str().unwrap()]);
    }
    let (report, code) = matrix(&bed, "20s");
    assert_eq!(code, 0, "{:?}", red_cells(&report));
    assert!(red_cells(&report).is_empty());

    // 3. One rule removed on one node: exactly that cell red.
    let out = kubev_ha(&["render", "nftables", bed.inventory().to_str().unwrap(), "--node", "cp-2"]);
    let without_peer: String =
        stdout(&out).lines().filter(|l| !l.contains("dport 2380 ")).map(|l| format!("{l}\n")).collect();
    let file = bed.write("cp-2-broken.nft", &without_peer);
    bed.exec("cp-2", &["nft", "-f", file.to_str().unwrap()]);
    let (report, code) = matrix(&bed, "20s");
    assert_eq!(code, 1);
    let expected: BTreeSet<(String, String, u64)> = [("cp-1", "cp-2", 2380), ("cp-3", "cp-2", 2380)]
        .iter()
        .map(|(f, t, p)| (f.to_string(), t.to_string(), *p))
        .collect();
    assert_eq!(red_cells(&report), expected);
    let failing_cells: BTreeSet<(String, String, String)> =
        cells(&report).into_iter().filter(|c| c.3 != "open").map(|c| (c.0, c.1, c.2)).collect();
    let expected_cells: BTreeSet<(String, String, String)> =
        [("etcd peer", "cp-1", "cp-2"), ("etcd peer", "cp-3", "cp-2")]
            .iter()
            .map(|(g, f, t)| (g.to_string(), f.to_string(), t.to_string()))
            .collect();
    assert_eq!(failing_cells, expected_cells);
    for c in report["cells"].as_array().unwrap().iter().filter(|c| c["state"] == "failing") {
        let probes = c["failing"].as_array().unwrap();
        assert!(!probes.is_empty() && probes.iter().all(|p| p["port"] == 2380 && p["state"] == "filtered"), "{c}");
    }
    let failing: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "fail").collect();
    assert_eq!(failing.len(), 2, "{failing:?}");
    assert!(failing.iter().all(|f| f["rule"] == "NET-PORTS" && f["message"].as_str().unwrap().contains("2380/tcp etcd peer filtered")));
}

#[test]
fn matrix_finds_the_pair_with_a_smaller_mtu() {
    let bed = match Testbed::up() {
        Ok(b) => b,
        Err(why) => return skip("matrix_finds_the_pair_with_a_smaller_mtu", &why),
    };
    bed.exec("w-2", &["ip", "link", "set", "eth0", "mtu", "1400"]);
    let (report, code) = matrix(&bed, "20s");
    assert_eq!(code, 1);
    let short: BTreeSet<(String, String)> = report["measurements"]["network"]["pathMtu"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["mtu"].as_u64() < m["localMtu"].as_u64())
        .map(|m| (m["from"].as_str().unwrap().to_string(), m["to"].as_str().unwrap().to_string()))
        .collect();
    let expected: BTreeSet<(String, String)> =
        ["cp-1", "cp-2", "cp-3", "w-1"].iter().map(|f| (f.to_string(), "w-2".to_string())).collect();
    assert_eq!(short, expected);
    for m in report["measurements"]["network"]["pathMtu"].as_array().unwrap().iter().filter(|m| m["to"] == "w-2") {
        let mtu = m["mtu"].as_u64().unwrap();
        assert!((1400..1500).contains(&mtu), "{m}");
    }
    let mtu_fails = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "NET-MTU" && f["severity"] == "fail")
        .count();
    assert_eq!(mtu_fails, 4);
    assert!(red_cells(&report).is_empty(), "small probes still get through");
}

#[test]
fn matrix_reports_a_down_node_and_completes_the_rest() {
    let bed = match Testbed::up() {
        Ok(b) => b,
        Err(why) => return skip("matrix_reports_a_down_node_and_completes_the_rest", &why),
    };
    bed.exec("w-1", &["ip", "link", "set", "eth0", "down"]);
    let started = std::time::Instant::now();
    let (report, code) = matrix(&bed, "15s");
    let took = started.elapsed();
    // "Within the deadline", as a generous did-not-hang bound: SSH to the
    // down node gives up after --timeout (15 s) at each of the two steps,
    // the probes have 2 s each (10× that), plus 30 s of setup.
    assert!(took < Duration::from_secs(2 * 15 + 10 * 2 + 30), "the matrix took {took:?}");
    assert_eq!(code, 1);
    let network = &report["measurements"]["network"];
    assert!(network["unreachable"]["w-1"].is_string(), "{}", network["unreachable"]);
    let from: Vec<&str> = network["from"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(from, vec!["cp-1", "cp-2", "cp-3", "w-2"], "the others complete");
    // Its column: nobody reaches it. Everything else: green.
    for (f, t, _) in red_cells(&report) {
        assert_eq!(t, "w-1", "{f} → {t} failed, but only w-1 is down");
    }
    // Its row and its column are cells too, unreachable with the reason.
    let all_cells = cells(&report);
    assert!(all_cells.iter().any(|c| c.1 == "w-1") && all_cells.iter().any(|c| c.2 == "w-1"));
    for c in report["cells"].as_array().unwrap() {
        if c["from"] == "w-1" || c["to"] == "w-1" {
            assert_eq!(c["state"], "unreachable", "{c}");
            assert!(c["reason"].as_str().unwrap().starts_with("w-1 unreachable: "), "{c}");
        } else {
            assert_eq!(c["state"], "open", "{c}");
        }
    }
    let node_finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "NET-PORTS" && f["subject"] == "node/w-1")
        .unwrap();
    assert_eq!(node_finding["severity"], "fail");
}

/// A responder on loopback for the prober tests; killed when dropped.
struct Responder(std::process::Child);

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_responder(name: &str, bind: &str, extra: &[&str]) -> Responder {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubev-ha"))
        .args(["net", "serve", "--role", "worker", "--name", name, "--bind", bind, "--ttl", "60s", "--json"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The first line says it is ready.
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("\"listening\""), "{line}");
    Responder(child)
}

#[test]
fn check_tells_open_wrong_host_and_closed_apart() {
    // The responder on 127.0.0.4 claims to be `imposter`; the inventory
    // puts node `w-b` there: every probe must say "wrong host". Node `w-c`
    // on 127.0.0.5 has nothing listening: closed.
    let _r = start_responder("imposter", "127.0.0.4", &[]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inv.yaml");
    std::fs::write(
        &file,
        "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: l}\nnodes:\n\
  - {name: w-a, address: 127.0.0.3, roles: [worker]}\n\
  - {name: w-b, address: 127.0.0.4, roles: [worker]}\n\
  - {name: w-c, address: 127.0.0.5, roles: [worker]}\n",
    )
    .unwrap();
    let out = kubev_ha(&[
        "net",
        "check",
        file.to_str().unwrap(),
        "--from",
        "w-a",
        "--format",
        "json",
        "--no-mtu",
        // Generous: the responder on loopback answers at once; a tight
        // deadline would only turn a slow answer on a loaded machine into
        // "filtered", which is not what this test is about.
        "--timeout",
        "10s",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let probes = report["measurements"]["network"]["probes"].as_array().unwrap();
    let states = |to: &str| {
        probes
            .iter()
            .filter(|p| p["to"] == to)
            .map(|p| p["state"].as_str().unwrap().to_string())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(states("w-b"), BTreeSet::from(["wrong-host".to_string()]));
    assert_eq!(states("w-c"), BTreeSet::from(["closed".to_string()]), "TCP refused and UDP port unreachable");
    let wrong = probes.iter().find(|p| p["to"] == "w-b").unwrap();
    assert!(wrong["detail"].as_str().unwrap().contains("imposter answered instead of w-b"));
}

#[test]
fn check_rejects_an_unknown_from_node() {
    let out = kubev_ha(&["net", "check", "examples/ha-reference.yaml", "--from", "w-a3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no node `w-a3`"), "{}", stderr(&out));
}

#[test]
fn responder_bounds_its_connections_and_stops_by_itself() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubev-ha"))
        .args([
            "net",
            "serve",
            "--role",
            "worker",
            "--name",
            "r",
            "--bind",
            "127.0.0.6",
            "--ttl",
            "10s",
            "--max-conns",
            "4",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its first line says it listens; a fixed sleep was too short on a
    // loaded machine, and the connections below then found nobody.
    // The reader stays open until the end: a closed pipe would kill the
    // responder at its next line of output.
    let mut ready = String::new();
    use std::io::BufRead;
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut ready).unwrap();
    assert!(ready.starts_with("kubev-ha net serve as r"), "{ready}");
    // Hold many connections open without reading: only 4 are served.
    let held: Vec<_> = (0..40).filter_map(|_| std::net::TcpStream::connect(("127.0.0.6", 61000)).ok()).collect();
    assert!(!held.is_empty());
    let started = std::time::Instant::now();
    let out = loop {
        if let Some(_status) = child.try_wait().unwrap() {
            break child.wait_with_output().unwrap();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the responder did not stop at its TTL");
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(held);
    drop(stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    let refused: u64 =
        err.split("answered, ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(refused > 0, "connections over the limit must be refused: {err}");
    assert!(err.contains("stopped"), "{err}");
}

#[test]
fn responder_reports_ports_it_cannot_take_and_who_holds_them() {
    let holder = std::net::TcpListener::bind("127.0.0.7:61003").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kubev-ha"))
        .args(["net", "serve", "--role", "worker", "--name", "r", "--bind", "127.0.0.7", "--ttl", "1s", "--json"])
        .output()
        .unwrap();
    drop(holder);
    let line = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    let taken = report["taken"].as_array().unwrap();
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert_eq!(taken[0]["port"], 61003);
    let holder = taken[0]["holder"].as_str().unwrap();
    assert!(holder.contains(&format!("pid {}", std::process::id())), "{holder}");
}

#[test]
fn bandwidth_to_a_responder() {
    let _r = start_responder("sink", "127.0.0.8", &["--bandwidth-port", "5299"]);
    let out = kubev_ha(&[
        "net",
        "bandwidth",
        "--to",
        "127.0.0.8:5299",
        "--streams",
        "2",
        "--duration",
        "1s",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let b: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(b["perStreamBps"].as_array().unwrap().len(), 2);
    assert!(b["totalBps"].as_f64().unwrap() > 0.0);
    assert!(b["rttMs"].is_number());
}

#[test]
fn rendered_nftables_pass_nft_check_for_every_example_node() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !nft_available() {
        return skip(
            "rendered_nftables_pass_nft_check_for_every_example_node",
            "needs root and nft (install nftables)",
        );
    }
    for example in ["examples/ha-reference.yaml", "examples/lab-minimum.yaml", "examples/flawed.yaml"] {
        let inventory = crate::common::load(&crate::common::root().join(example));
        for node in &inventory.nodes {
            for extra in [&[][..], &["--allow-measurement-ports"][..]] {
                let out = kubev_ha(&[&["render", "nftables", example, "--node", &node.name][..], extra].concat());
                assert_eq!(out.status.code(), Some(0));
                let file = tempfile::NamedTempFile::new().unwrap();
                std::fs::write(file.path(), stdout(&out)).unwrap();
                let check = Command::new("nft").args(["-c", "-f"]).arg(file.path()).output().unwrap();
                assert!(
                    check.status.success(),
                    "{example} {} {extra:?}: {}",
                    node.name,
                    String::from_utf8_lossy(&check.stderr)
                );
            }
        }
    }
}

#[test]
fn rendered_rules_keep_ssh_and_cover_the_matrix() {
    let out = kubev_ha(&["render", "nftables", "examples/ha-reference.yaml", "--node", "cp-1"]);
    let rules = stdout(&out);
    assert!(rules.contains("tcp dport 22 accept"), "SSH stays open");
    assert!(rules.contains("ct state established,related accept"));
    assert!(rules.contains("policy drop"));
    for port in ["6443", "2379", "2380", "10250", "6641", "6642", "6643", "6644", "30000-32767"] {
        assert!(rules.contains(&format!("dport {port} ")), "{port} missing");
    }
    assert!(!rules.contains("61000"), "a control plane does not take migrations");
    assert!(rules.contains("vrrp"), "keepalived needs VRRP between control planes");
    let worker = stdout(&kubev_ha(&["render", "nftables", "examples/ha-reference.yaml", "--node", "w-a1"]));
    assert!(worker.contains("dport 61000-61009"));
    assert!(!worker.contains("dport 2379 "));
    // Migration traffic comes from the dedicated migration network.
    assert!(worker.contains("elements = { 192.168.50.0/24 }"), "{worker}");
    assert!(worker.contains("ip saddr @migration_v4 tcp dport 61000-61009 accept"), "{worker}");
    assert!(!rules.contains("@migration_v4 tcp dport"), "a control plane takes no migrations");
    // The bandwidth sink's port only when asked for.
    assert!(!worker.contains("dport 5201 "), "{worker}");
    let measuring = stdout(&kubev_ha(&[
        "render",
        "nftables",
        "examples/ha-reference.yaml",
        "--node",
        "w-a1",
        "--allow-measurement-ports",
    ]));
    assert!(measuring.contains("ip saddr @workers_v4 tcp dport 5201 accept"), "{measuring}");
    assert!(measuring.contains("ip saddr @migration_v4 tcp dport 5201 accept"), "{measuring}");

    let fw = stdout(&kubev_ha(&["render", "firewalld", "examples/ha-reference.yaml", "--node", "cp-1"]));
    assert!(fw.contains("--add-service=ssh"));
    assert!(fw.contains("port port=\"2380\" protocol=\"tcp\""));
    assert!(fw.contains("--change-interface='ens2f0'"), "the zone is bound to the declared NIC: {fw}");
    let fw_worker = stdout(&kubev_ha(&["render", "firewalld", "examples/ha-reference.yaml", "--node", "w-a1"]));
    assert!(
        fw_worker.contains("source address=\"192.168.50.0/24\" port port=\"61000-61009\" protocol=\"tcp\" accept"),
        "{fw_worker}"
    );
    assert!(!fw_worker.contains("port=\"5201\""));
    let fw_measuring = stdout(&kubev_ha(&[
        "render",
        "firewalld",
        "examples/ha-reference.yaml",
        "--node",
        "w-a1",
        "--allow-measurement-ports",
    ]));
    assert!(fw_measuring.contains("source address=\"192.168.50.0/24\" port port=\"5201\" protocol=\"tcp\""));
    // No NIC named: the script says the operator must bind the zone.
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("bare.yaml");
    std::fs::write(
        &bare,
        "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: b}\nnodes:\n\
  - {name: w-1, address: 10.0.0.1, roles: [worker]}\n",
    )
    .unwrap();
    let fw_bare = stdout(&kubev_ha(&["render", "firewalld", bare.to_str().unwrap()]));
    assert!(!fw_bare.contains("--change-interface='"), "{fw_bare}");
    assert!(fw_bare.contains("the operator must bind the zone"), "{fw_bare}");
    let bad = kubev_ha(&["render", "nftables", "examples/ha-reference.yaml", "--node", "cp-9"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("did you mean `cp-1`?") || stderr(&bad).contains("no node `cp-9`"));
}

/// HA-DRAIN-TIME with and without a measured migration bandwidth (pure:
/// no namespaces). The reference workers declare 25 Gbit/s migration NICs;
/// a measured 200 Mbit/s must lengthen every drain and be named.
#[test]
fn net_measured_bandwidth_changes_the_drain_time() {
    use kubev_ha_model::measure::{Bandwidth, NetworkMeasurements};
    use kubev_ha_rules::{CheckOptions, check};

    let drain = |facts: &kubev_ha_model::Facts| {
        let report = check(facts, &CheckOptions { only: vec!["HA-DRAIN-TIME"], ..CheckOptions::default() });
        let found = crate::common::findings(&report, "HA-DRAIN-TIME", None);
        assert_eq!(found.len(), 1, "{found:#?}");
        (found[0].severity, found[0].message.clone())
    };
    let declared = kubev_ha_model::Facts::from_inventory(crate::common::reference(), "ha-reference.yaml");
    let (declared_severity, declared_message) = drain(&declared);
    assert!(!declared_message.contains("measured"), "{declared_message}");

    let workers: Vec<String> = crate::common::reference().workers().map(|w| w.name.clone()).collect();
    let bandwidth = workers
        .iter()
        .enumerate()
        .map(|(i, from)| Bandwidth {
            from: from.clone(),
            to: workers[(i + 1) % workers.len()].clone(),
            streams: 1,
            total_bps: 200e6,
            per_stream_bps: vec![200e6],
            rtt_ms: Some(0.2),
            seconds: 5.0,
        })
        .collect();
    let mut measured = declared.clone();
    measured.measurements.network = Some(NetworkMeasurements { bandwidth, ..NetworkMeasurements::default() });
    let (measured_severity, measured_message) = drain(&measured);
    assert!(measured_message.contains("a measured 0.20 Gbit/s"), "{measured_message}");
    let took = |m: &str| m.split("takes at least ").nth(1).and_then(|r| r.split(' ').next()).map(str::to_string);
    assert_ne!(took(&declared_message), took(&measured_message), "{declared_message}\n{measured_message}");
    // 125× slower than declared: the reference's 30-minute window no longer holds.
    assert_eq!(declared_severity, kubev_ha_rules::Severity::Pass, "{declared_message}");
    assert_ne!(measured_severity, kubev_ha_rules::Severity::Pass, "{measured_message}");
}

/// NET-PORTS on ports the responders could not take (pure: no namespaces).
/// The holder decides: the component's own process is expected after
/// install; anything else, or a holder /proc did not name, is a warning
/// that says the stage cannot be told.
#[test]
fn net_ports_judges_ports_the_responder_could_not_take() {
    use kubev_ha_model::measure::{NetworkMeasurements, TakenPort};
    use kubev_ha_rules::{CheckOptions, Severity, check};

    let taken = |node: &str, port: u16, component: &str, holder: Option<&str>| TakenPort {
        node: node.into(),
        port,
        protocol: "tcp".into(),
        component: component.into(),
        holder: holder.map(str::to_string),
        error: "Address already in use (os error 98)".into(),
    };
    let mut facts = kubev_ha_model::Facts::from_inventory(crate::common::reference(), "ha-reference.yaml");
    facts.measurements.network = Some(NetworkMeasurements {
        taken: vec![
            taken("cp-1", 6443, "API server", Some("nginx (pid 5)")),
            taken("cp-2", 6443, "API server", Some("kube-apiserver (pid 7)")),
            taken("w-a1", 10250, "kubelet", None),
            // Not a matrix port: the bandwidth sink is not NET-PORTS' business.
            taken("w-a2", 5201, "bandwidth sink", Some("iperf3 (pid 9)")),
        ],
        ..NetworkMeasurements::default()
    });
    let report = check(&facts, &CheckOptions { only: vec!["NET-PORTS"], ..CheckOptions::default() });
    let of = |node: &str| crate::common::findings(&report, "NET-PORTS", Some(&format!("node/{node}")));
    let cp1 = of("cp-1");
    assert_eq!(cp1.len(), 2, "taken, and not checked from: {cp1:#?}");
    let warn = cp1.iter().find(|f| f.severity == Severity::Warn).expect("a warning for cp-1");
    assert!(warn.message.contains("6443/tcp (API server) held by nginx (pid 5)"), "{}", warn.message);
    assert!(warn.message.contains("Before install") && warn.message.contains("after install"), "{}", warn.message);
    let own = of("cp-2");
    assert!(
        own.iter().any(|f| f.severity == Severity::Info && f.message.contains("kube-apiserver (pid 7)")),
        "{own:#?}"
    );
    assert!(own.iter().all(|f| f.severity != Severity::Warn), "{own:#?}");
    let unnamed = of("w-a1");
    assert!(unnamed.iter().any(|f| f.severity == Severity::Warn && f.message.contains("a process /proc did not name")));
    assert!(of("w-a2").iter().all(|f| f.severity != Severity::Warn), "{:#?}", of("w-a2"));
}

/// NET-DNS judges what the nodes resolved, whether or not the inventory
/// lists its DNS servers; NET-NODELOCAL-DNS learns from `net check` whether
/// the infrastructure binds the NodeLocal DNSCache address.
#[test]
fn net_dns_and_nodelocal_cache_judge_measurements() {
    use kubev_ha_model::measure::{DnsCheck, NetworkMeasurements};
    use kubev_ha_model::{DnsPolicy, GuestCluster, NodeLocalDnsCache};
    use kubev_ha_rules::{CheckOptions, Severity, check};

    let mut inventory = crate::common::reference();
    let dns = inventory.network.as_mut().unwrap().dns.as_mut().unwrap();
    dns.servers = None;
    dns.node_local_dns_cache = None;
    inventory.guest_clusters = Some(vec![kubev_ha_model::Located::new(GuestCluster {
        name: "tenant".into(),
        node_local_dns_cache: Some(NodeLocalDnsCache { enabled: Some(true), ip: None }),
        vm_dns_policy: Some(DnsPolicy::ClusterFirst),
    })]);
    let lookup = |name: &str, matches: bool| DnsCheck {
        from: "w-a1".into(),
        name: name.into(),
        expected: "10.10.0.21".into(),
        resolved: vec![if matches { "10.10.0.21" } else { "10.99.0.1" }.into()],
        matches: Some(matches),
        detail: if matches { "resolves as declared" } else { "resolves to 10.99.0.1" }.into(),
    };
    let judge = |lookups: Vec<DnsCheck>, bound: bool| {
        let mut facts = kubev_ha_model::Facts::from_inventory(inventory.clone(), "test.yaml");
        facts.measurements.network = Some(NetworkMeasurements {
            from: vec!["w-a1".into()],
            dns: lookups,
            nodelocal_bound: [("w-a1".to_string(), bound)].into(),
            ..NetworkMeasurements::default()
        });
        check(&facts, &CheckOptions { only: vec!["NET-DNS", "NET-NODELOCAL-DNS"], ..CheckOptions::default() })
    };

    // Not declared, but measured: judged on the lookups.
    let good = judge(vec![lookup("cp-1", true), lookup("w-a1", true)], false);
    let dns = crate::common::findings(&good, "NET-DNS", None);
    assert_eq!(dns.len(), 1, "{dns:#?}");
    assert_eq!(dns[0].severity, Severity::Pass, "{dns:#?}");
    assert!(dns[0].message.contains("2 lookups from 1 node(s)"), "{}", dns[0].message);
    let bad = judge(vec![lookup("cp-1", false)], false);
    assert!(crate::common::findings(&bad, "NET-DNS", None).iter().any(|f| f.severity == Severity::Fail));

    // The infrastructure's cache is undeclared: measured unbound, no conflict.
    let cache = crate::common::findings(&good, "NET-NODELOCAL-DNS", None);
    assert!(cache.iter().all(|f| f.severity == Severity::Pass), "{cache:#?}");
    assert!(cache[0].message.contains("no node binds 169.254.20.10"), "{cache:#?}");
    // Measured bound: the guest's default IP and ClusterFirst VMs loop.
    let looped = judge(vec![lookup("cp-1", true)], true);
    let cache = crate::common::findings(&looped, "NET-NODELOCAL-DNS", Some("guestcluster/tenant"));
    assert_eq!(cache.len(), 1, "{cache:#?}");
    assert_ne!(cache[0].severity, Severity::Pass, "{cache:#?}");
    assert!(cache[0].message.contains("loop back"), "{cache:#?}");
}
