//! The core is pure: no I/O runtime, no HTTP, no wasm bindings in its
//! dependency tree, on any target.

use std::process::Command;

const FORBIDDEN: &[&str] = &[
    "tokio",
    "hyper",
    "axum",
    "reqwest",
    "wasm-bindgen",
    "web-sys",
    "js-sys",
];

#[test]
fn core_depends_on_no_runtime_http_or_wasm_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");

    let output = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--manifest-path",
            manifest,
            "-p",
            "polyarch-core",
        ])
        .args([
            "--edges",
            "normal,build",
            "--target",
            "all",
            "--prefix",
            "none",
        ])
        .output()
        .expect("cargo tree runs");

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        names.contains(&"serde_json"),
        "the tree was not read: {tree}"
    );
    for name in FORBIDDEN {
        assert!(
            !names.contains(name),
            "polyarch-core depends on {name}:\n{tree}"
        );
    }
}
