//! The host probe against captured file trees (tests/data/hosts): each
//! collector, and the verdicts each kind of machine earns.

use std::path::PathBuf;

use kubev_ha_model::host::{HostFacts, ModuleState};
use kubev_ha_model::{ByteSize, Media, Virtualization};
use kubev_ha_probe::{CollectOptions, Root, collect};
use serde_json::Value;

use crate::common::{kubev_ha, root};

fn tree(name: &str) -> PathBuf {
    root().join("tests/data/hosts").join(name)
}

fn facts(name: &str) -> HostFacts {
    collect(&Root::new(tree(name)), &CollectOptions::default())
}

/// `kubev-ha host --root TREE --role ROLE --format json`.
fn host_report(name: &str, role: &str) -> Value {
    let out = kubev_ha(&["host", "--root", tree(name).to_str().unwrap(), "--role", role, "--format", "json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn severity(report: &Value, rule: &str) -> String {
    let f: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule && f["subject"] != "cluster")
        .collect();
    assert_eq!(f.len(), 1, "{rule}: {f:?}");
    f[0]["severity"].as_str().unwrap().to_string()
}

#[test]
fn xeon_server() {
    let f = facts("xeon-server");
    let cpu = f.cpu.as_ref().unwrap();
    assert_eq!((cpu.cores.unwrap().get(), cpu.threads.unwrap().get()), (64, 128));
    assert_eq!(f.kvm.cpu_flag.as_deref(), Some("vmx"));
    assert_eq!(f.kvm.module.as_deref(), Some("kvm_intel"));
    assert_eq!(f.kvm.nested, Some(true));
    assert_eq!(f.kvm.device, Some(true));
    assert_eq!(f.kvm.api_version, None, "a captured tree cannot be asked");
    assert_eq!(f.memory, Some(ByteSize::kib(527_936_512)));
    let disks: Vec<(&str, Option<Media>)> = f.disks.iter().map(|d| (d.name.as_str(), d.kind)).collect();
    assert_eq!(
        disks,
        vec![("nvme0n1", Some(Media::Nvme)), ("nvme1n1", Some(Media::Nvme))],
        "loop devices are not disks"
    );
    assert_eq!(f.etcd_disk.as_deref(), Some("nvme0n1"));
    let nics: Vec<&str> = f.nics.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(nics, vec!["eno1", "ens2f0", "ens2f1"], "lo, bridges and tunnels are left out");
    assert!(f.modules.values().all(|s| *s == ModuleState::Loaded));
    assert_eq!(f.swap, Some(vec![]));
    assert_eq!(f.ipv6_disabled, Some(false));
    assert!(f.listening.iter().any(|l| l.port == 6443));

    let report = host_report("xeon-server", "control-plane");
    assert_eq!(severity(&report, "HOST-KERNEL"), "pass");
    assert_eq!(severity(&report, "HOST-MODULES"), "pass");
    assert_eq!(severity(&report, "CP-ETCD-MEDIA"), "pass");
    let ports = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "NET-PORTS" && f["subject"] != "cluster")
        .unwrap();
    assert_eq!(ports["severity"], "info");
    assert!(ports["message"].as_str().unwrap().contains("6443/tcp (API server)"), "{ports}");
}

#[test]
fn epyc_server_keeps_etcd_on_its_own_ssd() {
    let f = facts("epyc-server");
    assert_eq!(f.kvm.cpu_flag.as_deref(), Some("svm"));
    assert_eq!(f.cpu.as_ref().unwrap().cores.unwrap().get(), 32);
    assert_eq!(f.etcd_disk.as_deref(), Some("sda"), "/var/lib/etcd is its own mount on sda1");
    assert_eq!(f.disks.iter().find(|d| d.name == "sda").unwrap().kind, Some(Media::Ssd));
    assert_eq!(f.modules["geneve"], ModuleState::Available);
    let nic = f.nics.iter().find(|n| n.name == "enp65s0f0").unwrap();
    assert_eq!(nic.speed.map(|s| s.to_string()).as_deref(), Some("100Gbps"));
    let report = host_report("epyc-server", "worker");
    assert_eq!(severity(&report, "HOST-MODULES"), "pass", "available modules load on demand");
    assert_eq!(severity(&report, "NET-NIC-SPEED"), "pass");
}

#[test]
fn laptop_with_a_spinning_disk_and_wifi() {
    let f = facts("laptop-hdd");
    assert_eq!(f.disks[0].kind, Some(Media::Hdd));
    assert_eq!(f.modules["tun"], ModuleState::BuiltIn);
    let wifi = f.nics.iter().find(|n| n.name == "wlp2s0").unwrap();
    assert_eq!(wifi.speed, None, "EINVAL on speed is unknown, not 0");
    let report = host_report("laptop-hdd", "control-plane");
    assert_eq!(severity(&report, "CP-ETCD-MEDIA"), "fail");
    let report = host_report("laptop-hdd", "worker");
    assert_eq!(severity(&report, "W-MEDIA"), "warn");
    assert_eq!(severity(&report, "W-CPU"), "fail");
    assert_eq!(severity(&report, "NET-NIC-SPEED"), "warn", "the wired 1Gbps NIC counts, the unknown wifi does not");
}

