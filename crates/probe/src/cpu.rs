//! CPU facts from /proc/cpuinfo: logical CPUs, physical cores, vendor,
//! model, and the vmx/svm flag (a hint only: see kvm.rs).

use std::collections::BTreeSet;

/// What /proc/cpuinfo says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CpuInfo {
    /// Logical CPUs: the `processor` entries.
    pub threads: u32,
    /// Distinct (physical id, core id) pairs; `None` when the kernel does
    /// not report topology (some VMs, some architectures).
    pub cores: Option<u32>,
    /// `vendor_id` of the first CPU (`GenuineIntel`, `AuthenticAMD`).
    pub vendor: Option<String>,
    /// `model name` of the first CPU.
    pub model: Option<String>,
    /// `vmx` or `svm` when the flag is present on the first CPU.
    pub virt_flag: Option<String>,
}

/// Reads /proc/cpuinfo's text; a text without `processor` entries gives zero threads.
pub(crate) fn parse_cpuinfo(text: &str) -> CpuInfo {
    let mut info = CpuInfo::default();
    let mut cores: BTreeSet<(String, String)> = BTreeSet::new();
    let mut topology_complete = true;
    for block in text.split("\n\n").filter(|b| b.lines().any(|l| l.starts_with("processor"))) {
        info.threads += 1;
        let field = |name: &str| {
            block.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
        };
        match (field("physical id"), field("core id")) {
            (Some(p), Some(c)) => {
                cores.insert((p, c));
            }
            _ => topology_complete = false,
        }
        if info.threads == 1 {
            info.vendor = field("vendor_id");
            info.model = field("model name");
            if let Some(flags) = field("flags") {
                let flags: Vec<&str> = flags.split_whitespace().collect();
                info.virt_flag = ["vmx", "svm"].iter().find(|f| flags.contains(f)).map(|f| f.to_string());
            }
        }
    }
    info.cores = (topology_complete && !cores.is_empty()).then_some(cores.len() as u32);
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu(n: u32, phys: u32, core: u32, flags: &str) -> String {
        format!(
            "processor\t: {n}\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU\nphysical id\t: {phys}\ncore id\t\t: {core}\nflags\t\t: fpu {flags} sse\n"
        )
    }

    #[test]
    fn counts_threads_and_cores() {
        let text = [cpu(0, 0, 0, "vmx"), cpu(1, 0, 1, "vmx"), cpu(2, 0, 0, "vmx"), cpu(3, 0, 1, "vmx")].join("\n");
        let info = parse_cpuinfo(&text);
        assert_eq!((info.threads, info.cores), (4, Some(2)));
        assert_eq!(info.virt_flag.as_deref(), Some("vmx"));
        assert_eq!(info.vendor.as_deref(), Some("GenuineIntel"));
    }

    #[test]
    fn no_topology_means_unknown_cores() {
        let info = parse_cpuinfo("processor\t: 0\nflags\t: fpu\n\nprocessor\t: 1\nflags\t: fpu\n");
        assert_eq!((info.threads, info.cores, info.virt_flag), (2, None, None));
    }
}
