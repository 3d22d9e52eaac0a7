//! An image config, as fetched from the registry: the platform it was
//! built for, when, how it starts, and the history of its layers.

use polyarch_core::config::ImageConfig;
use yew::prelude::*;

use crate::cells;
use crate::state::Shared;

/// The config to show.
#[derive(Debug, Properties, PartialEq)]
pub struct ConfigViewProps {
    /// What core read from the config's bytes.
    pub config: Shared<ImageConfig>,
}

/// The image config.
#[component]
pub fn ConfigView(props: &ConfigViewProps) -> Html {
    let config = &props.config;
    let platform = &config.platform;
    let list = |items: &[String]| -> Html {
        if items.is_empty() {
            html! { <span class="none">{ "none" }</span> }
        } else {
            html! { <code>{ items.join(" ") }</code> }
        }
    };
    let container = config.config.clone().unwrap_or_default();
    let problems = config.diagnostics.len();

    html! {
        <section class="config-view" id="config-view" aria-labelledby="config-heading">
            <h3 id="config-heading">{ "Image config" }</h3>
            <dl class="facts">
                <dt>{ "Digest" }</dt>
                <dd><code class="digest">{ &config.digest }</code></dd>
                <dt>{ "Size" }</dt>
                <dd>{ cells::size(i64::try_from(config.size).ok()) }</dd>
                <dt>{ "OS" }</dt>
                <dd id="config-os">{ cells::text(Some(platform.os.as_str())) }</dd>
                <dt>{ "Architecture" }</dt>
                <dd id="config-architecture">{ cells::text(Some(platform.architecture.as_str())) }</dd>
                <dt>{ "Variant" }</dt>
                <dd id="config-variant">{ cells::text(platform.variant.as_deref()) }</dd>
                <dt>{ "OS version" }</dt>
                <dd id="config-os-version">{ cells::text(platform.os_version.as_deref()) }</dd>
                <dt>{ "OS features" }</dt>
                <dd>{ list(&platform.os_features) }</dd>
                <dt>{ "Created" }</dt>
                <dd id="config-created">{ cells::text(config.created.as_deref()) }</dd>
                <dt>{ "Author" }</dt>
                <dd>{ cells::text(config.author.as_deref()) }</dd>
                <dt>{ "Entrypoint" }</dt>
                <dd>{ list(&container.entrypoint) }</dd>
                <dt>{ "Command" }</dt>
                <dd>{ list(&container.cmd) }</dd>
                <dt>{ "Layers (diff ids)" }</dt>
                <dd>{ config.diff_id_count }</dd>
                <dt>{ "Problems" }</dt>
                <dd>
                    if problems == 0 {
                        { "none" }
                    } else {
                        <ul class="config-problems">
                            { for config.diagnostics.iter().map(|d| html! {
                                <li>{ format!("{} at {}: {}", d.code, d.pointer, d.message) }</li>
                            }) }
                        </ul>
                    }
                </dd>
            </dl>
            <table class="history" id="config-history">
                <caption>{ "History" }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "#" }</th>
                        <th scope="col">{ "Created" }</th>
                        <th scope="col">{ "Created by" }</th>
                        <th scope="col">{ "Layer" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for config.history.iter().enumerate().map(|(i, step)| html! {
                        <tr>
                            <td>{ i + 1 }</td>
                            <td>{ cells::text(step.created.as_deref()) }</td>
                            <td><code>{ cells::text(step.created_by.as_deref()) }</code></td>
                            <td>{ if step.empty_layer { "none (empty)" } else { "yes" } }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}
