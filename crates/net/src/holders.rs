//! Which process holds a port: the socket's inode from /proc/net, then
//! the process with a descriptor on that inode. Only the processes this
//! user may inspect are seen; for the others the answer is `None`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use kubev_ha_rules::ports::Protocol;

fn inode_of(bind: IpAddr, port: u16, protocol: Protocol) -> Option<String> {
    let (files, state) = match protocol {
        Protocol::Tcp => (["/proc/net/tcp", "/proc/net/tcp6"], "0A"),
        Protocol::Udp => (["/proc/net/udp", "/proc/net/udp6"], "07"),
    };
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(st), Some(inode)) = (f.get(1), f.get(3), f.get(9)) else { continue };
            let Some((address, local_port)) = local.rsplit_once(':') else { continue };
            let local_port = u16::from_str_radix(local_port, 16).ok();
            if local_port == Some(port) && *st == state && *inode != "0" && conflicts(bind, address) {
                return Some(inode.to_string());
            }
        }
    }
    None
}

/// Whether a socket bound to `address` (as /proc/net prints it) is in the
/// way of binding `bind`: the same address, or either one the wildcard. A
/// listener on the same port of another address is not (two responders on
/// 127.0.0.6 and 127.0.0.7 each hold 61003), and naming it would blame
/// the wrong process.
fn conflicts(bind: IpAddr, address: &str) -> bool {
    let Some(local) = proc_net_address(address) else { return true };
    let same = |a: IpAddr, b: IpAddr| match (a, b) {
        (IpAddr::V6(v6), IpAddr::V4(v4)) | (IpAddr::V4(v4), IpAddr::V6(v6)) => v6.to_ipv4_mapped() == Some(v4),
        _ => a == b,
    };
    bind.is_unspecified() || local.is_unspecified() || same(bind, local)
}

/// An address as /proc/net/{tcp,udp}{,6} prints it: the bytes of each
/// 32-bit word in the host's order, in hex.
fn proc_net_address(hex: &str) -> Option<IpAddr> {
    let words: Vec<u32> =
        (0..hex.len() / 8).map(|i| u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok()).collect::<Option<_>>()?;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    match bytes.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]))),
        16 => <[u8; 16]>::try_from(bytes.as_slice()).ok().map(|b| IpAddr::V6(Ipv6Addr::from(b))),
        _ => None,
    }
}

/// `sshd (pid 812)` for the process whose socket keeps `bind`:`port`
/// from being bound, or `None` when it cannot be told.
pub fn holder_of(bind: IpAddr, port: u16, protocol: Protocol) -> Option<String> {
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
        // The wildcard is in the way of it too; another address is not.
        assert!(holder_of("0.0.0.0".parse().unwrap(), port, Protocol::Tcp).is_some());
        assert_eq!(holder_of("127.0.0.2".parse().unwrap(), port, Protocol::Tcp), None);
    }

    #[test]
    fn reads_proc_net_addresses() {
        // As a little-endian kernel prints 127.0.0.7 and ::1.
        if cfg!(target_endian = "little") {
            assert_eq!(proc_net_address("0700007F"), Some("127.0.0.7".parse().unwrap()));
            assert_eq!(proc_net_address("00000000000000000000000001000000"), Some("::1".parse().unwrap()));
        }
        assert_eq!(proc_net_address("00000000"), Some("0.0.0.0".parse().unwrap()));
        assert_eq!(proc_net_address("zz"), None);
    }
}
