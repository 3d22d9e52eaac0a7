//! A table of descriptors: a manifest's config, its layers, a subject.

use polyarch_core::descriptor::Descriptor;
use yew::prelude::*;

use crate::cells;
use crate::components::{CopyButton, breakable_code};

/// The descriptors and the table's caption.
#[derive(Debug, Properties, PartialEq)]
pub struct DescriptorTableProps {
    /// The table's caption.
    pub caption: AttrValue,
    /// The rows.
    pub descriptors: Vec<Descriptor>,
    /// The table's id, for links and tests.
    pub id: AttrValue,
}

/// Row number, media type, size, digest and foreign URLs of each.
#[component]
pub fn DescriptorTable(props: &DescriptorTableProps) -> Html {
    let rows = props.descriptors.iter().enumerate().map(|(i, d)| {
        html! {
            <tr>
                <td class="num">{ i }</td>
                <td>{ breakable_code(&cells::text(Some(&d.media_type)), "media-type") }</td>
                <td class="num">{ cells::size(d.size) }</td>
                <td class="digest-cell">
                    <code title={d.digest.clone()}>{ cells::short_digest(&d.digest) }</code>
                    if !d.digest.is_empty() {
                        <CopyButton text={d.digest.clone()} what={format!("Copy digest {}", d.digest)} />
                    }
                </td>
                <td>{ cells::list(&d.urls) }</td>
            </tr>
        }
    });
    html! {
        <div class="table-scroll">
            <table id={props.id.clone()} class="data">
                <caption>{ props.caption.clone() }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "#" }</th>
                        <th scope="col">{ "Media type" }</th>
                        <th scope="col">{ "Size" }</th>
                        <th scope="col">{ "Digest" }</th>
                        <th scope="col">{ "Foreign URLs" }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}
