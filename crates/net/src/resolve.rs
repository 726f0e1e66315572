//! Name resolution under a deadline.
//!
//! The system resolver (getaddrinfo) has no timeout of its own that the
//! caller controls: a name server that does not answer holds it for as
//! long as resolv.conf's attempts and timeouts add up to. Every lookup
//! here runs on tokio's blocking pool and is abandoned when its deadline
//! passes, so a probe or a bandwidth run is bounded by its deadline
//! whatever the name servers do. An address literal needs no resolver and
//! is never handed to one.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Why a host gave no address to connect to.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ResolveError {
    /// The system resolver refused or failed the lookup.
    #[error("cannot resolve {host}")]
    Lookup {
        /// The name as given, brackets removed.
        host: String,
        /// What getaddrinfo said.
        #[source]
        source: std::io::Error,
    },
    /// The lookup succeeded with an empty list.
    #[error("{host} has no address")]
    NoAddress {
        /// The name as given, brackets removed.
        host: String,
    },
    #[error("cannot resolve {host}: no answer within {} ms", deadline.as_millis())]
    #[diagnostic(help("the name servers in /etc/resolv.conf did not answer in time; give an IP address instead"))]
    /// No answer before the deadline; the lookup is abandoned, not waited for.
    Timeout {
        /// The name as given, brackets removed.
        host: String,
        /// The deadline that passed.
        deadline: Duration,
    },
}

/// The first address of `host` (a name, an IP address, or an IPv6 address
/// in brackets) on `port`, within `deadline`.
pub(crate) async fn resolve(host: &str, port: u16, deadline: Duration) -> Result<SocketAddr, ResolveError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    first_address(host, deadline, tokio::net::lookup_host((host.to_string(), port))).await
}

/// The first address `lookup` gives for `host`, or why there is none,
/// without waiting past `deadline`.
async fn first_address<I: Iterator<Item = SocketAddr>>(
    host: &str,
    deadline: Duration,
    lookup: impl Future<Output = std::io::Result<I>>,
) -> Result<SocketAddr, ResolveError> {
    match tokio::time::timeout(deadline, lookup).await {
        Err(_) => Err(ResolveError::Timeout { host: host.to_string(), deadline }),
        Ok(Err(source)) => Err(ResolveError::Lookup { host: host.to_string(), source }),
        Ok(Ok(mut addresses)) => addresses.next().ok_or_else(|| ResolveError::NoAddress { host: host.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_address_literal_needs_no_resolver() {
        let v6 = resolve("[fd00::1]", 5201, Duration::ZERO).await.unwrap();
        assert_eq!(v6, "[fd00::1]:5201".parse().unwrap());
        let v4 = resolve("10.0.0.1", 2379, Duration::ZERO).await.unwrap();
        assert_eq!(v4, "10.0.0.1:2379".parse().unwrap());
    }

    #[tokio::test]
    async fn a_resolver_that_never_answers_is_given_up_at_the_deadline() {
        let hung = std::future::pending::<std::io::Result<std::vec::IntoIter<SocketAddr>>>();
        let result = first_address("etcd-1", Duration::from_millis(20), hung).await;
        assert!(matches!(result, Err(ResolveError::Timeout { ref host, .. }) if host == "etcd-1"), "{result:?}");
    }

    #[tokio::test]
    async fn a_name_the_resolver_refuses_is_a_failure_not_a_hang() {
        // A NUL byte cannot reach getaddrinfo: the lookup fails locally,
        // so this test sends nothing to any name server.
        let result = resolve("no\0such-host", 6443, Duration::from_secs(5)).await;
        match result {
            Err(e @ ResolveError::Lookup { .. }) => {
                assert!(kubev_ha_model::chain(&e).starts_with("cannot resolve no\0such-host: "), "{e:?}")
            }
            other => panic!("expected a lookup failure, got {other:?}"),
        }
        let none = first_address("empty", Duration::from_secs(1), async { Ok(Vec::new().into_iter()) }).await;
        assert!(matches!(none, Err(ResolveError::NoAddress { .. })), "{none:?}");
    }
}
