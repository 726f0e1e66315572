//! Which process holds a port: the socket's inode from /proc/net, then
//! the process with a descriptor on that inode. Only the processes this
//! user may inspect are seen; for the others the answer is `None`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use kubev_ha_spec::Protocol;

/// The socket inode that keeps `bind:port` from being bound: one on the
/// same address, or either side on the wildcard address. A socket on the
/// same port of another address is no conflict, and not the holder.
fn inode_of(bind: IpAddr, port: u16, protocol: Protocol) -> Option<String> {
    let (files, state) = match protocol {
        Protocol::Tcp => (["/proc/net/tcp", "/proc/net/tcp6"], "0A"),
        Protocol::Udp => (["/proc/net/udp", "/proc/net/udp6"], "07"),
        Protocol::Vrrp => return None,
    };
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(st), Some(inode)) = (f.get(1), f.get(3), f.get(9)) else { continue };
            let Some((address, local_port)) = local.rsplit_once(':') else { continue };
            let local_port = u16::from_str_radix(local_port, 16).ok();
            let conflicts = match proc_address(address) {
                Some(held) => held.is_unspecified() || bind.is_unspecified() || held == bind,
                None => true,
            };
            if local_port == Some(port) && conflicts && *st == state && *inode != "0" {
                return Some(inode.to_string());
            }
        }
    }
    None
}

/// An address as /proc/net/{tcp,udp}{,6} prints it: the raw bytes as
/// 32-bit words in the host's byte order. A v4-mapped IPv6 address is
/// given back as the IPv4 address.
fn proc_address(hex: &str) -> Option<IpAddr> {
    let words: Vec<u32> =
        (0..hex.len() / 8).map(|i| u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok()).collect::<Option<_>>()?;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    match bytes.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]))),
        16 => {
            let v6 = Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?);
            Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4))
        }
        _ => None,
    }
}

/// What holds `port` against a bind to `bind`: `sshd (pid 812)`, or `None`
/// when it cannot be told.
pub(crate) fn holder_of(bind: IpAddr, port: u16, protocol: Protocol) -> Option<String> {
    let inode = inode_of(bind, port, protocol)?;
    let target = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else { continue };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else { continue };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l.to_string_lossy() == target) {
                let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
                return Some(format!("{} (pid {pid})", comm.trim()));
            }
        }
    }
    Some(format!("socket inode {inode}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_our_own_listener() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let holder = holder_of("127.0.0.1".parse().unwrap(), port, Protocol::Tcp).unwrap();
        assert!(holder.contains(&format!("pid {}", std::process::id())), "{holder}");
        assert!(holder_of("0.0.0.0".parse().unwrap(), port, Protocol::Tcp).is_some());
        // The same port on another address holds nothing against this one.
        assert_eq!(holder_of("127.0.0.2".parse().unwrap(), port, Protocol::Tcp), None);
    }

    #[test]
    fn proc_addresses_are_read_in_host_order() {
        let loopback = u32::from_ne_bytes([127, 0, 0, 7]);
        assert_eq!(proc_address(&format!("{loopback:08X}")), Some("127.0.0.7".parse().unwrap()));
        let mapped: String =
            [0u32, 0, u32::from_ne_bytes([0, 0, 0xff, 0xff]), loopback].iter().map(|w| format!("{w:08X}")).collect();
        assert_eq!(proc_address(&mapped), Some("127.0.0.7".parse().unwrap()));
        assert_eq!(proc_address("00000000000000000000000000000000"), Some("::".parse().unwrap()));
    }
}
