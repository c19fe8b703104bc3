//! Health probes both drivers use, always against 127.0.0.1 (where a
//! deployment's port is published): a TCP connect, or an HTTP GET answered
//! with a 2xx status.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// How long one probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_millis(1000);

/// Something accepts TCP connections on 127.0.0.1:`port`.
pub fn tcp(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&address, PROBE_TIMEOUT).is_ok()
}

/// `GET http://127.0.0.1:{port}{path}` is answered with a 2xx status (a
/// redirect is not followed: it is not an answer of the deployment's own).
pub fn http(port: u16, path: &str) -> bool {
    if !path.starts_with('/') {
        return false;
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(PROBE_TIMEOUT))
        .user_agent("dinfra-reactor health")
        .build()
        .into();
    agent
        .get(format!("http://127.0.0.1:{port}{path}"))
        .call()
        .is_ok_and(|answer| answer.status().is_success())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// Serves one connection with `status`.
    fn serve_once(status: &'static str) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let answer =
                format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            stream.write_all(answer.as_bytes()).unwrap();
        });
        port
    }

    #[test]
    fn http_passes_on_2xx_only() {
        assert!(http(serve_once("200 OK"), "/health"));
        assert!(http(serve_once("204 No Content"), "/"));
        assert!(!http(serve_once("503 Service Unavailable"), "/"));
        assert!(!http(serve_once("302 Found"), "/"));
        assert!(!http(serve_once("200 OK"), "no-slash"));
    }

    #[test]
    fn nothing_listening_fails_both() {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        assert!(!tcp(port));
        assert!(!http(port, "/"));
    }
}
