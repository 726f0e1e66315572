//! The host probe against captured file trees (tests/data/hosts): each
//! collector, and the verdicts each kind of machine earns.

use std::path::PathBuf;

use kubev_ha_model::{ByteSize, LinkSpeed, Media, Virtualization};
use kubev_ha_model::{HostFacts, ModuleState};
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
    assert_eq!(nics, vec!["br0", "eno1", "ens2f0", "ens2f1", "genev_sys_6081"], "only lo is left out");
    let kinds: Vec<kubev_ha_model::LinkKind> = f.nics.iter().map(|n| n.kind).collect();
    use kubev_ha_model::LinkKind::{Bridge, Physical, Tunnel};
    assert_eq!(kinds, vec![Bridge, Physical, Physical, Physical, Tunnel]);
    let declared: Vec<String> = f.inventory_nics().into_iter().filter_map(|n| n.name).collect();
    assert_eq!(declared, vec!["eno1", "ens2f0", "ens2f1", "br0"], "ports first; the tunnel is the overlay's");
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
    for rule in ["HOST-SWAP", "HOST-IPV6", "HOST-MODULES", "HOST-KVM", "W-VIRT"] {
        assert_eq!(severity(&report, rule), "fail", "{rule}");
    }
    // 4.18 is not a kernel kubeadm's system validators accept: they warn.
    assert_eq!(severity(&report, "HOST-KERNEL"), "warn");
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

/// Regression: HOST-MODULES said "tun built in" where the host report
/// said "tun built-in"; both now print the model's one wording (the host
/// report only upper-cases a missing module).
#[test]
fn module_states_read_the_same_in_the_host_report_and_in_host_modules() {
    let f = facts("cloud-nested-guest");
    let host = kubev_ha_report::CommandReport::measured("host", kubev_ha_report::Evidence::Host(Box::new(f.clone())));
    let text =
        kubev_ha_report::render(&host, kubev_ha_report::Format::Text, &kubev_ha_report::RenderOptions::default());
    let report = judge_probes(vec![("n", f)], |_| {}, |_| {}, vec!["HOST-MODULES"]);
    let verdicts = verdicts(&report, "HOST-MODULES");
    assert_eq!(verdicts.len(), 1, "{verdicts:?}");
    let message = &verdicts[0].2;
    for phrase in ["tun built-in", "ip_tables built-in", "geneve missing"] {
        assert!(message.contains(phrase), "HOST-MODULES: {message}");
    }
    for phrase in ["tun built-in", "ip_tables built-in", "geneve MISSING"] {
        assert!(text.contains(phrase), "host report: {text}");
    }
    assert!(!message.contains("built in") && !text.contains("built in"), "{message}\n{text}");
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
    for name in [
        "xeon-server",
        "epyc-server",
        "laptop-hdd",
        "vm-swap-noipv6",
        "cloud-nested-guest",
        "bonded-worker",
        "netns-node",
    ] {
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

/// The named host rules of one inventory whose nodes are the given probes
/// (each node declared as `declare` makes it), as `kubev-ha probe` judges them.
fn judge_probes(
    nodes: Vec<(&str, HostFacts)>,
    declare: impl Fn(&mut kubev_ha_model::Node),
    inventory: impl FnOnce(&mut kubev_ha_model::Inventory),
    rules: Vec<&'static str>,
) -> kubev_ha_rules::Report {
    use kubev_ha_model::HostProbe;
    let mut inv = None::<kubev_ha_model::Inventory>;
    let mut hosts = std::collections::BTreeMap::new();
    for (i, (name, facts)) in nodes.into_iter().enumerate() {
        let mut node = kubev_ha_model::Node::new(
            name,
            format!("10.0.0.{}", i + 1).parse().unwrap(),
            vec![kubev_ha_model::Role::Worker],
        );
        declare(&mut node);
        match inv.as_mut() {
            None => inv = Some(kubev_ha_model::Inventory::single_node(kubev_ha_model::Metadata::named("t"), node)),
            Some(inv) => inv.nodes.push(kubev_ha_model::Located::new(node)),
        }
        hosts.insert(name.to_string(), HostProbe::Probed { facts: Box::new(facts) });
    }
    let mut inv = inv.unwrap();
    inventory(&mut inv);
    let facts = kubev_ha_model::Facts::from_inventory(inv, "t.yaml").with_probes(hosts);
    kubev_ha_rules::check(&facts, &kubev_ha_rules::CheckOptions { only: rules, ..Default::default() })
}

fn verdicts(report: &kubev_ha_rules::Report, rule: &str) -> Vec<(String, kubev_ha_rules::Severity, String)> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| (f.subject.to_string(), f.severity, f.message.clone()))
        .collect()
}

