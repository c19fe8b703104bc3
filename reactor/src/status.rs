//! The status API's rules, without a server: what `GET
//! /subscriptions/{id}` and `GET /subscriptions/{id}/logs` answer, and to
//! whom. Only the subscription's consumer is answered: each request carries
//! the consumer's account, a recent block number and an sr25519 signature
//! (Substrate's signing context, as polkadot.js and subxt sign) over
//! `"<METHOD> <path and query> <block>"`, raw or wrapped in
//! `<Bytes>…</Bytes>` as browser wallets wrap what they sign. A block more
//! than `max_age_blocks` old, a signature seen before, a bad signature or a
//! missing header is refused with 401; another account than the consumer
//! with 403. The node binary serves it over HTTP (`node/src/status_server.rs`);
//! `openapi.json` describes it and is served as it is.

use crate::chain::{hex, AccountId, BlockNumber, SubscriptionId};
use crate::driver::Handle;
use crate::state::{Phase, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The API's OpenAPI 3.1 document.
pub const OPENAPI: &str = include_str!("status/openapi.json");
/// What sr25519 signatures of Substrate accounts are made in.
pub const SIGNING_CONTEXT: &[u8] = b"substrate";
pub const ACCOUNT_HEADER: &str = "x-dinfra-account";
pub const BLOCK_HEADER: &str = "x-dinfra-block";
pub const SIGNATURE_HEADER: &str = "x-dinfra-signature";
/// Log lines a request gets by default, and at most.
pub const DEFAULT_LOG_LINES: usize = 100;
pub const MAX_LOG_LINES: usize = 1000;
/// The tail of a log is looked for in its last this many bytes.
const LOG_TAIL_BYTES: u64 = 1 << 20;

/// The config's `status`: where the API listens and how old a signed
/// block may be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusConfig {
    /// `address:port`, e.g. `0.0.0.0:8700`: the endpoint the provider
    /// registered (behind a TLS proxy in production).
    pub listen: String,
    /// A request signs a block at most this many blocks before the
    /// reactor's current one (default 10).
    #[serde(default = "default_max_age_blocks")]
    pub max_age_blocks: BlockNumber,
}

fn default_max_age_blocks() -> BlockNumber {
    10
}

impl StatusConfig {
    pub fn problem(&self) -> Option<String> {
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Some(format!(
                "status.listen: {:?} is not address:port",
                self.listen
            ));
        }
        if self.max_age_blocks == 0 {
            return Some("status.max_age_blocks must be at least 1".into());
        }
        None
    }
}

/// One subscription as its consumer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionStatus {
    pub id: SubscriptionId,
    /// `pending`, `refused`, `starting`, `running`, `failed` or `stopped`.
    pub phase: String,
    /// Why it is pending, refused, failed or stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// `up` (running and its process or container alive), `down`
    /// (should run, is not), `starting`, or `none` (nothing should run).
    pub health: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// The access record published with `mark_ready`.
    pub uris: Vec<String>,
    /// Host ports it was given.
    pub ports: Vec<u16>,
    pub restarts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_at: Option<BlockNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<BlockNumber>,
}

struct Listed {
    consumer: Option<AccountId>,
    status: SubscriptionStatus,
    log: PathBuf,
}

/// What the API answers from: the reactor's state at a block.
pub struct Board {
    block: BlockNumber,
    listed: BTreeMap<SubscriptionId, Listed>,
}

