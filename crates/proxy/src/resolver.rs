//! The DNS resolver of the proxy's public HTTP client.
//!
//! The address policy must hold for the address the proxy connects to, not
//! for an address it looked up earlier: checking a name first and connecting
//! later leaves a window in which a hostile DNS server can answer with a
//! public address for the check and `127.0.0.1` for the connection (DNS
//! rebinding). So the check lives inside name resolution itself: the HTTP
//! client asks this resolver, which looks the name up once, drops every
//! address that is not public (see [`crate::address`]) and hands the client
//! only what is left. A name with no public address fails to resolve with
//! [`BlockedName`], which the forwarding layer turns into a `DENIED` answer.
//!
//! Address literals in URLs never reach a resolver; the forwarding layer
//! checks those itself before it sends anything. Registries named by
//! `--allow-private` are fetched with a second client that uses the system
//! resolver unfiltered.

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::address::{AddressClass, classify};

/// A name whose every address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} resolves only to {class} addresses")]
pub struct BlockedName {
    /// The name that was looked up.
    pub name: String,
    /// The class of the first refused address.
    pub class: AddressClass,
}

/// Resolves with the system resolver and keeps only public addresses.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept = keep_public(&host, found)?;
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

/// The public addresses among those a name resolved to.
///
/// # Errors
///
/// [`BlockedName`] when none is public (an empty list counts as loopback-free
/// but still unusable, and is reported as `unspecified`).
pub fn keep_public(name: &str, found: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, BlockedName> {
    let first_class = found
        .first()
        .map_or(AddressClass::Unspecified, |a| classify(a.ip()));
    let kept: Vec<SocketAddr> = found
        .into_iter()
        .filter(|a| classify(a.ip()).is_public())
        .collect();

    if kept.is_empty() {
        return Err(BlockedName {
            name: name.to_owned(),
            class: first_class,
        });
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn keeps_only_public_addresses() {
        let found = addrs(&[
            "127.0.0.1:0",
            "93.184.215.14:0",
            "[::1]:0",
            "[2606:4700::1]:0",
        ]);

        let kept = keep_public("mixed.example", found).unwrap();

        assert_eq!(kept, addrs(&["93.184.215.14:0", "[2606:4700::1]:0"]));
    }

    #[test]
    fn refuses_names_with_no_public_address() {
        let table = [
            (vec!["127.0.0.1:0", "[::1]:0"], AddressClass::Loopback),
            (vec!["169.254.169.254:0"], AddressClass::Metadata),
            (vec!["[::ffff:10.0.0.1]:0"], AddressClass::Private),
            (vec![], AddressClass::Unspecified),
        ];

        for (list, class) in table {
            let result = keep_public("rebind.example", addrs(&list));
            let expected = BlockedName {
                name: "rebind.example".into(),
                class,
            };
            assert_eq!(result, Err(expected), "{list:?}");
        }
    }

    #[tokio::test]
    async fn localhost_resolves_to_nothing_usable() {
        let name: Name = "localhost".parse().unwrap();

        let result = PublicOnly.resolve(name).await;

        let error = result.err().unwrap();
        let blocked = error.downcast_ref::<BlockedName>().unwrap();
        assert_eq!(blocked.class, AddressClass::Loopback);
    }
}