#[test]
fn bonded_worker_reports_bonds_vlans_and_bridges_with_their_members() {
    use kubev_ha_model::LinkKind;
    let f = facts("bonded-worker");
    let link = |name: &str| f.nics.iter().find(|n| n.name == name).unwrap_or_else(|| panic!("{name}: {:?}", f.nics));
    let kinds: Vec<(&str, LinkKind)> = f.nics.iter().map(|n| (n.name.as_str(), n.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            ("9d2c41a7_h", LinkKind::Veth),
            ("bond0", LinkKind::Bond),
            ("bond0.100", LinkKind::Vlan),
            ("bond0.200", LinkKind::Vlan),
            ("br-int", LinkKind::Virtual),
            ("br-mgmt", LinkKind::Bridge),
            ("eno1", LinkKind::Physical),
            ("eno2", LinkKind::Physical),
            ("genev_sys_6081", LinkKind::Tunnel),
            ("ovs-system", LinkKind::Virtual),
        ],
        "every link but lo is kept"
    );
    assert_eq!(link("bond0").members, vec!["eno1", "eno2"]);
    assert_eq!(link("bond0").speed, Some(LinkSpeed::gbps(50)));
    assert_eq!(link("eno1").master.as_deref(), Some("bond0"));
    assert_eq!((link("bond0.200").lower.as_deref(), link("bond0.200").vlan_id), (Some("bond0"), Some(200)));
    assert_eq!(link("br-mgmt").members, vec!["bond0.100"]);
    assert_eq!(link("bond0.100").master.as_deref(), Some("br-mgmt"));
    assert_eq!(link("9d2c41a7_h").master.as_deref(), Some("ovs-system"));
    // The bond gives its MAC to both members; their own is kept apart.
    assert_eq!(link("eno1").mac, link("eno2").mac);
    assert_ne!(link("eno1").hardware_mac(), link("eno2").hardware_mac());
    // As inventory NICs: ports first, then bond, VLANs, bridge; no pod
    // veth, tunnel or Open vSwitch internals.
    let declared: Vec<String> = f.inventory_nics().into_iter().filter_map(|n| n.name).collect();
    assert_eq!(declared, vec!["eno1", "eno2", "bond0", "bond0.100", "bond0.200", "br-mgmt"]);
}

/// `probe` once dropped every virtual link, so a NIC declared as the bond
/// or the VLAN it really is was "not found" (a false HOST-DRIFT).
#[test]
fn declared_bond_vlan_and_member_nics_are_found() {
    use kubev_ha_model::{Count, Nic};
    use kubev_ha_rules::Severity;
    let nic = |name: &str, gbps: Option<u64>| Nic {
        name: Some(name.into()),
        speed: gbps.map(LinkSpeed::gbps),
        mtu: Some(Count(9000)),
    };
    let report = judge_probes(
        vec![("fra-w-b3", facts("bonded-worker"))],
        |n| n.nics = Some(vec![nic("bond0", Some(50)), nic("eno1", Some(25)), nic("bond0.200", None)]),
        |_| {},
        vec!["HOST-DRIFT"],
    );
    let drift = verdicts(&report, "HOST-DRIFT");
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0].1, Severity::Pass, "{drift:?}");
    assert!(drift[0].2.contains("NIC bond0 (bond of eno1, eno2)"), "{drift:?}");
    assert!(drift[0].2.contains("NIC eno1 (in bond0)"), "{drift:?}");

    // A real difference is still one, and a missing NIC names what was seen.
    let report = judge_probes(
        vec![("fra-w-b3", facts("bonded-worker"))],
        |n| n.nics = Some(vec![nic("bond0", Some(100)), nic("bond1", None)]),
        |_| {},
        vec!["HOST-DRIFT"],
    );
    let drift = verdicts(&report, "HOST-DRIFT");
    assert_eq!(drift[0].1, Severity::Warn, "{drift:?}");
    assert!(drift[0].2.contains("NIC bond0 speed 100Gbps ≠ 50Gbps"), "{drift:?}");
    assert!(drift[0].2.contains("NIC bond1 not found (links: 9d2c41a7_h, bond0,"), "{drift:?}");
}

