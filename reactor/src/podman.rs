//! The `podman` driver: a `container` deployment runs as an OCI container
//! through Podman's CLI (or Docker's: the flags used are the ones both
//! share). Each container is named and labelled after the reactor instance
//! and the subscription, so a restarted reactor adopts exactly its own and
//! never touches another's; it runs with the descriptor's CPU and memory
//! limits, a process limit and no new privileges; its ports are published
//! on host ports the reactor hands out from the provider's range; its
//! output goes to the subscription's log; a stop removes the container, and
//! the release at the end removes its volumes.

mod descriptor;
mod manifest;

pub use manifest::{KubeManifest, PodPort};

pub use descriptor::{
    volume_name, ContainerDescriptor, ContainerHealth, ContainerPort, Protocol, RunContext, Volume,
    INSTANCE_LABEL, SUBSCRIPTION_LABEL,
};

use crate::chain::SubscriptionId;
use crate::config::HealthKind;
use crate::driver::{Driver, DriverError, Handle, Health, Spec, Unit, Workload};
use crate::probe;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The provider's container settings (the config's `containers`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerConfig {
    /// The engine's CLI: `podman` (or `docker`), a name on PATH or a path.
    #[serde(default = "default_engine")]
    pub engine: String,
    /// A containers.conf for every engine call (`CONTAINERS_CONF`), relative
    /// to the config file: e.g. runc and cgroupfs on hosts without systemd.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers_conf: Option<PathBuf>,
    /// The address ports are published on (all interfaces by default).
    #[serde(default = "default_publish_address")]
    pub publish_address: IpAddr,
    /// The engine's pull policy: `missing`, `always` or `never` (images
    /// the provider loaded itself only).
    #[serde(default = "default_pull")]
    pub pull: String,
    /// Processes one container may run.
    #[serde(default = "default_pids_limit")]
    pub pids_limit: u32,
    /// Seconds between the stop signal and a kill.
    #[serde(default = "default_stop_grace_secs")]
    pub stop_grace_secs: u64,
    /// Seconds a `run` (which may pull the image) may take.
    #[serde(default = "default_start_timeout_secs")]
    pub start_timeout_secs: u64,
    /// A container's log is rotated at this size (MiB).
    #[serde(default = "default_log_max_mib")]
    pub log_max_mib: u64,
    /// The most one container may ask for: CPU cores, memory, and the
    /// sum of its volumes' sizes. A descriptor asking for more is refused
    /// (and the award declined): the offer's price is per deployment, and
    /// a consumer must not take the provider's whole machine for it.
    #[serde(default = "default_max_cpu")]
    pub max_cpu: f64,
    #[serde(default = "default_max_memory_mib")]
    pub max_memory_mib: u64,
    #[serde(default = "default_max_volumes_mib")]
    pub max_volumes_mib: u64,
    /// This reactor's name on the host's engine (`[a-z0-9]{1,16}`), in each
    /// container's name and labels; by default derived from the state
    /// file's path, so two reactors on one host never share one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

fn default_engine() -> String {
    "podman".into()
}

fn default_publish_address() -> IpAddr {
    IpAddr::V4(Ipv4Addr::UNSPECIFIED)
}

fn default_pull() -> String {
    "missing".into()
}

fn default_pids_limit() -> u32 {
    1024
}

fn default_stop_grace_secs() -> u64 {
    10
}

fn default_start_timeout_secs() -> u64 {
    300
}

fn default_log_max_mib() -> u64 {
    16
}

fn default_max_cpu() -> f64 {
    4.0
}

fn default_max_memory_mib() -> u64 {
    8192
}

fn default_max_volumes_mib() -> u64 {
    10240
}

impl Default for ContainerConfig {
    fn default() -> Self {
        Self {
            engine: default_engine(),
            containers_conf: None,
            publish_address: default_publish_address(),
            pull: default_pull(),
            pids_limit: default_pids_limit(),
            stop_grace_secs: default_stop_grace_secs(),
            start_timeout_secs: default_start_timeout_secs(),
            log_max_mib: default_log_max_mib(),
            max_cpu: default_max_cpu(),
            max_memory_mib: default_max_memory_mib(),
            max_volumes_mib: default_max_volumes_mib(),
            instance: None,
        }
    }
}

impl ContainerConfig {
    /// What is wrong with it, if anything.
    pub fn problem(&self) -> Option<String> {
        if self.engine.trim().is_empty() {
            return Some("containers.engine is empty".into());
        }
        if !["missing", "always", "never", "newer"].contains(&self.pull.as_str()) {
            return Some(format!(
                "containers.pull: {:?} is not missing, always, newer or never",
                self.pull
            ));
        }
        if self.pids_limit == 0 {
            return Some("containers.pids_limit must be at least 1".into());
        }
        if self.start_timeout_secs == 0 {
            return Some("containers.start_timeout_secs must be at least 1".into());
        }
        if !(self.max_cpu.is_finite() && self.max_cpu > 0.0) || self.max_memory_mib == 0 {
            return Some("containers.max_cpu and max_memory_mib must be above 0".into());
        }
        if let Some(instance) = &self.instance {
            let ok = (1..=16).contains(&instance.len())
                && instance
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if !ok {
                return Some(format!(
                    "containers.instance: {instance:?} is not 1 to 16 of [a-z0-9]"
                ));
            }
        }
        None
    }
}

/// What a podman type's descriptor asks to run: one container (a
/// `container` descriptor) or one pod (a `kube-manifest`), told apart by
/// the document's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runnable {
    Container(ContainerDescriptor),
    Pod(KubeManifest),
}