impl Board {
    /// The state as it is after a step at `block`; `alive` is the driver's
    /// verdict on a recorded process or container, `log` a subscription's
    /// log file.
    pub fn new(
        state: &State,
        block: BlockNumber,
        alive: impl Fn(&Handle) -> bool,
        log: impl Fn(SubscriptionId) -> PathBuf,
    ) -> Self {
        let listed = state
            .subscriptions
            .iter()
            .map(|(id, entry)| {
                let (phase, why) = match &entry.phase {
                    Phase::Pending { why } => ("pending", Some(why.clone())),
                    Phase::Refused { why } => ("refused", Some(why.clone())),
                    Phase::Starting => ("starting", None),
                    Phase::Running => ("running", None),
                    Phase::Failed { why } => ("failed", Some(why.clone())),
                    Phase::Stopped { why } => ("stopped", Some(why.clone())),
                };
                let alive = entry.handle.as_ref().is_some_and(&alive);
                let health = match (&entry.phase, alive) {
                    (Phase::Running, true) => "up",
                    (Phase::Running, false) => "down",
                    (Phase::Starting | Phase::Pending { .. }, _) => "starting",
                    _ => "none",
                };
                let ports = if entry.ports.is_empty() {
                    entry.port.into_iter().collect()
                } else {
                    entry.ports.clone()
                };
                let status = SubscriptionStatus {
                    id: *id,
                    phase: phase.into(),
                    why,
                    health: health.into(),
                    type_name: entry.type_name.clone(),
                    uris: entry.access.clone(),
                    ports,
                    restarts: entry.restarts,
                    last_error: entry.last_error.clone(),
                    ready_at: entry.ready_at,
                    end: entry.end,
                };
                let listed = Listed {
                    consumer: entry.consumer,
                    status,
                    log: log(*id),
                };
                (*id, listed)
            })
            .collect();
        Self { block, listed }
    }

    pub fn block(&self) -> BlockNumber {
        self.block
    }
}

/// A request as the server hands it over.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The path with its query, as sent (`/subscriptions/7/logs?lines=20`).
    pub target: &'a str,
    pub account: Option<&'a str>,
    pub block: Option<&'a str>,
    pub signature: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Response {
    fn json(status: u16, body: &impl Serialize) -> Self {
        Self {
            status,
            content_type: "application/json",
            body: serde_json::to_string_pretty(body).unwrap_or_default(),
        }
    }

    fn error(status: u16, why: impl Into<String>) -> Self {
        let why: String = why.into();
        Self::json(status, &serde_json::json!({ "error": why }))
    }
}

/// The status API: a board, and the signatures seen while still fresh.
pub struct StatusService {
    board: Board,
    max_age_blocks: BlockNumber,
    /// Signatures accepted, with the block they signed: refused if sent
    /// again, forgotten once that block is too old anyway.
    seen: BTreeMap<[u8; 64], BlockNumber>,
}

enum Route {
    OpenApi,
    Status(SubscriptionId),
    Logs(SubscriptionId, usize),
}

impl StatusService {
    pub fn new(board: Board, max_age_blocks: BlockNumber) -> Self {
        Self {
            board,
            max_age_blocks,
            seen: BTreeMap::new(),
        }
    }

    /// After a step: answer from this board from now on.
    pub fn update(&mut self, board: Board) {
        self.board = board;
        let oldest = self.oldest_fresh_block();
        self.seen.retain(|_, block| *block >= oldest);
    }

    fn oldest_fresh_block(&self) -> BlockNumber {
        self.board.block.saturating_sub(self.max_age_blocks)
    }

