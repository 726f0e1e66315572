//! The kernel: its version, its command line, its modules, swap.

use std::collections::BTreeMap;

use kubev_ha_model::ModuleState;

use crate::root::Root;

/// The modules Kube-OVN, kube-proxy and KubeVirt need (openvswitch and
/// geneve for the overlay, ip_tables and iptable_nat for kube-proxy, tun
/// and vhost_net for virtio networking), each with its kernel
/// configuration symbol, for kernels that say what they were built with
/// (/boot/config-RELEASE, or /proc/config.gz with CONFIG_IKCONFIG_PROC):
/// `=y` is built in, `=m` a loadable module, "is not set" absent. Symbols
/// from the kernel's Kconfig: net/openvswitch, drivers/net (GENEVE, TUN),
/// net/ipv4/netfilter (IP_NF_IPTABLES, IP_NF_NAT), drivers/vhost
/// (VHOST_NET).
pub(crate) const REQUIRED_MODULES: [(&str, &str); 6] = [
    ("geneve", "CONFIG_GENEVE"),
    ("openvswitch", "CONFIG_OPENVSWITCH"),
    ("ip_tables", "CONFIG_IP_NF_IPTABLES"),
    ("iptable_nat", "CONFIG_IP_NF_NAT"),
    ("vhost_net", "CONFIG_VHOST_NET"),
    ("tun", "CONFIG_TUN"),
];

/// What a kernel configuration says of one option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConfigValue {
    BuiltIn,
    Module,
    NotSet,
}

/// The running kernel's configuration, from /boot/config-RELEASE or
/// /proc/config.gz; `None` when neither is readable.
fn kernel_config(root: &Root, release: Option<&str>) -> Option<String> {
    if let Some(text) = release.and_then(|r| root.read(&format!("/boot/config-{r}")).ok()) {
        return Some(text);
    }
    let gz = root.read_bytes("/proc/config.gz").ok()?;
    let mut text = String::new();
    // Bounded: a kernel config is a few hundred KiB; a corrupt or hostile
    // file must not inflate without limit.
    use std::io::Read;
    flate2::read::GzDecoder::new(gz.as_slice()).take(16 << 20).read_to_string(&mut text).ok()?;
    Some(text)
}

/// `symbol`'s value in a kernel configuration; `None` when the file does
/// not mention it (an option of another architecture, or a newer name).
fn config_value(config: &str, symbol: &str) -> Option<ConfigValue> {
    config.lines().find_map(|line| {
        if let Some(value) = line.strip_prefix(symbol).and_then(|rest| rest.strip_prefix('=')) {
            match value.trim() {
                "y" => Some(ConfigValue::BuiltIn),
                "m" => Some(ConfigValue::Module),
                _ => None,
            }
        } else if line.strip_prefix("# ").and_then(|l| l.strip_prefix(symbol)) == Some(" is not set") {
            Some(ConfigValue::NotSet)
        } else {
            None
        }
    })
}

/// Module names compare with `-` and `_` as the same character.
fn normalise(name: &str) -> String {
    name.replace('-', "_")
}

