//! The inventory's JSON Schema, generated from the same types the reader
//! uses, so editors validate exactly what the tool accepts.

use crate::inventory::Inventory;

/// The JSON Schema (draft 2020-12) of `kind: Inventory` files.
pub fn inventory_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Inventory);
    let mut value = schema.to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert("$id".into(), "https://kubev-ha.dev/schema/inventory-v1alpha1.json".into());
    }
    value
}