impl Runnable {
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let value = crate::descriptor::parse(bytes).map_err(|e| e.to_string())?;
        if KubeManifest::is_manifest(&value) {
            Ok(Runnable::Pod(KubeManifest::from_value(value)?))
        } else {
            Ok(Runnable::Container(ContainerDescriptor::from_value(value)?))
        }
    }

    /// Host ports it needs: one per port it names.
    pub fn port_count(&self) -> usize {
        match self {
            Runnable::Container(c) => c.ports.len(),
            Runnable::Pod(p) => p.ports.len(),
        }
    }

    pub fn first_tcp_port(&self, host_ports: &[u16]) -> Option<u16> {
        match self {
            Runnable::Container(c) => c.first_tcp_port(host_ports),
            Runnable::Pod(p) => p.first_tcp_port(host_ports),
        }
    }

    /// CPU (thousandths of a core), memory and volumes (MiB) it asks for.
    fn size(&self) -> (u64, u64, u64) {
        match self {
            Runnable::Container(c) => (
                u64::from(c.cpu_millis),
                c.memory_mib,
                c.volumes
                    .iter()
                    .fold(0u64, |sum, v| sum.saturating_add(v.size_mib)),
            ),
            Runnable::Pod(p) => (p.cpu_millis, p.memory_mib, p.volumes_mib),
        }
    }

    /// The port and check its health is judged by: its own (a container's
    /// `health`, a pod's first readiness or liveness probe), else the
    /// type's default on its first tcp port (no tcp port: running is
    /// enough).
    pub fn health(&self, host_ports: &[u16], default: &HealthKind) -> (Option<u16>, HealthKind) {
        let own = match self {
            Runnable::Container(c) => c.health.clone(),
            Runnable::Pod(p) => p.health.clone(),
        };
        let host_port = |name: &str| match self {
            Runnable::Container(c) => c.host_port(name, host_ports),
            Runnable::Pod(p) => p.host_port(name, host_ports),
        };
        let first = self.first_tcp_port(host_ports);
        match own {
            Some(ContainerHealth::Tcp { port }) => (host_port(&port), HealthKind::Tcp),
            Some(ContainerHealth::Http { port, path }) => {
                (host_port(&port), HealthKind::Http { path })
            }
            Some(ContainerHealth::Image) => (first, HealthKind::Image),
            None => match default {
                HealthKind::Tcp | HealthKind::Http { .. } if first.is_none() => {
                    (None, HealthKind::None)
                }
                // A pod has no image check of its own here.
                HealthKind::Image if matches!(self, Runnable::Pod(_)) => (first, HealthKind::None),
                other => (first, other.clone()),
            },
        }
    }

    pub fn into_workload(self) -> Workload {
        match self {
            Runnable::Container(c) => Workload::Container(c),
            Runnable::Pod(p) => Workload::Manifest(p),
        }
    }
}

