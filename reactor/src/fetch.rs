//! Fetching a deployment descriptor. The URI is the consumer's input, so
//! the provider decides what the reactor may fetch ([`FetchPolicy`]):
//! which schemes (`https`, `http`, `ipfs` through a gateway, `file` — off
//! by default), which hosts, and never a loopback, private or link-local
//! address unless allowed — checked on every address a host resolves to,
//! at connect time and after every redirect, so a consumer cannot make the
//! reactor read the provider's files or probe its network. HTTP goes
//! through `ureq` (rustls with the webpki roots), with a size limit, an
//! overall time limit and a bounded number of redirects.

use crate::chain::Hash;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// Descriptors are small documents; the policy's limit may not exceed this.
pub const MAX_DESCRIPTOR_BYTES: u64 = 1 << 20;

/// blake2-256, the hash the subscription contract records.
pub fn blake2_256(bytes: &[u8]) -> Hash {
    Blake2b::<U32>::digest(bytes).into()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The URI can never be fetched under this policy (scheme, host,
    /// address, size): refuse the award.
    Unsupported(String),
    /// It could not be fetched now (I/O, network, HTTP status): try again.
    Failed(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Unsupported(why) | FetchError::Failed(why) => f.write_str(why),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Https,
    Http,
    /// `ipfs://CID[/path]`, fetched as `{ipfs_gateway}/ipfs/CID[/path]`;
    /// the hash on chain makes the gateway's answer checkable.
    Ipfs,
    /// `file:///absolute/path` on the provider's machine: only for a
    /// provider that is also the consumer (tests, demos).
    File,
}

impl Scheme {
    fn name(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
            Scheme::Ipfs => "ipfs",
            Scheme::File => "file",
        }
    }
}

/// What the reactor may fetch (the config's `fetch`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchPolicy {
    /// Default `https`, `http`, `ipfs`.
    #[serde(default = "default_schemes")]
    pub schemes: Vec<Scheme>,
    /// Base URL of the IPFS gateway (the provider's own choice, so its
    /// host is exempt from `allowed_hosts` and the address check: it may
    /// be a local node). Default `https://ipfs.io`.
    #[serde(default = "default_gateway")]
    pub ipfs_gateway: String,
    /// When not empty, the only hosts (exact names) fetched from.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Fetch from loopback, private, link-local and other non-public
    /// addresses too (off: a descriptor URI cannot reach the provider's
    /// own network).
    #[serde(default)]
    pub allow_private_addresses: bool,
    /// Largest descriptor, ≤ [`MAX_DESCRIPTOR_BYTES`]. Default 256 KiB.
    #[serde(default = "default_max_bytes")]
    pub max_bytes: u64,
    /// Time for a whole fetch, redirects included. Default 10 s.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Default 5.
    #[serde(default = "default_max_redirects")]
    pub max_redirects: u32,
}

fn default_schemes() -> Vec<Scheme> {
    vec![Scheme::Https, Scheme::Http, Scheme::Ipfs]
}

fn default_gateway() -> String {
    "https://ipfs.io".into()
}

fn default_max_bytes() -> u64 {
    256 * 1024
}

fn default_timeout_secs() -> u64 {
    10
}

fn default_max_redirects() -> u32 {
    5
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            schemes: default_schemes(),
            ipfs_gateway: default_gateway(),
            allowed_hosts: Vec::new(),
            allow_private_addresses: false,
            max_bytes: default_max_bytes(),
            timeout_secs: default_timeout_secs(),
            max_redirects: default_max_redirects(),
        }
    }
}

impl FetchPolicy {
    /// Why the policy cannot be used, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if self.schemes.is_empty() {
            return Some("fetch.schemes: no scheme allowed".into());
        }
        if self.max_bytes == 0 || self.max_bytes > MAX_DESCRIPTOR_BYTES {
            return Some(format!(
                "fetch.max_bytes must be 1 to {MAX_DESCRIPTOR_BYTES}"
            ));
        }
        if self.timeout_secs == 0 {
            return Some("fetch.timeout_secs must be at least 1".into());
        }
        if self.schemes.contains(&Scheme::Ipfs) {
            let gateway: Result<Uri, _> = self.ipfs_gateway.parse();
            let usable = gateway.is_ok_and(|uri| {
                matches!(uri.scheme_str(), Some("https" | "http")) && uri.host().is_some()
            });
            if !usable {
                return Some(format!(
                    "fetch.ipfs_gateway {:?} is not an http(s) URL",
                    self.ipfs_gateway
                ));
            }
        }
        None
    }

    fn allows(&self, scheme: Scheme) -> bool {
        self.schemes.contains(&scheme)
    }

    fn allowed_names(&self) -> String {
        let names: Vec<&str> = self.schemes.iter().map(|s| s.name()).collect();
        names.join(", ")
    }
}

