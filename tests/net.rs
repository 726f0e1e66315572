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
    // Regression: a kube-scheduler bound to loopback, as kubeadm binds it,
    // made cp-1 → cp-2 10259 red on a healthy cluster. Local-only ports are
    // not probed node to node, and no responder tries to take them.
    let scheduler = bed.hold_tcp_on("cp-2", std::net::Ipv4Addr::LOCALHOST, 10259);
    let (report, code) = matrix(&bed, "20s");
    drop((squatter, scheduler));
    assert_eq!(code, 0, "{}", report["findings"]);
    assert!(red_cells(&report).is_empty(), "{:?}", red_cells(&report));
    let all_cells = cells(&report);
    assert!(all_cells.len() > 50, "{} cells", all_cells.len());
    assert!(all_cells.iter().all(|c| c.3 == "open"), "{all_cells:?}");
    for group in ["kube-scheduler", "controller-manager", "KubeVirt API", "live migration"] {
        assert!(!all_cells.iter().any(|c| c.0 == group), "{group} is not node to node: {all_cells:?}");
    }
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
    assert!(failing.iter().all(|f| {
        f["rule"] == "NET-PORTS"
            && f["message"]
                .as_str()
                .unwrap()
                .contains("1 filtered (no answer: a firewall drops them): 2380/tcp etcd peer")
    }));
    // Silence is the firewall's: the fix opens the port, and names no missing listener.
    for f in &failing {
        let fix = f["remediation"].as_str().unwrap();
        assert!(fix.starts_with("open 2380/tcp on cp-2 for cp-") && fix.contains("render nftables"), "{fix}");
        assert!(!fix.contains("nothing listens"), "{fix}");
    }
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
    // The deadline is what makes the down node give up, and it is shared by
    // the healthy nodes while the binary is streamed to them: 15 s was too
    // little for them on a loaded 2-core machine (all four unreachable).
    let (report, code) = matrix(&bed, "45s");
    let took = started.elapsed();
    // "Within the deadline", as a generous did-not-hang bound: SSH to the
    // down node gives up after --timeout (45 s) at each of the two steps,
    // the probes have 2 s each (10× that), plus 30 s of setup.
    assert!(took < Duration::from_secs(2 * 45 + 10 * 2 + 30), "the matrix took {took:?}");
    assert_eq!(code, 1);
    let network = &report["measurements"]["network"];
    assert!(network["unreachable"]["w-1"].is_string(), "{}", network["unreachable"]);
    let from: Vec<&str> = network["from"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(
        from,
        vec!["cp-1", "cp-2", "cp-3", "w-2"],
        "the others complete; unreachable: {}",
        network["unreachable"]
    );
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
    // The kubelet's port: a worker's responder serves node-network ports only.
    let held: Vec<_> = (0..40).filter_map(|_| std::net::TcpStream::connect(("127.0.0.6", 10250)).ok()).collect();
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
    // STT's port: no other test's responder takes it, so the holder found
    // by port is this test's own listener.
    let holder = std::net::TcpListener::bind("127.0.0.7:7471").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kubev-ha"))
        .args(["net", "serve", "--role", "worker", "--feature", "stt", "--name", "r", "--bind", "127.0.0.7"])
        .args(["--ttl", "1s", "--json"])
        .output()
        .unwrap();
    drop(holder);
    let line = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    let taken = report["taken"].as_array().unwrap();
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert_eq!(taken[0]["port"], 7471);
    let holder = taken[0]["holder"].as_str().unwrap();
    assert!(holder.contains(&format!("pid {}", std::process::id())), "{holder}");
}