impl ContainerConfig {
    /// Whether this provider runs a deployment as large as it asks.
    pub fn admits(&self, runnable: &Runnable) -> Result<(), String> {
        let (cpu_millis, memory_mib, volumes) = runnable.size();
        let cpu = cpu_millis as f64 / 1000.0;
        if cpu > self.max_cpu {
            return Err(format!(
                "/resources/cpu: {cpu} cores is more than this provider's {} per deployment",
                self.max_cpu
            ));
        }
        if memory_mib > self.max_memory_mib {
            return Err(format!(
                "/resources/memory_mib: {memory_mib} MiB is more than this provider's {} per deployment",
                self.max_memory_mib
            ));
        }
        if volumes > self.max_volumes_mib {
            return Err(format!(
                "/volumes: {volumes} MiB in all is more than this provider's {} per deployment",
                self.max_volumes_mib
            ));
        }
        Ok(())
    }
}

/// How long an image's own health check may take.
const HEALTHCHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an engine call other than `run` may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

pub struct PodmanDriver {
    config: ContainerConfig,
    instance: String,
}

/// What `inspect` says of a container.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Inspected {
    id: String,
    running: bool,
    instance: String,
    subscription: String,
}

impl PodmanDriver {
    /// A driver for `instance` (see [`ContainerConfig::instance`]); fails
    /// when the engine cannot be run.
    pub fn new(config: ContainerConfig, instance: String) -> Result<Self, String> {
        if let Some(problem) = config.problem() {
            return Err(problem);
        }
        let driver = Self { config, instance };
        driver
            .call(
                &["version", "--format", "{{.Client.Version}}"],
                CALL_TIMEOUT,
            )
            .map_err(|e| format!("the container engine cannot be used: {e}"))?;
        Ok(driver)
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The container of subscription `id`: one name per instance and id.
    pub fn container_name(&self, id: SubscriptionId) -> String {
        format!("dinfra-{}-{id}", self.instance)
    }

    /// Runs the engine with `args`; its stdout, or why it failed.
    fn call<S: AsRef<str>>(&self, args: &[S], timeout: Duration) -> Result<String, String> {
        self.call_in(args, timeout, Path::new("/"))
    }

    /// `call` from directory `dir`: conmon, the engine's monitor, inherits
    /// it and may leave files there (an `oom` marker when the kernel kills
    /// the container), so a `run` happens in the subscription's work dir.
    fn call_in<S: AsRef<str>>(
        &self,
        args: &[S],
        timeout: Duration,
        dir: &Path,
    ) -> Result<String, String> {
        let mut command = Command::new(&self.config.engine);
        command
            .current_dir(dir)
            .args(args.iter().map(AsRef::as_ref))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(conf) = &self.config.containers_conf {
            command.env("CONTAINERS_CONF", conf);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.config.engine))?;
        // Read both pipes while it runs (a full pipe would stall it).
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let out = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        });
        let err = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let deadline = Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Ok(None) | Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "{} {} took more than {} s",
                        self.config.engine,
                        args.first().map_or("", AsRef::as_ref),
                        timeout.as_secs()
                    ));
                }
            }
        };
        let out = out.join().unwrap_or_default();
        let err = err.join().unwrap_or_default();
        if status.success() {
            Ok(out)
        } else {
            let last = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            Err(format!(
                "{} {} failed ({status}): {}",
                self.config.engine,
                args.first().map_or("", AsRef::as_ref),
                last.trim()
            ))
        }
    }

    /// `Ok(None)` when the engine says there is no such object; an error
    /// when the engine could not be asked (it is then not known to be gone).
    fn inspected(&self, args: &[&str]) -> Result<Option<String>, String> {
        match self.call(args, CALL_TIMEOUT) {
            Ok(out) => Ok(Some(out)),
            Err(why) if why.contains("no such") => Ok(None),
            Err(why) => Err(why),
        }
    }

    /// The container named or identified `what`, if the engine has one.
    fn inspect(&self, what: &str) -> Result<Option<Inspected>, String> {
        self.inspect_object(
            &["container", "inspect"],
            ".State.Running",
            ".Config.Labels",
            what,
        )
        .map(|found| {
            found.map(|(state, inspected)| Inspected {
                running: state == "true",
                ..inspected
            })
        })
    }

    /// The pod named or identified `what`, if the engine has one.
    fn inspect_pod(&self, what: &str) -> Result<Option<Inspected>, String> {
        // "Degraded": one of its containers exited; a restart is due.
        self.inspect_object(&["pod", "inspect"], ".State", ".Labels", what)
            .map(|found| {
                found.map(|(state, inspected)| Inspected {
                    running: state == "Running",
                    ..inspected
                })
            })
    }

    /// `command` (a container's or a pod's inspect) of `what`: its id,
    /// the field `state` as printed, and the labels under `labels`.
    fn inspect_object(
        &self,
        command: &[&str],
        state: &str,
        labels: &str,
        what: &str,
    ) -> Result<Option<(String, Inspected)>, String> {
        let format = format!(
            "{{{{.Id}}}}\t{{{{{state}}}}}\t{{{{index {labels} \"{INSTANCE_LABEL}\"}}}}\t{{{{index {labels} \"{SUBSCRIPTION_LABEL}\"}}}}"
        );
        let args: Vec<&str> = command
            .iter()
            .copied()
            .chain(["--format", &format, what])
            .collect();
        let Some(out) = self.inspected(&args)? else {
            return Ok(None);
        };
        let fields: Vec<&str> = out.lines().next().unwrap_or("").split('\t').collect();
        let [id, state, instance, subscription] = fields[..] else {
            return Err(format!(
                "the engine's {} printed {out:?}",
                command.join(" ")
            ));
        };
        let inspected = Inspected {
            id: id.into(),
            running: false,
            instance: instance.into(),
            subscription: subscription.into(),
        };
        Ok(Some((state.to_string(), inspected)))
    }

    fn ours(&self, inspected: &Inspected, id: SubscriptionId) -> bool {
        inspected.instance == self.instance && inspected.subscription == id.to_string()
    }

    /// The engine id and name a handle records.
    fn subscription_of(handle: &Handle) -> Option<(&str, &str)> {
        match &handle.unit {
            Unit::Container { container_id, name } => Some((container_id, name)),
            Unit::Pod { pod_id, name } => Some((pod_id, name)),
            Unit::Process { .. } => None,
        }
    }

    /// The handle's container or pod, if it is still there and still ours;
    /// an error if the engine could not tell.
    fn ours_by_handle(&self, handle: &Handle) -> Result<Option<Inspected>, String> {
        let Some((engine_id, name)) = Self::subscription_of(handle) else {
            return Ok(None);
        };
        let inspected = match handle.unit {
            Unit::Pod { .. } => self.inspect_pod(engine_id)?,
            _ => self.inspect(engine_id)?,
        };
        let id = name
            .rsplit('-')
            .next()
            .and_then(|id| id.parse::<SubscriptionId>().ok());
        Ok(inspected.filter(|inspected| {
            inspected.id == engine_id && id.is_some_and(|id| self.ours(inspected, id))
        }))
    }

    /// Plays a manifest as one pod named and labelled for this instance and
    /// subscription; its first container's log becomes the subscription's.
    fn start_pod(&mut self, spec: &Spec, manifest: &KubeManifest) -> Result<Handle, String> {
        let name = self.container_name(spec.id);
        if let Some(existing) = self.inspect_pod(&name)? {
            if !self.ours(&existing, spec.id) {
                return Err(format!(
                    "a pod named {name} exists that is not this reactor's"
                ));
            }
            self.call(
                &["pod", "rm", "--force", "--time", "0", &existing.id],
                CALL_TIMEOUT,
            )?;
        }
        for dir in spec.log.parent().into_iter().chain([spec.dir.as_path()]) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let pod = manifest.pod(
            &name,
            &self.instance,
            spec.id,
            &spec.ports,
            self.config.publish_address,
            &self.config.pull,
        )?;
        let file = spec.dir.join("pod.json");
        std::fs::write(&file, serde_json::to_vec_pretty(&pod).unwrap_or_default())
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        let file_arg = file.to_string_lossy().to_string();
        let timeout = Duration::from_secs(self.config.start_timeout_secs);
        let played = self.call_in(
            &["kube", "play", "--log-driver", "k8s-file", &file_arg],
            timeout,
            &spec.dir,
        );
        if let Err(why) = played {
            let _ = self.call(
                &["pod", "rm", "--force", "--time", "0", &name],
                CALL_TIMEOUT,
            );
            return Err(why);
        }
        let pod_id = self
            .inspect_pod(&name)?
            .map(|pod| pod.id)
            .ok_or_else(|| format!("the engine played {name} but does not show it"))?;
        // The pod's first container logs where the engine keeps it; the
        // subscription's log points there.
        let first = format!("{name}-{}", manifest.first_container());
        if let Ok(path) = self.call(
            &[
                "container",
                "inspect",
                "--format",
                "{{.HostConfig.LogConfig.Path}}",
                &first,
            ],
            CALL_TIMEOUT,
        ) {
            let _ = std::fs::remove_file(&spec.log);
            let _ = std::os::unix::fs::symlink(path.trim(), &spec.log);
        }
        Ok(Handle {
            unit: Unit::Pod { pod_id, name },
            port: spec.port,
            log: spec.log.clone(),
            health: spec.health.clone(),
        })
    }

    /// Volumes this instance created for subscription `id`.
    fn volumes_of(&self, id: SubscriptionId) -> Result<Vec<String>, String> {
        let out = self.call(
            &[
                "volume",
                "ls",
                "--quiet",
                "--filter",
                &format!("label={INSTANCE_LABEL}={}", self.instance),
                "--filter",
                &format!("label={SUBSCRIPTION_LABEL}={id}"),
            ],
            CALL_TIMEOUT,
        )?;
        Ok(out
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect())
    }

    fn start_container(
        &mut self,
        spec: &Spec,
        descriptor: &ContainerDescriptor,
    ) -> Result<Handle, String> {
        let name = self.container_name(spec.id);
        // A container of ours under this name is one a crashed reactor
        // started but never recorded: replace it. Another's: leave it.
        if let Some(existing) = self.inspect(&name)? {
            if !self.ours(&existing, spec.id) {
                return Err(format!(
                    "a container named {name} exists that is not this reactor's"
                ));
            }
            self.call(
                &["rm", "--force", "--time", "0", &existing.id],
                CALL_TIMEOUT,
            )?;
        }
        for dir in spec.log.parent().into_iter().chain([spec.dir.as_path()]) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let existing = self.volumes_of(spec.id)?;
        for volume in &descriptor.volumes {
            let volume_name = volume_name(&name, &volume.name);
            if existing.contains(&volume_name) {
                continue; // kept across a restart
            }
            self.call(
                &[
                    "volume",
                    "create",
                    "--label",
                    &format!("{INSTANCE_LABEL}={}", self.instance),
                    "--label",
                    &format!("{SUBSCRIPTION_LABEL}={}", spec.id),
                    "--label",
                    &format!("dinfra.size_mib={}", volume.size_mib),
                    &volume_name,
                ],
                CALL_TIMEOUT,
            )?;
        }
        let context = RunContext {
            name: &name,
            instance: &self.instance,
            id: spec.id,
            log: &spec.log,
            host_ports: &spec.ports,
            publish_address: self.config.publish_address,
            pull: &self.config.pull,
            pids_limit: self.config.pids_limit,
            log_max_mib: self.config.log_max_mib,
        };
        let args = descriptor.run_args(&context)?;
        let timeout = Duration::from_secs(self.config.start_timeout_secs);
        let out = self.call_in(&args, timeout, &spec.dir).inspect_err(|_| {
            // A container the engine created but could not start.
            let _ = self.call(&["rm", "--force", "--time", "0", &name], CALL_TIMEOUT);
        })?;
        let container_id = out.lines().last().unwrap_or_default().trim().to_string();
        if container_id.is_empty() || !container_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("the engine's run printed no container id: {out:?}"));
        }
        Ok(Handle {
            unit: Unit::Container { container_id, name },
            port: spec.port,
            log: spec.log.clone(),
            health: spec.health.clone(),
        })
    }
}

