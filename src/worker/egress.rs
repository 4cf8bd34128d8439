//! What a job's `url` may make the worker connect to (issue 17).
//!
//! Anyone who can write a job to the queue chooses the URL, so a download must not become a proxy
//! into the cluster (cloud metadata at 169.254.169.254, the API, the broker, any internal service).
//! Three gates, all on every hop of a redirect chain:
//! - the scheme is http or https;
//! - the host matches one of `--url-allow` (none by default: every download is refused until the
//!   operator names the portals' file hosts);
//! - the address connected to is public, unless `--url-allow-private` or an `--url-allow-cidr`
//!   range admits it.
//!
//! The address gate sits in the HTTP client's DNS resolver ([`CheckedResolver`]): it resolves,
//! drops every refused address and hands the connector only the rest, so the address checked is
//! the address connected to and a name that resolves differently the second time (DNS rebinding)
//! gains nothing. IP-literal hosts never reach a resolver (the connector parses them itself); they
//! are checked from the URL ([`DownloadPolicy::check_url`]), which for a literal is the connected
//! address too. Redirects go through [`DownloadPolicy::check_url`] in a custom redirect policy, at
//! most [`MAX_REDIRECTS`]. The download client ignores proxy environment variables: through a proxy
//! the worker would not know what it connects to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use reqwest::Url;

/// Redirects followed per download; the sixth is refused.
pub const MAX_REDIRECTS: usize = 5;

/// Why a download was not attempted or not followed. Found by the fetcher in the error chain of a
/// failed request and reported as `invalid_job` with this text.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// One `--url-allow` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    /// `*`: any host (the address gate still applies).
    Any,
    /// `*.example.org`: any name below `example.org`, not `example.org` itself.
    Suffix(String),
    /// `files.example.org`, `203.0.113.7`, `[2001:db8::1]`: that host exactly.
    Exact(String),
}

impl HostPattern {
    fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text == "*" {
            return Ok(HostPattern::Any);
        }
        if let Some(rest) = text.strip_prefix("*.") {
            let rest = normalise_host(rest);
            if rest.is_empty() || rest.contains('*') {
                return Err(format!("--url-allow {text:?}: `*.` must be followed by a domain"));
            }
            return Ok(HostPattern::Suffix(format!(".{rest}")));
        }
        let text = normalise_host(text);
        if text.is_empty() {
            return Err("an empty --url-allow entry".into());
        }
        if text.contains('*') || text.contains('/') || (text.contains(':') && text.parse::<Ipv6Addr>().is_err()) {
            return Err(format!("--url-allow {text:?}: expected a host name, `*.domain`, an IP address or `*`"));
        }
        Ok(HostPattern::Exact(text))
    }

    fn matches(&self, host: &str) -> bool {
        match self {
            HostPattern::Any => true,
            HostPattern::Suffix(suffix) => host.ends_with(suffix.as_str()),
            HostPattern::Exact(exact) => host == exact,
        }
    }
}

/// Lower case, no trailing dot, no IPv6 brackets: the form hosts are compared in.
fn normalise_host(host: &str) -> String {
    host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase()
}

/// The operator's download policy.
#[derive(Debug, Clone, Default)]
pub struct DownloadPolicy {
    hosts: Vec<HostPattern>,
    allow_private: bool,
    allowed_ranges: Vec<IpNet>,
}

impl DownloadPolicy {
    /// From `--url-allow`, `--url-allow-private` and `--url-allow-cidr`.
    pub fn new(hosts: &[String], allow_private: bool, ranges: &[String]) -> Result<Self, String> {
        let hosts = hosts.iter().filter(|h| !h.trim().is_empty()).map(|h| HostPattern::parse(h)).collect::<Result<_, _>>()?;
        let allowed_ranges = ranges
            .iter()
            .filter(|r| !r.trim().is_empty())
            .map(|r| r.trim().parse::<IpNet>().map_err(|e| format!("--url-allow-cidr {r:?}: {e}")))
            .collect::<Result<_, _>>()?;
        Ok(DownloadPolicy { hosts, allow_private, allowed_ranges })
    }

    /// True when no host is allowed: every http(s) download is refused.
    pub fn refuses_all(&self) -> bool {
        self.hosts.is_empty()
    }

