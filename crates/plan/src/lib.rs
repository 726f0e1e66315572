//! The HA planner: what happens when a node, or a whole zone, dies, and
//! how long maintenance takes, by simulation.
//!
//! [`plan()`] flattens an inventory into a [`Cluster`], places the VMs as
//! the default Kubernetes scheduler would ([`placement`]), then removes
//! each worker, each set of tolerated workers, each failure domain and each
//! set of tolerated domains, and re-places what KubeVirt restarts
//! ([`failover`]). Verdicts are "fits", "cannot fit" (proven by a lower
//! bound) or "not found by the heuristic"; the simulation never claims a
//! proof it does not have, and a pass over sampled sets of failures is
//! reported as such, not as a pass. etcd quorum under lost domains is
//! arithmetic ([`quorum`]). Everything here is pure and deterministic: the
//! same inventory gives the same plan, bit for bit.

pub mod cluster;
pub mod drain;
pub mod eviction;
pub mod failover;
pub mod generate;
pub mod placement;
pub mod plan;
pub mod quorum;
pub mod resources;
pub mod scenarios;
pub mod storage;

pub use cluster::{CannotSimulate, Cluster};
pub use eviction::{Eviction, Migratable, OnDrain, eviction_of};
pub use failover::{Bound, Fit};
pub use plan::{HaVerdict, Plan, PlanOptions, ScenarioResult, Status, plan};
pub use scenarios::SetLimits;
