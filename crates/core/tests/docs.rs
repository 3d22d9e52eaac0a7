//! The README's table of diagnostic codes lists every rule, and nothing else.

use polyarch_core::diagnostic::Rule;

#[test]
fn the_readme_lists_every_rule_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md at the repository root");
    let listed: Vec<&str> = readme
        .lines()
        .filter(|l| {
            ["| error |", "| warning |", "| info |"]
                .iter()
                .any(|s| l.contains(s))
        })
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();

    for rule in Rule::ALL {
        assert!(
            listed.contains(&rule.code()),
            "README.md does not list `{}`",
            rule.code()
        );
    }
    for code in &listed {
        assert!(
            Rule::ALL.iter().any(|r| r.code() == *code),
            "README.md lists unknown `{code}`"
        );
    }
}
