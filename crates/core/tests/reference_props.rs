//! Property tests: canonical forms parse back to the same reference, and no
//! input makes the parser panic.

use polyarch_core::reference::Reference;
use proptest::prelude::*;

fn registry() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("docker.io".to_owned()),
        Just("index.docker.io".to_owned()),
        "localhost(:[0-9]{1,5})?",
        "[a-z0-9]{1,8}(-[a-z0-9]{1,4})?(\\.[a-zA-Z0-9]{1,8}){1,3}(:[0-9]{1,5})?",
        "[a-z0-9]{1,8}:[0-9]{1,5}",
        "\\[[0-9a-f]{0,4}(:[0-9a-f]{0,4}){1,7}\\](:[0-9]{1,5})?",
    ]
}

fn repository() -> impl Strategy<Value = String> {
    let component = "[a-z0-9]{1,8}((\\.|_|__|-{1,3})[a-z0-9]{1,8}){0,2}";
    prop::collection::vec(component, 1..4).prop_map(|parts| parts.join("/"))
}

fn tag() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,40}")
}

fn digest() -> impl Strategy<Value = Option<String>> {
    prop::option::of("sha256:[0-9a-f]{64}")
}

fn written(
    registry: Option<&str>,
    repository: &str,
    tag: &Option<String>,
    digest: &Option<String>,
) -> String {
    let mut text = String::new();
    if let Some(registry) = registry {
        text.push_str(registry);
        text.push('/');
    }
    text.push_str(repository);
    if let Some(tag) = tag {
        text.push(':');
        text.push_str(tag);
    }
    if let Some(digest) = digest {
        text.push('@');
        text.push_str(digest);
    }
    text
}

proptest! {
    #[test]
    fn canonical_parses_back(
        registry in registry(),
        repository in repository(),
        tag in tag(),
        digest in digest(),
    ) {
        let text = written(Some(&registry), &repository, &tag, &digest);

        let parsed = Reference::parse(&text).unwrap();
        let again = Reference::parse(&parsed.canonical()).unwrap();

        prop_assert_eq!(&again, &parsed);
        prop_assert_eq!(again.canonical(), parsed.canonical());
        prop_assert_eq!(parsed.tag(), tag.as_deref().or(digest.is_none().then_some("latest")));
    }

    #[test]
    fn familiar_names_land_on_docker_hub(
        repository in "[a-z0-9]{1,8}(/[a-z0-9]{1,8}){0,2}",
        tag in tag(),
    ) {
        let text = written(None, &repository, &tag, &None);

        let parsed = Reference::parse(&text).unwrap();

        prop_assert_eq!(parsed.registry(), "docker.io");
        prop_assert!(parsed.repository().ends_with(&repository));
        prop_assert_eq!(Reference::parse(&parsed.canonical()).unwrap(), parsed);
    }

    #[test]
    fn no_string_panics(text in ".{0,120}") {
        let parsed = Reference::parse(&text);

        if let Err(e) = parsed {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn no_reference_like_string_panics(text in "[a-zA-Z0-9:/@._\\-\\[\\]%é]{0,80}") {
        let parsed = Reference::parse(&text);

        match parsed {
            Ok(r) => prop_assert_eq!(Reference::parse(&r.canonical()).unwrap(), r),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
