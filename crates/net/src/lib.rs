//! Network verification: the port matrix, path MTU, DNS and bandwidth
//! between real hosts.
//!
//! A responder ([`bind`], [`serve`]) stands in for the components on each
//! node before install; [`check_from`] probes every (node, port, protocol)
//! a node must reach, classifies the answer and measures path MTU and DNS;
//! [`run_matrix`] does that from every node over SSH; [`measure`] sends
//! bandwidth streams to a responder's sink. All of it is bounded:
//! deadlines on every operation (names are looked up under one too),
//! limits on connections in flight, and a responder that stops by itself.

#![warn(missing_docs, unreachable_pub)]

mod bandwidth;
mod check;
mod dns;
mod holders;
mod matrix;
mod mtu;
mod probe;
mod resolve;
mod responder;
mod wire;

// The public API is these re-exports; callers name them by the crate root
// (`kubev_ha_net::ServeOptions`), never by a module path, so modules can
// move.

// `net serve`: the responder.
pub use responder::{ServeOptions, bind, serve};

// `net check`: everything one node must reach, measured from it.
pub use check::{CheckOptions, check_from};
pub use probe::ProbeOptions;

// `net matrix`: the checks from every node over SSH.
pub use matrix::{MatrixOptions, Progress, run_matrix};

// `net bandwidth`: streams to a responder's sink.
pub use bandwidth::{BandwidthError, Throughput, measure, sink_address};
pub use resolve::ResolveError;
pub use wire::BANDWIDTH_PORT;

// What /etc/hosts says, to tell an answer from it from a DNS server's.
pub use dns::HostsFile;
