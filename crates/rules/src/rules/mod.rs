//! The rule functions, one module per area. Each is pure: facts in,
//! findings out.

pub mod control_plane;
mod floors;
pub mod ha;
pub mod host;
pub mod network;
pub mod storage;
pub mod workers;
