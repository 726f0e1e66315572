//! Renderers: reports and the catalog as text for people, JSON for
//! machines and Markdown for the docs. They take data and return strings;
//! deciding where output goes and whether it is a terminal is the caller's.
//! Every command's output is one [`CommandReport`] rendered by [`render`].

pub mod bandwidth;
pub mod catalog;
pub mod command;
pub mod disk;
pub mod etcd;
pub mod firewall;
pub mod host;
pub mod json;
pub mod net;
pub mod plan;
pub mod serve;
pub mod style;
pub mod text;

pub use command::{
    BandwidthEvidence, CommandReport, DiskEvidence, Evidence, Format, MatrixEvidence, NetworkEvidence, PlanEvidence,
    RenderOptions, ServeEvidence, render,
};
pub use disk::DiskRun;
pub use style::Paint;
pub use text::TextOptions;
