//! The one reading of URLs in the tool: etcd's endpoints and the client
//! and peer URLs its members advertise, and the URLs built from an
//! inventory's addresses.
//!
//! Every URL goes through the `url` crate (WHATWG parsing), so IPv6
//! brackets, default ports, upper-case host names and trailing slashes are
//! read the same way by the etcd client, the rules and the binary.

use crate::Address;

/// The host of `url` without IPv6 brackets, as an address would be written
/// in an inventory: `https://[fd00::1]:2379` gives `fd00::1`,
/// `https://ETCD-1:2379/` gives `etcd-1` (host names are not case
/// sensitive, so they are read in lower case). A URL without a scheme
/// (`10.0.0.1:2379`) is read as if it began with `http://`. `None` when
/// the text holds no host at all.
pub fn host(url: &str) -> Option<String> {
    let parsed = parse(url)?;
    match parsed.host()? {
        ::url::Host::Domain("") => None,
        ::url::Host::Domain(name) => Some(name.to_string()),
        ::url::Host::Ipv4(ip) => Some(ip.to_string()),
        ::url::Host::Ipv6(ip) => Some(ip.to_string()),
    }
}

/// `url` in the one spelling etcd members are matched by: scheme and host
/// in lower case, a default port (80 for http, 443 for https) left out, no
/// trailing slash. Text that is no URL is only trimmed of trailing slashes
/// and put in lower case, so two spellings of it still compare equal.
pub fn normalise(url: &str) -> String {
    match ::url::Url::parse(url) {
        Ok(parsed) if parsed.has_host() => parsed.as_str().trim_end_matches('/').to_string(),
        _ => url.trim_end_matches('/').to_ascii_lowercase(),
    }
}

/// `scheme://address:port`, with the brackets an IPv6 address needs in a
/// URL.
pub fn to(scheme: &str, address: &Address, port: u16) -> String {
    match address {
        Address::Ip(std::net::IpAddr::V6(v6)) => format!("{scheme}://[{v6}]:{port}"),
        other => format!("{scheme}://{other}:{port}"),
    }
}

fn parse(url: &str) -> Option<::url::Url> {
    let text = url.trim();
    if text.contains("://") {
        ::url::Url::parse(text).ok()
    } else {
        // `etcd-1:2379` would parse as scheme `etcd-1`: a URL without
        // `://` is a host and port.
        ::url::Url::parse(&format!("http://{text}")).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_of_a_url() {
        assert_eq!(host("https://10.0.0.1:2379").as_deref(), Some("10.0.0.1"));
        assert_eq!(host("http://etcd-1.example:2379/").as_deref(), Some("etcd-1.example"));
        assert_eq!(host("https://ETCD-1:2379").as_deref(), Some("etcd-1"));
        // A default port and no port at all.
        assert_eq!(host("https://10.0.0.1").as_deref(), Some("10.0.0.1"));
        assert_eq!(host("http://10.0.0.1:80").as_deref(), Some("10.0.0.1"));
    }

    #[test]
    fn an_ipv6_host_loses_its_brackets() {
        assert_eq!(host("https://[fd00::1]:2379").as_deref(), Some("fd00::1"));
        assert_eq!(host("https://[FD00:0::1]:2380/").as_deref(), Some("fd00::1"));
        assert_eq!(host("[fd00::1]:2379").as_deref(), Some("fd00::1"));
    }

    #[test]
    fn a_url_without_a_scheme_is_a_host_and_port() {
        assert_eq!(host("10.0.0.1:2379").as_deref(), Some("10.0.0.1"));
        assert_eq!(host("etcd-1:2379").as_deref(), Some("etcd-1"));
        assert_eq!(host("etcd-1").as_deref(), Some("etcd-1"));
    }

    #[test]
    fn text_without_a_host_has_none() {
        assert_eq!(host(""), None);
        assert_eq!(host("http://"), None);
        assert_eq!(host("unix:///run/etcd.sock"), None);
    }

    #[test]
    fn spellings_of_one_member_url_normalise_alike() {
        assert_eq!(normalise("https://10.0.0.1:2379/"), "https://10.0.0.1:2379");
        assert_eq!(normalise("HTTPS://ETCD-1:2379"), "https://etcd-1:2379");
        assert_eq!(normalise("http://10.0.0.1:80/"), normalise("http://10.0.0.1"));
        assert_eq!(normalise("https://[FD00::1]:2379/"), "https://[fd00::1]:2379");
        // Not a URL: trimmed and lower case, as before.
        assert_eq!(normalise("Not A URL/"), "not a url");
    }

    #[test]
    fn urls_from_addresses_bracket_ipv6() {
        let v6 = Address::Ip("fd00::1".parse().unwrap());
        assert_eq!(to("https", &v6, 2379), "https://[fd00::1]:2379");
        let v4 = Address::Ip("10.0.0.1".parse().unwrap());
        assert_eq!(to("http", &v4, 2379), "http://10.0.0.1:2379");
        assert_eq!(to("http", &Address::Name("cp-1".into()), 2379), "http://cp-1:2379");
        // What is built reads back to the address.
        assert_eq!(host(&to("https", &v6, 2379)).as_deref(), Some("fd00::1"));
    }
}