impl Driver for PodmanDriver {
    fn start(&mut self, spec: &Spec) -> Result<Handle, DriverError> {
        match &spec.workload {
            Workload::Container(descriptor) => self.start_container(spec, descriptor),
            Workload::Manifest(manifest) => self.start_pod(spec, manifest),
            Workload::Command(_) => Err("the podman driver runs containers and pods only".into()),
        }
        .map_err(DriverError)
    }

    fn healthy(&mut self, handle: &Handle) -> Health {
        match self.ours_by_handle(handle) {
            Ok(Some(inspected)) if inspected.running => {}
            // The engine could not be asked: not known to be dead.
            Err(_) => return Health::Waiting,
            Ok(_) => return Health::Dead,
        }
        let passes = match (&handle.health, handle.port) {
            (HealthKind::None, _) => true,
            (HealthKind::Tcp, Some(port)) => probe::tcp(port),
            (HealthKind::Http { path }, Some(port)) => probe::http(port, path),
            (HealthKind::Tcp | HealthKind::Http { .. }, None) => false,
            (HealthKind::Image, _) => match Self::subscription_of(handle) {
                // The image sets its check's timeout: bounded here, so one
                // image cannot hold up the reactor's step.
                Some((container_id, _)) => self
                    .call(&["healthcheck", "run", container_id], HEALTHCHECK_TIMEOUT)
                    .is_ok(),
                None => false,
            },
        };
        if passes {
            Health::Healthy
        } else {
            Health::Waiting
        }
    }