/// The names of loaded modules, from /proc/modules.
pub(crate) fn loaded_modules(root: &Root) -> Vec<String> {
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

/// How each required module is present, from every piece of evidence the
/// host offers: /proc/modules (loaded), /sys/module/NAME (loaded when it
/// has an `initstate`, built in when not), the module tree's
/// modules.builtin and modules.dep, and the kernel configuration (which
/// is all a monolithic kernel without /lib/modules has). `Unknown` means
/// none of these could be read, so "missing" cannot be told from "not
/// shipped".
pub(crate) fn module_states(root: &Root, release: Option<&str>, loaded: &[String]) -> BTreeMap<String, ModuleState> {
    let config = kernel_config(root, release);
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
        .map(|&(m, symbol)| {
            let in_sys = root.exists(&format!("/sys/module/{m}"));
            let configured = config.as_deref().and_then(|c| config_value(c, symbol));
            let state =
                if loaded.iter().any(|l| l == m) || (in_sys && root.exists(&format!("/sys/module/{m}/initstate"))) {
                    ModuleState::Loaded
                } else if builtin.as_ref().is_some_and(|b| b.iter().any(|x| x == m))
                    || configured == Some(ConfigValue::BuiltIn)
                    || in_sys
                {
                    ModuleState::BuiltIn
                } else if shipped.as_ref().is_some_and(|s| s.iter().any(|x| x == m)) {
                    ModuleState::Available
                } else if configured == Some(ConfigValue::NotSet) {
                    ModuleState::Missing
                } else if configured == Some(ConfigValue::Module) && shipped.is_none() {
                    // Built as a module, but the module tree is unreadable, so
                    // whether the file is installed is not known.
                    ModuleState::Unknown
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
pub(crate) fn ipv6_disabled(cmdline: &str) -> bool {
    cmdline.split_whitespace().any(|arg| arg == "ipv6.disable=1")
}

/// Active swap areas from /proc/swaps (the header line skipped).
pub(crate) fn parse_swaps(text: &str) -> Vec<String> {
    text.lines().skip(1).filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect()
}

/// (major, minor) of a kernel release such as `6.1.0-27-amd64`.
// Only the tests read a release this way; the rules judge the release text.
#[cfg(test)]
fn kernel_version(release: &str) -> Option<(u32, u32)> {
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
    fn kernel_config_decides_for_a_monolithic_kernel() {
        // Like this very machine: no /lib/modules, no /proc/modules, only
        // the configuration in /proc/config.gz.
        let dir = tempfile::tempdir().unwrap();
        let config = "CONFIG_TUN=y\nCONFIG_IP_NF_IPTABLES=y\nCONFIG_IP_NF_NAT=m\n# CONFIG_OPENVSWITCH is not set\n\
                      # CONFIG_GENEVE is not set\nCONFIG_VHOST_NET=m\nCONFIG_GENEVE_EXTRA=y\n";
        std::fs::create_dir_all(dir.path().join("proc")).unwrap();
        let file = std::fs::File::create(dir.path().join("proc/config.gz")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        std::io::Write::write_all(&mut gz, config.as_bytes()).unwrap();
        gz.finish().unwrap();
        std::fs::create_dir_all(dir.path().join("sys/module/vhost_net")).unwrap();
        std::fs::write(dir.path().join("sys/module/vhost_net/initstate"), "live\n").unwrap();

        let states = module_states(&Root::new(dir.path()), Some("6.1.0"), &[]);
        assert_eq!(states["tun"], ModuleState::BuiltIn);
        assert_eq!(states["ip_tables"], ModuleState::BuiltIn);
        assert_eq!(states["openvswitch"], ModuleState::Missing);
        assert_eq!(states["geneve"], ModuleState::Missing, "CONFIG_GENEVE_EXTRA is another option");
        assert_eq!(states["vhost_net"], ModuleState::Loaded, "/sys/module with an initstate is a loaded module");
        assert_eq!(states["iptable_nat"], ModuleState::Unknown, "=m, but whether the file is installed is not known");

        // /boot/config-RELEASE wins over /proc/config.gz.
        std::fs::create_dir_all(dir.path().join("boot")).unwrap();
        std::fs::write(dir.path().join("boot/config-6.1.0"), "CONFIG_OPENVSWITCH=y\n").unwrap();
        let states = module_states(&Root::new(dir.path()), Some("6.1.0"), &[]);
        assert_eq!(states["openvswitch"], ModuleState::BuiltIn);
        assert_eq!(states["tun"], ModuleState::Unknown, "the text config does not mention it");
    }

    #[test]
    fn module_paths() {
        assert_eq!(module_name("kernel/net/openvswitch/openvswitch.ko.zst").as_deref(), Some("openvswitch"));
        assert_eq!(module_name("kernel/drivers/net/tun.ko").as_deref(), Some("tun"));
    }
}
