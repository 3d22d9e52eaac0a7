//! Platforms: the operating system and CPU an image is built for.

use serde::Serialize;

/// A platform as an index entry or an image config states it.
///
/// Values are kept as written; normalisation is a separate step.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Platform {
    /// `os`, a GOOS value such as `linux` or `windows`.
    pub os: String,
    /// `architecture`, a GOARCH value such as `amd64` or `arm64`.
    pub architecture: String,
    /// `variant`, such as `v7` for `arm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// `os.version`, such as `10.0.17763.1697` for Windows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// `os.features`, such as `win32k`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    /// `features`, such as `sse4` (Docker lists; reserved in OCI).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

impl Platform {
    /// `os/architecture[/variant]` from the values as written, without
    /// normalising them; empty parts are left out, never written as empty.
    pub fn format(&self) -> String {
        let mut s = String::new();
        for part in [
            Some(self.os.as_str()),
            Some(self.architecture.as_str()),
            self.variant.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        {
            if !s.is_empty() {
                s.push('/');
            }
            s.push_str(part);
        }
        s
    }
}
