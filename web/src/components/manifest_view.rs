//! A manifest's contents: config, layers, subject, artifact type,
//! annotations and the total size.

use polyarch_core::inspect::Report;
use yew::prelude::*;

use crate::cells;
use crate::components::{AnnotationsList, DescriptorTable};
use crate::state::Shared;

/// The manifest's report.
#[derive(Debug, Properties, PartialEq)]
pub struct ManifestViewProps {
    /// What core found.
    pub report: Shared<Report>,
}

/// What the manifest holds.
#[component]
pub fn ManifestView(props: &ManifestViewProps) -> Html {
    let report = &props.report;
    let total = cells::total(
        report
            .config
            .iter()
            .chain(report.layers.iter())
            .map(|d| d.size),
    );

    html! {
        <section class="manifest" aria-labelledby="manifest-heading">
            <h2 id="manifest-heading">{ "Manifest" }</h2>
            <dl class="facts">
                <dt>{ "Total size (config and layers)" }</dt>
                <dd id="total-size">{ cells::size(total) }</dd>
                <dt>{ "Artifact type" }</dt>
                <dd><code>{ cells::text(report.artifact_type.as_deref()) }</code></dd>
                <dt>{ "Layers" }</dt>
                <dd>{ report.layers.len() }</dd>
            </dl>
            <DescriptorTable id="config-table" caption="Config"
                descriptors={report.config.iter().cloned().collect::<Vec<_>>()} />
            <DescriptorTable id="layers-table" caption="Layers" descriptors={report.layers.clone()} />
            if let Some(subject) = &report.subject {
                <DescriptorTable id="subject-table" caption="Subject" descriptors={vec![subject.clone()]} />
            }
            if !report.annotations.is_empty() {
                <h3>{ "Annotations" }</h3>
                <AnnotationsList annotations={report.annotations.clone()} />
            }
        </section>
    }
}
