//! `kubev-ha schema`: the inventory's JSON Schema.

use super::Outcome;

pub fn run() -> miette::Result<Outcome> {
    let schema = kubev_ha_model::inventory_schema();
    print!("{}", kubev_ha_report::pretty_json(&schema));
    Ok(Outcome::Ok)
}
