//! Fetching a deployment descriptor and checking it against the hash on
//! chain. `file:///absolute/path` and `http://host[:port]/path` are
//! supported (a plain HTTP/1.0 GET, no TLS, no redirects); anything else is
//! refused with the reason.

use crate::chain::Hash;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Descriptors are small JSON documents; anything larger is refused.
pub const MAX_DESCRIPTOR_BYTES: usize = 1 << 20;
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// blake2-256, the hash the subscription contract records.
pub fn blake2_256(bytes: &[u8]) -> Hash {
    Blake2b::<U32>::digest(bytes).into()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The URI can never be fetched (scheme, form): refuse the award.
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

/// The document at `uri`.
pub fn fetch(uri: &str) -> Result<Vec<u8>, FetchError> {
    if let Some(path) = uri.strip_prefix("file://") {
        return fetch_file(path);
    }
    if let Some(rest) = uri.strip_prefix("http://") {
        return fetch_http(rest);
    }
    let scheme = uri.split_once("://").map_or("none", |(scheme, _)| scheme);
    Err(FetchError::Unsupported(format!(
        "unsupported descriptor URI scheme {scheme:?} in {uri:?} (only file:// and http://)"
    )))
}

fn fetch_file(path: &str) -> Result<Vec<u8>, FetchError> {
    if !path.starts_with('/') {
        return Err(FetchError::Unsupported(format!(
            "file URI must hold an absolute path (file:///…), not {path:?}"
        )));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| FetchError::Failed(format!("cannot read {path}: {e}")))?;
    read_limited(file).map_err(|e| FetchError::Failed(format!("cannot read {path}: {e}")))
}

fn read_limited(reader: impl Read) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_DESCRIPTOR_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > MAX_DESCRIPTOR_BYTES {
        return Err(format!("larger than {MAX_DESCRIPTOR_BYTES} bytes"));
    }
    Ok(bytes)
}

/// `rest` is `host[:port]/path` (the part after `http://`).
fn fetch_http(rest: &str) -> Result<Vec<u8>, FetchError> {
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return Err(FetchError::Unsupported(format!(
            "http URI needs a host and no credentials: http://{rest}"
        )));
    }
    let failed = |why: String| FetchError::Failed(format!("http://{rest}: {why}"));
    let target = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let address = target
        .to_socket_addrs()
        .map_err(|e| failed(e.to_string()))?
        .next()
        .ok_or_else(|| failed("host has no address".into()))?;
    let mut stream =
        TcpStream::connect_timeout(&address, HTTP_TIMEOUT).map_err(|e| failed(e.to_string()))?;
    stream
        .set_read_timeout(Some(HTTP_TIMEOUT))
        .map_err(|e| failed(e.to_string()))?;
    stream
        .set_write_timeout(Some(HTTP_TIMEOUT))
        .map_err(|e| failed(e.to_string()))?;
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: {authority}\r\nUser-Agent: dinfra-reactor\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| failed(e.to_string()))?;
    // Headers are allowed a few KiB beyond the body limit.
    let mut response = Vec::new();
    stream
        .take(MAX_DESCRIPTOR_BYTES as u64 + 16 * 1024)
        .read_to_end(&mut response)
        .map_err(|e| failed(e.to_string()))?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| failed("no complete HTTP response".into()))?;
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let body = response[split + 4..].to_vec();
    let status_line = head.lines().next().unwrap_or_default();
    let status = status_line.split_whitespace().nth(1).unwrap_or_default();
    if status != "200" {
        return Err(failed(format!(
            "HTTP status {status_line:?} (redirects are not followed)"
        )));
    }
    let header = |name: &str| {
        head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    };
    if header("transfer-encoding").is_some_and(|v| !v.eq_ignore_ascii_case("identity")) {
        return Err(failed("chunked transfer encoding is not supported".into()));
    }
    if let Some(length) = header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| failed(format!("bad Content-Length {length:?}")))?;
        if length != body.len() {
            return Err(failed(format!("got {} of {length} bytes", body.len())));
        }
    }
    if body.len() > MAX_DESCRIPTOR_BYTES {
        return Err(failed(format!("larger than {MAX_DESCRIPTOR_BYTES} bytes")));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn blake2_256_of_known_input() {
        // blake2b-256("abc"), from the BLAKE2 reference implementation.
        assert_eq!(
            crate::chain::hex(&blake2_256(b"abc")),
            "0xbddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
    }

    #[test]
    fn reads_a_file_uri() {
        let path = std::env::temp_dir().join(format!("dinfra-fetch-{}.json", std::process::id()));
        std::fs::write(&path, b"{\"image\":\"x\"}").unwrap();
        assert_eq!(
            fetch(&format!("file://{}", path.display())).unwrap(),
            b"{\"image\":\"x\"}"
        );
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            fetch(&format!("file://{}", path.display())),
            Err(FetchError::Failed(_))
        ));
        assert!(matches!(
            fetch("file://relative/x"),
            Err(FetchError::Unsupported(_))
        ));
    }

    #[test]
    fn refuses_other_schemes() {
        let error = fetch("https://example.org/d.json").unwrap_err();
        assert!(
            matches!(&error, FetchError::Unsupported(why) if why.contains("\"https\"")),
            "{error:?}"
        );
        assert!(matches!(
            fetch("ipfs://Qm"),
            Err(FetchError::Unsupported(_))
        ));
        assert!(matches!(
            fetch("/etc/passwd"),
            Err(FetchError::Unsupported(_))
        ));
    }

    /// Serves one canned response on a local port.
    fn serve_once(response: &'static [u8]) -> (u16, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let thread = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let n = stream.read(&mut request).unwrap();
            stream.write_all(response).unwrap();
            String::from_utf8_lossy(&request[..n]).to_string()
        });
        (port, thread)
    }

    #[test]
    fn gets_an_http_uri() {
        let (port, server) = serve_once(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        assert_eq!(
            fetch(&format!("http://127.0.0.1:{port}/d/x.json")).unwrap(),
            b"hello"
        );
        let request = server.join().unwrap();
        assert!(
            request.starts_with("GET /d/x.json HTTP/1.0\r\n"),
            "{request}"
        );
        assert!(
            request.contains(&format!("Host: 127.0.0.1:{port}\r\n")),
            "{request}"
        );
    }

    #[test]
    fn http_errors_are_failures_to_retry() {
        let (port, server) = serve_once(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        let error = fetch(&format!("http://127.0.0.1:{port}/missing")).unwrap_err();
        assert!(
            matches!(&error, FetchError::Failed(why) if why.contains("404")),
            "{error:?}"
        );
        server.join().unwrap();
        let (port, server) = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
        assert!(matches!(
            fetch(&format!("http://127.0.0.1:{port}/")),
            Err(FetchError::Failed(_))
        ));
        server.join().unwrap();
    }
}