#[test]
fn vm_with_swap_old_kernel_no_ipv6_and_no_kvm() {
    let f = facts("vm-swap-noipv6");
    assert_eq!(f.swap, Some(vec!["/dev/vda2".to_string()]));
    assert_eq!(f.ipv6_disabled, Some(true));
    assert_eq!(f.kvm.device, Some(false));
    assert_eq!(f.kvm.cpu_flag, None);
    assert_eq!(f.cpu.as_ref().unwrap().virtualization, Some(Virtualization::None));
    assert_eq!(f.modules["geneve"], ModuleState::Missing);
    assert_eq!(f.nics[0].speed, None, "speed -1 is unknown");
    assert_eq!(f.disks[0].kind, None, "a paravirtual disk's rotational flag proves nothing");
    let report = host_report("vm-swap-noipv6", "worker");
    for rule in ["HOST-SWAP", "HOST-IPV6", "HOST-KERNEL", "HOST-MODULES", "HOST-KVM", "W-VIRT"] {
        assert_eq!(severity(&report, rule), "fail", "{rule}");
    }
    let kvm = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "HOST-KVM").unwrap();
    assert!(kvm["message"].as_str().unwrap().contains("off in the firmware"), "{kvm}");
}

#[test]
fn nested_guest_has_kvm_without_the_flag() {
    let f = facts("cloud-nested-guest");
    assert_eq!(f.kvm.cpu_flag, None, "the capture has no vmx/svm in cpuinfo");
    assert_eq!(f.kvm.device, Some(true));
    // From a tree the API cannot be asked, so the verdict is unknown, not
    // "no KVM": the flag's absence is no proof (the live test asks the ioctl).
    let report = host_report("cloud-nested-guest", "worker");
    assert_eq!(severity(&report, "HOST-KVM"), "unknown");
}

#[test]
fn nested_guest_modules_come_from_its_kernel_config() {
    // A monolithic kernel: no /proc/modules, no /lib/modules; only
    // /proc/config.gz says what is built in and what is not there at all.
    let f = facts("cloud-nested-guest");
    assert_eq!(f.modules["tun"], ModuleState::BuiltIn);
    assert_eq!(f.modules["ip_tables"], ModuleState::BuiltIn);
    assert_eq!(f.modules["openvswitch"], ModuleState::Missing);
    assert_eq!(f.modules["geneve"], ModuleState::Missing);
    assert_eq!(f.default_route_link.as_deref(), Some("eth0"));
    let report = host_report("cloud-nested-guest", "worker");
    assert_eq!(severity(&report, "HOST-MODULES"), "fail");
}

#[test]
fn vmx_without_dev_kvm_means_the_module_is_not_loaded() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&tree("laptop-hdd"), dir.path());
    std::fs::remove_file(dir.path().join("dev/kvm")).unwrap();
    let out = kubev_ha(&["host", "--root", dir.path().to_str().unwrap(), "--role", "worker", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kvm = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "HOST-KVM").unwrap();
    assert_eq!(kvm["severity"], "fail");
    assert!(kvm["message"].as_str().unwrap().contains("enabled in the CPU and the kvm module is not loaded"), "{kvm}");
    assert!(kvm["remediation"].as_str().unwrap().contains("modprobe kvm_intel"));
}

#[test]
fn every_tree_emits_a_node_that_loads() {
    for name in ["xeon-server", "epyc-server", "laptop-hdd", "vm-swap-noipv6", "cloud-nested-guest"] {
        let out = kubev_ha(&["host", "--root", tree(name).to_str().unwrap(), "--emit-node"]);
        assert_eq!(out.status.code(), Some(0));
        let doc = format!(
            "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {{name: x}}\nnodes:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        kubev_ha_model::parse_str(name, &doc).unwrap_or_else(|e| panic!("{name}: {}\n{doc}", e.render_plain()));
    }
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Regression: `kubev-ha host` named the machine's hostname as the FILE of
/// the commands its hints suggest (`kubev-ha etcd vm`): there is no
/// inventory file behind a host check.
#[test]
fn host_hints_never_pass_the_hostname_as_a_file() {
    let report = host_report("xeon-server", "control-plane");
    let hostname = report["source"].as_str().unwrap().to_string();
    let remediations: Vec<&str> =
        report["findings"].as_array().unwrap().iter().filter_map(|f| f["remediation"].as_str()).collect();
    for command in ["etcd", "probe", "net check", "net matrix", "render nftables"] {
        let wrong = format!("kubev-ha {command} {hostname}");
        assert!(remediations.iter().all(|r| !r.contains(&wrong)), "`{wrong}` suggested: {remediations:#?}");
    }
    let fsync = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "CP-ETCD-FSYNC").unwrap();
    assert!(fsync["remediation"].as_str().unwrap().contains("`kubev-ha etcd --endpoints URL`"), "{fsync}");
}