    /// Scheme, host against the allowlist, and for an IP-literal host its address. A named host's
    /// addresses are checked by the resolver when it is connected to.
    pub fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(Refusal(format!("url scheme {other:?} is refused for downloads (http, https)"))),
        }
        let Some(host) = url.host() else {
            return Err(Refusal("the url has no host".into()));
        };
        let (name, literal) = match host {
            url::Host::Domain(d) => (normalise_host(d), None),
            url::Host::Ipv4(a) => (a.to_string(), Some(IpAddr::V4(a))),
            url::Host::Ipv6(a) => (a.to_string(), Some(IpAddr::V6(a))),
        };
        self.check_host(&name)?;
        if let Some(address) = literal {
            self.check_address(&name, address)?;
        }
        Ok(())
    }

    fn check_host(&self, host: &str) -> Result<(), Refusal> {
        if self.hosts.is_empty() {
            return Err(Refusal(format!(
                "downloads are refused: no --url-allow host patterns are configured (host {host:?})"
            )));
        }
        if self.hosts.iter().any(|p| p.matches(host)) {
            Ok(())
        } else {
            Err(Refusal(format!("host {host:?} is not in --url-allow")))
        }
    }

    fn check_address(&self, host: &str, address: IpAddr) -> Result<(), Refusal> {
        let Some(range) = reserved_range(address) else { return Ok(()) };
        if self.allow_private || self.allowed_ranges.iter().any(|net| net.contains(&address)) {
            return Ok(());
        }
        Err(Refusal(format!(
            "host {host:?} is at {address}, a {range} address; such addresses are refused unless \
             --url-allow-private or --url-allow-cidr admits them"
        )))
    }
}

/// The kind of non-public range an address is in, or `None` for a public address. IPv6 forms that
/// carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that IPv4 address.
pub fn reserved_range(address: IpAddr) -> Option<&'static str> {
    match address {
        IpAddr::V4(v4) => reserved_v4(v4),
        IpAddr::V6(v6) => reserved_v6(v6),
    }
}

fn reserved_v4(a: Ipv4Addr) -> Option<&'static str> {
    let [o0, o1, o2, _] = a.octets();
    Some(match () {
        _ if a.is_unspecified() || o0 == 0 => "unspecified (0.0.0.0/8)",
        _ if a.is_loopback() => "loopback",
        _ if a.is_private() => "private (RFC 1918)",
        _ if a.is_link_local() => "link-local (incl. cloud metadata)",
        _ if o0 == 100 && (o1 & 0xc0) == 64 => "carrier-grade NAT (100.64.0.0/10)",
        _ if a.is_multicast() => "multicast",
        _ if a.is_broadcast() || o0 >= 240 => "reserved (240.0.0.0/4)",
        _ if o0 == 192 && o1 == 0 && o2 == 0 => "IETF protocol assignment (192.0.0.0/24)",
        _ if o0 == 198 && (o1 == 18 || o1 == 19) => "benchmarking (198.18.0.0/15)",
        _ if a.is_documentation() => "documentation",
        _ => return None,
    })
}

fn reserved_v6(a: Ipv6Addr) -> Option<&'static str> {
    let segments = a.segments();
    if let Some(v4) = a.to_ipv4_mapped() {
        return reserved_v4(v4).map(|_| "IPv4-mapped non-public");
    }
    // NAT64 (64:ff9b::/96): the gateway connects to the embedded IPv4 address.
    if segments[0] == 0x64 && segments[1] == 0xff9b && segments[2..6] == [0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((segments[6] >> 8) as u8, segments[6] as u8, (segments[7] >> 8) as u8, segments[7] as u8);
        return reserved_v4(v4).map(|_| "NAT64 of a non-public IPv4");
    }
    // 6to4 (2002::/16): the relay reaches the IPv4 address in the next 32 bits.
    if segments[0] == 0x2002 {
        let v4 = Ipv4Addr::new((segments[1] >> 8) as u8, segments[1] as u8, (segments[2] >> 8) as u8, segments[2] as u8);
        return reserved_v4(v4).map(|_| "6to4 of a non-public IPv4");
    }
    Some(match () {
        _ if a.is_unspecified() => "unspecified",
        _ if a.is_loopback() => "loopback",
        // The deprecated IPv4-compatible form ::a.b.c.d.
        _ if segments[..6] == [0, 0, 0, 0, 0, 0] => "IPv4-compatible (deprecated)",
        _ if (segments[0] & 0xfe00) == 0xfc00 => "unique local (fc00::/7)",
        _ if (segments[0] & 0xffc0) == 0xfe80 => "link-local (fe80::/10)",
        _ if (segments[0] & 0xffc0) == 0xfec0 => "site-local (fec0::/10)",
        _ if a.is_multicast() => "multicast",
        _ if segments[0] == 0x2001 && segments[1] == 0x0db8 => "documentation (2001:db8::/32)",
        _ => return None,
    })
}

