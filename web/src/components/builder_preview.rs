//! The builder's preview: the exact document a push sends, its digest,
//! size and verdict, what the format drops, said plainly, and every
//! diagnostic; after a push, the digest read back beside the preview's.

use polyarch_core::assemble::Format;
use polyarch_core::diagnostic::{Diagnostic, Severity};
use yew::prelude::*;

use crate::builder::preview::Preview;
use crate::cells;
use crate::components::CopyButton;
use crate::state::Shared;

/// The preview to show.
#[derive(Properties, PartialEq)]
pub struct BuilderPreviewProps {
    /// The document and its report.
    pub preview: Shared<Preview>,
    /// The digest read back after the last push, when it finished.
    pub read_back: Option<AttrValue>,
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", cells::grouped(n as u64))
    }
}

/// The preview.
#[component]
pub fn BuilderPreview(props: &BuilderPreviewProps) -> Html {
    let preview = &props.preview;
    let assembled = &preview.assembled;
    let (errors, warnings) = (
        preview.count(Severity::Error),
        preview.count(Severity::Warning),
    );
    let (verdict, class) = match (errors, warnings) {
        (0, 0) => ("Valid".to_owned(), "valid"),
        (0, n) => (format!("Valid with {}", plural(n, "warning")), "warnings"),
        (n, _) => (
            format!("{}: an entry is left out", plural(n, "error")),
            "invalid",
        ),
    };
    let kind = match assembled.format() {
        Format::Docker => "Docker manifest list (an image index, in OCI's words)",
        Format::Oci | Format::Auto => "OCI image index (a manifest list, in Docker's words)",
    };
    let losses = preview.losses();
    let text = AttrValue::from(assembled.text().to_owned());
    let same = props
        .read_back
        .as_ref()
        .map(|d| d.as_str() == assembled.digest());

    html! {
        <section class="builder-preview" aria-labelledby="preview-heading">
            <h3 id="preview-heading">{ "Preview" }</h3>
            <p class={classes!("verdict", class)} id="preview-verdict"
                data-valid={(errors == 0).to_string()}>{ verdict }</p>
            if !losses.is_empty() {
                <div class="format-loss" id="preview-loss" role="note">
                    <p><strong>{ "This format drops something you asked for:" }</strong></p>
                    <ul>{ for losses.iter().map(|l| html! { <li>{ *l }</li> }) }</ul>
                    <p>{ "Choose \"OCI image index\", or Auto, to keep it." }</p>
                </div>
            }
            <dl class="facts">
                <dt>{ "Kind" }</dt>
                <dd id="preview-kind" data-media-type={assembled.media_type().to_owned()}>
                    { kind }{ " " }<code>{ assembled.media_type() }</code>
                </dd>
                <dt>{ "Digest" }</dt>
                <dd class="digest-line">
                    <code id="preview-digest" class="digest">{ assembled.digest() }</code>
                    <CopyButton text={assembled.digest().to_owned()} what="Copy the list's digest" />
                </dd>
                <dt>{ "Size" }</dt>
                <dd id="preview-size" data-bytes={assembled.size().to_string()}>
                    { cells::size(i64::try_from(assembled.size()).ok()) }
                </dd>
                if let (Some(digest), Some(same)) = (&props.read_back, same) {
                    <dt>{ "Read back" }</dt>
                    <dd class="digest-line">
                        <code id="push-digest" class="digest">{ digest.clone() }</code>
                        <span class={classes!("read-back", if same { "same" } else { "changed" })}
                            id="push-digest-verdict" data-same={same.to_string()}>
                            { if same {
                                "the same as the preview: the registry holds these bytes"
                            } else {
                                "the preview has changed since this push"
                            } }
                        </span>
                    </dd>
                }
            </dl>
            <pre class="preview-text" id="preview-text" tabindex="0"
                aria-label="The exact document to push">{ text.clone() }</pre>
            <div class="bytes-actions">
                <CopyButton text={text} what="Copy the document" label="Copy the text" />
            </div>
            <h4>{ format!("Diagnostics ({})", assembled.diagnostics().len()) }</h4>
            <ol class="diagnostic-list" id="preview-diagnostics">
                { for assembled.diagnostics().iter().map(diagnostic) }
            </ol>
        </section>
    }
}

fn diagnostic(d: &Diagnostic) -> Html {
    let severity = d.severity.as_str();
    let pointer = if d.pointer.is_empty() {
        "the document".to_owned()
    } else {
        d.pointer.clone()
    };
    html! {
        <li class={classes!("diagnostic", severity)} data-code={d.code} data-severity={severity}>
            <p class="severity-place">
                <span class="severity">{ severity }</span>
                <span class="place">{ format!("line {}, column {}", d.line, d.column) }</span>
            </p>
            <div class="diagnostic-body">
                <p class="message">{ &d.message }</p>
                <p class="meta">
                    <code class="code">{ d.code }</code>
                    { " · " }<code class="pointer">{ pointer }</code>
                    { " · " }<span class="rule-source">{ d.source }</span>
                </p>
            </div>
        </li>
    }
}
