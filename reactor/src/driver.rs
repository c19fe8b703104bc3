//! What runs a deployment. The reactor decides what to run and when; a
//! driver only starts, checks and stops one thing at a time, and can tell
//! after a restart of the reactor whether a recorded deployment is still the
//! one it started. Two drivers exist: `process` (a command line on the
//! host, for tests and simple hosts) and `podman` (an OCI container with
//! limits); [`Drivers`] holds both and hands each deployment to its own.

use crate::chain::SubscriptionId;
use crate::config::{Config, HealthKind};
use crate::podman::{ContainerDescriptor, KubeManifest, PodmanDriver};
use crate::process::ProcessDriver;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Workload {
    /// A rendered command line, run by `sh -c` (the process driver).
    Command(String),
    /// A `container` descriptor (the podman driver).
    Container(ContainerDescriptor),
    /// A `kube-manifest` descriptor, played as one pod (the podman driver).
    Manifest(KubeManifest),
}

/// One deployment to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub id: SubscriptionId,
    pub workload: Workload,
    /// Its working directory (created if missing).
    pub dir: PathBuf,
    /// Where its output goes (appended).
    pub log: PathBuf,
    /// The port its health is checked on (on 127.0.0.1), if any.
    pub port: Option<u16>,
    /// Every host port it was given, in the order its workload names them
    /// (a command's `{port}`; a container's `ports`).
    pub ports: Vec<u16>,
    pub health: HealthKind,
}

/// What a started deployment is, as recorded in the state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Unit {
    /// A process group led by `pid`.
    Process {
        pid: u32,
        /// The process's start time (clock ticks after boot,
        /// /proc/<pid>/stat field 22): a pid reused by another process has
        /// another start time.
        start_time: u64,
    },
    /// A container: its engine id (unique for ever, unlike its name).
    Container { container_id: String, name: String },
    /// A pod the engine played from a manifest: its engine id.
    Pod { pod_id: String, name: String },
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Process { pid, .. } => write!(f, "pid {pid}"),
            Unit::Container { container_id, name } => {
                let short = container_id.get(..12).unwrap_or(container_id);
                write!(f, "container {name} ({short})")
            }
            Unit::Pod { pod_id, name } => {
                let short = pod_id.get(..12).unwrap_or(pod_id);
                write!(f, "pod {name} ({short})")
            }
        }
    }
}

/// A started deployment, as recorded in the state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handle {
    #[serde(flatten)]
    pub unit: Unit,
    pub port: Option<u16>,
    pub log: PathBuf,
    pub health: HealthKind,
}

impl Handle {
    /// The process group leader, if it is a process.
    pub fn pid(&self) -> Option<u32> {
        match self.unit {
            Unit::Process { pid, .. } => Some(pid),
            Unit::Container { .. } | Unit::Pod { .. } => None,
        }
    }
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
    /// What outlives a restart (a container's volumes) is kept.
    fn stop(&mut self, handle: &Handle) -> Result<(), DriverError>;
    /// After the last stop (the subscription is over): removes what it
    /// created for subscription `id` that outlives a stop.
    fn release(&mut self, _id: SubscriptionId) -> Result<(), DriverError> {
        Ok(())
    }
    /// After a restart of the reactor: is this handle's process still
    /// running and still the one that was started?
    fn adopt(&self, handle: &Handle) -> bool;
}

/// Every driver the reactor can use: each spec goes to the driver of its
/// workload, each handle to the driver of its unit. Containers are refused
/// when no container engine is configured.
pub struct Drivers {
    pub process: ProcessDriver,
    pub podman: Option<PodmanDriver>,
}

impl Drivers {
    /// The drivers `config`'s types need: the process driver (stopping with
    /// `grace` between SIGTERM and SIGKILL), and the container engine when
    /// some type runs containers (an error if it cannot be used).
    pub fn for_config(config: &Config, grace: Duration) -> Result<Self, String> {
        let podman = if config.uses_containers() {
            Some(PodmanDriver::new(
                config.containers.clone(),
                config.instance(),
            )?)
        } else {
            None
        };
        Ok(Self {
            process: ProcessDriver::new(grace),
            podman,
        })
    }

    fn podman(&mut self) -> Result<&mut PodmanDriver, DriverError> {
        self.podman
            .as_mut()
            .ok_or_else(|| DriverError("no container engine is configured".into()))
    }
}

impl Driver for Drivers {
    fn start(&mut self, spec: &Spec) -> Result<Handle, DriverError> {
        match spec.workload {
            Workload::Command(_) => self.process.start(spec),
            Workload::Container(_) | Workload::Manifest(_) => self.podman()?.start(spec),
        }
    }

    fn healthy(&mut self, handle: &Handle) -> Health {
        match (&handle.unit, self.podman.as_mut()) {
            (Unit::Process { .. }, _) => self.process.healthy(handle),
            (_, Some(podman)) => podman.healthy(handle),
            (_, None) => Health::Dead,
        }
    }

    fn alive(&self, handle: &Handle) -> bool {
        match (&handle.unit, &self.podman) {
            (Unit::Process { .. }, _) => self.process.alive(handle),
            (_, Some(podman)) => podman.alive(handle),
            (_, None) => false,
        }
    }

    fn stop(&mut self, handle: &Handle) -> Result<(), DriverError> {
        match handle.unit {
            Unit::Process { .. } => self.process.stop(handle),
            Unit::Container { .. } | Unit::Pod { .. } => self.podman()?.stop(handle),
        }
    }

    fn release(&mut self, id: SubscriptionId) -> Result<(), DriverError> {
        match self.podman.as_mut() {
            Some(podman) => podman.release(id),
            None => Ok(()),
        }
    }

    fn adopt(&self, handle: &Handle) -> bool {
        match (&handle.unit, &self.podman) {
            (Unit::Process { .. }, _) => self.process.adopt(handle),
            (_, Some(podman)) => podman.adopt(handle),
            (_, None) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_file_of_the_process_only_reactor_still_reads() {
        let old = r#"{"pid":42,"start_time":7,"port":30001,"log":"/l/3.log","health":"tcp"}"#;
        let handle: Handle = serde_json::from_str(old).unwrap();
        assert_eq!(
            handle.unit,
            Unit::Process {
                pid: 42,
                start_time: 7
            }
        );
        assert_eq!(serde_json::to_string(&handle).unwrap(), old);
    }

    #[test]
    fn a_container_handle_round_trips() {
        let handle = Handle {
            unit: Unit::Container {
                container_id: "0123456789abcdef".into(),
                name: "dinfra-x-3".into(),
            },
            port: Some(30001),
            log: "/l/3.log".into(),
            health: HealthKind::Http { path: "/".into() },
        };
        let text = serde_json::to_string(&handle).unwrap();
        assert_eq!(serde_json::from_str::<Handle>(&text).unwrap(), handle);
        assert_eq!(
            handle.unit.to_string(),
            "container dinfra-x-3 (0123456789ab)"
        );
    }
}
