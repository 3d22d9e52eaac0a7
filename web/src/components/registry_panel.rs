//! Fetch from a registry: a reference, the proxy to go through, and the
//! sign-in; the fetched document goes into the same inspection view as a
//! pasted one, with its headers checked against its bytes. From a fetched
//! index a child is opened (a row of the Platforms table), from an image
//! manifest its config; the breadcrumbs lead back.

use std::rc::Rc;

use polyarch_core::config::{ImageConfig, read_config};
use polyarch_core::digest::Digest;
use polyarch_core::inspect::{InspectOptions, Kind, inspect};
use polyarch_core::reference::Reference;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::ConfigView;
use crate::registry::checks::HeaderCheck;
use crate::registry::{Connection, Credential, Fetched, remember};
use crate::state::{Action, Shared};

/// One step of the way from the first fetch to what is shown.
#[derive(Debug, Clone, PartialEq)]
enum Crumb {
    /// A manifest or index, fetched.
    Document(Rc<Fetched>),
    /// An image config, read from the manifest before it.
    Config(Shared<ImageConfig>),
}

impl Crumb {
    fn label(&self) -> String {
        match self {
            Crumb::Document(fetched) => {
                let reference = &fetched.reference;
                match (reference.tag(), reference.digest()) {
                    (Some(tag), None) => format!("{}:{tag}", reference.repository()),
                    (_, Some(digest)) => short(&digest.to_string()),
                    (None, None) => reference.repository().to_owned(),
                }
            }
            Crumb::Config(_) => "config".to_owned(),
        }
    }
}

fn short(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algorithm, encoded)) if encoded.len() > 12 => {
            format!("{algorithm}:{}…", &encoded[..12])
        }
        _ => digest.to_owned(),
    }
}

/// Where a fetch stands.
#[derive(Debug, Clone, PartialEq)]
enum Work {
    Idle,
    Loading(String),
    Failed(String),
}

/// The panel's inputs.
#[derive(Properties, PartialEq)]
pub struct RegistryPanelProps {
    /// The session and proxy setting.
    pub connection: Connection,
    /// Receives a new proxy setting.
    pub on_proxy: Callback<String>,
    /// Loads a fetched document into the inspection view.
    pub on_action: Callback<Action>,
    /// A child to open, by digest, raised by the Platforms table; the
    /// number changes with every request.
    pub open: Option<(u64, String)>,
    /// Told the name under which a fetched document was loaded.
    pub on_fetched: Callback<String>,
}

