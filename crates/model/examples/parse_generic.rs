//! The reference for `kubev-ha plan`'s speed: a plain parse of the same file
//! into a generic value (`serde_json::Value`, through serde-saphyr, with the
//! same structural budget the loader uses), and nothing else. BENCHMARKS.md
//! compares `plan` end to end against this program.
//!
//! Usage: `cargo run --release -p kubev-ha-model --example parse_generic -- FILE`

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_generic FILE");
        return std::process::ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let budget = serde_saphyr::budget! {
        max_nodes: text.len().max(250_000),
        max_events: text.len().saturating_mul(2).max(1_000_000),
    };
    let options = serde_saphyr::options! { with_snippet: false, budget: budget };
    match serde_saphyr::from_str_with_options::<serde_json::Value>(&text, options) {
        Ok(value) => {
            // Print something that depends on the whole value, so the parse
            // cannot be skipped.
            let nodes = value.get("nodes").and_then(|n| n.as_array()).map_or(0, Vec::len);
            println!("{nodes} nodes");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
