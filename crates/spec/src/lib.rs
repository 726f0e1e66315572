//! The Kube-V deployment spec as data: the port matrix of the page (which
//! component listens where, on which network, who must reach it, when the
//! row applies, and where upstream differs from the page), and what it
//! asks of a given inventory.
//!
//! This crate is pure and depends on the model only, so every reader of
//! the matrix (the rules that judge it, the network checks that probe it,
//! the renderers that print it or open it in a firewall) shares one table
//! without depending on each other: the I/O crate `kubev-ha-net` needs
//! neither the rule catalog nor the HA simulation to know what to probe.
//!
//! The public API is what this root re-exports; the modules are private.
//! - The rows ([`PORT_MATRIX`], [`PortRule`]) and the notes
//!   ([`MATRIX_NOTES`]).
//! - [`Features`]: which conditional rows an inventory turns on.
//! - [`Protocol`]: TCP, UDP and VRRP (the model's type, re-exported).
//! - [`targets_from`], [`listening_for`]: the (node, port, protocol) a node
//!   must reach, and what a responder listens on.
//! - [`matrix_cells`]: the N×N matrix cells of `net matrix`, from an
//!   inventory and the measured probes.
//! - [`AUDIT_READS`]: every request `kubev-ha audit` makes of the
//!   Kubernetes API (list and get only), which `render rbac` grants.

#![warn(missing_docs, unreachable_pub)]

mod cells;
mod features;
mod matrix;
mod reads;
mod targets;

#[cfg(test)]
mod fixtures;

pub use cells::matrix_cells;
pub use features::{Features, UnknownFeature, When};
pub use kubev_ha_model::Protocol;
pub use matrix::{ListensOn, MATRIX_NOTES, PORT_MATRIX, Peer, PortNetwork, PortRule};
pub use reads::{AUDIT_READS, ApiRead, ApiVerb};
pub use targets::{ProbeTarget, listening_for, targets_from};