/// The panel.
#[component]
pub fn RegistryPanel(props: &RegistryPanelProps) -> Html {
    let reference = use_state(|| crate::browser::load_setting("reference").unwrap_or_default());
    let trail = use_state(Vec::<Crumb>::new);
    let work = use_state(|| Work::Idle);
    let sign_in = use_state(SignIn::default);
    let signed_in = use_state(|| {
        let remembered = remember::load();
        let registries: Vec<String> = remembered.keys().cloned().collect();
        registries
    });

    // Credentials remembered for the tab go into the session once.
    {
        let session = Rc::clone(&props.connection.session);
        use_effect_with((), move |_| {
            let mut session = session.borrow_mut();
            for (registry, credential) in remember::load() {
                session.set_credential(&registry, Some(credential));
            }
        });
    }

    let load = {
        let on_action = props.on_action.clone();
        let on_fetched = props.on_fetched.clone();
        move |fetched: &Fetched| {
            on_fetched.emit(fetched.reference.canonical());
            on_action.emit(Action::ContentType(
                fetched.content_type.clone().unwrap_or_default(),
            ));
            on_action.emit(Action::ExpectedDigest(
                fetched
                    .reference
                    .digest()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ));
            on_action.emit(Action::FileLoaded {
                name: fetched.reference.canonical(),
                bytes: Rc::clone(&fetched.bytes),
            });
        }
    };

    // Fetches `target`; `keep` crumbs of the trail stay before it.
    let fetch = {
        let connection = props.connection.clone();
        let trail = trail.clone();
        let work = work.clone();
        let load = load.clone();
        Rc::new(move |target: Reference, keep: usize| {
            let client = match connection.client() {
                Ok(client) => client,
                Err(error) => {
                    work.set(Work::Failed(error.to_string()));
                    return;
                }
            };
            work.set(Work::Loading(target.canonical()));
            let (trail, work, load) = (trail.clone(), work.clone(), load.clone());
            spawn_local(async move {
                match client.manifest(&target).await {
                    Ok(fetched) => {
                        load(&fetched);
                        let mut next: Vec<Crumb> = trail.iter().take(keep).cloned().collect();
                        next.push(Crumb::Document(Rc::new(fetched)));
                        trail.set(next);
                        work.set(Work::Idle);
                    }
                    Err(error) => work.set(Work::Failed(error.to_string())),
                }
            });
        })
    };

    let on_reference = {
        let reference = reference.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            crate::browser::store_setting("reference", &value);
            reference.set(value);
        })
    };
    let on_fetch = {
        let reference = reference.clone();
        let work = work.clone();
        let fetch = Rc::clone(&fetch);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match Reference::parse(reference.trim()) {
                Ok(target) => fetch(target, 0),
                Err(error) => work.set(Work::Failed(format!(
                    "{:?} is not an image reference: {error}",
                    reference.trim()
                ))),
            }
        })
    };

    // A child asked for by the Platforms table: same repository, by digest.
    {
        let trail = trail.clone();
        let work = work.clone();
        let fetch = Rc::clone(&fetch);
        use_effect_with(props.open.clone(), move |open| {
            if let Some((_, digest)) = open {
                let at = trail.iter().rposition(|c| matches!(c, Crumb::Document(_)));
                match at.map(|i| (i, &trail[i])) {
                    Some((i, Crumb::Document(parent))) => {
                        match child_of(&parent.reference, digest) {
                            Ok(child) => fetch(child, i + 1),
                            Err(message) => work.set(Work::Failed(message)),
                        }
                    }
                    _ => work.set(Work::Failed(
                        "Fetch an index from a registry first: a pasted document has no \
                         repository to open its entries from."
                            .to_owned(),
                    )),
                }
            }
        });
    }

    let on_open_config = {
        let connection = props.connection.clone();
        let trail = trail.clone();
        let work = work.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(Crumb::Document(manifest)) = trail.last().cloned() else {
                return;
            };
            let report = inspect(&manifest.bytes, &InspectOptions::default());
            let Some(config) = report.config else {
                work.set(Work::Failed("This manifest names no config.".to_owned()));
                return;
            };
            let digest = match config.digest.parse::<Digest>() {
                Ok(digest) => digest,
                Err(error) => {
                    work.set(Work::Failed(format!(
                        "The config's digest {:?} cannot be fetched: {error}",
                        config.digest
                    )));
                    return;
                }
            };
            let client = match connection.client() {
                Ok(client) => client,
                Err(error) => {
                    work.set(Work::Failed(error.to_string()));
                    return;
                }
            };
            let size = u64::try_from(config.size.unwrap_or(0)).unwrap_or(0);
            work.set(Work::Loading(format!("config {digest}")));
            let (trail, work) = (trail.clone(), work.clone());
            spawn_local(async move {
                let reference = &manifest.reference;
                match client
                    .blob(reference.registry(), reference.repository(), &digest, size)
                    .await
                {
                    Ok(bytes) => {
                        let mut next = (*trail).clone();
                        next.push(Crumb::Config(Shared(Rc::new(read_config(&bytes)))));
                        trail.set(next);
                        work.set(Work::Idle);
                    }
                    Err(error) => work.set(Work::Failed(error.to_string())),
                }
            });
        })
    };

    let on_crumb = {
        let trail = trail.clone();
        let load = load.clone();
        Callback::from(move |at: usize| {
            let mut next = (*trail).clone();
            next.truncate(at + 1);
            if let Some(Crumb::Document(fetched)) = next.last() {
                load(fetched);
            }
            trail.set(next);
        })
    };

    let last = trail.last().cloned();
    let is_image = matches!(&last, Some(Crumb::Document(f))
        if matches!(kind_of(f), Kind::OciManifest | Kind::DockerManifest));
    let is_index = matches!(&last, Some(Crumb::Document(f)) if kind_of(f).is_index());

    html! {
        <section class="registry" aria-labelledby="registry-heading">
            <h2 id="registry-heading">{ "Fetch from a registry" }</h2>
            <form class="fields inline" onsubmit={on_fetch}>
                <div class="field grow">
                    <label for="fetch-reference">{ "Image reference" }</label>
                    <input id="fetch-reference" type="text" value={(*reference).clone()}
                        oninput={on_reference} placeholder="127.0.0.1:5000/demo/app:v1"
                        autocomplete="off" spellcheck="false" aria-describedby="fetch-help" />
                </div>
                <button id="fetch-button" type="submit"
                    disabled={matches!(*work, Work::Loading(_))}>{ "Fetch" }</button>
            </form>
            <p class="note" id="fetch-help">
                { "registry/repository:tag or @digest; without a registry, Docker Hub \
                   (library/ for official images). Requests go through the polyarch proxy, \
                   asking for all four manifest types." }
            </p>
            <ConnectionForm connection={props.connection.clone()} on_proxy={props.on_proxy.clone()}
                sign_in={sign_in.clone()} signed_in={signed_in.clone()}
                reference={(*reference).clone()} />
            <div id="fetch-status" aria-live="polite" data-state={match &*work {
                Work::Idle => "idle", Work::Loading(_) => "loading", Work::Failed(_) => "failed",
            }}>
                { match &*work {
                    Work::Idle => html! {},
                    Work::Loading(what) => html! { <p class="pending">{ format!("Fetching {what}…") }</p> },
                    Work::Failed(message) => html! { <p class="error" role="alert">{ message }</p> },
                } }
            </div>
            if !trail.is_empty() {
                <nav class="breadcrumbs" aria-label="Fetched" id="breadcrumbs">
                    <ol>
                        { for trail.iter().enumerate().map(|(i, crumb)| {
                            let current = i + 1 == trail.len();
                            let onclick = on_crumb.reform(move |_: MouseEvent| i);
                            html! {
                                <li>
                                    if current {
                                        <span aria-current="page">{ crumb.label() }</span>
                                    } else {
                                        <button type="button" class="link" {onclick}>{ crumb.label() }</button>
                                    }
                                </li>
                            }
                        }) }
                    </ol>
                </nav>
            }
            { match &last {
                Some(Crumb::Document(fetched)) => html! {
                    <>
                        <HeaderChecks checks={fetched.checks.clone()} />
                        if is_image {
                            <button id="open-config" type="button" onclick={on_open_config}>
                                { "Open its config" }
                            </button>
                        }
                        if is_index {
                            <p class="note">{ "Open an entry with its button in the Platforms table." }</p>
                        }
                    </>
                },
                Some(Crumb::Config(config)) => html! { <ConfigView config={config.clone()} /> },
                None => html! {},
            } }
        </section>
    }
}

