use super::*;
use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

fn fetcher(change: impl FnOnce(&mut FetchPolicy)) -> Fetcher {
    let mut policy = FetchPolicy::default();
    change(&mut policy);
    Fetcher::new(policy).expect("a usable policy")
}

/// Loopback allowed: the tests' servers are local.
fn local() -> Fetcher {
    fetcher(|p| p.allow_private_addresses = true)
}

/// Serves one canned response per connection, in order; returns each
/// request's head. A response may name the port of the server itself as
/// `{port}`.
fn serve(responses: Vec<String>) -> (u16, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let thread = std::thread::spawn(move || {
        let mut requests = Vec::new();
        for response in responses {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let response = response.replace("{port}", &port.to_string());
            let _ = stream.write_all(response.as_bytes());
            requests.push(String::from_utf8_lossy(&head).to_string());
        }
        requests
    });
    (port, thread)
}

fn ok(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn redirect(location: &str) -> String {
    format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

#[test]
fn blake2_256_of_known_input() {
    // blake2b-256("abc"), from the BLAKE2 reference implementation.
    assert_eq!(
        crate::chain::hex(&blake2_256(b"abc")),
        "0xbddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
    );
}

#[test]
fn file_uris_only_when_the_provider_allows_them() {
    let path = std::env::temp_dir().join(format!("dinfra-fetch-{}.json", std::process::id()));
    std::fs::write(&path, b"{\"image\":\"x\"}").unwrap();
    let uri = format!("file://{}", path.display());
    let error = fetcher(|_| {}).fetch(&uri).unwrap_err();
    assert!(
        matches!(&error, FetchError::Unsupported(why) if why.contains("\"file\" is not one this provider fetches (https, http, ipfs)")),
        "{error:?}"
    );
    let files = fetcher(|p| p.schemes = vec![Scheme::File]);
    assert_eq!(files.fetch(&uri).unwrap(), b"{\"image\":\"x\"}");
    let small = fetcher(|p| {
        p.schemes = vec![Scheme::File];
        p.max_bytes = 4;
    });
    assert!(
        matches!(small.fetch(&uri), Err(FetchError::Unsupported(why)) if why.contains("limit of 4 bytes"))
    );
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(files.fetch(&uri), Err(FetchError::Failed(_))));
    assert!(matches!(
        files.fetch("file://relative/x"),
        Err(FetchError::Unsupported(_))
    ));
}

#[test]
fn other_schemes_and_non_uris_are_refused() {
    let f = local();
    for uri in [
        "ftp://example.org/d.json",
        "gopher://x/",
        "/etc/passwd",
        "ipfs://",
        "ipfs://Qm$(x)/",
    ] {
        assert!(
            matches!(f.fetch(uri), Err(FetchError::Unsupported(_))),
            "{uri}"
        );
    }
    let https_only = fetcher(|p| p.schemes = vec![Scheme::Https]);
    let error = https_only.fetch("http://example.org/d.json").unwrap_err();
    assert!(
        matches!(&error, FetchError::Unsupported(why) if why.contains("\"http\" is not one this provider fetches (https)")),
        "{error:?}"
    );
}

#[test]
fn non_public_addresses_are_refused_unless_allowed() {
    let (port, server) = serve(vec![ok("hello")]);
    for host in ["127.0.0.1", "localhost"] {
        let error = fetcher(|_| {})
            .fetch(&format!("http://{host}:{port}/d.json"))
            .unwrap_err();
        assert!(
            matches!(&error, FetchError::Unsupported(why) if why.contains("resolves only to non-public addresses")),
            "{host}: {error:?}"
        );
    }
    assert_eq!(
        local()
            .fetch(&format!("http://127.0.0.1:{port}/d.json"))
            .unwrap(),
        b"hello"
    );
    let requests = server.join().unwrap();
    assert_eq!(requests.len(), 1, "the refused ones never connected");
    assert!(
        requests[0].starts_with("GET /d.json HTTP/1.1\r\n"),
        "{requests:?}"
    );
}

#[test]
fn public_means_not_loopback_private_link_local_or_reserved() {
    let refused = [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "255.255.255.255",
        "224.0.0.1",
        "192.0.2.1",
        "198.18.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fc00::1",
        "fd12::1",
        "fe80::1",
        "ff02::1",
        "2001:db8::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ];
    for ip in refused {
        assert!(!is_public(ip.parse().unwrap()), "{ip}");
    }
    for ip in [
        "1.1.1.1",
        "8.8.8.8",
        "93.184.216.34",
        "2606:4700::1111",
        "::ffff:1.1.1.1",
    ] {
        assert!(is_public(ip.parse().unwrap()), "{ip}");
    }
}

#[test]
fn redirects_are_followed_and_each_target_checked() {
    let (port, server) = serve(vec![redirect("/b/c.json"), redirect("d.json"), ok("done")]);
    assert_eq!(
        local()
            .fetch(&format!("http://127.0.0.1:{port}/a"))
            .unwrap(),
        b"done"
    );
    let requests = server.join().unwrap();
    let lines: Vec<&str> = requests.iter().map(|r| r.lines().next().unwrap()).collect();
    assert_eq!(
        lines,
        [
            "GET /a HTTP/1.1",
            "GET /b/c.json HTTP/1.1",
            "GET /b/d.json HTTP/1.1"
        ]
    );

    // To a host the provider does not allow, to a file, or on for ever.
    let only_ip = fetcher(|p| {
        p.allow_private_addresses = true;
        p.allowed_hosts = vec!["127.0.0.1".into()];
    });
    let (port, server) = serve(vec![redirect("http://localhost:{port}/x")]);
    let error = only_ip
        .fetch(&format!("http://127.0.0.1:{port}/"))
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::Unsupported(why) if why.contains("host localhost is not one")),
        "{error:?}"
    );
    server.join().unwrap();
    let (port, server) = serve(vec![redirect("file:///etc/passwd")]);
    let error = local()
        .fetch(&format!("http://127.0.0.1:{port}/"))
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::Unsupported(why) if why.starts_with("file:///etc/passwd: ")),
        "{error:?}"
    );
    server.join().unwrap();
    let (port, server) = serve(vec![redirect("/again"); 3]);
    let twice = fetcher(|p| {
        p.allow_private_addresses = true;
        p.max_redirects = 2;
    });
    let error = twice
        .fetch(&format!("http://127.0.0.1:{port}/"))
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::Unsupported(why) if why.contains("more than 2 redirects")),
        "{error:?}"
    );
    server.join().unwrap();
}

