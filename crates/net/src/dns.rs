//! Name resolution as the node sees it: does every node name resolve to
//! the address the inventory declares? And is the NodeLocal DNSCache
//! address already bound here?

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use kubev_ha_model::measure::DnsCheck;

/// Resolves `name` with the system resolver, within `timeout`.
pub async fn check_name(from: &str, name: &str, expected: &str, timeout: Duration) -> DnsCheck {
    let lookup = tokio::net::lookup_host((name, 0));
    let (resolved, matches, detail) = match tokio::time::timeout(timeout, lookup).await {
        Err(_) => (vec![], None, format!("no answer within {} ms", timeout.as_millis())),
        Ok(Err(e)) => (vec![], Some(false), format!("does not resolve: {e}")),
        Ok(Ok(addrs)) => {
            let mut ips: Vec<String> = addrs.map(|a: SocketAddr| a.ip().to_string()).collect();
            ips.sort();
            ips.dedup();
            let ok = match expected.parse::<IpAddr>() {
                Ok(ip) => ips.contains(&ip.to_string()),
                Err(_) => !ips.is_empty(),
            };
            let detail = if ok {
                format!("resolves to {}", ips.join(", "))
            } else {
                format!("resolves to {}, not {expected}", ips.join(", "))
            };
            (ips, Some(ok), detail)
        }
    };
    DnsCheck { from: from.into(), name: name.into(), expected: expected.into(), resolved, matches, detail }
}

/// Whether `ip` is an address of this host: binding to it succeeds only then.
pub fn is_local_address(ip: IpAddr) -> bool {
    std::net::UdpSocket::bind((ip, 0)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn localhost_resolves() {
        let r = check_name("here", "localhost", "127.0.0.1", Duration::from_secs(5)).await;
        assert_eq!(r.matches, Some(true), "{r:?}");
        assert!(is_local_address("127.0.0.1".parse().unwrap()));
        assert!(!is_local_address("192.0.2.77".parse().unwrap()));
    }
}
