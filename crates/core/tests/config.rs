//! Image configs through the public API: the platform table, the summary
//! the web page shows, and the problems with their places.

use polyarch_core::config::read_config;
use polyarch_core::digest::Digest;
use proptest::prelude::*;

const FULL: &str = r#"{
  "architecture": "arm",
  "os": "linux",
  "variant": "v7",
  "created": "2024-05-01T10:00:00Z",
  "author": "polyarch",
  "config": {
    "User": "app",
    "Env": ["PATH=/usr/bin", "LANG=C.UTF-8"],
    "Entrypoint": ["/entrypoint.sh"],
    "Cmd": null,
    "WorkingDir": "/srv",
    "ExposedPorts": {"80/tcp": {}, "443/tcp": {}},
    "Labels": {"org.opencontainers.image.title": "app"},
    "StopSignal": "SIGTERM"
  },
  "rootfs": {
    "type": "layers",
    "diff_ids": [
      "sha256:83c7f9c92844bbbb5d0a101b22f7c2a7949e40f8ea90c8b3bc396879d95e899a",
      "sha256:873612c5503f3f1674f315c67089dee577d8cc6afc18565e0b4183ae355fb343"
    ]
  },
  "history": [
    {"created": "2024-05-01T09:00:00Z", "created_by": "ADD rootfs.tar /"},
    {"created_by": "ENV LANG=C.UTF-8", "empty_layer": true, "comment": "buildkit"}
  ]
}"#;

#[test]
fn a_full_config_is_summarised() {
    let config = read_config(FULL.as_bytes());

    assert!(config.valid, "{:#?}", config.diagnostics);
    assert!(config.diagnostics.is_empty());
    assert_eq!(config.digest, Digest::sha256(FULL.as_bytes()).to_string());
    assert_eq!(config.size, FULL.len() as u64);
    assert_eq!(config.platform.format(), "linux/arm/v7");
    assert_eq!(config.created.as_deref(), Some("2024-05-01T10:00:00Z"));
    assert_eq!(config.author.as_deref(), Some("polyarch"));
    let container = config.config.as_ref().unwrap();
    assert_eq!(container.user.as_deref(), Some("app"));
    assert_eq!(container.env, ["PATH=/usr/bin", "LANG=C.UTF-8"]);
    assert_eq!(container.entrypoint, ["/entrypoint.sh"]);
    assert!(container.cmd.is_empty());
    assert_eq!(container.exposed_ports, ["80/tcp", "443/tcp"]);
    assert_eq!(
        container.labels.get("org.opencontainers.image.title"),
        Some("app")
    );
    assert_eq!(config.rootfs_type.as_deref(), Some("layers"));
    assert_eq!(config.diff_id_count, 2);
    assert_eq!(config.history.len(), 2);
    assert!(config.history[1].empty_layer);
    assert_eq!(config.history[1].comment.as_deref(), Some("buildkit"));
}

#[test]
fn platform_fields_table() {
    let cases: [(&str, &str, Option<&str>, &[&str]); 4] = [
        (
            r#"{"architecture":"amd64","os":"linux"}"#,
            "linux/amd64",
            None,
            &[],
        ),
        (
            r#"{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1697","os.features":["win32k"]}"#,
            "windows(10.0.17763.1697+win32k)/amd64",
            Some("10.0.17763.1697"),
            &["win32k"],
        ),
        (
            r#"{"architecture":"aarch64","os":"linux","variant":""}"#,
            "linux/aarch64",
            None,
            &[],
        ),
        (
            r#"{"architecture":"arm64","os":"linux","os.version":null}"#,
            "linux/arm64",
            None,
            &[],
        ),
    ];

    for (input, formatted, os_version, os_features) in cases {
        let config = read_config(input.as_bytes());

        assert!(config.valid, "{input}: {:#?}", config.diagnostics);
        assert_eq!(config.platform.format_all(), formatted, "{input}");
        assert_eq!(config.platform.os_version.as_deref(), os_version, "{input}");
        assert_eq!(config.platform.os_features, os_features, "{input}");
    }
}

#[test]
fn problems_table() {
    let cases: [(&[u8], &str, &str, usize); 10] = [
        (br#"{"os":"linux"}"#, "config-platform-missing", "", 1),
        (
            br#"{"architecture":"","os":"linux"}"#,
            "config-platform-missing",
            "",
            1,
        ),
        (
            br#"{"architecture":5,"os":"linux"}"#,
            "field-type",
            "/architecture",
            1,
        ),
        (
            br#"{"architecture":"amd64","os":"linux","created":1}"#,
            "field-type",
            "/created",
            1,
        ),
        (
            br#"{"architecture":"amd64","os":"linux","rootfs":{"diff_ids":["sha256:x"]}}"#,
            "digest-invalid",
            "/rootfs/diff_ids/0",
            1,
        ),
        (
            br#"{"architecture":"amd64","os":"linux","history":[{"empty_layer":"yes"}]}"#,
            "field-type",
            "/history/0/empty_layer",
            1,
        ),
        (
            br#"{"architecture":"amd64","os":"linux","os":"windows"}"#,
            "duplicate-key",
            "/os",
            1,
        ),
        (b"[1]", "root-not-object", "", 1),
        (
            b"{\n  \"architecture\": \"amd64\",\n}",
            "json-syntax",
            "",
            3,
        ),
        (b"\xff{}", "invalid-utf8", "", 1),
    ];

    for (input, code, pointer, line) in cases {
        let config = read_config(input);

        let text = String::from_utf8_lossy(input);
        assert!(!config.valid, "{text}");
        let found = config.diagnostics.iter().find(|d| d.code == code);
        let found = found.unwrap_or_else(|| panic!("{text}: {:#?}", config.diagnostics));
        assert_eq!(found.pointer, pointer, "{text}");
        assert_eq!(found.line, line, "{text}");
    }
}

#[test]
fn the_summary_serialises_in_camel_case() {
    let config = read_config(FULL.as_bytes());

    let json = serde_json::to_value(&config).unwrap();

    assert_eq!(json["platform"]["architecture"], "arm");
    assert_eq!(json["diffIdCount"], 2);
    assert_eq!(json["rootfsType"], "layers");
    assert_eq!(json["config"]["workingDir"], "/srv");
    assert_eq!(
        json["config"]["labels"]["org.opencontainers.image.title"],
        "app"
    );
    assert_eq!(json["history"][1]["emptyLayer"], true);
    assert_eq!(json["history"][0]["createdBy"], "ADD rootfs.tar /");
}

proptest! {
    #[test]
    fn any_bytes_are_read_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let config = read_config(&bytes);

        prop_assert_eq!(config.size, bytes.len() as u64);
        prop_assert_eq!(config.valid, !config.diagnostics.iter().any(|d| d.is_error()));
    }

    #[test]
    fn any_platform_strings_are_read_back(os in "\\PC{1,12}", architecture in "\\PC{1,12}") {
        let text = serde_json::json!({"architecture": architecture, "os": os}).to_string();

        let config = read_config(text.as_bytes());

        prop_assert!(config.valid);
        prop_assert_eq!(config.platform.os, os);
        prop_assert_eq!(config.platform.architecture, architecture);
    }
}
