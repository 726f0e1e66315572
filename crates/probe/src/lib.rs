//! Reads a Linux host's facts: CPU and KVM, memory, disks and which one
//! holds etcd, NICs, kernel and modules, IPv6, swap, clock, identity and
//! listening ports.
//!
//! Every collector reads below a [`Root`] (`/` on the host, a fixture tree
//! in tests); syscalls (the KVM ioctls, adjtimex) are made only on a live
//! root. Collection changes nothing: files are read, KVM is asked for its
//! version and a VM that is closed at once. [`probe_all`] runs the same
//! collection on other hosts over SSH.

#![warn(missing_docs, unreachable_pub)]

mod clock;
mod cpu;
mod disk;
mod kernel;
mod kvm;
mod network;
mod remote;
mod root;
mod sockets;
mod storage;

use kubev_ha_model::HostFacts;
use kubev_ha_model::{ByteSize, Count, Cpu};

// The public API is these re-exports and the items below; callers name
// them by the crate root (`kubev_ha_probe::SshTarget`), never by a module
// path, so modules can move.

// Reading this host.
pub use root::{ReadError, Root};

// The fdatasync measurement of `kubev-ha disk`.
pub use disk::{DEFAULT_BLOCK, DEFAULT_SIZE, DiskError, DiskOptions, DiskResult, MIN_WRITES, run as run_disk_test};

// Other hosts over SSH.
pub use remote::{RemoteError, RemoteSession, SshOptions, SshTarget, probe_all, run_remote, task_failure};

/// The host name the kernel holds (`/proc/sys/kernel/hostname`), `None`
/// when it cannot be read.
pub fn hostname(root: &Root) -> Option<String> {
    root.read_trimmed("/proc/sys/kernel/hostname")
}

/// etcd's default data directory (kubeadm's `--data-dir`).
pub const DEFAULT_ETCD_PATH: &str = "/var/lib/etcd";

/// How to collect a host's facts.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// The path whose disk is etcd's.
    pub etcd_path: String,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions { etcd_path: DEFAULT_ETCD_PATH.into() }
    }
}

/// MemTotal from /proc/meminfo.
fn parse_meminfo(text: &str) -> Option<ByteSize> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(ByteSize::kib(kib))
}

/// Every fact of the host below `root`.
pub fn collect(root: &Root, options: &CollectOptions) -> HostFacts {
    let mut facts = HostFacts::default();
    let mut note = |what: &str, e: &root::ReadError| {
        if *e != root::ReadError::NotFound {
            facts.unreadable.insert(what.to_string(), e.to_string());
        }
    };

    let cpuinfo = match root.read("/proc/cpuinfo") {
        Ok(t) => cpu::parse_cpuinfo(&t),
        Err(e) => {
            note("cpu", &e);
            cpu::CpuInfo::default()
        }
    };
    let memory = match root.read("/proc/meminfo") {
        Ok(t) => parse_meminfo(&t),
        Err(e) => {
            note("memory", &e);
            None
        }
    };
    let product_uuid = match root.read("/sys/class/dmi/id/product_uuid") {
        Ok(t) => Some(t.trim().to_string()).filter(|s| !s.is_empty()),
        Err(e) => {
            note("productUuid", &e);
            None
        }
    };

    let loaded = kernel::loaded_modules(root);
    let kvm = kvm::collect(root, &cpuinfo, &loaded);
    let release = root.read_trimmed("/proc/sys/kernel/osrelease");
    let modules = kernel::module_states(root, release.as_deref(), &loaded);
    let mounts = root.read("/proc/self/mountinfo").map(|t| storage::parse_mountinfo(&t)).unwrap_or_default();
    let mut disks = storage::collect_disks(root);
    // A data dir that does not exist yet lives on the mount of its nearest
    // ancestor, which is what the longest matching mount point gives.
    let etcd_path = options.etcd_path.clone();
    let etcd_disk = storage::disk_of(root, &mounts, &etcd_path);
    let root_disk = storage::disk_of(root, &mounts, "/");
    for disk in &mut disks {
        if root_disk.as_deref() == Ok(disk.name.as_str()) {
            disk.holds.push("/".into());
        }
        if etcd_disk.as_deref() == Ok(disk.name.as_str()) && etcd_path != "/" {
            disk.holds.push(etcd_path.clone());
        }
    }
    let os = root
        .read("/etc/os-release")
        .ok()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"').to_string()));

    facts.cpu = (cpuinfo.threads > 0).then(|| Cpu {
        cores: cpuinfo.cores.map(Count),
        threads: Some(Count(cpuinfo.threads)),
        virtualization: Some(kvm.virtualization()),
    });
    facts.cpu_model = cpuinfo.model.clone();
    facts.memory = memory;
    facts.disks = disks;
    facts.nics = network::collect_nics(root);
    facts.hostname = hostname(root);
    facts.default_route_link = network::default_route_link(root);
    // Addresses are asked of the kernel, so only on the live system.
    facts.primary_address =
        facts.default_route_link.as_deref().filter(|_| root.is_live()).and_then(network::ipv4_of_link);
    facts.kernel = release;
    facts.os = os;
    facts.kvm = kvm;
    facts.modules = modules;
    facts.ipv6_disabled = root.read("/proc/cmdline").ok().map(|c| kernel::ipv6_disabled(&c));
    facts.swap = root.read("/proc/swaps").ok().map(|t| kernel::parse_swaps(&t));
    facts.time_sync = clock::collect(root.is_live());
    facts.product_uuid = product_uuid;
    facts.machine_id = root.read_trimmed("/etc/machine-id");
    facts.listening = sockets::collect(root);
    facts.etcd_path = Some(options.etcd_path.clone());
    match etcd_disk {
        Ok(d) => facts.etcd_disk = Some(d),
        Err(why) => {
            facts.unreadable.insert("etcdDisk".into(), why.to_string());
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memtotal() {
        assert_eq!(parse_meminfo("MemTotal:       32780744 kB\nMemFree: 1 kB\n"), Some(ByteSize::kib(32_780_744)));
        assert_eq!(parse_meminfo("nothing"), None);
    }

    #[test]
    fn this_machine_is_read_quickly_and_completely() {
        let facts = collect(&Root::new("/"), &CollectOptions::default());
        assert!(facts.cpu.is_some() && facts.memory.is_some() && facts.kernel.is_some());
    }
}