    pub fn answer(&mut self, request: &Request) -> Response {
        let route = match route(request.target) {
            Ok(route) => route,
            Err(response) => return response,
        };
        if request.method != "GET" {
            return Response::error(405, "only GET is served");
        }
        let id = match route {
            Route::OpenApi => {
                return Response {
                    status: 200,
                    content_type: "application/json",
                    body: OPENAPI.into(),
                }
            }
            Route::Status(id) | Route::Logs(id, _) => id,
        };
        let (account, signature, signed_block) = match self.authenticate(request) {
            Ok(signed) => signed,
            Err(why) => return Response::error(401, why),
        };
        let Some(listed) = self.board.listed.get(&id) else {
            return Response::error(404, format!("subscription {id} is not served here"));
        };
        match listed.consumer {
            Some(consumer) if consumer == account => {}
            Some(_) => {
                return Response::error(
                    403,
                    format!("{} is not the consumer of subscription {id}", hex(&account)),
                )
            }
            None => {
                return Response::error(
                    403,
                    format!("the consumer of subscription {id} is not known here yet"),
                )
            }
        }
        // Remembered only now: another account's signatures, however many,
        // take no memory.
        self.seen.insert(signature, signed_block);
        match route {
            Route::Logs(_, lines) => match tail(&listed.log, lines) {
                Ok(text) => Response {
                    status: 200,
                    content_type: "text/plain; charset=utf-8",
                    body: text,
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Response {
                    status: 200,
                    content_type: "text/plain; charset=utf-8",
                    body: String::new(),
                },
                Err(e) => Response::error(500, format!("cannot read the log: {e}")),
            },
            _ => Response::json(200, &listed.status),
        }
    }

    /// The account that signed the request, the signature and the block
    /// it signed, if the signature is good, fresh and new.
    fn authenticate(
        &self,
        request: &Request,
    ) -> Result<(AccountId, [u8; 64], BlockNumber), String> {
        let (Some(account), Some(block), Some(signature)) =
            (request.account, request.block, request.signature)
        else {
            return Err(format!(
                "sign the request: headers {ACCOUNT_HEADER}, {BLOCK_HEADER} and {SIGNATURE_HEADER}"
            ));
        };
        let account: AccountId =
            unhex(account).ok_or_else(|| format!("{ACCOUNT_HEADER}: not 32 bytes of 0x hex"))?;
        let signature: [u8; 64] = unhex(signature)
            .ok_or_else(|| format!("{SIGNATURE_HEADER}: not 64 bytes of 0x hex"))?;
        let signed_block: BlockNumber = block
            .parse()
            .map_err(|_| format!("{BLOCK_HEADER}: not a block number"))?;
        let now = self.board.block;
        if signed_block < self.oldest_fresh_block() {
            return Err(format!(
                "block {signed_block} is more than {} blocks before block {now}: sign a recent block",
                self.max_age_blocks
            ));
        }
        // One block ahead: the consumer's node may have seen one more.
        if signed_block > now.saturating_add(1) {
            return Err(format!("block {signed_block} is ahead of block {now}"));
        }
        let message = format!("{} {} {signed_block}", request.method, request.target);
        if !verify(&account, message.as_bytes(), &signature) {
            return Err(format!(
                "the signature is not {}'s over {message:?}",
                hex(&account)
            ));
        }
        if self.seen.contains_key(&signature) {
            return Err("this signature was used before: sign each request anew".into());
        }
        Ok((account, signature, signed_block))
    }
}

/// Whether `signature` is `account`'s sr25519 signature of `message`, or of
/// `message` wrapped in `<Bytes>…</Bytes>` (what browser wallets sign).
pub fn verify(account: &AccountId, message: &[u8], signature: &[u8; 64]) -> bool {
    let Ok(key) = schnorrkel::PublicKey::from_bytes(account) else {
        return false;
    };
    let Ok(signature) = schnorrkel::Signature::from_bytes(signature) else {
        return false;
    };
    let wrapped = [b"<Bytes>".as_slice(), message, b"</Bytes>"].concat();
    key.verify_simple(SIGNING_CONTEXT, message, &signature)
        .is_ok()
        || key
            .verify_simple(SIGNING_CONTEXT, &wrapped, &signature)
            .is_ok()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.strip_prefix("0x")?;
    if digits.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(digits.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

fn route(target: &str) -> Result<Route, Response> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let not_found = || Response::error(404, format!("no such resource: {path}"));
    if path == "/openapi.json" {
        return Ok(Route::OpenApi);
    }
    let rest = path.strip_prefix("/subscriptions/").ok_or_else(not_found)?;
    let (id, logs) = match rest.split_once('/') {
        Some((id, "logs")) => (id, true),
        Some(_) => return Err(not_found()),
        None => (rest, false),
    };
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_found());
    }
    let id: SubscriptionId = id.parse().map_err(|_| not_found())?;
    if !logs {
        return Ok(Route::Status(id));
    }
    let mut lines = DEFAULT_LOG_LINES;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("lines", n)) => match n.parse::<usize>() {
                Ok(n) if (1..=MAX_LOG_LINES).contains(&n) => lines = n,
                _ => {
                    return Err(Response::error(
                        400,
                        format!("lines: {n:?} is not 1 to {MAX_LOG_LINES}"),
                    ))
                }
            },
            _ => {
                return Err(Response::error(
                    400,
                    format!("unknown query parameter {pair:?}"),
                ))
            }
        }
    }
    Ok(Route::Logs(id, lines))
}

/// The last `lines` lines of the file (from its last MiB).
fn tail(path: &Path, lines: usize) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let length = file.metadata()?.len();
    let start = length.saturating_sub(LOG_TAIL_BYTES);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut all: Vec<&str> = text.lines().collect();
    if start > 0 && !all.is_empty() {
        all.remove(0); // cut in the middle
    }
    let from = all.len().saturating_sub(lines);
    let mut out = all[from..].join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