/// Nodes that are network namespaces (the test bed's) have only a veth:
/// the probe once dropped it, so the declared eth0 was "not found" and
/// HOST-IDENTITY passed with "0 distinct MACs", having compared nothing.
#[test]
fn veth_only_nodes_match_their_nic_and_leave_macs_unknown() {
    use kubev_ha_rules::Severity;
    let node = |name: &str, n: u8| {
        let mut f = facts("netns-node");
        f.hostname = Some(name.into());
        f.machine_id = Some(format!("{n:032x}"));
        f.product_uuid = Some(format!("00000000-0000-0000-0000-{n:012x}"));
        f
    };
    let report = judge_probes(
        vec![("w-1", node("w-1", 1)), ("w-2", node("w-2", 2))],
        |n| {
            n.nics = Some(vec![kubev_ha_model::Nic {
                name: Some("eth0".into()),
                speed: None,
                mtu: Some(kubev_ha_model::Count(1500)),
            }])
        },
        |_| {},
        vec!["HOST-DRIFT", "HOST-IDENTITY"],
    );
    for (subject, severity, message) in verdicts(&report, "HOST-DRIFT") {
        assert_eq!(severity, Severity::Pass, "{subject}: {message}");
        assert!(message.contains("NIC eth0 (veth)"), "{message}");
    }
    let identity = verdicts(&report, "HOST-IDENTITY");
    let mac = identity.iter().find(|(_, _, m)| m.contains("MAC")).unwrap();
    assert_eq!(mac.1, Severity::Unknown, "{identity:?}");
    assert!(!identity.iter().any(|(_, s, m)| *s == Severity::Pass && m.starts_with("0 distinct")), "{identity:?}");
    assert!(identity.iter().any(|(_, s, m)| *s == Severity::Pass && m == "2 distinct hostnames"), "{identity:?}");
}

/// HOST-KERNEL follows kubeadm's system validators (system-validators
/// v1.12.1): 5.4, 5.10, 5.15 and any 6.x or later pass; anything else is a
/// warning, as kubeadm's preflight gives one. It once passed every kernel
/// from 4.19 on (5.14, 5.19) and failed the ones below.
#[test]
fn host_kernel_follows_kubeadms_system_validators() {
    use kubev_ha_rules::Severity::{self, Pass, Unknown, Warn};
    let judge_release = |release: &str, profile: kubev_ha_model::Profile| -> (Severity, String) {
        let mut f = facts("xeon-server");
        f.kernel = Some(release.into());
        let report = judge_probes(vec![("w", f)], |_| {}, |inv| inv.profile = Some(profile), vec!["HOST-KERNEL"]);
        let v = verdicts(&report, "HOST-KERNEL");
        assert_eq!(v.len(), 1, "{v:?}");
        (v[0].1, v[0].2.clone())
    };
    for profile in [kubev_ha_model::Profile::Production, kubev_ha_model::Profile::Minimum] {
        for (release, expected) in [
            ("5.4.0-150-generic", Pass),
            ("5.10.0-30-amd64", Pass),
            ("5.15.0-119-generic", Pass),
            ("6.1.0-27-amd64", Pass),
            ("6.8.0-45-generic", Pass),
            ("10.0.1", Pass),
            ("5.14.0-427.13.1.el9_4.x86_64", Warn),
            ("5.19.0-50-generic", Warn),
            ("5.8.0", Warn),
            ("4.18.0-513.el8.x86_64", Warn),
            ("4.19.0-26-amd64", Warn),
            ("3.10.0-1160.el7.x86_64", Warn),
            ("6.8", Warn),
            ("vmlinuz", Unknown),
        ] {
            let (severity, message) = judge_release(release, profile);
            assert_eq!(severity, expected, "{release} in {profile:?}: {message}");
        }
    }
    assert!(judge_release("4.19.0-26-amd64", kubev_ha_model::Profile::Production).1.contains("end of life"));
}