/// The responder serves the rows the features turn on (what `net check`
/// of the same inventory probes), and never the ports that live in pods
/// or on loopback.
#[test]
fn responder_serves_the_features_rows_and_no_pod_ports() {
    let serve = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_kubev-ha"))
            .args(["net", "serve", "--name", "r", "--bind", "127.0.0.9", "--ttl", "1s", "--json"])
            .args(args)
            .output()
            .unwrap();
        let line = String::from_utf8_lossy(&out.stdout);
        let report: Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
        let listening: BTreeSet<(u64, String)> = report["listening"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["port"].as_u64().unwrap(), l["protocol"].as_str().unwrap().to_string()))
            .collect();
        listening
    };
    let has = |set: &BTreeSet<(u64, String)>, port: u64, proto: &str| set.contains(&(port, proto.to_string()));
    let worker = serve(&["--role", "worker"]);
    assert!(has(&worker, 6081, "udp") && has(&worker, 10250, "tcp"), "{worker:?}");
    assert!(!worker.iter().any(|(p, _)| *p == 8443 || (61000..=61009).contains(p) || *p == 10660), "{worker:?}");
    let cp = serve(&["--role", "control-plane"]);
    assert!(has(&cp, 10660, "tcp") && !has(&cp, 10257, "tcp") && !has(&cp, 10259, "tcp"), "{cp:?}");
    let featured = serve(&["--role", "control-plane", "--feature", "vxlan", "--feature", "interconnection"]);
    assert!(has(&featured, 4789, "udp") && !has(&featured, 6081, "udp"), "{featured:?}");
    assert!((6645..=6648).all(|p| has(&featured, p, "tcp")), "{featured:?}");
    let bad = kubev_ha(&["net", "serve", "--role", "worker", "--feature", "ovn-ic", "--ttl", "1s"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("unknown feature `ovn-ic`"), "{}", stderr(&bad));
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
    // Every feature row on, dual-stack control planes: the VXLAN, ovn-ic and
    // VRRP rules must be valid nftables too.
    let dir = tempfile::tempdir().unwrap();
    let featured = dir.path().join("featured.yaml");
    std::fs::write(&featured, FEATURED).unwrap();
    let featured = featured.to_str().unwrap().to_string();
    for example in
        ["examples/ha-reference.yaml", "examples/lab-minimum.yaml", "examples/flawed.yaml", featured.as_str()]
    {
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

/// An inventory that turns every feature row of the matrix on.
const FEATURED: &str = "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: featured}\n\
apiEndpoint: {host: 10.0.0.5, loadBalancer: keepalived, vip: 10.0.0.5}\n\
network: {nodeCIDR: 10.0.0.0/24, podCIDR: 10.244.0.0/16, overlay: vxlan, interconnection: true, bgp: true}\n\
ha: {fencing: self-node-remediation}\nnodes:\n\
  - {name: cp-1, address: 10.0.0.1, roles: [control-plane]}\n\
  - {name: cp-2, address: 10.0.0.2, roles: [control-plane]}\n\
  - {name: cp-3, address: 'fd00::3', roles: [control-plane]}\n\
  - {name: w-1, address: 10.0.0.11, roles: [worker]}\n";

/// The rows a feature adds appear in the rendered rules only when the
/// inventory turns the feature on, and are valid for nft itself.
#[test]
fn feature_rows_are_rendered_only_when_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let featured = dir.path().join("featured.yaml");
    std::fs::write(&featured, FEATURED).unwrap();
    let plain = dir.path().join("plain.yaml");
    let without: String = FEATURED
        .replace("loadBalancer: keepalived", "loadBalancer: external")
        .replace(", overlay: vxlan, interconnection: true, bgp: true", "")
        .replace("fencing: self-node-remediation", "fencing: none");
    std::fs::write(&plain, without).unwrap();
    let render = |file: &std::path::Path, node: &str| {
        let out = kubev_ha(&["render", "nftables", file.to_str().unwrap(), "--node", node]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let (cp, w) = (render(&featured, "cp-1"), render(&featured, "w-1"));
    let (plain_cp, plain_w) = (render(&plain, "cp-1"), render(&plain, "w-1"));
    // VXLAN instead of Geneve.
    assert!(w.contains("udp dport 4789 accept") && !w.contains("dport 6081 "), "{w}");
    assert!(plain_w.contains("udp dport 6081 accept") && !plain_w.contains("4789"), "{plain_w}");
    // ovn-ic between the control planes.
    assert!(cp.contains("ip saddr @control_planes_v4 tcp dport 6645-6646 accept"), "{cp}");
    assert!(cp.contains("ip6 saddr @control_planes_v6 tcp dport 6647-6648 accept"), "{cp}");
    assert!(!plain_cp.contains("6645") && !w.contains("6645"));
    // VRRP for keepalived, between the control planes only.
    assert!(cp.contains("ip saddr @control_planes_v4 ip protocol vrrp accept"), "{cp}");
    assert!(cp.contains("ip6 saddr @control_planes_v6 meta l4proto vrrp accept"), "{cp}");
    assert!(!w.contains("vrrp") && !plain_cp.contains("vrrp"));
    // BGP and SNR: no inbound rule (outbound sessions, pod network), but named.
    assert!(!cp.contains("dport 179 ") && !w.contains("dport 30001 "));
    assert!(w.contains("# BGP (speaker) 179/tcp") && w.contains("Self Node Remediation 30001/tcp"), "{w}");
    assert!(!plain_w.contains("BGP") && !plain_w.contains("Self Node Remediation"), "{plain_w}");
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !nft_available() {
        return skip(
            "feature_rows_are_rendered_only_when_enabled (nft -c part)",
            "needs root and nft (install nftables)",
        );
    }
    for (name, rules) in [("cp-1", &cp), ("w-1", &w)] {
        let file = dir.path().join(format!("{name}.nft"));
        std::fs::write(&file, rules).unwrap();
        let check = Command::new("nft").args(["-c", "-f"]).arg(&file).output().unwrap();
        assert!(check.status.success(), "{name}: {}", String::from_utf8_lossy(&check.stderr));
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
    assert!(!rules.contains("dport 61000"), "a control plane does not take migrations");
    assert!(rules.contains("vrrp"), "keepalived needs VRRP between control planes");
    let worker = stdout(&kubev_ha(&["render", "nftables", "examples/ha-reference.yaml", "--node", "w-a1"]));
    assert!(!worker.contains("dport 2379 "));
    // Regression: migrations (and virt-api's 8443) enter the virt-handler
    // and virt-api pods, never the worker's input chain, so no rule opens
    // them on the node; a comment says so.
    assert!(!worker.contains("dport 61000-61009") && !worker.contains("dport 8443 "), "{worker}");
    assert!(worker.contains("live in pods") && worker.contains("live migration 61000–61009/tcp"), "{worker}");
    assert!(!worker.contains("192.168.50.0/24"), "the migration network only for measurements: {worker}");
    assert!(!rules.contains("dport 10257 ") && !rules.contains("dport 10259 "), "loopback-only ports: {rules}");
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
    assert!(!fw_worker.contains("port=\"61000-61009\""), "{fw_worker}");
    assert!(fw.contains("protocol value=\"vrrp\" accept"), "keepalived's VRRP: {fw}");
    assert!(!fw_worker.contains("vrrp"), "{fw_worker}");
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
    use kubev_ha_model::{Bandwidth, NetworkMeasurements};
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
    use kubev_ha_model::{NetworkMeasurements, TakenPort};
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
    use kubev_ha_model::{DnsCheck, NetworkMeasurements};
    use kubev_ha_model::{DnsPolicy, GuestCluster, NodeLocalDnsCache};
    use kubev_ha_rules::{CheckOptions, Severity, check};

    let mut inventory = crate::common::reference();
    let dns = inventory.network.as_mut().unwrap().dns.as_mut().unwrap();
    dns.servers = None;
    dns.node_local_dns_cache = None;
    inventory.guest_clusters = Some(vec![kubev_ha_model::Located::new(GuestCluster {
        name: "tenant".into(),
        node_local_dns_cache: Some(NodeLocalDnsCache {
            enabled: Some(true),
            ip: Some("169.254.25.10".parse().unwrap()),
        }),
        vm_dns_policy: Some(DnsPolicy::ClusterFirst),
    })]);
    let lookup = |name: &str, matches: bool| DnsCheck {
        from: "w-a1".into(),
        name: name.into(),
        expected: "10.10.0.21".into(),
        resolved: vec![if matches { "10.10.0.21" } else { "10.99.0.1" }.into()],
        matches: Some(matches),
        detail: if matches { "resolves as declared" } else { "resolves to 10.99.0.1" }.into(),
        source: Some(kubev_ha_model::AnswerSource::Resolver),
    };
    let judge = |lookups: Vec<DnsCheck>, bound: bool| {
        let mut facts = kubev_ha_model::Facts::from_inventory(inventory.clone(), "test.yaml");
        facts.measurements.network = Some(NetworkMeasurements {
            from: vec!["w-a1".into()],
            dns: lookups,
            nodelocal_bound: [("w-a1".to_string(), bound)].into(),
            nodelocal_addresses: [(
                "w-a1".to_string(),
                if bound { vec!["169.254.25.10".parse().unwrap()] } else { vec![] },
            )]
            .into(),
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
    // Answers from /etc/hosts (or from a measurement that did not say where
    // they came from) prove no DNS server: unknown, never pass.
    for source in [Some(kubev_ha_model::AnswerSource::HostsFile), None] {
        let hosts = judge(vec![DnsCheck { source, ..lookup("cp-1", true) }], false);
        let dns = crate::common::findings(&hosts, "NET-DNS", None);
        assert!(dns.iter().all(|f| f.severity == Severity::Unknown), "{source:?}: {dns:#?}");
    }

    // The infrastructure's cache is undeclared and measured unbound: not
    // seen is not absent (before install no cache runs yet), so unknown.
    let cache = crate::common::findings(&good, "NET-NODELOCAL-DNS", None);
    assert!(cache.iter().all(|f| f.severity == Severity::Unknown), "{cache:#?}");
    assert!(cache[0].message.contains("no measured node binds 169.254.20.10 or 169.254.25.10"), "{cache:#?}");
    // Measured bound on the guest's address, with ClusterFirst VMs: a loop.
    let looped = judge(vec![lookup("cp-1", true)], true);
    let cache = crate::common::findings(&looped, "NET-NODELOCAL-DNS", Some("guestcluster/tenant"));
    assert_eq!(cache.len(), 1, "{cache:#?}");
    assert_ne!(cache[0].severity, Severity::Pass, "{cache:#?}");
    assert!(cache[0].message.contains("loop back"), "{cache:#?}");
}

/// With servers declared, NET-DNS passes on the servers' own answers only:
/// system lookups that all match (from /etc/hosts, say) are not evidence,
/// as they were before `net check` asked the servers.
#[test]
fn net_dns_with_declared_servers_needs_their_own_answers() {
    use kubev_ha_model::{AnswerSource, DnsCheck, DnsOutcome, DnsServerAnswer, NetworkMeasurements};
    use kubev_ha_rules::{CheckOptions, Severity, check};

    let mut inventory = crate::common::reference();
    inventory.network.as_mut().unwrap().dns.as_mut().unwrap().servers = Some(vec!["10.10.0.2".parse().unwrap()]);
    let nodes: Vec<(String, String)> =
        inventory.nodes.iter().map(|n| (n.name.clone(), n.address.to_string())).collect();
    let lookups: Vec<DnsCheck> = nodes
        .iter()
        .map(|(name, ip)| DnsCheck {
            from: "w-a1".into(),
            name: name.clone(),
            expected: ip.clone(),
            resolved: vec![ip.clone()],
            matches: Some(true),
            detail: format!("resolves to {ip}"),
            source: Some(AnswerSource::HostsFile),
        })
        .collect();
    let answer = |name: &str, ip: &str, outcome: DnsOutcome, got: Option<&str>| DnsServerAnswer {
        from: "w-a1".into(),
        server: "10.10.0.2:53".into(),
        name: name.into(),
        queried: format!("{name}."),
        expected: ip.into(),
        outcome,
        addresses: got.into_iter().map(String::from).collect(),
        transport: "udp".into(),
        rtt_ms: Some(0.3),
        matches: match outcome {
            DnsOutcome::Answered => Some(got == Some(ip)),
            DnsOutcome::NoSuchName | DnsOutcome::NoAddress => Some(false),
            _ => None,
        },
        detail: format!("{outcome:?}"),
    };
    let judge = |servers: Vec<DnsServerAnswer>| {
        let mut facts = kubev_ha_model::Facts::from_inventory(inventory.clone(), "test.yaml");
        facts.measurements.network = Some(NetworkMeasurements {
            from: vec!["w-a1".into()],
            dns: lookups.clone(),
            dns_servers: servers,
            ..NetworkMeasurements::default()
        });
        let report = check(&facts, &CheckOptions { only: vec!["NET-DNS"], ..CheckOptions::default() });
        report.findings
    };

    // Every system lookup matched, but the server was not asked: unknown.
    let unasked = judge(vec![]);
    assert!(unasked.iter().all(|f| f.severity != Severity::Pass), "{unasked:#?}");
    assert!(unasked.iter().any(|f| f.severity == Severity::Unknown && f.message.contains("was not asked")));

    // Nothing listens on the server: fail, and the hosts file is named.
    let closed: Vec<_> = nodes.iter().map(|(n, ip)| answer(n, ip, DnsOutcome::Closed, None)).collect();
    let findings = judge(closed);
    let fail = findings.iter().find(|f| f.severity == Severity::Fail).unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(fail.subject.to_string(), "dns-server/w-a1→10.10.0.2:53");
    assert!(fail.message.contains("does not answer DNS") && fail.message.contains("/etc/hosts"), "{}", fail.message);
    assert!(findings.iter().all(|f| f.severity != Severity::Pass), "{findings:#?}");

    // The server answers all but one name as declared: fail for that one, summarised.
    let mut some: Vec<_> = nodes.iter().map(|(n, ip)| answer(n, ip, DnsOutcome::Answered, Some(ip.as_str()))).collect();
    some[1] = answer(&nodes[1].0, &nodes[1].1, DnsOutcome::NoSuchName, None);
    some[2] = answer(&nodes[2].0, &nodes[2].1, DnsOutcome::Answered, Some("10.99.0.9"));
    let findings = judge(some.clone());
    let fail = findings.iter().find(|f| f.severity == Severity::Fail).unwrap_or_else(|| panic!("{findings:#?}"));
    assert!(fail.message.contains(&format!("2 of {} node names", nodes.len())), "{}", fail.message);
    assert!(fail.message.contains("only /etc/hosts knows it"), "{}", fail.message);

    // Every name answered as declared: pass.
    let all: Vec<_> = nodes.iter().map(|(n, ip)| answer(n, ip, DnsOutcome::Answered, Some(ip.as_str()))).collect();
    let findings = judge(all);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].severity, Severity::Pass, "{findings:#?}");
    assert!(findings[0].message.contains("asked directly"), "{}", findings[0].message);
}

/// A UDP port on `ip` that nothing listens on (bound, then let go).
fn free_udp_port(ip: &str) -> u16 {
    std::net::UdpSocket::bind((ip, 0)).unwrap().local_addr().unwrap().port()
}

/// `net check --from localhost` of a one-node inventory whose DNS server
/// is `server`, asked on `port`, as JSON.
fn check_localhost_dns(server: &str, port: u16) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inv.yaml");
    std::fs::write(
        &file,
        format!(
            "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {{name: l}}\n\
network: {{dns: {{servers: [{server}]}}}}\n\
nodes:\n  - {{name: localhost, address: 127.0.0.1, roles: [worker]}}\n"
        ),
    )
    .unwrap();
    let port = port.to_string();
    let out = kubev_ha(&[
        "net",
        "check",
        file.to_str().unwrap(),
        "--from",
        "localhost",
        "--no-mtu",
        "--dns-port",
        &port,
        "--format",
        "json",
    ]);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)))
}

fn net_dns(report: &Value) -> Vec<&Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "NET-DNS").collect()
}

