//! The status API over HTTP: axum on a thread of its own (a current-thread
//! tokio runtime), handing every request to `dinfra_reactor::status`, which
//! decides what to answer and to whom. The reactor's loop gives it a new
//! board after each step.

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
                    if let Err(e) = axum::serve(listener, app).await {
                        eprintln!("status API stopped: {e}");
                    }
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
