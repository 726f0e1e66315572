//! The host probe: this machine (KVM checked against a direct ioctl), and
//! `kubev-ha probe` through a real sshd on loopback.

use std::time::Duration;

use serde_json::Value;

use crate::common::sshd::Sshd;
use crate::common::{kubev_ha, skip, stderr, stdout};

/// KVM_GET_API_VERSION straight from the device, independently of the tool.
fn api_version_by_ioctl() -> Option<i32> {
    use std::os::fd::AsRawFd;
    let file = std::fs::OpenOptions::new().read(true).write(true).open("/dev/kvm").ok()?;
    // SAFETY: KVM_GET_API_VERSION (0xAE00) takes no argument.
    let v = unsafe { libc::ioctl(file.as_raw_fd(), 0xAE00 as _, 0) };
    (v >= 0).then_some(v)
}

#[test]
fn host_kvm_answer_matches_the_ioctl() {
    let out = kubev_ha(&["host", "--format", "json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kvm = &report["facts"]["kvm"];
    match api_version_by_ioctl() {
        Some(version) => {
            assert_eq!(kvm["apiVersion"], version, "{kvm}");
            assert_eq!(kvm["createVm"], true, "{kvm}");
            let finding = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "HOST-KVM").unwrap();
            assert_eq!(finding["severity"], if version == 12 { "pass" } else { "fail" });
            // The flag is only a hint: the verdict never depends on it.
            let flag_present =
                std::fs::read_to_string("/proc/cpuinfo").unwrap().split_whitespace().any(|w| w == "vmx" || w == "svm");
            assert_eq!(kvm["cpuFlag"].is_string(), flag_present);
        }
        None if std::path::Path::new("/dev/kvm").exists() => {
            assert!(kvm["apiVersion"].is_null(), "the tool got an answer the test could not: {kvm}");
        }
        None => {
            assert_eq!(kvm["device"], false);
            let finding = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "HOST-KVM").unwrap();
            assert_eq!(finding["severity"], "fail");
        }
    }
}