    fn alive(&self, handle: &Handle) -> bool {
        // An engine that cannot be asked is no proof that it is gone.
        self.ours_by_handle(handle)
            .map_or(true, |c| c.is_some_and(|c| c.running))
    }

    fn stop(&mut self, handle: &Handle) -> Result<(), DriverError> {
        // Gone, or no longer ours (a name reused by another instance after
        // a removal): nothing of ours to stop.
        let Some(inspected) = self.ours_by_handle(handle).map_err(DriverError)? else {
            return Ok(());
        };
        let grace = self.config.stop_grace_secs.to_string();
        let timeout = CALL_TIMEOUT + Duration::from_secs(self.config.stop_grace_secs);
        let args: &[&str] = match handle.unit {
            Unit::Pod { .. } => &["pod", "rm", "--force", "--time", &grace, &inspected.id],
            // --volumes: the anonymous volumes an image's VOLUME made.
            _ => &[
                "rm",
                "--force",
                "--volumes",
                "--time",
                &grace,
                &inspected.id,
            ],
        };
        self.call(args, timeout).map(|_| ()).map_err(DriverError)
    }

    fn release(&mut self, id: SubscriptionId) -> Result<(), DriverError> {
        let volumes = self.volumes_of(id).map_err(DriverError)?;
        if volumes.is_empty() {
            return Ok(());
        }
        let mut args = vec!["volume".to_string(), "rm".into(), "--force".into()];
        args.extend(volumes);
        self.call(&args, CALL_TIMEOUT)
            .map(|_| ())
            .map_err(DriverError)
    }

    fn adopt(&self, handle: &Handle) -> bool {
        self.alive(handle)
    }
}
