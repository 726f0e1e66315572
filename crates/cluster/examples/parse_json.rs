//! The plain parse `scripts/bench.sh audit` times the audit against:
//! serde_json reads one file into a generic value and nothing else, the
//! least any JSON consumer of the same objects must do.

use std::io::BufReader;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_json FILE");
        std::process::exit(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    match serde_json::from_reader::<_, serde_json::Value>(BufReader::new(file)) {
        Ok(value) => println!("{}", value["items"].as_array().map_or(0, Vec::len)),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    }
}
