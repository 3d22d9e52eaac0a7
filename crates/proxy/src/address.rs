//! Address policy: which IP addresses the proxy may connect to.
//!
//! The proxy fetches URLs on behalf of a web page, so it must never become a
//! way into the network it runs in. Every address it connects to is put in
//! one [`AddressClass`]; only [`AddressClass::Public`] is reachable, unless
//! the registry was named by `--allow-private`.
//!
//! | Class | IPv4 | IPv6 |
//! |---|---|---|
//! | loopback | `127.0.0.0/8` | `::1` |
//! | unspecified | `0.0.0.0/8` | `::` |
//! | private | `10/8`, `172.16/12`, `192.168/16`, `100.64/10` (shared, RFC 6598) | |
//! | link-local | `169.254/16` | `fe80::/10` |
//! | unique-local | | `fc00::/7` (RFC 4193) |
//! | metadata | `169.254.169.254`, `169.254.170.2`, `100.100.100.200` | `fd00:ec2::254` |
//! | reserved | multicast, broadcast, `240/4`, `192.0.0/24`, documentation, `198.18/15` | multicast, documentation, `::/96`, site-local `fec0::/10` |
//!
//! IPv6 forms that carry an IPv4 address are judged by that address:
//! IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` (RFC 6052) and
//! 6to4 `2002:aabb:ccdd::/48` (RFC 3056).
//!
//! Host strings are read the way a URL parser reads them (the WHATWG URL
//! standard, section 3.5 "host parsing"): `2130706433`, `0x7f000001`,
//! `0177.0.0.1` and `127.1` all name `127.0.0.1`, a trailing dot is ignored,
//! and IPv6 literals come in brackets. [`host_ip`] gives the address such a
//! string names, so that no encoded form slips past the rules.
//!
//! ```
//! use polyarch_proxy::address::{classify, host_ip, AddressClass};
//!
//! let ip = host_ip("0x7f000001").unwrap();
//! assert_eq!(classify(ip), AddressClass::Loopback);
//! assert_eq!(classify("8.8.8.8".parse().unwrap()), AddressClass::Public);
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What kind of network an address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// Reachable on the public internet.
    Public,
    /// The machine itself.
    Loopback,
    /// "This network" or the unspecified address.
    Unspecified,
    /// RFC 1918 and shared (carrier-grade NAT) ranges.
    Private,
    /// Link-local addresses.
    LinkLocal,
    /// IPv6 unique-local addresses.
    UniqueLocal,
    /// Cloud instance metadata services.
    Metadata,
    /// Multicast, broadcast, documentation, benchmarking and reserved ranges.
    Reserved,
}

impl AddressClass {
    /// Whether the proxy may connect to this class without `--allow-private`.
    pub fn is_public(self) -> bool {
        self == AddressClass::Public
    }
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            AddressClass::Public => "public",
            AddressClass::Loopback => "loopback",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Private => "private",
            AddressClass::LinkLocal => "link-local",
            AddressClass::UniqueLocal => "unique-local",
            AddressClass::Metadata => "metadata",
            AddressClass::Reserved => "reserved",
        };
        f.write_str(name)
    }
}

/// Metadata service addresses (AWS, GCP and Azure use the first; ECS task
/// metadata the second; Alibaba Cloud the third).
const METADATA_V4: [Ipv4Addr; 3] = [
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(169, 254, 170, 2),
    Ipv4Addr::new(100, 100, 100, 200),
];

/// AWS's IPv6 instance metadata address.
const METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254);

/// Puts an address in its class.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();

    if METADATA_V4.contains(&ip) {
        return AddressClass::Metadata;
    }
    if a == 127 {
        return AddressClass::Loopback;
    }
    if a == 0 {
        return AddressClass::Unspecified;
    }
    if a == 10 || (a == 172 && (16..32).contains(&b)) || (a == 192 && b == 168) {
        return AddressClass::Private;
    }
    if a == 100 && (64..128).contains(&b) {
        return AddressClass::Private;
    }
    if a == 169 && b == 254 {
        return AddressClass::LinkLocal;
    }

    let documentation = (a == 192 && b == 0 && c == 2)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113);
    let protocol_assignments = a == 192 && b == 0 && c == 0;
    let benchmarking = a == 198 && (b == 18 || b == 19);
    if a >= 224 || documentation || protocol_assignments || benchmarking {
        return AddressClass::Reserved;
    }
    AddressClass::Public
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if let Some(v4) = embedded_v4(ip) {
        return classify_v4(v4);
    }
    if ip == METADATA_V6 {
        return AddressClass::Metadata;
    }
    if ip.is_loopback() {
        return AddressClass::Loopback;
    }
    if ip.is_unspecified() {
        return AddressClass::Unspecified;
    }

    let first = ip.segments()[0];
    if first & 0xffc0 == 0xfe80 {
        return AddressClass::LinkLocal;
    }
    if first & 0xfe00 == 0xfc00 {
        return AddressClass::UniqueLocal;
    }

    let site_local = first & 0xffc0 == 0xfec0;
    let multicast = first & 0xff00 == 0xff00;
    let documentation = first == 0x2001 && ip.segments()[1] == 0x0db8;
    let compatible = ip.segments()[..6].iter().all(|s| *s == 0);
    if site_local || multicast || documentation || compatible {
        return AddressClass::Reserved;
    }
    AddressClass::Public
}

