//! Prints polyarch's report on a file as JSON: `cargo run --example inspect FILE [CONTENT-TYPE]`.

use polyarch_core::inspect::{InspectOptions, inspect};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: inspect FILE [CONTENT-TYPE]")?;
    let bytes = std::fs::read(&path)?;
    let options = InspectOptions {
        content_type: args.next(),
        ..InspectOptions::default()
    };
    let report = inspect(&bytes, &options);
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
