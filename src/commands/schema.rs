//! `kubev-ha schema`: the inventory's JSON Schema.

use super::Outcome;

pub fn run() -> miette::Result<Outcome> {
    let schema = kubev_ha_model::schema::inventory_schema();
    println!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
    Ok(Outcome::Ok)
}