/// The IPv4 address an IPv6 address carries, for the forms that route to it.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }

    let s = ip.segments();
    let low = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[..6] == [0x0064, 0xff9b, 0, 0, 0, 0] {
        return Some(low(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(low(s[1], s[2]));
    }
    None
}

/// The IP address a URL host string names, or `None` for a domain name.
///
/// Accepts everything a WHATWG URL parser turns into an address: dotted
/// decimal, single numbers, hex and octal parts, short forms, a trailing dot,
/// and bracketed IPv6 literals. Domain names (and strings that are not valid
/// hosts at all) give `None`.
pub fn host_ip(host: &str) -> Option<IpAddr> {
    match url::Host::parse(host) {
        Ok(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Ok(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        Ok(url::Host::Domain(_)) | Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class_of(text: &str) -> AddressClass {
        let ip = host_ip(text).unwrap_or_else(|| panic!("{text} is not an address"));
        classify(ip)
    }

    #[test]
    fn classifies_each_range() {
        let table = [
            ("8.8.8.8", AddressClass::Public),
            ("1.1.1.1", AddressClass::Public),
            ("172.32.0.1", AddressClass::Public),
            ("100.128.0.1", AddressClass::Public),
            ("127.0.0.1", AddressClass::Loopback),
            ("127.255.255.254", AddressClass::Loopback),
            ("0.0.0.0", AddressClass::Unspecified),
            ("0.1.2.3", AddressClass::Unspecified),
            ("10.0.0.1", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("172.31.255.255", AddressClass::Private),
            ("192.168.1.1", AddressClass::Private),
            ("100.64.0.1", AddressClass::Private),
            ("169.254.0.1", AddressClass::LinkLocal),
            ("169.254.169.254", AddressClass::Metadata),
            ("169.254.170.2", AddressClass::Metadata),
            ("100.100.100.200", AddressClass::Metadata),
            ("224.0.0.1", AddressClass::Reserved),
            ("255.255.255.255", AddressClass::Reserved),
            ("240.0.0.1", AddressClass::Reserved),
            ("192.0.2.1", AddressClass::Reserved),
            ("198.18.0.1", AddressClass::Reserved),
            ("[2606:4700::1111]", AddressClass::Public),
            ("[::1]", AddressClass::Loopback),
            ("[::]", AddressClass::Unspecified),
            ("[fe80::1]", AddressClass::LinkLocal),
            ("[febf::1]", AddressClass::LinkLocal),
            ("[fc00::1]", AddressClass::UniqueLocal),
            ("[fd12:3456::1]", AddressClass::UniqueLocal),
            ("[fd00:ec2::254]", AddressClass::Metadata),
            ("[ff02::1]", AddressClass::Reserved),
            ("[2001:db8::1]", AddressClass::Reserved),
            ("[fec0::1]", AddressClass::Reserved),
            ("[::127.0.0.1]", AddressClass::Reserved),
            ("[::8.8.8.8]", AddressClass::Reserved),
        ];

        for (text, expected) in table {
            assert_eq!(class_of(text), expected, "{text}");
        }
    }

    #[test]
    fn judges_ipv6_forms_by_the_ipv4_address_they_carry() {
        let table = [
            ("[::ffff:127.0.0.1]", AddressClass::Loopback),
            ("[::ffff:7f00:1]", AddressClass::Loopback),
            ("[::ffff:10.1.2.3]", AddressClass::Private),
            ("[::ffff:169.254.169.254]", AddressClass::Metadata),
            ("[::ffff:8.8.8.8]", AddressClass::Public),
            ("[64:ff9b::127.0.0.1]", AddressClass::Loopback),
            ("[64:ff9b::a9fe:a9fe]", AddressClass::Metadata),
            ("[64:ff9b::8.8.8.8]", AddressClass::Public),
            ("[2002:7f00:1::]", AddressClass::Loopback),
            ("[2002:c0a8:101::1]", AddressClass::Private),
            ("[2002:0808:0808::1]", AddressClass::Public),
        ];

        for (text, expected) in table {
            assert_eq!(class_of(text), expected, "{text}");
        }
    }

    #[test]
    fn reads_encoded_ipv4_forms_as_the_address_they_name() {
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let must_be_loopback = [
            "127.0.0.1",
            "127.0.0.1.",
            "2130706433",
            "0x7f000001",
            "0x7F000001",
            "0177.0.0.1",
            "0177.0.0.01",
            "0x7f.0.0.1",
            "127.1",
            "127.0.1",
            "017700000001",
        ];

        for text in must_be_loopback {
            assert_eq!(host_ip(text), Some(loopback), "{text}");
        }
        assert_eq!(
            host_ip("0xa9fea9fe").map(classify),
            Some(AddressClass::Metadata)
        );
        assert_eq!(
            host_ip("2852039166").map(classify),
            Some(AddressClass::Metadata)
        );
        assert_eq!(host_ip("0").map(classify), Some(AddressClass::Unspecified));
    }

    #[test]
    fn domain_names_are_not_addresses() {
        let must_not_parse = [
            "localhost",
            "localhost.",
            "registry.example",
            "ghcr.io",
            "127.0.0.1.nip.io",
            "0x7f000001.example",
            "",
            "[127.0.0.1]",
            "exa mple.com",
        ];

        for text in must_not_parse {
            assert_eq!(host_ip(text), None, "{text}");
        }
    }

    #[test]
    fn only_public_is_public() {
        assert!(AddressClass::Public.is_public());
        assert!(!AddressClass::Loopback.is_public());
        assert!(!AddressClass::Metadata.is_public());
        assert_eq!(AddressClass::UniqueLocal.to_string(), "unique-local");
    }

    proptest::proptest! {
        #[test]
        fn mapped_and_plain_ipv4_agree(bits: u32) {
            let v4 = Ipv4Addr::from(bits);
            let mapped = IpAddr::V6(v4.to_ipv6_mapped());
            proptest::prop_assert_eq!(classify(IpAddr::V4(v4)), classify(mapped));
        }

        #[test]
        fn host_ip_never_panics(text in "\\PC{0,40}") {
            let _ = host_ip(&text).map(classify);
        }
    }
}