fn kind_of(fetched: &Fetched) -> Kind {
    inspect(
        &fetched.bytes,
        &InspectOptions {
            content_type: fetched.content_type.clone(),
            expected_digest: None,
        },
    )
    .kind
}

/// The reference of a child `digest` in the repository of `parent`.
fn child_of(parent: &Reference, digest: &str) -> Result<Reference, String> {
    if let Err(error) = digest.parse::<Digest>() {
        return Err(format!(
            "The entry's digest {digest} cannot be fetched: {error}"
        ));
    }
    let text = format!("{}/{}@{digest}", parent.registry(), parent.repository());
    Reference::parse(&text)
        .map_err(|error| format!("The entry's digest cannot be fetched: {error}"))
}

/// The findings about a fetched document's headers.
#[derive(Properties, PartialEq)]
struct HeaderChecksProps {
    checks: Vec<HeaderCheck>,
}

#[component]
fn HeaderChecks(props: &HeaderChecksProps) -> Html {
    html! {
        <ul class="header-checks" id="header-checks" aria-label="Registry headers">
            { for props.checks.iter().map(|check| {
                let class = if check.is_error() { "error" } else { "note" };
                html! { <li class={class} data-error={check.is_error().to_string()}>{ check.message() }</li> }
            }) }
        </ul>
    }
}

/// The sign-in form's fields.
#[derive(Debug, Clone, PartialEq, Default)]
struct SignIn {
    registry: String,
    username: String,
    password: String,
    token: String,
    remember: bool,
}

#[derive(Properties, PartialEq)]
struct ConnectionFormProps {
    connection: Connection,
    on_proxy: Callback<String>,
    sign_in: UseStateHandle<SignIn>,
    signed_in: UseStateHandle<Vec<String>>,
    /// The reference typed above, whose registry is the default.
    reference: String,
}