/// HOST-SWAP is judged with the kubelet's swap settings: swap on is a
/// failure only while the kubelet refuses it (failSwapOn, default true).
/// It once failed every node with swap on, `failSwapOn: false` or not.
#[test]
fn host_swap_follows_the_kubelets_swap_settings() {
    use kubev_ha_model::{Kubelet, MemorySwap, SwapBehavior};
    use kubev_ha_rules::Severity::{self, Fail, Info, Pass, Warn};
    let judge_swap = |kubelet: Option<Kubelet>, profile: kubev_ha_model::Profile| -> (Severity, String) {
        let report = judge_probes(
            vec![("rhel8-vm", facts("vm-swap-noipv6"))],
            |_| {},
            |inv| {
                inv.kubelet = kubelet;
                inv.profile = Some(profile);
            },
            vec!["HOST-SWAP"],
        );
        let v = verdicts(&report, "HOST-SWAP");
        (v[0].1, v[0].2.clone())
    };
    let kubelet = |fail: Option<bool>, behavior: Option<SwapBehavior>| {
        Some(Kubelet {
            fail_swap_on: fail,
            memory_swap: behavior.map(|b| MemorySwap { swap_behavior: Some(b) }),
            ..Default::default()
        })
    };
    use kubev_ha_model::Profile::{Minimum, Production};
    for (settings, production, minimum) in [
        (None, Fail, Warn),
        (kubelet(None, None), Fail, Warn),
        (kubelet(Some(true), Some(SwapBehavior::NoSwap)), Fail, Warn),
        (kubelet(Some(false), None), Pass, Pass),
        (kubelet(Some(false), Some(SwapBehavior::NoSwap)), Pass, Pass),
        (kubelet(Some(false), Some(SwapBehavior::LimitedSwap)), Info, Info),
    ] {
        assert_eq!(judge_swap(settings.clone(), Production).0, production, "{settings:?}");
        assert_eq!(judge_swap(settings.clone(), Minimum).0, minimum, "{settings:?}");
    }
    assert!(judge_swap(None, Production).1.contains("its default, true"));
    assert!(judge_swap(kubelet(Some(false), None), Production).1.contains("the kubelet's default"));
}

#[test]
fn the_kubelet_section_parses_and_rejects_unknown_behaviours() {
    let doc = |behavior: &str| {
        format!(
            "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {{name: x}}\n\
             nodes: [{{name: n, address: 10.0.0.1, roles: [worker]}}]\n\
             kubelet: {{failSwapOn: false, memorySwap: {{swapBehavior: {behavior}}}}}\n"
        )
    };
    let inv = kubev_ha_model::parse_str("k.yaml", &doc("LimitedSwap")).unwrap().inventory;
    let kubelet = inv.kubelet.unwrap();
    assert_eq!(kubelet.fail_swap_on, Some(false));
    assert_eq!(kubelet.swap_behavior_or_default(), kubev_ha_model::SwapBehavior::LimitedSwap);
    let err = kubev_ha_model::parse_str("k.yaml", &doc("UnlimitedSwap")).unwrap_err().render_plain();
    assert!(err.contains("k.yaml:5"), "{err}");
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