#[test]
fn too_large_is_refused_and_errors_are_retried() {
    let (port, server) = serve(vec![
        ok(&"x".repeat(2000)),
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".into(),
    ]);
    let small = fetcher(|p| {
        p.allow_private_addresses = true;
        p.max_bytes = 1000;
    });
    let error = small
        .fetch(&format!("http://127.0.0.1:{port}/big"))
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::Unsupported(why) if why.contains("limit of 1000 bytes")),
        "{error:?}"
    );
    let error = small
        .fetch(&format!("http://127.0.0.1:{port}/missing"))
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::Failed(why) if why.contains("404")),
        "{error:?}"
    );
    server.join().unwrap();
}

#[test]
fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let quick = fetcher(|p| {
        p.allow_private_addresses = true;
        p.timeout_secs = 1;
    });
    let started = Instant::now();
    let error = quick
        .fetch(&format!("http://127.0.0.1:{port}/"))
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::Failed(why) if why.contains("timeout")),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(listener);
}

/// An https server with a self-signed certificate (openssl, python's ssl).
struct TlsServer(Child, std::path::PathBuf);

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

#[test]
fn https_verifies_the_certificate() {
    let dir = std::env::temp_dir().join(format!("dinfra-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(made.success());
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = format!(
        "import http.server, ssl\n\
         s = http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler)\n\
         c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain('cert.pem', 'key.pem')\n\
         s.socket = c.wrap_socket(s.socket, server_side=True)\n\
         s.serve_forever()\n"
    );
    let child = Command::new(crate::process::python3_executable().expect("python3"))
        .args(["-c", &script])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = TlsServer(child, dir);
    let started = Instant::now();
    let error = loop {
        match local().fetch(&format!("https://localhost:{port}/cert.pem")) {
            Err(FetchError::Failed(why))
                if why.contains("onnection refused")
                    && started.elapsed() < Duration::from_secs(10) =>
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            other => break other.unwrap_err(),
        }
    };
    assert!(
        matches!(&error, FetchError::Failed(why) if why.to_lowercase().contains("certificate")),
        "a self-signed certificate must not be trusted: {error:?}"
    );
}

#[test]
fn ipfs_goes_through_the_gateway_which_may_be_local() {
    let (port, server) = serve(vec![ok("{}")]);
    // The gateway is the provider's own (here a local one): exempt from
    // the address check, which still applies to everything else.
    let f = fetcher(|p| p.ipfs_gateway = format!("http://127.0.0.1:{port}/"));
    assert_eq!(
        f.fetch("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/d.json")
            .unwrap(),
        b"{}"
    );
    let requests = server.join().unwrap();
    assert!(
        requests[0].starts_with("GET /ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/d.json HTTP/1.1\r\n"),
        "{requests:?}"
    );
    // Only the gateway's own host and port: another port there is refused.
    let error = f
        .fetch(&format!("http://127.0.0.1:{}/x", port + 1))
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::Unsupported(why) if why.contains("non-public")),
        "{error:?}"
    );
}

#[test]
fn unusable_policies_are_named() {
    for (change, says) in [
        (
            Box::new(|p: &mut FetchPolicy| p.schemes.clear()) as Box<dyn Fn(&mut FetchPolicy)>,
            "no scheme",
        ),
        (
            Box::new(|p: &mut FetchPolicy| p.max_bytes = MAX_DESCRIPTOR_BYTES + 1),
            "max_bytes",
        ),
        (
            Box::new(|p: &mut FetchPolicy| p.timeout_secs = 0),
            "timeout_secs",
        ),
        (
            Box::new(|p: &mut FetchPolicy| p.ipfs_gateway = "ftp://gw".into()),
            "ipfs_gateway",
        ),
    ] {
        let mut policy = FetchPolicy::default();
        change(&mut policy);
        let error = Fetcher::new(policy).unwrap_err();
        assert!(error.contains(says), "{error}");
    }
}
