//! [`Facts`]: everything known about one deployment, whichever source it
//! came from. Rules read only this.

use crate::inventory::Inventory;
use crate::load::{LoadedInventory, SourceFormat};

/// What the rules judge: the declared (or probed and merged) inventory,
/// and where it came from.
#[derive(Debug, Clone)]
pub struct Facts {
    pub inventory: Inventory,
    /// The file the facts were read from, as the user named it.
    pub source_name: String,
    pub format: SourceFormat,
    /// Remarks from reading the facts (ignored manifest keys, say) that the
    /// report passes on.
    pub notes: Vec<String>,
}

impl Facts {
    pub fn from_inventory(inventory: Inventory, source_name: impl Into<String>) -> Self {
        Facts { inventory, source_name: source_name.into(), format: SourceFormat::Inventory, notes: vec![] }
    }
}

impl From<LoadedInventory> for Facts {
    fn from(loaded: LoadedInventory) -> Self {
        let notes = loaded.warnings.iter().map(|w| w.render(&loaded.source_name)).collect();
        Facts { inventory: loaded.inventory, source_name: loaded.source_name, format: loaded.format, notes }
    }
}
