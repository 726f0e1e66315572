//! NICs from /sys/class/net: speed (unknown, not 0, when the kernel says
//! -1 or refuses the read, as virtual links do), MTU, state and MAC;
//! loopback skipped, virtual links marked.

use kubev_ha_model::LinkSpeed;
use kubev_ha_model::host::HostNic;

use crate::root::{ReadError, Root};

/// The link of the default IPv4 route, from /proc/net/route (destination
/// and mask 00000000); the lowest metric wins, as the kernel's choice does.
pub fn default_route_link(root: &Root) -> Option<String> {
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
pub fn ipv4_of_link(link: &str) -> Option<std::net::IpAddr> {
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

pub fn collect_nics(root: &Root, include_virtual: bool) -> Vec<HostNic> {
    root.list("/sys/class/net")
        .into_iter()
        .filter(|name| name != "lo")
        .map(|name| {
            let base = format!("/sys/class/net/{name}");
            let virtual_link =
                root.exists(&format!("/sys/devices/virtual/net/{name}")) || root.exists(&format!("{base}/bridge"));
            // Mb/s; -1 (unknown duplex/link down) and EINVAL (virtual links)
            // mean "unknown", never a speed of 0.
            let speed = match root.read(&format!("{base}/speed")) {
                Ok(text) => text.trim().parse::<i64>().ok().filter(|s| *s > 0).map(|mbps| LinkSpeed::mbps(mbps as u64)),
                Err(ReadError::Invalid | ReadError::NotFound | ReadError::PermissionDenied | ReadError::Other(_)) => {
                    None
                }
            };
            HostNic {
                speed,
                mtu: root.read_trimmed(&format!("{base}/mtu")).and_then(|m| m.parse().ok()),
                operstate: root.read_trimmed(&format!("{base}/operstate")),
                mac: root.read_trimmed(&format!("{base}/address")),
                virtual_link,
                name,
            }
        })
        .filter(|n| include_virtual || !n.virtual_link)
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
    fn loopback_has_its_address() {
        assert_eq!(ipv4_of_link("lo"), Some(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)));
        assert_eq!(ipv4_of_link("no-such-link"), None);
    }
}
