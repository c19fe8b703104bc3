//! The reactor's own memory, kept in one JSON file so that a killed reactor
//! started again neither deploys twice nor loses a deployment: how far it
//! has read the chain, and for each subscription awarded to it what it runs
//! and what it has told the chain. Written to a temporary file, fsynced and
//! renamed over the old one, so the file is always either the old or the new
//! state. A missing file is a fresh start; an unreadable one is an error,
//! never a silent reset.

use crate::chain::{AccountId, BlockNumber, Descriptor, SubscriptionId};
use crate::driver::Handle;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// The first block whose events are read next (the last block read is
    /// read again, as more events may land in a block still open).
    pub next_block: BlockNumber,
    pub subscriptions: BTreeMap<SubscriptionId, Entry>,
}

/// Where a deployment is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Awarded; not started yet (its descriptor could not be fetched yet, or
    /// no port was free): tried again every step until the ready deadline.
    Pending { why: String },
    /// Not deployed, on purpose (e.g. descriptor hash mismatch, a type it
    /// has no driver for): nothing was started, and the award is declined
    /// (`decline_wanted`), so it goes on to another provider with no mark
    /// against this one.
    Refused { why: String },
    /// Started, waiting for its health check before `mark_ready`.
    Starting,
    /// Healthy and marked ready (or ready on chain already).
    Running,
    /// Gave up (crash loop, not healthy in time, deadline missed): before
    /// ready the award is declined (`decline_wanted`), after ready the
    /// subscription is exited (`exit_wanted`); neither once the deadline
    /// passed unready (a reaward serves the consumer then).
    Failed { why: String },
    /// Torn down: ended, closed or revoked.
    Stopped { why: String },
}

impl Phase {
    /// Refused, Failed or Stopped: nothing will run for it again.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Phase::Refused { .. } | Phase::Failed { .. } | Phase::Stopped { .. }
        )
    }
}

/// One subscription awarded to this provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub type_id: u32,
    /// The registry's name of the type, once looked up.
    pub type_name: Option<String>,
    pub descriptor: Descriptor,
    pub ready_deadline: BlockNumber,
    #[serde(flatten)]
    pub phase: Phase,
    /// The running (or last) process; `None` once stopped.
    pub handle: Option<Handle>,
    /// The port it was given (kept across restarts): `{port}`, the health
    /// check's port; a container's first published tcp port.
    pub port: Option<u16>,
    /// Every host port a container was given, one per port its descriptor
    /// names, in that order (kept across restarts; empty for a process).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u16>,
    /// Unix time in milliseconds of the last (re)start, for the health timeout.
    pub started_at_ms: Option<u64>,
    /// Since when (Unix time in milliseconds) a ready deployment has failed
    /// its health check; `None` while it passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unhealthy_since_ms: Option<u64>,
    /// Restarts so far (crashes and failed health checks).
    pub restarts: u32,
    /// Why it was last restarted or given up on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Who pays for it (from the chain, once read): the one account the
    /// status API answers about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<AccountId>,
    /// The access record this reactor published with `mark_ready`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access: Vec<String>,
    /// `mark_ready` was sent by this reactor.
    pub ready_sent: bool,
    /// Billing started at this block (from `DeploymentReady`).
    pub ready_at: Option<BlockNumber>,
    /// Billing stops at this block (from `EndScheduled`).
    pub end: Option<BlockNumber>,
    /// `Closed` was seen: nothing more to claim, nothing to run.
    pub closed: bool,
    /// Block of the last claim attempt.
    pub last_claim: Option<BlockNumber>,
    /// The reactor decided to `exit` this subscription (it gave up after
    /// ready) …
    pub exit_wanted: bool,
    /// … and did (or found it already ending or closed).
    pub exit_sent: bool,
    /// The reactor decided to `decline` this award (refused, or gave up
    /// before ready) …
    #[serde(default)]
    pub decline_wanted: bool,
    /// … and did (or found it handed on, closed, ready or past its deadline).
    #[serde(default)]
    pub decline_sent: bool,
}

