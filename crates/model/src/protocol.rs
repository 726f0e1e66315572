//! The protocols of the port matrix: TCP and UDP, which have ports, and
//! VRRP, which firewalls admit but nothing can connect to. It lives in the
//! model because measurements (what a responder took) name it too; the
//! spec crate re-exports it beside the matrix.

use std::fmt;

use serde::Serialize;

/// A transport a port of the matrix is reached over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// IP protocol 112 (keepalived's VRRP): no ports, so nothing can
    /// listen for it or probe it by connecting; only firewalls render it.
    Vrrp,
}

impl Protocol {
    /// Whether the protocol has ports that a responder can take and a
    /// prober can connect to.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Vrrp => "vrrp",
        })
    }
}

impl From<crate::host::ListenProtocol> for Protocol {
    fn from(p: crate::host::ListenProtocol) -> Self {
        match p {
            crate::host::ListenProtocol::Tcp => Protocol::Tcp,
            crate::host::ListenProtocol::Udp => Protocol::Udp,
        }
    }
}