#[test]
fn host_emits_a_node_that_loads() {
    let out = kubev_ha(&["host", "--emit-node", "--role", "worker"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc =
        format!("apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {{name: x}}\nnodes:\n{}", stdout(&out));
    let inventory = kubev_ha_model::parse_str("emitted.yaml", &doc)
        .unwrap_or_else(|e| panic!("{}\n{doc}", e.render_plain()))
        .inventory;
    assert_eq!(inventory.nodes[0].roles, vec![kubev_ha_model::Role::Worker]);
    assert!(inventory.nodes[0].memory.is_some());
}

/// An inventory of two nodes on the loopback sshd and one that cannot be reached.
fn ssh_inventory(sshd: &Sshd, unreachable: &str) -> String {
    let key = sshd.client_key().display().to_string();
    format!(
        "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {{name: ssh}}\nnodes:\n\
  - {{name: a, address: 127.0.0.1, roles: [control-plane, worker], ssh: {{username: {u}, privateKeyFile: {key}, port: {p}}}}}\n\
  - {{name: b, address: 127.0.0.2, roles: [worker], memory: 4096Gi, ssh: {{username: {u}, privateKeyFile: {key}, port: {p}}}}}\n\
  - {{name: c, address: {unreachable}, roles: [worker], ssh: {{username: {u}, port: 22}}}}\n",
        u = sshd.user,
        p = sshd.port
    )
}

#[test]
fn probe_two_nodes_over_ssh_and_one_unreachable() {
    let sshd = match Sshd::start() {
        Ok(s) => s,
        Err(why) => return skip("probe_two_nodes_over_ssh_and_one_unreachable", &why),
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inventory.yaml");
    // TEST-NET-1: never routed, so the connection either fails or times out.
    // And a node whose ssh port refuses at once: its ssh exits while the
    // tool is still sending the collector, which must not take the whole
    // run down with SIGPIPE (it did, once).
    let refused_port = std::net::TcpListener::bind("127.0.0.4:0").unwrap().local_addr().unwrap().port();
    let text = format!(
        "{}- {{name: d, address: 127.0.0.4, roles: [worker], ssh: {{username: {}, port: {refused_port}}}}}\n",
        ssh_inventory(&sshd, "192.0.2.1"),
        sshd.user
    );
    std::fs::write(&file, text).unwrap();
    let written = dir.path().join("probed.yaml");
    let remote_dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec![
        "probe".into(),
        file.display().to_string(),
        "--format".into(),
        "json".into(),
        // Generous: two healthy nodes each receive the binary and collect
        // their facts, and that time is not what this test is about.
        "--timeout".into(),
        "30s".into(),
    ];
    args.extend(["--write".into(), written.display().to_string()]);
    args.extend(["--remote-dir".into(), remote_dir.path().display().to_string()]);
    for o in sshd.client_options() {
        args.push("-o".into());
        args.push(o);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = kubev_ha(&args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));

    assert_eq!(report["hosts"]["a"]["status"], "probed", "{}", report["hosts"]);
    assert_eq!(report["hosts"]["b"]["status"], "probed");
    assert_eq!(report["hosts"]["c"]["status"], "unreachable");
    let reason = report["hosts"]["c"]["reason"].as_str().unwrap();
    assert!(!reason.is_empty());
    assert!(stderr(&out).contains("c unreachable"), "{}", stderr(&out));
    assert_eq!(report["hosts"]["d"]["status"], "unreachable");
    assert!(report["hosts"]["d"]["reason"].as_str().unwrap().contains("refused"), "{}", report["hosts"]["d"]);

    let findings = report["findings"].as_array().unwrap();
    let of = |rule: &str, subject: &str| {
        findings.iter().filter(|f| f["rule"] == rule && f["subject"] == subject).cloned().collect::<Vec<_>>()
    };
    // Both "nodes" are this machine: a cloned pair, which HOST-IDENTITY must catch.
    assert!(
        of("HOST-IDENTITY", "cluster")
            .iter()
            .any(|f| f["severity"] == "fail" && f["message"].as_str().unwrap().contains("hostname"))
    );
    // b declares 4096Gi; the probe knows better.
    assert!(of("HOST-DRIFT", "node/b")[0]["message"].as_str().unwrap().contains("memory 4Ti"));
    // The unreachable node is unknown everywhere, never a pass.
    for f in findings.iter().filter(|f| f["subject"] == "node/c" && f["rule"].as_str().unwrap().starts_with("HOST-")) {
        assert_eq!(f["severity"], "unknown", "{f}");
    }
    // The probe over SSH says the same about KVM as the local one.
    let local = kubev_ha_probe::collect(&kubev_ha_probe::Root::new("/"), &Default::default());
    assert_eq!(
        report["hosts"]["a"]["facts"]["kvm"]["apiVersion"],
        serde_json::to_value(local.kvm.api_version).unwrap()
    );

    // --write saved the probed facts in place of the declared ones.
    let probed = kubev_ha_model::load_file(&written).unwrap().inventory;
    assert_eq!(probed.nodes[1].memory, local.memory);
    // The uploaded collector removed itself.
    std::thread::sleep(Duration::from_millis(100));
    let left: Vec<_> = std::fs::read_dir(remote_dir.path()).unwrap().collect();
    assert!(left.is_empty(), "a temporary file was left on the host: {left:?}");
}

/// The per-node deadline of the silent-node test: long enough for the
/// healthy node on a loaded machine, short enough to wait for once.
const SILENT_DEADLINE_SECS: u64 = 20;

#[test]
fn probe_gives_up_on_a_silent_node_at_the_deadline() {
    let sshd = match Sshd::start() {
        Ok(s) => s,
        Err(why) => return skip("probe_gives_up_on_a_silent_node_at_the_deadline", &why),
    };
    // A listener that accepts and never speaks: ssh waits for a banner
    // until the tool's own deadline ends it.
    let silent = std::net::TcpListener::bind("127.0.0.3:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inventory.yaml");
    let text = ssh_inventory(&sshd, "127.0.0.3").replace(
        &format!("ssh: {{username: {}, port: 22}}", sshd.user),
        &format!("ssh: {{username: {}, port: {port}}}", sshd.user),
    );
    std::fs::write(&file, text).unwrap();
    // The deadline is per node. The healthy node streams the whole debug
    // binary through ssh and collects its facts, which on a loaded 2-core
    // machine took longer than 2 s: its deadline must be generous, since
    // its time is not what is tested. The silent node still runs into
    // the same deadline and must be given up at it.
    let mut args = vec![
        "probe".to_string(),
        file.display().to_string(),
        "--format".into(),
        "json".into(),
        "--timeout".into(),
        format!("{SILENT_DEADLINE_SECS}s"),
    ];
    for o in sshd.client_options() {
        args.push("-o".into());
        args.push(o);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = kubev_ha(&args);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert_eq!(report["hosts"]["c"]["status"], "unreachable", "{}", report["hosts"]);
    let reason = report["hosts"]["c"]["reason"].as_str().unwrap();
    // Either the tool's own deadline ("no answer within 20s") or ssh's
    // ConnectTimeout, which the tool sets to the same deadline.
    assert!(reason.contains(&format!("{SILENT_DEADLINE_SECS}s")) || reason.contains("timed out"), "{reason}");
    assert_eq!(report["hosts"]["a"]["status"], "probed", "the others still complete");
    drop(silent);
}

/// What a non-root sshUsername sees: facts it cannot read come out
/// unknown, with the reason, never as a pass or a false "no".
#[test]
fn host_as_a_non_root_user_reports_unknown_not_absent() {
    if unsafe { libc::geteuid() } != 0 {
        return skip("host_as_a_non_root_user_reports_unknown_not_absent", "needs root to drop to another user");
    }
    let kvm = std::path::Path::new("/dev/kvm");
    let uuid = std::path::Path::new("/sys/class/dmi/id/product_uuid");
    // /dev/kvm is root:kvm 0660 on Debian; a host that opens it to everyone
    // (0666) has nothing to show here.
    use std::os::unix::fs::MetadataExt;
    let kvm_restricted = std::fs::metadata(kvm).is_ok_and(|m| m.mode() & 0o006 == 0);
    if !kvm_restricted && !uuid.exists() {
        return skip(
            "host_as_a_non_root_user_reports_unknown_not_absent",
            "neither a /dev/kvm closed to others nor a product_uuid here: nothing a non-root user is denied",
        );
    }
    let Some(setpriv) = crate::common::which("setpriv") else {
        return skip("host_as_a_non_root_user_reports_unknown_not_absent", "setpriv (util-linux) not found");
    };
    // The binary must be reachable by `nobody`: copy it somewhere it can run.
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("kubev-ha");
    std::fs::copy(env!("CARGO_BIN_EXE_kubev-ha"), &binary).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::process::Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&binary)
        .args(["host", "--format", "json", "--role", "worker"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    let severity = |rule: &str| {
        report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == rule).map(|f| f["severity"].clone())
    };
    if kvm_restricted {
        let kvm = &report["facts"]["kvm"];
        // nobody is not in the kvm group.
        assert!(kvm["apiVersion"].is_null(), "{kvm}");
        assert!(kvm["error"].as_str().unwrap().contains("kvm group"), "{kvm}");
        assert_eq!(severity("HOST-KVM").unwrap(), "unknown");
        assert_eq!(severity("W-VIRT").unwrap(), "unknown");
    }
    if uuid.exists() {
        // Readable by root only.
        assert!(report["facts"]["productUuid"].is_null());
    }
}
