//! NICs from /sys/class/net: speed (unknown, not 0, when the kernel says
//! -1 or refuses the read, as virtual links do), MTU, state and MAC;
//! loopback skipped, virtual links marked.

use kubev_ha_model::LinkSpeed;
use kubev_ha_model::host::HostNic;

use crate::root::{ReadError, Root};

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
