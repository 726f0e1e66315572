//! The HA planner: what happens when a node, or a whole zone, dies, and
//! how long maintenance takes, by simulation.
//!
//! [`plan()`] flattens an inventory into a [`Cluster`], places the VMs as
//! the default Kubernetes scheduler would ([`initial_placement`]), then removes
//! each worker, each set of tolerated workers, each failure domain and each
//! set of tolerated domains, and re-places what KubeVirt restarts
//! ([`Simulator`]). Verdicts are "fits", "cannot fit" (proven by a lower
//! bound) or "not found by the heuristic"; the simulation never claims a
//! proof it does not have, and a pass over sampled sets of failures is
//! reported as such, not as a pass. etcd quorum under lost domains is
//! arithmetic ([`quorum()`], [`fault_tolerance`]). Everything here is pure and deterministic: the
//! same inventory gives the same plan, bit for bit.

#![warn(missing_docs, unreachable_pub)]

mod cluster;
mod drain;
mod eviction;
mod failover;
mod generate;
mod placement;
mod plan;
mod quorum;
mod resources;
mod scenarios;
mod storage;

// The public API is these re-exports; callers name items by the crate root
// (`kubev_ha_plan::DrainPlan`), never by a module path, so modules can move.

// The whole plan and its verdicts.
pub use plan::{DomainUsage, EtcdOutcome, HaVerdict, HostUsage, Plan, PlanOptions, ScenarioResult, Status, plan};
pub use scenarios::{Sampling, ScenarioKind, Selection, SetLimits};

// The simulation's pieces, for callers that run one step alone.
pub use cluster::{CannotSimulate, Cluster, EtcdMember, Group, Host, HostId, LivePlacement, Vm, VmId};
pub use failover::{Bound, Failover, Fit, Simulator};
pub use placement::{NO_HOST, Placement, initial_placement};
pub use resources::{Assumptions, MissingFact, Res};

// Drains, evictions, storage and etcd quorum, which the rules also judge by.
pub use drain::{
    DEFAULT_COMPLETION_TIMEOUT_PER_GIB, DEFAULT_PARALLEL_OUTBOUND_PER_NODE, DEFAULT_PARALLEL_PER_CLUSTER,
    DEFAULT_PROGRESS_TIMEOUT, DomainDrain, DrainPlan, HostDrain, MigrationLimits, MigrationPath, OverBudget, goodput,
};
pub use eviction::{Eviction, Migratable, OnDrain, eviction_of};
pub use quorum::{fault_tolerance, quorum};
pub use storage::{CapacityOutcome, ClassUnderFailure, ReplicaOutcome, storage_under_failure};

// Synthetic inventories for benchmarks.
pub use generate::{Shape, generate};
