//! What runs a deployment. The reactor decides what to run and when; a
//! driver only starts, checks and stops one thing at a time, and can tell
//! after a restart of the reactor whether a recorded deployment is still the
//! one it started.

use crate::chain::SubscriptionId;
use crate::config::HealthKind;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// One deployment to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub id: SubscriptionId,
    /// The rendered command line (for `sh -c`).
    pub command: String,
    /// Its working directory (created if missing).
    pub dir: PathBuf,
    /// Where its output goes (appended).
    pub log: PathBuf,
    pub port: Option<u16>,
    pub health: HealthKind,
}

/// A started deployment, as recorded in the state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handle {
    pub pid: u32,
    /// The process's start time (clock ticks after boot, /proc/<pid>/stat
    /// field 22): a pid reused by another process has another start time.
    pub start_time: u64,
    pub port: Option<u16>,
    pub log: PathBuf,
    pub health: HealthKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Up: the health check passes.
    Healthy,
    /// Running, the health check does not pass yet.
    Waiting,
    /// The process is gone.
    Dead,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverError(pub String);

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DriverError {}

pub trait Driver {
    fn start(&mut self, spec: &Spec) -> Result<Handle, DriverError>;
    fn healthy(&mut self, handle: &Handle) -> Health;
    fn alive(&self, handle: &Handle) -> bool;
    /// Stops it and everything it started; fine if it is already gone.
    /// Never touches a process that is not this handle's (a reused pid).
    fn stop(&mut self, handle: &Handle) -> Result<(), DriverError>;
    /// After a restart of the reactor: is this handle's process still
    /// running and still the one that was started?
    fn adopt(&self, handle: &Handle) -> bool;
}
