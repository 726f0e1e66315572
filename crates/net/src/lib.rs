//! Network verification: the port matrix, path MTU, DNS and bandwidth
//! between real hosts.
//!
//! A [`responder`] stands in for the components on each node before
//! install; [`probe`] checks every (node, port, protocol) a node must reach
//! and classifies the answer; [`mtu`], [`dns`] and [`bandwidth`] measure the
//! rest; [`resolve`] looks names up under a deadline. All of it is
//! bounded: deadlines on every operation, limits on
//! connections in flight, and a responder that stops by itself.

pub mod bandwidth;
pub mod check;
pub mod dns;
pub mod holders;
pub mod matrix;
pub mod mtu;
pub mod probe;
pub mod resolve;
pub mod responder;
pub mod wire;