/// Issue 9, item 11: with nothing listening on the declared DNS server,
/// `localhost` still resolves (from /etc/hosts), and NET-DNS passed on it.
/// Now the server is asked itself: it does not answer, so NET-DNS fails.
#[test]
fn net_dns_does_not_pass_on_etc_hosts_when_the_declared_server_is_down() {
    let port = free_udp_port("127.0.0.77");
    let report = check_localhost_dns("127.0.0.77", port);
    let dns = net_dns(&report);
    assert!(dns.iter().all(|f| f["severity"] != "pass"), "{dns:#?}");
    let fail = dns.iter().find(|f| f["severity"] == "fail").unwrap_or_else(|| panic!("{dns:#?}"));
    assert_eq!(fail["subject"], format!("dns-server/localhost→127.0.0.77:{port}"));
    assert!(fail["message"].as_str().unwrap().contains("does not answer DNS"), "{fail}");
    let network = &report["measurements"]["network"];
    assert_eq!(network["dnsServers"][0]["outcome"], "closed", "{network}");
    // The system resolver's answer is reported as /etc/hosts', where it lists localhost.
    let hosts = kubev_ha_net::HostsFile::read();
    if !hosts.addresses("localhost").is_empty() {
        assert_eq!(network["dns"][0]["source"], "hosts-file", "{network}");
        assert!(fail["message"].as_str().unwrap().contains("/etc/hosts on localhost answers 1"), "{fail}");
    }
}