impl Entry {
    pub fn new(type_id: u32, descriptor: Descriptor, ready_deadline: BlockNumber) -> Self {
        Self {
            type_id,
            type_name: None,
            descriptor,
            ready_deadline,
            phase: Phase::Pending {
                why: "just awarded".into(),
            },
            handle: None,
            port: None,
            ports: Vec::new(),
            started_at_ms: None,
            unhealthy_since_ms: None,
            restarts: 0,
            last_error: None,
            consumer: None,
            access: Vec::new(),
            ready_sent: false,
            ready_at: None,
            end: None,
            closed: false,
            last_claim: None,
            exit_wanted: false,
            exit_sent: false,
            decline_wanted: false,
            decline_sent: false,
        }
    }
}

#[derive(Debug)]
pub enum StateError {
    Io(PathBuf, std::io::Error),
    /// The file exists but is not a state this reactor wrote.
    Corrupt(PathBuf, String),
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Io(path, e) => write!(f, "state file {}: {e}", path.display()),
            StateError::Corrupt(path, why) => write!(
                f,
                "state file {} is corrupt ({why}); refusing to start with a blank state — restore or remove it by hand",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StateError {}

impl State {
    pub fn fresh(start_block: BlockNumber) -> Self {
        Self {
            version: STATE_VERSION,
            next_block: start_block,
            subscriptions: BTreeMap::new(),
        }
    }

    /// The state in `path`, or a fresh one reading from `start_block` if
    /// there is no such file.
    pub fn load(path: &Path, start_block: BlockNumber) -> Result<Self, StateError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::fresh(start_block))
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(StateError::Corrupt(path.into(), e.to_string()))
            }
            Err(e) => return Err(StateError::Io(path.into(), e)),
        };
        let state: State = serde_json::from_str(&text)
            .map_err(|e| StateError::Corrupt(path.into(), e.to_string()))?;
        if state.version != STATE_VERSION {
            return Err(StateError::Corrupt(
                path.into(),
                format!(
                    "version {} (this reactor writes {STATE_VERSION})",
                    state.version
                ),
            ));
        }
        Ok(state)
    }

    /// One line per subscription, for an operator (`dinfra-reactor
    /// --status`): phase (and why), type, process or container (with
    /// `alive`'s verdict), ports, ready and end blocks, last claim, restarts.
    pub fn report(&self, alive: impl Fn(&Handle) -> bool) -> Vec<String> {
        self.subscriptions
            .iter()
            .map(|(id, entry)| {
                let mut line = format!("subscription {id}: ");
                match &entry.phase {
                    Phase::Pending { why } => line.push_str(&format!("pending ({why})")),
                    Phase::Refused { why } => line.push_str(&format!("refused ({why})")),
                    Phase::Starting => line.push_str("starting"),
                    Phase::Running => line.push_str("running"),
                    Phase::Failed { why } => line.push_str(&format!("failed ({why})")),
                    Phase::Stopped { why } => line.push_str(&format!("stopped ({why})")),
                }
                match &entry.type_name {
                    Some(name) => line.push_str(&format!("; type {name:?}")),
                    None => line.push_str(&format!("; type {}", entry.type_id)),
                }
                if let Some(handle) = &entry.handle {
                    let verdict = if alive(handle) { "alive" } else { "gone" };
                    line.push_str(&format!("; {} ({verdict})", handle.unit));
                }
                if entry.ports.len() > 1 {
                    let ports: Vec<String> = entry.ports.iter().map(u16::to_string).collect();
                    line.push_str(&format!("; ports {}", ports.join(", ")));
                } else if let Some(port) = entry.port {
                    line.push_str(&format!("; port {port}"));
                }
                match entry.ready_at {
                    Some(block) => line.push_str(&format!("; ready at block {block}")),
                    None => line.push_str(&format!("; ready by block {}", entry.ready_deadline)),
                }
                if let Some(end) = entry.end {
                    line.push_str(&format!("; ends at block {end}"));
                }
                if entry.closed {
                    line.push_str("; closed");
                }
                if let Some(block) = entry.last_claim {
                    line.push_str(&format!("; last claim at block {block}"));
                }
                if entry.restarts > 0 {
                    line.push_str(&format!("; {} restarts", entry.restarts));
                }
                if entry.exit_wanted {
                    let sent = if entry.exit_sent {
                        "sent"
                    } else {
                        "not sent yet"
                    };
                    line.push_str(&format!("; exit {sent}"));
                }
                if entry.decline_wanted {
                    let sent = if entry.decline_sent {
                        "sent"
                    } else {
                        "not sent yet"
                    };
                    line.push_str(&format!("; decline {sent}"));
                }
                line
            })
            .collect()
    }

    /// Replaces `path` atomically: temp file, fsync, rename, fsync of the
    /// directory.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let io = |e| StateError::Io(path.into(), e);
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        fs::create_dir_all(dir).map_err(io)?;
        let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
        temp_name.push(".tmp");
        let temp = dir.join(temp_name);
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| StateError::Corrupt(path.into(), e.to_string()))?;
        let mut file = File::create(&temp).map_err(io)?;
        file.write_all(&json).map_err(io)?;
        file.write_all(b"\n").map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        fs::rename(&temp, path).map_err(io)?;
        File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HealthKind;
    use crate::driver::Unit;

    fn temp_path(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dinfra-state-{}-{name}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir.join("state.json")
    }

    fn sample() -> State {
        let mut state = State::fresh(5);
        let descriptor = Descriptor {
            hash: [7; 32],
            uri: "file:///tmp/d.json".into(),
        };
        let mut running = Entry::new(1, descriptor.clone(), 40);
        running.type_name = Some("rpc".into());
        running.phase = Phase::Running;
        running.handle = Some(Handle {
            unit: Unit::Process {
                pid: 1234,
                start_time: 99_999,
            },
            port: Some(30001),
            log: "/tmp/logs/3.log".into(),
            health: HealthKind::Tcp,
        });
        running.port = Some(30001);
        running.restarts = 1;
        running.ready_sent = true;
        running.ready_at = Some(12);
        running.end = Some(80);
        running.last_claim = Some(22);
        state.subscriptions.insert(3, running);
        let mut refused = Entry::new(1, descriptor, 40);
        refused.phase = Phase::Refused {
            why: "descriptor hash mismatch".into(),
        };
        refused.decline_wanted = true;
        refused.decline_sent = true;
        state.subscriptions.insert(4, refused);
        state.next_block = 31;
        state
    }

    #[test]
    fn round_trips_through_the_file() {
        let path = temp_path("round-trip");
        let state = sample();
        state.save(&path).unwrap();
        assert_eq!(State::load(&path, 0).unwrap(), state);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"phase\": \"refused\""), "{text}");
        assert!(!path.with_file_name("state.json.tmp").exists());
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn the_report_has_a_line_per_subscription() {
        let report = sample().report(|handle| handle.unit.to_string() == "pid 1234");
        assert_eq!(
            report,
            vec![
                "subscription 3: running; type \"rpc\"; pid 1234 (alive); port 30001; \
                 ready at block 12; ends at block 80; last claim at block 22; 1 restarts",
                "subscription 4: refused (descriptor hash mismatch); type 1; ready by block 40; \
                 decline sent",
            ]
        );
        assert!(sample().report(|_| false)[0].contains("pid 1234 (gone)"));
    }

    #[test]
    fn a_state_written_before_decline_existed_loads_with_nothing_to_decline() {
        let path = temp_path("before-decline");
        sample().save(&path).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        for entry in json["subscriptions"].as_object_mut().unwrap().values_mut() {
            let entry = entry.as_object_mut().unwrap();
            assert!(entry.remove("decline_wanted").is_some());
            assert!(entry.remove("decline_sent").is_some());
        }
        fs::write(&path, json.to_string()).unwrap();
        let loaded = State::load(&path, 0).unwrap();
        let refused = &loaded.subscriptions[&4];
        assert!(!refused.decline_wanted && !refused.decline_sent);
        assert_eq!(loaded.subscriptions[&3], sample().subscriptions[&3]);
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_missing_file_is_a_fresh_start() {
        let path = temp_path("missing");
        assert_eq!(State::load(&path, 17).unwrap(), State::fresh(17));
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_a_reset() {
        let path = temp_path("corrupt");
        sample().save(&path).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, &text[..text.len() / 2]).unwrap();
        let error = State::load(&path, 0).unwrap_err();
        assert!(matches!(error, StateError::Corrupt(..)), "{error}");
        assert!(error.to_string().contains("refusing to start"));
        fs::write(&path, text.replace("\"version\": 1", "\"version\": 9")).unwrap();
        assert!(matches!(
            State::load(&path, 0),
            Err(StateError::Corrupt(..))
        ));
        fs::write(&path, b"").unwrap();
        assert!(matches!(
            State::load(&path, 0),
            Err(StateError::Corrupt(..))
        ));
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
