//! The kernel: its version, its command line, its modules, swap.

use std::collections::BTreeMap;

use kubev_ha_model::host::ModuleState;

use crate::root::Root;

/// The modules Kube-OVN, kube-proxy and KubeVirt need: openvswitch and
/// geneve for the overlay, ip_tables and iptable_nat for kube-proxy, tun
/// and vhost_net for virtio networking.
pub const REQUIRED_MODULES: [&str; 6] = ["geneve", "openvswitch", "ip_tables", "iptable_nat", "vhost_net", "tun"];

/// Module names compare with `-` and `_` as the same character.
fn normalise(name: &str) -> String {
    name.replace('-', "_")
}

/// The names of loaded modules, from /proc/modules.
pub fn loaded_modules(root: &Root) -> Vec<String> {
    root.read("/proc/modules")
        .map(|t| t.lines().filter_map(|l| l.split_whitespace().next()).map(normalise).collect())
        .unwrap_or_default()
}

/// The module name in a modules.dep or modules.builtin path.
fn module_name(path: &str) -> Option<String> {
    let file = path.rsplit('/').next()?;
    let stem = file.split(".ko").next()?;
    Some(normalise(stem))
}

/// How each required module is present. `None` states mean the module
/// tree was unreadable, so "missing" cannot be told from "not shipped".
pub fn module_states(root: &Root, release: Option<&str>, loaded: &[String]) -> BTreeMap<String, ModuleState> {
    let dir = release.map(|r| format!("/lib/modules/{r}"));
    let builtin: Option<Vec<String>> = dir
        .as_ref()
        .and_then(|d| root.read(&format!("{d}/modules.builtin")).ok())
        .map(|t| t.lines().filter_map(module_name).collect());
    let shipped: Option<Vec<String>> = dir
        .as_ref()
        .and_then(|d| root.read(&format!("{d}/modules.dep")).ok())
        .map(|t| t.lines().filter_map(|l| l.split(':').next()).filter_map(module_name).collect());
    REQUIRED_MODULES
        .iter()
        .map(|&m| {
            let state = if loaded.iter().any(|l| l == m) {
                ModuleState::Loaded
            } else if builtin.as_ref().is_some_and(|b| b.iter().any(|x| x == m)) {
                ModuleState::BuiltIn
            } else if shipped.as_ref().is_some_and(|s| s.iter().any(|x| x == m)) {
                ModuleState::Available
            } else if builtin.is_none() && shipped.is_none() {
                ModuleState::Unknown
            } else {
                ModuleState::Missing
            };
            (m.to_string(), state)
        })
        .collect()
}

/// Whether the command line disables IPv6 (`ipv6.disable=1`).
pub fn ipv6_disabled(cmdline: &str) -> bool {
    cmdline.split_whitespace().any(|arg| arg == "ipv6.disable=1")
}

/// Active swap areas from /proc/swaps (the header line skipped).
pub fn parse_swaps(text: &str) -> Vec<String> {
    text.lines().skip(1).filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect()
}

/// (major, minor) of a kernel release such as `6.1.0-27-amd64`.
pub fn kernel_version(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_versions() {
        assert_eq!(kernel_version("6.1.0-27-amd64"), Some((6, 1)));
        assert_eq!(kernel_version("4.18.0-513.el8.x86_64"), Some((4, 18)));
        assert_eq!(kernel_version("garbage"), None);
    }

    #[test]
    fn command_line_and_swap() {
        assert!(ipv6_disabled("BOOT_IMAGE=/vmlinuz root=/dev/vda1 ipv6.disable=1 quiet"));
        assert!(!ipv6_disabled("ipv6.disable=0"));
        assert_eq!(
            parse_swaps("Filename Type Size Used Priority\n/dev/vda3 partition 2097148 0 -2\n"),
            vec!["/dev/vda3"]
        );
        assert!(parse_swaps("Filename Type Size Used Priority\n").is_empty());
    }

    #[test]
    fn module_paths() {
        assert_eq!(module_name("kernel/net/openvswitch/openvswitch.ko.zst").as_deref(), Some("openvswitch"));
        assert_eq!(module_name("kernel/drivers/net/tun.ko").as_deref(), Some("tun"));
    }
}
