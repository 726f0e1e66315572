//! The integration tests: one binary, a module per feature.

mod common;

mod api;
mod audit;
mod cli;
mod cli_snapshots;
mod docs;
mod etcd;
mod host_fixtures;
mod kubectl;
mod kubev_cluster;
mod layering;
mod net;
mod parse_errors;
mod plan;
mod probe;
mod recorded_clusters;
mod robustness;
mod rule_thresholds;
