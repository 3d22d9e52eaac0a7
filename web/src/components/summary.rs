//! What the document is: kind, media type, digest, size and verdict, with
//! the exact bytes to download or copy.

use polyarch_core::diagnostic::Severity;
use polyarch_core::inspect::{Kind, Report};
use yew::prelude::*;

use crate::browser;
use crate::cells;
use crate::components::CopyButton;
use crate::state::{Shared, Source};

/// The report to sum up.
#[derive(Debug, Properties, PartialEq)]
pub struct SummaryProps {
    /// What core found.
    pub report: Shared<Report>,
    /// The document.
    pub source: Source,
    /// How long inspection took, in milliseconds.
    pub took_ms: f64,
}

/// The kind in both Docker's and OCI's words.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::OciIndex => "OCI image index (a manifest list, in Docker's words)",
        Kind::DockerManifestList => "Docker manifest list (an image index, in OCI's words)",
        Kind::OciManifest => "OCI image manifest",
        Kind::DockerManifest => "Docker image manifest, schema 2",
        Kind::DockerManifestV1 => "Docker schema 1 manifest (not supported)",
        Kind::Unknown => "not a manifest or index polyarch can read",
    }
}

/// The facts about the document.
#[component]
pub fn Summary(props: &SummaryProps) -> Html {
    let report = &props.report;
    let count = |severity| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let (verdict, verdict_class) = match (report.valid, warnings) {
        (false, _) => (format!("Invalid: {}", plural(errors, "error")), "invalid"),
        (true, 0) => ("Valid".to_owned(), "valid"),
        (true, n) => (format!("Valid with {}", plural(n, "warning")), "warnings"),
    };

    let file_name = match &props.source {
        Source::File { name, .. } => name.clone(),
        Source::Empty | Source::Text(_) => "manifest.json".to_owned(),
    };
    let ondownload = {
        let source = props.source.clone();
        let media_type = report
            .media_type
            .clone()
            .unwrap_or_else(|| "application/json".to_owned());
        Callback::from(move |_: MouseEvent| {
            let _ = browser::download(source.bytes(), &file_name, &media_type);
        })
    };
    let text: Option<AttrValue> = match &props.source {
        Source::Text(text) => Some(AttrValue::from(text.clone())),
        Source::File { bytes, .. } => std::str::from_utf8(bytes)
            .ok()
            .map(|t| AttrValue::from(t.to_owned())),
        Source::Empty => None,
    };

    html! {
        <section class="summary" aria-labelledby="summary-heading">
            <h2 id="summary-heading" class="visually-hidden">{ "Summary" }</h2>
            <p class={classes!("verdict", verdict_class)} id="verdict" data-valid={report.valid.to_string()}>
                { verdict }
            </p>
            <dl class="facts">
                <dt>{ "Kind" }</dt>
                <dd id="kind" data-kind={report.kind.as_str()}>{ kind_name(report.kind) }</dd>
                <dt>{ "Media type" }</dt>
                <dd id="media-type"><code>{ cells::text(report.media_type.as_deref()) }</code></dd>
                <dt>{ "Digest" }</dt>
                <dd class="digest-line">
                    <code id="digest" class="digest">{ &report.digest }</code>
                    <CopyButton text={report.digest.clone()} what="Copy the document's digest" />
                </dd>
                <dt>{ "Size" }</dt>
                <dd id="size" data-bytes={report.size.to_string()}>
                    { cells::size(i64::try_from(report.size).ok()) }
                </dd>
            </dl>
            <div class="bytes-actions">
                <button type="button" class="secondary" onclick={ondownload}>
                    { "Download the exact bytes" }
                </button>
                if let Some(text) = text {
                    <CopyButton text={text} what="Copy the document" label="Copy the text" />
                }
            </div>
            <p class="timing" id="timing" data-ms={format!("{:.1}", props.took_ms)}>
                { format!("Inspected in {:.0} ms, in this page.", props.took_ms.max(1.0)) }
            </p>
        </section>
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", cells::grouped(n as u64))
    }
}