/// The declared server's own answers decide: as declared over UDP, again
/// over TCP when the UDP answer is truncated; a wrong address or an
/// unknown name fails although /etc/hosts resolves the name.
#[test]
fn net_dns_judges_the_declared_servers_answers_over_udp_and_tcp() {
    use crate::common::dns::TestDns;
    let records = [("localhost".to_string(), vec!["127.0.0.1".parse().unwrap()])].into();
    let server = TestDns::start("127.0.0.77".parse().unwrap(), 0, records).unwrap();
    let port = server.addr.port();

    let report = check_localhost_dns("127.0.0.77", port);
    let dns = net_dns(&report);
    assert_eq!(dns.len(), 1, "{dns:#?}");
    assert_eq!(dns[0]["severity"], "pass", "{dns:#?}");
    let asked = &report["measurements"]["network"]["dnsServers"][0];
    assert_eq!((asked["outcome"].as_str(), asked["transport"].as_str()), (Some("answered"), Some("udp")), "{asked}");
    assert_eq!(asked["addresses"][0], "127.0.0.1");

    server.truncate_udp();
    let report = check_localhost_dns("127.0.0.77", port);
    let asked = &report["measurements"]["network"]["dnsServers"][0];
    assert_eq!((asked["outcome"].as_str(), asked["transport"].as_str()), (Some("answered"), Some("tcp")), "{asked}");
    assert!(server.tcp_queries.load(std::sync::atomic::Ordering::Relaxed) > 0);
    assert_eq!(net_dns(&report)[0]["severity"], "pass");
    drop(server);

    let wrong = [("localhost".to_string(), vec!["127.0.0.99".parse().unwrap()])].into();
    let server = TestDns::start("127.0.0.77".parse().unwrap(), 0, wrong).unwrap();
    let report = check_localhost_dns("127.0.0.77", server.addr.port());
    let fail = net_dns(&report).into_iter().find(|f| f["severity"] == "fail").expect("a wrong address fails");
    assert!(fail["message"].as_str().unwrap().contains("127.0.0.99, not 127.0.0.1"), "{fail}");

    server.forget("localhost");
    let report = check_localhost_dns("127.0.0.77", server.addr.port());
    let fail = net_dns(&report).into_iter().find(|f| f["severity"] == "fail").expect("an unknown name fails");
    assert!(fail["message"].as_str().unwrap().contains("NXDOMAIN"), "{fail}");
    assert_eq!(report["measurements"]["network"]["dnsServers"][0]["outcome"], "no-such-name");
}

