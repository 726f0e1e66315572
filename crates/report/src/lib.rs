//! Renderers: reports and the catalog as text for people, JSON for
//! machines and Markdown for the docs. They take data and return strings;
//! deciding where output goes and whether it is a terminal is the caller's.

pub mod catalog;
pub mod firewall;
pub mod host;
pub mod json;
pub mod net;
pub mod plan;
pub mod style;
pub mod text;

pub use style::Paint;
pub use text::TextOptions;