/// Whether an address is one a consumer's URI may make the reactor
/// connect to: not loopback, private, link-local, shared (CGNAT),
/// unspecified, broadcast, documentation or multicast.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0))
        }
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    !(v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_documentation()
        || v4.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared 100.64.0.0/10
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

/// Resolves like ureq does, then drops every address the policy refuses;
/// connecting only to what it returns closes the gap between checking a
/// name and using it (DNS rebinding).
#[derive(Debug)]
struct CheckedResolver {
    allow_private: bool,
    /// The gateway's host and port, exempt from the check.
    trusted: Option<(String, u16)>,
    inner: DefaultResolver,
}

/// The kind of I/O error a refused address is reported with.
const REFUSED: std::io::ErrorKind = std::io::ErrorKind::PermissionDenied;

impl Resolver for CheckedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = self.inner.resolve(uri, config, timeout)?;
        let host = uri.host().unwrap_or_default();
        if self.allow_private || self.trusted.is_some() && self.trusted == host_and_port(uri) {
            return Ok(resolved);
        }
        let mut kept = self.empty();
        for address in resolved.iter().filter(|a| is_public(a.ip())) {
            kept.push(*address);
        }
        if kept.is_empty() {
            let addresses: Vec<String> = resolved.iter().map(|a| a.ip().to_string()).collect();
            return Err(ureq::Error::Io(std::io::Error::new(
                REFUSED,
                format!(
                    "{host} resolves only to non-public addresses ({}), which this provider does not fetch from",
                    addresses.join(", ")
                ),
            )));
        }
        Ok(kept)
    }
}

/// Fetches under one policy (the HTTP agent is built once).
pub struct Fetcher {
    policy: FetchPolicy,
    agent: ureq::Agent,
    /// The IPFS gateway's host and port.
    gateway: Option<(String, u16)>,
}

/// A URL's host (lower case) and port (the scheme's default if none).
fn host_and_port(uri: &Uri) -> Option<(String, u16)> {
    let port = uri.port_u16().or(match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    })?;
    Some((uri.host()?.to_ascii_lowercase(), port))
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("policy", &self.policy)
            .finish()
    }
}