/// The test bed as the user met it: every node's /etc/hosts lists every
/// node. NET-DNS passes while the declared server knows every node, fails
/// for the one name it forgets, and fails when nothing listens on it,
/// although every name still resolves from /etc/hosts.
#[test]
fn net_dns_in_the_test_bed_asks_the_server_not_etc_hosts() {
    let mut bed = match Testbed::up() {
        Ok(b) => b,
        Err(why) => return skip("net_dns_in_the_test_bed_asks_the_server_not_etc_hosts", &why),
    };
    let inventory = bed.inventory();
    let check = |bed: &Testbed| -> Value {
        let out = bed.kubev_ha_in(
            "cp-1",
            &["net", "check", inventory.to_str().unwrap(), "--from", "cp-1", "--no-mtu", "--format", "json"],
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)))
    };
    let report = check(&bed);
    let dns = net_dns(&report);
    assert!(!dns.is_empty() && dns.iter().all(|f| f["severity"] == "pass"), "{dns:#?}");
    let lookups = report["measurements"]["network"]["dns"].as_array().unwrap();
    assert!(lookups.iter().all(|l| l["source"] == "hosts-file"), "{lookups:#?}");

    bed.dns.as_ref().unwrap().forget("w-2");
    let report = check(&bed);
    let fail = net_dns(&report).into_iter().find(|f| f["severity"] == "fail").expect("w-2 unknown to the server");
    let message = fail["message"].as_str().unwrap();
    assert!(message.contains("w-2 (") && message.contains("only /etc/hosts knows it"), "{message}");

    bed.dns = None;
    let report = check(&bed);
    let dns = net_dns(&report);
    assert!(dns.iter().all(|f| f["severity"] != "pass"), "{dns:#?}");
    let fail = dns.iter().find(|f| f["severity"] == "fail").unwrap_or_else(|| panic!("{dns:#?}"));
    assert!(fail["message"].as_str().unwrap().contains("does not answer DNS from cp-1"), "{fail}");
}

