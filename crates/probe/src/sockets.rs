//! Listening TCP and bound UDP ports from /proc/net/{tcp,tcp6,udp,udp6},
//! with whether only loopback addresses hold them.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use kubev_ha_model::{ListenProtocol, Listening};

use crate::root::Root;

/// TCP_LISTEN and, for UDP, TCP_CLOSE (an unconnected bound socket), as
/// the kernel numbers socket states (include/net/tcp_states.h).
const TCP_LISTEN: &str = "0A";
const UDP_UNCONNECTED: &str = "07";

/// The local (address, port) of every socket in the given state, from one
/// /proc/net table. An address that does not parse is `None`, so its
/// socket still counts as listening (just not as loopback).
pub(crate) fn parse_table(text: &str, state: &str) -> Vec<(Option<IpAddr>, u16)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local = fields.get(1)?;
            let st = fields.get(3)?;
            (*st == state).then_some(())?;
            let (address, port) = local.rsplit_once(':')?;
            Some((parse_address(address), u16::from_str_radix(port, 16).ok()?))
        })
        .collect()
}

/// The kernel prints an address as 32-bit words in host byte order
/// (`%08X` of each word of the network-order bytes, net/ipv4/tcp_ipv4.c
/// and net/ipv6/tcp_ipv6.c), so each word's native bytes are the
/// address's bytes.
fn parse_address(hex: &str) -> Option<IpAddr> {
    let word = |i: usize| hex.get(i * 8..i * 8 + 8).and_then(|w| u32::from_str_radix(w, 16).ok()).map(u32::to_ne_bytes);
    match hex.len() {
        8 => Some(IpAddr::V4(Ipv4Addr::from(word(0)?))),
        32 => {
            let mut bytes = [0u8; 16];
            for i in 0..4 {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            Some(IpAddr::V6(Ipv6Addr::from(bytes)))
        }
        _ => None,
    }
}

fn is_loopback(ip: Option<IpAddr>) -> bool {
    match ip {
        Some(IpAddr::V4(v4)) => v4.is_loopback(),
        Some(IpAddr::V6(v6)) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
        None => false,
    }
}

/// The TCP ports listening and the UDP ports bound, from /proc/net/{tcp,tcp6,udp,udp6}, each marked
/// when only loopback addresses hold it.
pub(crate) fn collect(root: &Root) -> Vec<Listening> {
    // (protocol, port) → whether every socket on it is loopback-only.
    let mut ports: BTreeMap<(ListenProtocol, u16), bool> = BTreeMap::new();
    for (file, protocol, state) in [
        ("/proc/net/tcp", ListenProtocol::Tcp, TCP_LISTEN),
        ("/proc/net/tcp6", ListenProtocol::Tcp, TCP_LISTEN),
        ("/proc/net/udp", ListenProtocol::Udp, UDP_UNCONNECTED),
        ("/proc/net/udp6", ListenProtocol::Udp, UDP_UNCONNECTED),
    ] {
        if let Ok(text) = root.read(file) {
            for (address, port) in parse_table(&text, state) {
                let loopback = ports.entry((protocol, port)).or_insert(true);
                *loopback &= is_loopback(address);
            }
        }
    }
    ports.into_iter().map(|((protocol, port), loopback)| Listening { protocol, port, loopback }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_listening_ports() {
        let text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:A0B2 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1
";
        let ports: Vec<u16> = parse_table(text, TCP_LISTEN).into_iter().map(|(_, p)| p).collect();
        assert_eq!(ports, vec![22]);
    }

    #[test]
    fn loopback_listeners_are_told_apart_from_wildcard_ones() {
        // 127.0.0.1 and ::1 as this machine's kernel prints them.
        let v4 = format!("{:08X}", u32::from_ne_bytes([127, 0, 0, 1]));
        let one = u32::from_ne_bytes([0, 0, 0, 1]);
        let v6 = format!("{:08X}{:08X}{:08X}{one:08X}", 0, 0, 0);
        assert!(is_loopback(parse_address(&v4)));
        assert!(is_loopback(parse_address(&v6)));
        assert!(!is_loopback(parse_address("00000000")));
        assert!(!is_loopback(parse_address(&format!("{:08X}", u32::from_ne_bytes([10, 0, 0, 1])))));
        assert!(!is_loopback(parse_address("zz")));
    }
}