impl Fetcher {
    pub fn new(policy: FetchPolicy) -> Result<Self, String> {
        if let Some(problem) = policy.problem() {
            return Err(problem);
        }
        let gateway = policy
            .schemes
            .contains(&Scheme::Ipfs)
            .then(|| policy.ipfs_gateway.parse::<Uri>().ok())
            .flatten()
            .and_then(|uri| host_and_port(&uri));
        let config = ureq::Agent::config_builder()
            // Redirects are followed here, each target checked.
            .max_redirects(0)
            .http_status_as_error(false)
            // A proxy would resolve the name instead of us: none.
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(policy.timeout_secs)))
            .user_agent("dinfra-reactor")
            .build();
        let resolver = CheckedResolver {
            allow_private: policy.allow_private_addresses,
            trusted: gateway.clone(),
            inner: DefaultResolver::default(),
        };
        let agent = ureq::Agent::with_parts(config, DefaultConnector::default(), resolver);
        Ok(Self {
            policy,
            agent,
            gateway,
        })
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// The document at `uri`.
    pub fn fetch(&self, uri: &str) -> Result<Vec<u8>, FetchError> {
        let (scheme, rest) = uri
            .split_once("://")
            .ok_or_else(|| FetchError::Unsupported(format!("{uri:?} is not a URI")))?;
        let known = match scheme.to_ascii_lowercase().as_str() {
            "https" => Some(Scheme::Https),
            "http" => Some(Scheme::Http),
            "ipfs" => Some(Scheme::Ipfs),
            "file" => Some(Scheme::File),
            _ => None,
        };
        let scheme = known.filter(|s| self.policy.allows(*s)).ok_or_else(|| {
            FetchError::Unsupported(format!(
                "descriptor URI scheme {scheme:?} is not one this provider fetches ({})",
                self.policy.allowed_names()
            ))
        })?;
        match scheme {
            Scheme::File => self.fetch_file(rest),
            Scheme::Ipfs => {
                let path = rest.trim_start_matches('/');
                let cid = path.split('/').next().unwrap_or_default();
                if cid.is_empty() || !cid.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(FetchError::Unsupported(format!(
                        "{uri:?}: not an ipfs://CID[/path] URI"
                    )));
                }
                let gateway = self.policy.ipfs_gateway.trim_end_matches('/');
                self.fetch_http(&format!("{gateway}/ipfs/{path}"))
            }
            Scheme::Https | Scheme::Http => self.fetch_http(uri),
        }
    }

    fn fetch_file(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        if !path.starts_with('/') {
            return Err(FetchError::Unsupported(format!(
                "file URI must hold an absolute path (file:///…), not {path:?}"
            )));
        }
        let file = std::fs::File::open(path)
            .map_err(|e| FetchError::Failed(format!("cannot read {path}: {e}")))?;
        let mut bytes = Vec::new();
        file.take(self.policy.max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| FetchError::Failed(format!("cannot read {path}: {e}")))?;
        if bytes.len() as u64 > self.policy.max_bytes {
            return Err(self.too_large(path));
        }
        Ok(bytes)
    }

    fn too_large(&self, what: &str) -> FetchError {
        FetchError::Unsupported(format!(
            "{what}: larger than this provider's limit of {} bytes",
            self.policy.max_bytes
        ))
    }

    /// Checks a URL the reactor is about to GET (the first or a redirect's).
    fn check_url(&self, url: &str) -> Result<Uri, FetchError> {
        let refuse = |why: String| FetchError::Unsupported(format!("{url}: {why}"));
        let uri: Uri = url
            .parse()
            .map_err(|e| refuse(format!("not a URL ({e})")))?;
        let scheme = match uri.scheme_str() {
            Some("https") => Scheme::Https,
            Some("http") => Scheme::Http,
            other => {
                return Err(refuse(format!(
                    "scheme {other:?} cannot be fetched over HTTP"
                )))
            }
        };
        let host = uri
            .host()
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| refuse("no host".into()))?;
        if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
            return Err(refuse("credentials in a URL are not sent".into()));
        }
        let gateway = self.gateway.is_some() && self.gateway == host_and_port(&uri);
        if !gateway && !self.policy.allows(scheme) {
            return Err(refuse(format!(
                "scheme {:?} is not one this provider fetches ({})",
                scheme.name(),
                self.policy.allowed_names()
            )));
        }
        if !gateway
            && !self.policy.allowed_hosts.is_empty()
            && !self
                .policy
                .allowed_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&host))
        {
            return Err(refuse(format!(
                "host {host} is not one this provider fetches from"
            )));
        }
        Ok(uri)
    }

    fn fetch_http(&self, first: &str) -> Result<Vec<u8>, FetchError> {
        let mut url = first.to_string();
        let mut redirects = 0;
        loop {
            let uri = self.check_url(&url)?;
            let failed = |why: String| FetchError::Failed(format!("{url}: {why}"));
            let mut response = self.agent.get(uri.clone()).call().map_err(|e| match e {
                ureq::Error::Io(io) if io.kind() == REFUSED => {
                    FetchError::Unsupported(format!("{url}: {io}"))
                }
                other => failed(other.to_string()),
            })?;
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| failed(format!("HTTP {status} without a Location")))?;
                redirects += 1;
                if redirects > self.policy.max_redirects {
                    return Err(FetchError::Unsupported(format!(
                        "{first}: more than {} redirects",
                        self.policy.max_redirects
                    )));
                }
                url = absolute(&uri, location);
                continue;
            }
            if !status.is_success() {
                return Err(failed(format!("HTTP {status}")));
            }
            return response
                .body_mut()
                .with_config()
                .limit(self.policy.max_bytes)
                .read_to_vec()
                .map_err(|e| match e {
                    ureq::Error::BodyExceedsLimit(_) => self.too_large(&url),
                    other => failed(other.to_string()),
                });
        }
    }
}

/// A Location header as an absolute URL (absolute, or a path on `base`).
fn absolute(base: &Uri, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let scheme = base.scheme_str().unwrap_or("https");
    let authority = base.authority().map_or("", |a| a.as_str());
    if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let path = base.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        format!("{scheme}://{authority}{dir}{location}")
    }
}

#[cfg(test)]
mod tests;
