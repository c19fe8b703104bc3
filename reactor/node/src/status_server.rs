//! The status API over HTTP: axum on a thread of its own (a current-thread
//! tokio runtime), handing every request to `dinfra_reactor::status`, which
//! decides what to answer and to whom. The reactor's loop gives it a new
//! board after each step. Anyone can connect, so connections are bounded:
//! at most [`MAX_CONNECTIONS`] at once (more are closed at once), headers
//! within [`HEADER_TIMEOUT`], a whole connection within
//! [`CONNECTION_TIMEOUT`] — idle sockets cannot pile up and take the file
//! descriptors the reactor needs for its own work.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use axum::Router;
use dinfra_reactor::status::{
    self, Board, StatusService, ACCOUNT_HEADER, BLOCK_HEADER, SIGNATURE_HEADER,
};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 128;
/// A request's headers must arrive within this.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// A connection is closed after this, whatever it does.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);

type Shared = Arc<Mutex<StatusService>>;

/// A running status API.
pub struct StatusServer {
    address: SocketAddr,
    service: Shared,
}

impl StatusServer {
    /// Binds `listen` (`address:port`; port 0 picks one) and serves
    /// `service` from a thread of its own until the process ends.
    pub fn start(listen: &str, service: StatusService) -> Result<Self, String> {
        let listener = std::net::TcpListener::bind(listen)
            .map_err(|e| format!("status API: cannot listen on {listen}: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("status API: {e}"))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("status API: {e}"))?;
        let service: Shared = Arc::new(Mutex::new(service));
        let shared = service.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("status API: no runtime: {e}"))?;
        std::thread::Builder::new()
            .name("status-api".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(e) => return eprintln!("status API: {e}"),
                    };
                    let app = Router::new().fallback(handle).with_state(shared);
                    serve(listener, app).await;
                })
            })
            .map_err(|e| format!("status API: no thread: {e}"))?;
        Ok(Self { address, service })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Answers from `board` from now on.
    pub fn update(&self, board: Board) {
        if let Ok(mut service) = self.service.lock() {
            service.update(board);
        }
    }
}

/// Accepts connections for ever, each served within the limits above.
async fn serve(listener: tokio::net::TcpListener, app: Router) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of descriptors, say: wait rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream); // full: closed at once
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            let connection =
                builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
            drop(slot);
        });
    }
}

async fn handle(State(service): State<Shared>, request: Request) -> Response {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path(), |pq| pq.as_str());
    let asked = status::Request {
        method: request.method().as_str(),
        target,
        account: header(ACCOUNT_HEADER),
        block: header(BLOCK_HEADER),
        signature: header(SIGNATURE_HEADER),
    };
    let answer = match service.lock() {
        Ok(mut service) => service.answer(&asked),
        Err(_) => status::Response {
            status: 500,
            content_type: "application/json",
            body: r#"{"error": "the status service failed"}"#.into(),
        },
    };
    Response::builder()
        .status(answer.status)
        .header(CONTENT_TYPE, answer.content_type)
        .body(Body::from(answer.body))
        .unwrap_or_default()
}