/// The download client's resolver: system resolution, then the policy. Returns only addresses the
/// policy admits, so the connector cannot connect anywhere else.
struct CheckedResolver {
    policy: Arc<DownloadPolicy>,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let host = normalise_host(name.as_str());
        Box::pin(async move {
            // Also here, not only in check_url: no path into the connector skips the allowlist.
            policy.check_host(&host)?;
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
                .collect();
            let mut admitted = Vec::new();
            let mut first_refusal = None;
            for address in resolved {
                match policy.check_address(&host, address.ip()) {
                    Ok(()) => admitted.push(address),
                    Err(refusal) => {
                        first_refusal.get_or_insert(refusal);
                    }
                }
            }
            if admitted.is_empty() {
                let refusal = first_refusal.unwrap_or_else(|| Refusal(format!("host {host:?} has no addresses")));
                return Err(Box::new(refusal) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(admitted.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client for job downloads, bound to the policy (resolver, redirects, no proxies). The
/// API has its own client: the policy is about what job authors may reach, not the operator.
pub fn download_client(policy: Arc<DownloadPolicy>, connect_timeout: Duration, timeout: Duration) -> reqwest::Result<reqwest::Client> {
    let redirect_policy = policy.clone();
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .user_agent(concat!("yusuan/", env!("CARGO_PKG_VERSION")))
        .no_proxy()
        .dns_resolver(CheckedResolver { policy })
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(Refusal(format!("more than {MAX_REDIRECTS} redirects")));
            }
            match redirect_policy.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(Refusal(reason)) => {
                    let shown = shown_url(attempt.url());
                    attempt.error(Refusal(format!("redirect to {shown}: {reason}")))
                }
            }
        }))
        .build()
}

/// The URL without its query and fragment: presigned URLs carry credentials there, which must not
/// reach logs or failure reports.
pub fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    let had_query = shown.query().is_some();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    if had_query {
        format!("{shown}?…")
    } else {
        shown.to_string()
    }
}

/// The refusal somewhere in a failed request's error chain, if the policy caused the failure.
pub fn refusal_in(error: &(dyn std::error::Error + 'static)) -> Option<Refusal> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(refusal) = e.downcast_ref::<Refusal>() {
            return Some(refusal.clone());
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(hosts: &[&str]) -> DownloadPolicy {
        DownloadPolicy::new(&hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>(), false, &[]).unwrap()
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn non_public_ranges_are_recognised_in_every_form() {
        for refused in [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
            "224.0.0.1", "255.255.255.255", "::1", "::", "fd00::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1",
            "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:c0a8:101::1", "::127.0.0.1",
        ] {
            assert!(reserved_range(refused.parse().unwrap()).is_some(), "{refused} should be non-public");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700::1111", "::ffff:93.184.216.34", "100.128.0.1"] {
            assert_eq!(reserved_range(public.parse().unwrap()), None, "{public} should be public");
        }
    }

    #[test]
    fn hosts_must_match_the_allowlist() {
        let refuse_all = policy(&[]);
        assert!(refuse_all.check_url(&url("https://files.example.org/a.pdf")).unwrap_err().0.contains("no --url-allow"));
        let p = policy(&["files.example.org", "*.portal.gov.cn"]);
        assert!(p.check_url(&url("https://FILES.example.org./a.pdf")).is_ok());
        assert!(p.check_url(&url("http://a.b.portal.gov.cn/x")).is_ok());
        // `*.` is below the domain, not the domain itself, and not a look-alike suffix.
        assert!(p.check_url(&url("http://portal.gov.cn/x")).is_err());
        assert!(p.check_url(&url("http://evilportal.gov.cn/x")).is_err());
        assert!(p.check_url(&url("http://other.example.org/x")).unwrap_err().0.contains("not in --url-allow"));
        assert!(p.check_url(&url("ftp://files.example.org/x")).unwrap_err().0.contains("scheme"));
    }

    #[test]
    fn literal_addresses_are_checked_even_when_the_host_is_allowed() {
        let p = policy(&["*"]);
        assert!(p.check_url(&url("http://169.254.169.254/latest/meta-data/")).unwrap_err().0.contains("link-local"));
        // The URL parser turns decimal and hex IPv4 spellings into the address they mean.
        assert!(p.check_url(&url("http://2130706433/")).unwrap_err().0.contains("loopback"));
        assert!(p.check_url(&url("http://0x7f.1/")).is_err());
        assert!(p.check_url(&url("http://[::ffff:10.0.0.1]/")).unwrap_err().0.contains("mapped"));
        assert!(p.check_url(&url("http://93.184.216.34/")).is_ok());
        let private_ok = DownloadPolicy::new(&["*".into()], true, &[]).unwrap();
        assert!(private_ok.check_url(&url("http://10.0.0.1/")).is_ok());
        let range_ok = DownloadPolicy::new(&["*".into()], false, &["10.20.0.0/16".into()]).unwrap();
        assert!(range_ok.check_url(&url("http://10.20.3.4/")).is_ok());
        assert!(range_ok.check_url(&url("http://10.21.3.4/")).is_err());
    }

    #[test]
    fn bad_patterns_are_refused_at_startup() {
        assert!(DownloadPolicy::new(&["a*b.org".into()], false, &[]).is_err());
        assert!(DownloadPolicy::new(&["*.".into()], false, &[]).is_err());
        assert!(DownloadPolicy::new(&["x".into()], false, &["10.0.0.0/33".into()]).is_err());
        assert!(DownloadPolicy::new(&["[::1]".into(), "127.0.0.1".into()], false, &[]).is_ok());
    }

    #[test]
    fn shown_urls_carry_no_query_or_password() {
        let shown = shown_url(&url("https://u:secret@h.org/a.pdf?X-Amz-Signature=abc#f"));
        assert!(!shown.contains("secret") && !shown.contains("abc"), "{shown}");
        assert!(shown.contains("h.org/a.pdf"), "{shown}");
    }
}
