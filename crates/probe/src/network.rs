//! Links from /sys/class/net: speed (unknown, not 0, when the kernel says
//! -1 or refuses the read, as virtual links do), MTU, state and MAC, and
//! what kind each is: a physical port, a bond with its slaves, a VLAN on
//! its lower link, a bridge with its ports, a veth, a tunnel. Loopback is
//! skipped; nothing else is, so declared NICs can be matched against bonds
//! and VLANs, and a node in a network namespace still shows its veth.

use kubev_ha_model::LinkSpeed;
use kubev_ha_model::{HostNic, LinkKind};

use crate::root::{ReadError, Root};

/// The link of the default IPv4 route, from /proc/net/route (destination
/// and mask 00000000); the lowest metric wins, as the kernel's choice does.
pub(crate) fn default_route_link(root: &Root) -> Option<String> {
    let text = root.read("/proc/net/route").ok()?;
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
            (f.len() >= 8 && f[1] == "00000000" && f[7] == "00000000")
                .then(|| (f[6].parse::<u32>().unwrap_or(u32::MAX), f[0].to_string()))
        })
        .min()
        .map(|(_, link)| link)
}

/// The first IPv4 address of `link` on the running system (getifaddrs);
/// `None` when it has none or cannot be asked.
pub(crate) fn ipv4_of_link(link: &str) -> Option<std::net::IpAddr> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` with a linked list we free below; we
    // read each entry only while the list is alive.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return None;
    }
    let mut found = None;
    let mut entry = list;
    while !entry.is_null() && found.is_none() {
        // SAFETY: entry is a node of the list getifaddrs returned.
        let ifa = unsafe { &*entry };
        if !ifa.ifa_addr.is_null() && !ifa.ifa_name.is_null() {
            // SAFETY: ifa_name is a NUL-terminated string owned by the list.
            let name = unsafe { std::ffi::CStr::from_ptr(ifa.ifa_name) };
            // SAFETY: ifa_addr is non-null and points to a sockaddr.
            let family = unsafe { (*ifa.ifa_addr).sa_family } as i32;
            if name.to_bytes() == link.as_bytes() && family == libc::AF_INET {
                // SAFETY: an AF_INET address is a sockaddr_in.
                let sin = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
                found = Some(std::net::IpAddr::V4(std::net::Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))));
            }
        }
        entry = ifa.ifa_next;
    }
    // SAFETY: list came from getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(list) };
    found
}

/// Every link but loopback, each with its kind and how it relates to the
/// others: a bond's slaves, a bridge's ports, a VLAN's lower link, the
/// master a link is enslaved to. Virtual links are kept: a node's traffic
/// often leaves by a bond or a VLAN, and in a container or a network
/// namespace by a veth, and the rules match declared NICs against them.
pub(crate) fn collect_nics(root: &Root) -> Vec<HostNic> {
    let vlans = root.read("/proc/net/vlan/config").map(|t| parse_vlan_config(&t)).unwrap_or_default();
    root.list("/sys/class/net")
        .into_iter()
        .filter(|name| name != "lo")
        .map(|name| {
            let base = format!("/sys/class/net/{name}");
            let uevent = root.read(&format!("{base}/uevent")).unwrap_or_default();
            let devtype = uevent.lines().find_map(|l| l.strip_prefix("DEVTYPE=")).map(str::trim).map(str::to_string);
            let virtual_link =
                root.exists(&format!("/sys/devices/virtual/net/{name}")) || root.exists(&format!("{base}/bridge"));
            let vlan = vlans.iter().find(|v| v.name == name);
            let kind = link_kind(root, &base, &name, devtype.as_deref(), virtual_link, vlan.is_some());
            // Mb/s; -1 (unknown duplex/link down) and EINVAL (virtual links)
            // mean "unknown", never a speed of 0.
            let speed = match root.read(&format!("{base}/speed")) {
                Ok(text) => text.trim().parse::<i64>().ok().filter(|s| *s > 0).map(|mbps| LinkSpeed::mbps(mbps as u64)),
                Err(ReadError::Invalid | ReadError::NotFound | ReadError::PermissionDenied | ReadError::Other(_)) => {
                    None
                }
            };
            let members = match kind {
                LinkKind::Bond => root
                    .read(&format!("{base}/bonding/slaves"))
                    .map(|t| t.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
                LinkKind::Bridge => root.list(&format!("{base}/brif")),
                _ => vec![],
            };
            // A VLAN's lower link: /proc/net/vlan/config names it; sysfs has a
            // `lower_NAME` entry for it too (also where the 8021q proc file
            // is absent, as in a network namespace).
            let lower = vlan.map(|v| v.lower.clone()).or_else(|| {
                (kind == LinkKind::Vlan)
                    .then(|| root.list(&base).into_iter().find_map(|e| e.strip_prefix("lower_").map(str::to_string)))
                    .flatten()
            });
            HostNic {
                speed,
                mtu: root.read_trimmed(&format!("{base}/mtu")).and_then(|m| m.parse().ok()),
                operstate: root.read_trimmed(&format!("{base}/operstate")),
                mac: root.read_trimmed(&format!("{base}/address")),
                virtual_link: kind != LinkKind::Physical,
                kind,
                master: link_target(root, &format!("{base}/master")),
                members,
                lower,
                vlan_id: vlan.map(|v| v.id),
                permanent_mac: root.read_trimmed(&format!("{base}/bonding_slave/perm_hwaddr")),
                name,
            }
        })
        .collect()
}

/// The kind of link, from what sysfs shows of it: the driver's directories
/// (`bonding/`, `bridge/`), the `DEVTYPE` of its uevent (set by the bond,
/// bridge, VLAN, Geneve and VXLAN drivers, among others), and for a veth,
/// which sets no DEVTYPE, a peer (`iflink`) other than itself.
fn link_kind(
    root: &Root,
    base: &str,
    name: &str,
    devtype: Option<&str>,
    virtual_link: bool,
    in_vlan_config: bool,
) -> LinkKind {
    if root.exists(&format!("{base}/bonding")) || devtype == Some("bond") {
        return LinkKind::Bond;
    }
    if root.exists(&format!("{base}/bridge")) || devtype == Some("bridge") {
        return LinkKind::Bridge;
    }
    if in_vlan_config || devtype == Some("vlan") {
        return LinkKind::Vlan;
    }
    let tunnel_devtype =
        matches!(devtype, Some("geneve" | "vxlan" | "gre" | "gretap" | "ip6gre" | "ipip" | "sit" | "stt"));
    let tunnel_name = ["genev_sys_", "vxlan_sys_", "stt_sys_", "gre_sys"].iter().any(|p| name.starts_with(p));
    if virtual_link && (tunnel_devtype || tunnel_name) {
        return LinkKind::Tunnel;
    }
    if !virtual_link {
        return LinkKind::Physical;
    }
    let number = |file: &str| root.read_trimmed(&format!("{base}/{file}")).and_then(|v| v.parse::<u32>().ok());
    match (devtype, number("ifindex"), number("iflink")) {
        (None, Some(index), Some(peer)) if peer != index && peer != 0 => LinkKind::Veth,
        _ => LinkKind::Virtual,
    }
}

/// The name a sysfs link points to (`master -> ../bond0` gives `bond0`).
fn link_target(root: &Root, rel: &str) -> Option<String> {
    let target = std::fs::read_link(root.path(rel)).ok()?;
    target.file_name()?.to_str().map(str::to_string)
}

/// One line of /proc/net/vlan/config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VlanEntry {
    /// The VLAN link's name.
    pub name: String,
    /// The VLAN ID.
    pub id: u16,
    /// The link it sits on.
    pub lower: String,
}

/// /proc/net/vlan/config: two header lines ("VLAN Dev name | VLAN ID" and
/// "Name-Type: ..."), then `NAME | ID | LOWER` per VLAN.
pub(crate) fn parse_vlan_config(text: &str) -> Vec<VlanEntry> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('|').map(str::trim).collect();
            match fields.as_slice() {
                [name, id, lower] if !name.is_empty() && !lower.is_empty() => {
                    Some(VlanEntry { name: name.to_string(), id: id.parse().ok()?, lower: lower.to_string() })
                }
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_route_by_lowest_metric() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("proc/net")).unwrap();
        std::fs::write(
            dir.path().join("proc/net/route"),
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
             wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n\
             eno1\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n\
             eno1\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n",
        )
        .unwrap();
        assert_eq!(default_route_link(&Root::new(dir.path())).as_deref(), Some("eno1"));
        std::fs::write(dir.path().join("proc/net/route"), "Iface\tDestination\n").unwrap();
        assert_eq!(default_route_link(&Root::new(dir.path())), None);
    }

    #[test]
    fn vlan_config_lines() {
        let text = "VLAN Dev name\t | VLAN ID\nName-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\n\
                    bond0.100      | 100  | bond0\nbond0.200      | 200  | bond0\n";
        assert_eq!(
            parse_vlan_config(text),
            vec![
                VlanEntry { name: "bond0.100".into(), id: 100, lower: "bond0".into() },
                VlanEntry { name: "bond0.200".into(), id: 200, lower: "bond0".into() },
            ]
        );
        assert!(parse_vlan_config("garbage | x | y\n").is_empty());
    }

    #[test]
    fn loopback_has_its_address() {
        assert_eq!(ipv4_of_link("lo"), Some(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)));
        assert_eq!(ipv4_of_link("no-such-link"), None);
    }
}