/// Issue 9, item 15: a refused port means nothing listens there, not a
/// firewall; silence is the firewall's; hundreds of failing ports are
/// summarised, not listed in one line of thousands of characters.
#[test]
fn net_ports_says_nothing_listens_on_a_refused_port_and_firewall_on_silence() {
    use kubev_ha_model::{NetworkMeasurements, PortProbe, PortState};
    use kubev_ha_rules::{CheckOptions, Severity, check};

    let probe = |to: &str, port: u16, state: PortState| PortProbe {
        from: "cp-1".into(),
        to: to.into(),
        address: "10.10.0.12".into(),
        port,
        protocol: "tcp".into(),
        component: "NodePort services".into(),
        state,
        detail: if state == PortState::Closed { "refused" } else { "no answer" }.into(),
        rtt_ms: None,
    };
    let mut probes: Vec<PortProbe> = (30000..30300).map(|p| probe("cp-2", p, PortState::Closed)).collect();
    probes.extend([probe("cp-2", 2379, PortState::Filtered), probe("cp-2", 2380, PortState::Filtered)]);
    probes.push(probe("cp-3", 10250, PortState::Closed));
    let mut facts = kubev_ha_model::Facts::from_inventory(crate::common::reference(), "ha-reference.yaml");
    facts.measurements.network =
        Some(NetworkMeasurements { from: vec!["cp-1".into()], probes, ..NetworkMeasurements::default() });
    let report = check(&facts, &CheckOptions { only: vec!["NET-PORTS"], ..CheckOptions::default() });
    let of = |path: &str| {
        let found = crate::common::findings(&report, "NET-PORTS", Some(path));
        assert_eq!(found.len(), 1, "{found:#?}");
        found[0].clone()
    };

    let both = of("path/cp-1→cp-2");
    assert_eq!(both.severity, Severity::Fail);
    assert!(
        both.message.starts_with("302 of 302 ports not reachable: 300 closed (refused: nothing listens)"),
        "{}",
        both.message
    );
    assert!(both.message.contains("and 294 more"), "{}", both.message);
    assert!(both.message.len() < 600, "{} characters: {}", both.message.len(), both.message);
    let fix = both.remediation.as_deref().unwrap();
    assert!(
        fix.contains("nothing listens on 30000/tcp, 30001/tcp, 30002/tcp, 30003/tcp, 30004/tcp, 30005/tcp and 294 more on cp-2 (is `kubev-ha net serve` running there?)"),
        "{fix}"
    );
    assert!(fix.contains("open 2379/tcp, 2380/tcp on cp-2 for cp-1 (`kubev-ha render nftables"), "{fix}");
    assert!(fix.len() < 600, "{fix}");

    let refused = of("path/cp-1→cp-3");
    let fix = refused.remediation.as_deref().unwrap();
    assert_eq!(fix, "nothing listens on 10250/tcp on cp-3 (is `kubev-ha net serve` running there?)");
}

