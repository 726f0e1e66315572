//! `kubev-ha host`: what the machine is, before the findings.

use std::collections::BTreeMap;
use std::fmt::Write;

use kubev_ha_model::{HostFacts, HostNic, LinkKind, ModuleState};

use crate::style::Paint;

/// The facts of one host, as a short list for people.
/// Veths, tunnels and other virtual links are counted, not listed, unless
/// `all_links` (or there are few links in all).
pub(crate) fn facts_text(facts: &HostFacts, color: bool, all_links: bool) -> String {
    let p = Paint::new(color);
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        let _ = writeln!(out, "  {:<14} {value}", p.dim(label));
    };
    let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "unknown".into());
    line("host", format!("{} ({})", or_unknown(facts.hostname.clone()), or_unknown(facts.os.clone())));
    line("kernel", or_unknown(facts.kernel.clone()));
    let cpu = facts.cpu.as_ref();
    line(
        "cpu",
        format!(
            "{}: {} cores, {} threads",
            or_unknown(facts.cpu_model.clone()),
            cpu.and_then(|c| c.cores).map_or("?".into(), |c| c.to_string()),
            cpu.and_then(|c| c.threads).map_or("?".into(), |c| c.to_string())
        ),
    );
    let kvm = &facts.kvm;
    line(
        "kvm",
        format!(
            "{}; device {}, API {}, VM {}, cpuinfo flag {}, module {}{}",
            cpu.and_then(|c| c.virtualization).map_or("unknown".into(), |v| v.to_string()),
            kvm.device.map_or("?", |d| if d { "present" } else { "absent" }),
            kvm.api_version.map_or("not asked".into(), |v| v.to_string()),
            kvm.create_vm.map_or("not tried", |c| if c { "created" } else { "failed" }),
            kvm.cpu_flag.as_deref().unwrap_or("none"),
            kvm.module.as_deref().unwrap_or("none"),
            kvm.error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
        ),
    );
    line("memory", facts.memory.map_or("unknown".into(), |m| format!("{} (MemTotal)", m.human())));
    for d in &facts.disks {
        line(
            "disk",
            format!(
                "{} {} {}{}{}",
                d.name,
                d.kind.map_or("type unknown".into(), |k| k.to_string()),
                d.size.map_or("?".into(), |s| s.human()),
                d.model.as_deref().map(|m| format!(" ({m})")).unwrap_or_default(),
                if d.holds.is_empty() { String::new() } else { format!(", holds {}", d.holds.join(" and ")) }
            ),
        );
    }
    // Veths (one per pod on a worker), tunnels and Open vSwitch's internal
    // links are counted rather than listed, unless asked for.
    let listed = |n: &&HostNic| {
        all_links || !matches!(n.kind, LinkKind::Veth | LinkKind::Tunnel | LinkKind::Virtual) || facts.nics.len() <= 8
    };
    for n in facts.nics.iter().filter(listed) {
        let relations = n.relations();
        line(
            "nic",
            format!(
                "{} {} mtu {} {} {}{}",
                n.name,
                n.speed.map_or("speed unknown".into(), |s| s.to_string()),
                n.mtu.map_or("?".into(), |m| m.to_string()),
                n.operstate.as_deref().unwrap_or("?"),
                n.mac.as_deref().unwrap_or(""),
                if relations.is_empty() { String::new() } else { format!(" ({relations})") }
            ),
        );
    }
    let mut hidden: BTreeMap<&str, usize> = BTreeMap::new();
    for n in facts.nics.iter().filter(|n| !listed(n)) {
        *hidden.entry(n.kind.name()).or_default() += 1;
    }
    if !hidden.is_empty() {
        let counts: Vec<String> = hidden.iter().map(|(kind, count)| format!("{count} {kind}")).collect();
        line("nic", format!("and {} links (--all-links lists them)", counts.join(", ")));
    }
    let modules: Vec<String> = facts
        .modules
        .iter()
        .map(|(m, s)| match s {
            // A missing module is shouted: the words are the model's, only
            // the case is this report's emphasis.
            ModuleState::Missing => format!("{m} {}", s.to_string().to_uppercase()),
            _ => format!("{m} {s}"),
        })
        .collect();
    line("modules", modules.join(", "));
    line(
        "swap",
        match &facts.swap {
            None => "unknown".into(),
            Some(s) if s.is_empty() => "off".into(),
            Some(s) => format!("ON: {}", s.join(", ")),
        },
    );
    line(
        "ipv6",
        facts.ipv6_disabled.map_or("unknown".into(), |d| {
            if d { "disabled on the command line".into() } else { "enabled".to_string() }
        }),
    );
    line(
        "clock",
        format!(
            "{} ({})",
            facts.time_sync.synchronised.map_or("unknown", |s| if s { "synchronised" } else { "NOT synchronised" }),
            facts.time_sync.detail.as_deref().unwrap_or("")
        ),
    );
    line("product_uuid", or_unknown(facts.product_uuid.clone()));
    line("machine-id", or_unknown(facts.machine_id.clone()));
    line(
        "etcd disk",
        match (&facts.etcd_disk, &facts.etcd_path) {
            (Some(d), Some(p)) => format!("{d} (holds {p})"),
            (None, Some(p)) => {
                format!("unknown for {p}: {}", facts.unreadable.get("etcdDisk").cloned().unwrap_or_default())
            }
            _ => "unknown".into(),
        },
    );
    let listening: Vec<String> = facts.listening.iter().map(|l| format!("{}/{}", l.port, l.protocol)).collect();
    line("listening", if listening.is_empty() { "nothing".into() } else { listening.join(" ") });
    for (what, why) in facts.unreadable.iter().filter(|(w, _)| *w != "etcdDisk") {
        line("unreadable", format!("{what}: {why}"));
    }
    out
}
