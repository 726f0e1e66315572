//! The rule functions, one module per area. Each is pure: facts in,
//! findings out.

pub(crate) mod control_plane;
mod floors;
pub(crate) mod ha;
pub(crate) mod host;
pub(crate) mod live;
pub(crate) mod network;
pub(crate) mod storage;
pub(crate) mod workers;
