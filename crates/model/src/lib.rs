//! The fact model of kubev-ha.
//!
//! Everything the rules judge is described here: the declared
//! [`Inventory`], Kube-V's own [`KubeVCluster`] manifest mapped onto it, the
//! quantities both are written in, and [`Facts`], the bundle the rule
//! engine reads. Reading files with positions lives in [`load`]; nothing
//! in this crate opens a socket or judges a requirement.

pub mod error;
pub mod facts;
pub mod host;
pub mod input;
pub mod inventory;
pub mod kubev_cluster;
pub mod kubevirt_version;
pub mod load;
pub mod location;
pub mod measure;
pub mod quantity;
pub mod schema;
pub mod suggest;
pub mod url;
pub mod validate;
pub mod write;

pub use error::{InputError, LoadError, Problem, chain, panic_message};
pub use facts::Facts;
pub use input::{DEFAULT_MAX_INPUT, read_input};
pub use inventory::*;
pub use kubev_cluster::KubeVCluster;
pub use load::{LoadedInventory, SourceFormat, load_file, load_input, parse_bytes, parse_str};
pub use location::{Located, SourcePos};
pub use quantity::{ByteSize, Count, Interval, LinkSpeed, QuantityError, Ratio};
