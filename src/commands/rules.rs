//! `kubev-ha rules [ID]`: the catalog, one rule, or the port matrix.

use kubev_ha_report::{
    ports_json, ports_markdown, ports_table, pretty_json, rule_explanation, rule_json, rules_json, rules_markdown,
    rules_table,
};

use super::Outcome;
use crate::cli::{CatalogFormat, ColorChoice, RulesArgs};
use crate::output;

pub fn run(args: RulesArgs, color: ColorChoice) -> miette::Result<Outcome> {
    let text = match (&args.rule, args.ports, args.format) {
        (Some(id), _, format) => {
            let rule = kubev_ha_rules::rule(id).ok_or_else(|| kubev_ha_rules::UnknownRule::new(id))?;
            match format {
                CatalogFormat::Json => pretty_json(&rule_json(rule)),
                CatalogFormat::Text => rule_explanation(rule, output::stdout_color(color)),
                // Markdown is the catalog's table (docs/rules.md); printing
                // the text explanation instead would pass for markdown.
                CatalogFormat::Markdown => {
                    return Err(miette::miette!(
                        help = "`kubev-ha rules --format markdown` prints the whole catalog; one rule is text or json",
                        "one rule has no markdown form"
                    ));
                }
            }
        }
        (None, true, CatalogFormat::Json) => pretty_json(&ports_json()),
        (None, true, CatalogFormat::Markdown) => ports_markdown(),
        (None, true, _) => ports_table(output::width()),
        (None, false, CatalogFormat::Json) => pretty_json(&rules_json()),
        (None, false, CatalogFormat::Markdown) => rules_markdown(),
        (None, false, CatalogFormat::Text) => rules_table(output::width()),
    };
    print!("{text}");
    Ok(Outcome::Ok)
}