/// Issue 9, item 15: `net check` text shows the measured path MTU and the
/// DNS answers, says "nothing listens" for a refused node, and shows the
/// passing findings and every probe only with --verbose.
#[test]
fn net_check_text_shows_mtu_dns_and_with_verbose_the_passes() {
    use crate::common::dns::TestDns;
    let _r = start_responder("w-m", "127.0.0.31", &[]);
    let records = [
        ("localhost".to_string(), vec!["127.0.0.1".parse().unwrap()]),
        ("w-m".to_string(), vec!["127.0.0.31".parse().unwrap()]),
        ("w-c".to_string(), vec!["127.0.0.32".parse().unwrap()]),
    ]
    .into();
    let dns = TestDns::start("127.0.0.78".parse().unwrap(), 0, records).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inv.yaml");
    std::fs::write(
        &file,
        "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: l}\n\
network: {dns: {servers: [127.0.0.78]}}\nnodes:\n\
  - {name: localhost, address: 127.0.0.1, roles: [worker]}\n\
  - {name: w-m, address: 127.0.0.31, roles: [worker]}\n\
  - {name: w-c, address: 127.0.0.32, roles: [worker]}\n",
    )
    .unwrap();
    let port = dns.addr.port().to_string();
    let run = |verbose: bool| {
        let mut args =
            vec!["net", "check", file.to_str().unwrap(), "--from", "localhost", "--timeout", "2s", "--dns-port", &port];
        if verbose {
            args.push("--verbose");
        }
        let out = kubev_ha(&args);
        assert_eq!(out.status.code(), Some(1), "w-c refuses everything: {}", stderr(&out));
        stdout(&out)
    };

    let quiet = run(false);
    assert!(quiet.contains("Path MTU of 2 path(s)"), "{quiet}");
    assert!(quiet.contains("bytes (interface "), "{quiet}");
    assert!(quiet.contains("DNS, system resolver: 3 lookups from 1 node(s)"), "{quiet}");
    assert!(quiet.contains(&format!("127.0.0.78:{port} from localhost: 3 of 3 names as declared")), "{quiet}");
    assert!(quiet.contains("on w-c (is `kubev-ha net serve` running there?)"), "{quiet}");
    assert!(!quiet.contains("open these ports"), "{quiet}");
    assert!(!quiet.lines().any(|l| l.trim_start().starts_with("pass ")), "passes hidden without --verbose: {quiet}");
    assert!(!quiet.contains("kubev-ha responder of w-m"), "open probes listed without --verbose: {quiet}");
    let longest = quiet.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 600, "a {longest}-character line: {quiet}");

    let verbose = run(true);
    assert!(
        verbose.lines().any(|l| l.trim_start().starts_with("pass ") && l.contains("measured path MTU")),
        "{verbose}"
    );
    assert!(verbose.contains("kubev-ha responder of w-m"), "every probe with --verbose: {verbose}");
    assert!(verbose.contains("w-m: w-m. A 127.0.0.31 (udp"), "every DNS answer with --verbose: {verbose}");
    assert!(verbose.contains("localhost → w-m ("), "every path with --verbose: {verbose}");
}

