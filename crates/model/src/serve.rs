//! What `kubev-ha net serve`'s responder took on a node and how its run
//! went. The responder (in the net crate) fills these; `net matrix` reads
//! them back from each node as JSON, and the report crate renders them, so
//! they live in the model that both depend on.

use std::net::IpAddr;

use serde::Serialize;

use crate::Protocol;

/// What the responder could and could not take.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServeReport {
    /// The node it answers as (its inventory name).
    pub node: String,
    /// This host's addresses (so a peer can pick the one on the migration network).
    pub addresses: Vec<IpAddr>,
    /// The ports it listens on.
    pub listening: Vec<Listened>,
    /// The ports it could not take (something else holds them, or no permission).
    pub taken: Vec<Taken>,
    /// The port of the bandwidth sink, when one was asked for.
    pub bandwidth_port: Option<u16>,
    /// Connections served at once: `max_conns`, or less when the open-file
    /// limit leaves less room.
    #[serde(default)]
    pub max_conns: usize,
}

/// A port the responder listens on, for the component of the matrix that needs it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Listened {
    /// The port.
    pub port: u16,
    /// Its protocol.
    pub protocol: Protocol,
    /// The matrix row's component (`etcd peer`, `kubelet API`).
    pub component: String,
}

/// A port the responder could not take.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Taken {
    /// The port.
    pub port: u16,
    /// Its protocol.
    pub protocol: Protocol,
    /// The matrix row's component.
    pub component: String,
    /// The process holding it, when /proc tells (`sshd (pid 812)`).
    pub holder: Option<String>,
    /// Why the bind failed, as the operating system said.
    pub error: String,
}

impl Taken {
    /// The measurement the rules judge: this port, on `node`.
    pub fn on_node(&self, node: &str) -> crate::measure::TakenPort {
        crate::measure::TakenPort {
            node: node.to_string(),
            port: self.port,
            protocol: self.protocol.to_string(),
            component: self.component.clone(),
            holder: self.holder.clone(),
            error: self.error.clone(),
        }
    }
}

/// Statistics of a finished run.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServeStats {
    /// TCP connections served.
    pub connections: u64,
    /// Connections closed at once because `max_conns` were being served.
    pub refused_over_limit: u64,
    /// UDP probes answered.
    pub datagrams_answered: u64,
    /// Bytes the bandwidth sink read and discarded.
    pub bandwidth_bytes: u64,
}