/// The proxy setting and the sign-in, folded away until needed.
#[component]
fn ConnectionForm(props: &ConnectionFormProps) -> Html {
    let sign_in = props.sign_in.clone();
    let default_registry = Reference::parse(props.reference.trim())
        .map(|r| r.registry().to_owned())
        .unwrap_or_default();
    let registry = if sign_in.registry.trim().is_empty() {
        default_registry.clone()
    } else {
        sign_in.registry.trim().to_owned()
    };

    let field = |set: fn(&mut SignIn, String)| {
        let sign_in = sign_in.clone();
        Callback::from(move |e: InputEvent| {
            let mut next = (*sign_in).clone();
            set(
                &mut next,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            );
            sign_in.set(next);
        })
    };
    let on_remember = {
        let sign_in = sign_in.clone();
        Callback::from(move |e: Event| {
            let mut next = (*sign_in).clone();
            next.remember = e.target_unchecked_into::<HtmlInputElement>().checked();
            sign_in.set(next);
        })
    };
    let on_proxy = props
        .on_proxy
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());

    let on_sign_in = {
        let sign_in = sign_in.clone();
        let signed_in = props.signed_in.clone();
        let session = Rc::clone(&props.connection.session);
        let registry = registry.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if registry.is_empty() {
                return;
            }
            let credential =
                Credential::from_fields(&sign_in.username, &sign_in.password, &sign_in.token);
            session
                .borrow_mut()
                .set_credential(&registry, credential.clone());

            let mut remembered = remember::load();
            match credential.filter(|_| sign_in.remember) {
                Some(credential) => remembered.insert(registry.clone(), credential),
                None => remembered.remove(&registry),
            };
            remember::save(&remembered);

            let mut names: Vec<String> = session.borrow().registries().cloned().collect();
            names.sort();
            signed_in.set(names);
            // The secret leaves the form once it is in the session.
            sign_in.set(SignIn {
                registry: sign_in.registry.clone(),
                username: sign_in.username.clone(),
                remember: sign_in.remember,
                ..SignIn::default()
            });
        })
    };
    let on_sign_out = {
        let signed_in = props.signed_in.clone();
        let session = Rc::clone(&props.connection.session);
        Callback::from(move |registry: String| {
            session.borrow_mut().set_credential(&registry, None);
            let mut remembered = remember::load();
            remembered.remove(&registry);
            remember::save(&remembered);
            signed_in.set(
                signed_in
                    .iter()
                    .filter(|r| **r != registry)
                    .cloned()
                    .collect(),
            );
        })
    };

    html! {
        <details class="connection" id="connection">
            <summary>{ "Proxy and sign-in" }</summary>
            <div class="field">
                <label for="proxy-url">{ "Proxy" }</label>
                <input id="proxy-url" type="url" value={props.connection.proxy.to_string()}
                    oninput={on_proxy} placeholder="this page's server" autocomplete="off"
                    spellcheck="false" aria-describedby="proxy-help" />
                <p class="note" id="proxy-help">
                    { "The polyarch proxy that forwards to registries; empty for the server of \
                       this page." }
                </p>
            </div>
            <form class="sign-in" onsubmit={on_sign_in} autocomplete="off">
                <fieldset>
                    <legend>{ "Sign in" }</legend>
                    <div class="field">
                        <label for="sign-in-registry">{ "Registry" }</label>
                        <input id="sign-in-registry" type="text" value={sign_in.registry.clone()}
                            oninput={field(|s, v| s.registry = v)} placeholder={default_registry}
                            spellcheck="false" />
                    </div>
                    <div class="field">
                        <label for="sign-in-username">{ "Username" }</label>
                        <input id="sign-in-username" type="text" value={sign_in.username.clone()}
                            oninput={field(|s, v| s.username = v)} autocomplete="username"
                            spellcheck="false" />
                    </div>
                    <div class="field">
                        <label for="sign-in-password">{ "Password" }</label>
                        <input id="sign-in-password" type="password" value={sign_in.password.clone()}
                            oninput={field(|s, v| s.password = v)} autocomplete="current-password" />
                    </div>
                    <div class="field">
                        <label for="sign-in-token">{ "Or a bearer token" }</label>
                        <input id="sign-in-token" type="password" value={sign_in.token.clone()}
                            oninput={field(|s, v| s.token = v)} autocomplete="off" />
                    </div>
                    <div class="field check">
                        <input id="sign-in-remember" type="checkbox" checked={sign_in.remember}
                            onchange={on_remember} />
                        <label for="sign-in-remember">{ "Remember for this session" }</label>
                    </div>
                    <button id="sign-in-button" type="submit" disabled={registry.is_empty()}>
                        { format!("Sign in to {}", if registry.is_empty() { "…" } else { &registry }) }
                    </button>
                    <p class="note">
                        { "Credentials stay in this tab's memory and are sent only through the \
                           proxy; they are never put in the address or saved with your work, \
                           unless you tick Remember (then until the tab closes)." }
                    </p>
                </fieldset>
            </form>
            if !props.signed_in.is_empty() {
                <ul class="signed-in" id="signed-in">
                    { for props.signed_in.iter().map(|registry| {
                        let name = registry.clone();
                        let onclick = on_sign_out.reform(move |_: MouseEvent| name.clone());
                        html! {
                            <li>
                                { format!("Signed in to {registry} ") }
                                <button type="button" class="link" {onclick}>{ "Sign out" }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_digest_is_named_as_it_is_in_the_index() {
        let parent = Reference::parse("127.0.0.1:5000/demo/app:v1").expect("a reference");

        let error = child_of(&parent, "sha256:ABC").expect_err("refused");
        let good = child_of(&parent, &format!("sha256:{}", "a".repeat(64)));

        assert!(
            error.starts_with("The entry's digest sha256:ABC cannot be fetched: "),
            "{error}"
        );
        assert_eq!(
            good.map(|r| r.to_string()),
            Ok(format!("127.0.0.1:5000/demo/app@sha256:{}", "a".repeat(64)))
        );
    }
}