/// `probe` over the test bed: each node is a network namespace whose only
/// link is the veth eth0. The probe once dropped virtual links, so every
/// node got "NIC eth0 not found" (HOST-DRIFT) and HOST-IDENTITY passed
/// with "0 distinct MACs", having compared nothing.
#[test]
fn probe_of_namespace_nodes_finds_their_veth_and_claims_no_macs() {
    let bed = match Testbed::up() {
        Ok(bed) => bed,
        Err(why) => return skip("probe_of_namespace_nodes_finds_their_veth_and_claims_no_macs", &why),
    };
    let inventory = bed.inventory();
    let config = bed.ssh_config();
    let out = kubev_ha(&[
        "probe",
        inventory.to_str().unwrap(),
        "--ssh-config",
        config.to_str().unwrap(),
        "--timeout",
        "60s",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    let findings = report["findings"].as_array().unwrap();
    let drift: Vec<&Value> = findings.iter().filter(|f| f["rule"] == "HOST-DRIFT").collect();
    assert_eq!(drift.len(), 5, "{drift:#?}");
    for f in &drift {
        let message = f["message"].as_str().unwrap();
        assert!(!message.contains("not found"), "{f}");
        assert_eq!(f["severity"], "pass", "{f}");
        assert!(message.contains("NIC eth0 (veth)"), "{f}");
    }
    let mac = findings
        .iter()
        .find(|f| f["rule"] == "HOST-IDENTITY" && f["message"].as_str().unwrap().contains("MAC"))
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(mac["severity"], "unknown", "{mac}");
    let nics = report["hosts"]["w-1"]["facts"]["nics"].as_array().unwrap();
    assert!(nics.iter().any(|n| n["name"] == "eth0" && n["kind"] == "veth"), "{nics:#?}");
}

/// `net check` had no --strict and no --waive (exit 2). A one-node
/// inventory on loopback with no responder: NET-PORTS fails (nothing
/// listens), and with --no-mtu NET-MTU stays unknown.
#[test]
fn net_check_accepts_the_judging_options() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inv.yaml");
    std::fs::write(
        &file,
        "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: l}\n\
nodes:\n  - {name: localhost, address: 127.0.0.1, roles: [worker]}\n",
    )
    .unwrap();
    let base = ["net", "check", file.to_str().unwrap(), "--from", "localhost", "--no-mtu", "--timeout", "1s"];
    let run = |extra: &[&str]| kubev_ha(&[&base[..], extra].concat());
    let waived = run(&["--waive", "NET-PORTS=nothing installed yet", "--format", "json"]);
    assert_eq!(waived.status.code(), Some(0), "{}", stderr(&waived));
    let report: Value = serde_json::from_slice(&waived.stdout).unwrap();
    let ports = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "NET-PORTS").unwrap();
    assert!(ports["severity"] == "pass" || !ports["waived"].is_null(), "{ports}");
    let strict = run(&["--waive", "NET-PORTS", "--strict"]);
    assert_eq!(strict.status.code(), Some(1), "NET-MTU is unknown: {}", stdout(&strict));
}
