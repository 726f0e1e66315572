//! Listening TCP and bound UDP ports from /proc/net/{tcp,tcp6,udp,udp6}.

use std::collections::BTreeSet;

use kubev_ha_model::host::{ListenProtocol, Listening};

use crate::root::Root;

/// TCP_LISTEN and, for UDP, TCP_CLOSE (an unconnected bound socket), as
/// the kernel numbers socket states (include/net/tcp_states.h).
const TCP_LISTEN: &str = "0A";
const UDP_UNCONNECTED: &str = "07";

/// Local ports in the given state, from one /proc/net table.
pub fn parse_table(text: &str, state: &str) -> BTreeSet<u16> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local = fields.get(1)?;
            let st = fields.get(3)?;
            (*st == state).then_some(())?;
            let port = local.rsplit(':').next()?;
            u16::from_str_radix(port, 16).ok()
        })
        .collect()
}

pub fn collect(root: &Root) -> Vec<Listening> {
    let mut out = BTreeSet::new();
    for (file, protocol, state) in [
        ("/proc/net/tcp", ListenProtocol::Tcp, TCP_LISTEN),
        ("/proc/net/tcp6", ListenProtocol::Tcp, TCP_LISTEN),
        ("/proc/net/udp", ListenProtocol::Udp, UDP_UNCONNECTED),
        ("/proc/net/udp6", ListenProtocol::Udp, UDP_UNCONNECTED),
    ] {
        if let Ok(text) = root.read(file) {
            out.extend(parse_table(&text, state).into_iter().map(|port| Listening { protocol, port }));
        }
    }
    out.into_iter().collect()
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
        assert_eq!(parse_table(text, TCP_LISTEN).into_iter().collect::<Vec<_>>(), vec![22]);
    }
}
