//! A `container` descriptor (types/container/schema.json) as the podman
//! driver runs it, and the engine's `run` arguments for it. Parsed again
//! here, not trusted from the schema: the schema is the provider's to
//! configure, and every string below ends up on an engine's command line,
//! so each is checked to be what it claims (no option smuggled in as an
//! image, a mount path or a variable name).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

/// Labels every container and volume carries: which reactor made it, for
/// which subscription. A reactor adopts and removes only what carries both.
pub const INSTANCE_LABEL: &str = "dinfra.instance";
pub const SUBSCRIPTION_LABEL: &str = "dinfra.subscription";

/// The engine refuses less memory than this.
const MIN_MEMORY_MIB: u64 = 6;
const MAX_CPU_MILLIS: u32 = 64_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: String,
    /// The port inside the container.
    pub port: u16,
    pub protocol: Protocol,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub name: String,
    pub mount_path: String,
    pub size_mib: u64,
}

/// How the driver knows the container serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerHealth {
    /// A TCP connect to the host port of the named port.
    Tcp { port: String },
    /// `GET path` on the host port of the named port, answered 2xx.
    Http { port: String, path: String },
    /// The image's own HEALTHCHECK, run by the engine.
    Image,
}

/// A checked `container` descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerDescriptor {
    pub image: String,
    /// Replaces the image's entrypoint (Kubernetes' `command`).
    pub command: Vec<String>,
    /// Replaces the image's default arguments (Kubernetes' `args`).
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub ports: Vec<ContainerPort>,
    /// CPU limit in thousandths of a core.
    pub cpu_millis: u32,
    pub memory_mib: u64,
    pub volumes: Vec<Volume>,
    pub health: Option<ContainerHealth>,
}

// The wire form, exactly the schema's fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    image: String,
    #[serde(default)]
    command: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    ports: Vec<RawPort>,
    resources: RawResources,
    #[serde(default)]
    volumes: Vec<RawVolume>,
    health: Option<RawHealth>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPort {
    name: String,
    port: u16,
    #[serde(default = "tcp")]
    protocol: Protocol,
}

fn tcp() -> Protocol {
    Protocol::Tcp
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResources {
    cpu: f64,
    memory_mib: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVolume {
    name: String,
    mount_path: String,
    size_mib: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
enum RawHealth {
    Tcp(String),
    Http(RawHttp),
    Image(bool),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    port: String,
    path: String,
}

/// `[a-z0-9]([a-z0-9-]*[a-z0-9])?` of 1 to `max` bytes: the schema's
/// `name` (32) and a Kubernetes DNS label (63).
pub(super) fn is_label(name: &str, max: usize) -> bool {
    let bytes = name.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (1..=max).contains(&bytes.len())
        && bytes.first().is_some_and(edge)
        && bytes.last().is_some_and(edge)
        && bytes.iter().all(|b| edge(b) || *b == b'-')
}

/// The engine reads `<transport>:<path>` as an image on the host's disk
/// (or a daemon's): a consumer must only name images of a registry.
const TRANSPORTS: [&str; 9] = [
    "docker",
    "docker-archive",
    "docker-daemon",
    "oci",
    "oci-archive",
    "dir",
    "containers-storage",
    "ostree",
    "sif",
];

/// An image reference: lowercase repository path segments, an optional
/// registry port, tag and digest; never starting with `-`, never a
/// transport (`oci-archive:/path`), a `:` before the first `/` only for a
/// registry's port.
pub fn is_image(image: &str) -> bool {
    let first = image.as_bytes().first();
    let charset = image.len() <= 255
        && first.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && image
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/:@".contains(&b));
    let transport = image
        .split_once(':')
        .is_some_and(|(before, _)| TRANSPORTS.contains(&before));
    let port_ok = match image.split_once('/') {
        Some((registry, _)) => registry
            .split_once(':')
            .is_none_or(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())),
        None => true,
    };
    charset && !transport && port_ok
}

pub(super) fn is_env_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=64).contains(&bytes.len())
        && !bytes[0].is_ascii_digit()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// An absolute path inside the container, of plain segments: no `..`, no
/// `,` or `=` that would add options to a `--mount`, not `/` itself.
pub(super) fn is_mount_path(path: &str) -> bool {
    path.len() <= 255
        && path.starts_with('/')
        && path.len() > 1
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b))
        && path
            .split('/')
            .all(|segment| segment != ".." && segment != ".")
}

impl ContainerDescriptor {
    /// Parses and checks a descriptor's bytes (JSON, or YAML as the
    /// catalogue allows); the error names the field.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        Self::from_value(crate::descriptor::parse(bytes).map_err(|e| e.to_string())?)
    }

    /// The same, from the parsed document.
    pub fn from_value(value: serde_json::Value) -> Result<Self, String> {
        let raw: Raw = serde_json::from_value(value)
            .map_err(|e| format!("not a container descriptor: {e}"))?;
        if !is_image(&raw.image) {
            return Err(format!("/image: {:?} is not an image reference", raw.image));
        }
        if raw.ports.len() > 16 || raw.volumes.len() > 8 || raw.env.len() > 64 {
            return Err(
                "/ports, /volumes or /env: at most 16 ports, 8 volumes, 64 variables".into(),
            );
        }
        if raw.command.len() > 64 || raw.args.len() > 64 {
            return Err("/command or /args: at most 64 words".into());
        }
        if let Some(name) = raw.env.keys().find(|name| !is_env_name(name)) {
            return Err(format!("/env: {name:?} is not a variable name"));
        }
        if let Some(entry) = raw.env.iter().find(|(_, value)| value.contains('\0')) {
            return Err(format!("/env/{}: holds a NUL byte", entry.0));
        }
        if raw
            .command
            .iter()
            .chain(&raw.args)
            .any(|word| word.contains('\0'))
        {
            return Err("/command or /args: a word holds a NUL byte".into());
        }
        let mut ports: Vec<ContainerPort> = Vec::new();
        for (i, port) in raw.ports.into_iter().enumerate() {
            if !is_label(&port.name, 32) {
                return Err(format!(
                    "/ports/{i}/name: {:?} is not a port name",
                    port.name
                ));
            }
            if port.port == 0 {
                return Err(format!("/ports/{i}/port: 0 is not a port"));
            }
            if ports.iter().any(|p| p.name == port.name) {
                return Err(format!("/ports/{i}/name: {:?} twice", port.name));
            }
            if ports
                .iter()
                .any(|p| p.port == port.port && p.protocol == port.protocol)
            {
                return Err(format!("/ports/{i}/port: {} twice", port.port));
            }
            ports.push(ContainerPort {
                name: port.name,
                port: port.port,
                protocol: port.protocol,
            });
        }
        let cpu = raw.resources.cpu * 1000.0;
        if !(cpu.is_finite() && cpu >= 1.0 && cpu <= f64::from(MAX_CPU_MILLIS)) {
            return Err(format!(
                "/resources/cpu: {} is not between 0.001 and 64 cores",
                raw.resources.cpu
            ));
        }
        if raw.resources.memory_mib < MIN_MEMORY_MIB {
            return Err(format!(
                "/resources/memory_mib: {} is below the engine's minimum of {MIN_MEMORY_MIB}",
                raw.resources.memory_mib
            ));
        }
        let mut volumes: Vec<Volume> = Vec::new();
        for (i, volume) in raw.volumes.into_iter().enumerate() {
            if !is_label(&volume.name, 32) {
                return Err(format!(
                    "/volumes/{i}/name: {:?} is not a volume name",
                    volume.name
                ));
            }
            if !is_mount_path(&volume.mount_path) {
                return Err(format!(
                    "/volumes/{i}/mount_path: {:?} is not a plain absolute path",
                    volume.mount_path
                ));
            }
            if volumes
                .iter()
                .any(|v| v.name == volume.name || v.mount_path == volume.mount_path)
            {
                return Err(format!("/volumes/{i}: its name or mount path twice"));
            }
            volumes.push(Volume {
                name: volume.name,
                mount_path: volume.mount_path,
                size_mib: volume.size_mib,
            });
        }
        let tcp_port = |name: &str, at: &str| -> Result<String, String> {
            match ports.iter().find(|p| p.name == name) {
                Some(p) if p.protocol == Protocol::Tcp => Ok(name.to_string()),
                Some(_) => Err(format!("{at}: port {name:?} is not a tcp port")),
                None => Err(format!("{at}: no port is named {name:?}")),
            }
        };
        let health = match raw.health {
            None => None,
            Some(RawHealth::Tcp(port)) => Some(ContainerHealth::Tcp {
                port: tcp_port(&port, "/health/tcp")?,
            }),
            Some(RawHealth::Http(http)) => {
                if !http.path.starts_with('/') || http.path.chars().any(char::is_whitespace) {
                    return Err(format!("/health/http/path: {:?} is not a path", http.path));
                }
                Some(ContainerHealth::Http {
                    port: tcp_port(&http.port, "/health/http/port")?,
                    path: http.path,
                })
            }
            Some(RawHealth::Image(true)) => Some(ContainerHealth::Image),
            Some(RawHealth::Image(false)) => return Err("/health/image: must be true".into()),
        };
        Ok(Self {
            image: raw.image,
            command: raw.command,
            args: raw.args,
            env: raw.env,
            ports,
            cpu_millis: cpu.round() as u32,
            memory_mib: raw.resources.memory_mib,
            volumes,
            health,
        })
    }

    /// Where the named port is published on the host, given the host ports
    /// handed out in `ports` order.
    pub fn host_port(&self, name: &str, host_ports: &[u16]) -> Option<u16> {
        let index = self.ports.iter().position(|p| p.name == name)?;
        host_ports.get(index).copied()
    }

    /// The first tcp port's host port: what `{port}` and a default TCP
    /// health check use.
    pub fn first_tcp_port(&self, host_ports: &[u16]) -> Option<u16> {
        let index = self
            .ports
            .iter()
            .position(|p| p.protocol == Protocol::Tcp)?;
        host_ports.get(index).copied()
    }
}

/// Everything of the provider's that goes into a `run` beside the
/// descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunContext<'a> {
    pub name: &'a str,
    pub instance: &'a str,
    pub id: u64,
    pub log: &'a Path,
    /// One per descriptor port, in its order, all from the provider's range.
    pub host_ports: &'a [u16],
    pub publish_address: IpAddr,
    pub pull: &'a str,
    pub pids_limit: u32,
    /// The log file is rotated at this size.
    pub log_max_mib: u64,
}

/// The volume of descriptor volume `volume` for container `name`.
pub fn volume_name(container: &str, volume: &str) -> String {
    format!("{container}-{volume}")
}

impl ContainerDescriptor {
    /// The arguments of `podman run` (or `docker run`) for it: detached,
    /// labelled, logging to the subscription's log, limited (CPU, memory
    /// without extra swap, processes, no new privileges), its ports
    /// published on the given host ports only, its volumes mounted.
    pub fn run_args(&self, context: &RunContext) -> Result<Vec<String>, String> {
        if context.host_ports.len() != self.ports.len() {
            return Err(format!(
                "{} ports to publish, {} host ports given",
                self.ports.len(),
                context.host_ports.len()
            ));
        }
        let log = context
            .log
            .to_str()
            .filter(|log| !log.contains(','))
            .ok_or_else(|| format!("log path {} cannot be passed", context.log.display()))?;
        let mut args: Vec<String> = vec!["run".into(), "--detach".into()];
        let mut pair = |flag: &str, value: String| {
            args.push(flag.into());
            args.push(value);
        };
        pair("--name", context.name.into());
        pair("--label", format!("{INSTANCE_LABEL}={}", context.instance));
        pair("--label", format!("{SUBSCRIPTION_LABEL}={}", context.id));
        pair("--log-driver", "k8s-file".into());
        pair("--log-opt", format!("path={log}"));
        pair("--log-opt", format!("max-size={}mb", context.log_max_mib));
        pair(
            "--cpus",
            format!("{}.{:03}", self.cpu_millis / 1000, self.cpu_millis % 1000),
        );
        pair("--memory", format!("{}m", self.memory_mib));
        pair("--memory-swap", format!("{}m", self.memory_mib));
        pair("--pids-limit", context.pids_limit.to_string());
        pair("--security-opt", "no-new-privileges".into());
        // An image's VOLUMEs in memory (counted against its limit), not on
        // the host's disk.
        pair("--image-volume", "tmpfs".into());
        pair("--pull", context.pull.into());
        let address = match context.publish_address {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        };
        for (port, host) in self.ports.iter().zip(context.host_ports) {
            let protocol = match port.protocol {
                Protocol::Tcp => "tcp",
                Protocol::Udp => "udp",
            };
            pair(
                "--publish",
                format!("{address}:{host}:{}/{protocol}", port.port),
            );
        }
        for (name, value) in &self.env {
            pair("--env", format!("{name}={value}"));
        }
        for volume in &self.volumes {
            let source = volume_name(context.name, &volume.name);
            pair(
                "--mount",
                format!("type=volume,source={source},target={}", volume.mount_path),
            );
        }
        match self.health {
            // The engine runs it when asked (`healthcheck run`), never on a
            // timer of its own: there may be no systemd to run timers.
            Some(ContainerHealth::Image) => pair("--health-interval", "disable".into()),
            _ => args.push("--no-healthcheck".into()),
        }
        // Kubernetes' semantics, in the flags both engines share: the
        // entrypoint is the command's first word, its other words and the
        // args follow the image.
        let mut after_image: Vec<String> = Vec::new();
        if let Some((entrypoint, rest)) = self.command.split_first() {
            args.push("--entrypoint".into());
            args.push(entrypoint.clone());
            after_image.extend(rest.iter().cloned());
        }
        after_image.extend(self.args.iter().cloned());
        // Nothing after this is read as an option by the engine.
        args.push(self.image.clone());
        args.extend(after_image);
        Ok(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn example(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../types/container/examples/valid")
            .join(name);
        std::fs::read(path).unwrap()
    }

    fn context<'a>(host_ports: &'a [u16]) -> RunContext<'a> {
        RunContext {
            name: "dinfra-abc-7",
            instance: "abc",
            id: 7,
            log: Path::new("/var/log/dinfra/7.log"),
            host_ports,
            publish_address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            pull: "never",
            pids_limit: 256,
            log_max_mib: 16,
        }
    }

    #[test]
    fn every_catalogue_example_parses() {
        for name in ["busybox-httpd.json", "ipfs-member.json", "static-site.json"] {
            ContainerDescriptor::parse(&example(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn the_run_arguments_carry_limits_labels_ports_and_the_command() {
        let descriptor = ContainerDescriptor::parse(&example("busybox-httpd.json")).unwrap();
        let args = descriptor.run_args(&context(&[30005])).unwrap();
        let joined = args.join(" ");
        for expected in [
            "run --detach --name dinfra-abc-7",
            "--label dinfra.instance=abc --label dinfra.subscription=7",
            "--log-driver k8s-file --log-opt path=/var/log/dinfra/7.log",
            "--cpus 0.100 --memory 16m --memory-swap 16m --pids-limit 256",
            "--security-opt no-new-privileges --image-volume tmpfs --pull never",
            "--log-opt max-size=16mb",
            "--publish 0.0.0.0:30005:8080/tcp",
            "--no-healthcheck",
            "--entrypoint /bin/busybox localhost/dinfra-busybox:latest httpd -f -p 8080 -h /srv",
        ] {
            assert!(joined.contains(expected), "{expected:?} not in {joined}");
        }
        assert_eq!(args.last().map(String::as_str), Some("/srv"));
    }

    #[test]
    fn volumes_env_and_udp_ports_are_passed() {
        let descriptor = ContainerDescriptor::parse(&example("ipfs-member.json")).unwrap();
        let args = descriptor
            .run_args(&context(&[30001, 30002, 30003]))
            .unwrap();
        let joined = args.join(" ");
        for expected in [
            "--publish 0.0.0.0:30001:4001/tcp",
            "--publish 0.0.0.0:30002:4001/udp",
            "--publish 0.0.0.0:30003:8080/tcp",
            "--env IPFS_PROFILE=server",
            "--mount type=volume,source=dinfra-abc-7-repo,target=/data/ipfs",
            "--no-healthcheck",
            "--cpus 2.000 --memory 4096m",
        ] {
            assert!(joined.contains(expected), "{expected:?} not in {joined}");
        }
        assert_eq!(
            descriptor.host_port("gateway", &[30001, 30002, 30003]),
            Some(30003)
        );
        assert_eq!(
            descriptor.first_tcp_port(&[30001, 30002, 30003]),
            Some(30001)
        );
        assert!(descriptor.run_args(&context(&[30001])).is_err());
    }

    #[test]
    fn what_would_smuggle_options_or_paths_is_refused_naming_the_field() {
        let base = r#""resources": {"cpu": 1, "memory_mib": 64}"#;
        for (descriptor, field) in [
            (format!(r#"{{"image": "--privileged", {base}}}"#), "/image"),
            (format!(r#"{{"image": "a b", {base}}}"#), "/image"),
            (
                format!(r#"{{"image": "oci-archive:/etc/x", {base}}}"#),
                "/image",
            ),
            (
                format!(r#"{{"image": "docker-archive:x", {base}}}"#),
                "/image",
            ),
            (format!(r#"{{"image": "dir:x/y", {base}}}"#), "/image"),
            (format!(r#"{{"image": "host:name/x", {base}}}"#), "/image"),
            (
                format!(r#"{{"image": "x", "env": {{"A=B": "c"}}, {base}}}"#),
                "/env",
            ),
            (
                format!(
                    r#"{{"image": "x", "volumes": [{{"name": "v", "mount_path": "/d,src=/etc", "size_mib": 1}}], {base}}}"#
                ),
                "/volumes/0/mount_path",
            ),
            (
                format!(
                    r#"{{"image": "x", "volumes": [{{"name": "v", "mount_path": "/a/../etc", "size_mib": 1}}], {base}}}"#
                ),
                "/volumes/0/mount_path",
            ),
            (
                format!(r#"{{"image": "x", "health": {{"tcp": "web"}}, {base}}}"#),
                "/health/tcp",
            ),
            (
                format!(
                    r#"{{"image": "x", "ports": [{{"name": "a", "port": 1}}, {{"name": "a", "port": 2}}], {base}}}"#
                ),
                "/ports/1/name",
            ),
            (
                r#"{"image": "x", "resources": {"cpu": 0, "memory_mib": 64}}"#.to_string(),
                "/resources/cpu",
            ),
            (
                r#"{"image": "x", "resources": {"cpu": 1, "memory_mib": 2}}"#.to_string(),
                "/resources/memory_mib",
            ),
            (
                format!(r#"{{"image": "x", "privileged": true, {base}}}"#),
                "privileged",
            ),
        ] {
            let error = ContainerDescriptor::parse(descriptor.as_bytes()).unwrap_err();
            assert!(error.contains(field), "{descriptor}: {error}");
        }
    }

    #[test]
    fn the_images_own_check_is_left_to_be_run_on_demand() {
        let descriptor = r#"{"image": "x", "health": {"image": true},
            "resources": {"cpu": 1, "memory_mib": 64}}"#;
        let descriptor = ContainerDescriptor::parse(descriptor.as_bytes()).unwrap();
        let args = descriptor.run_args(&context(&[])).unwrap().join(" ");
        assert!(args.contains("--health-interval disable") && !args.contains("--no-healthcheck"));
    }

    #[test]
    fn registry_references_are_images() {
        for image in [
            "busybox",
            "busybox:1.36",
            "docker.io/library/nginx:1.27-alpine",
            "localhost:5000/team/app:v1",
            "ghcr.io/x/y@sha256:0123",
        ] {
            assert!(is_image(image), "{image}");
        }
    }

    #[test]
    fn a_udp_port_is_no_health_port() {
        let descriptor = r#"{"image": "x", "ports": [{"name": "q", "port": 53, "protocol": "udp"}],
            "health": {"tcp": "q"}, "resources": {"cpu": 1, "memory_mib": 64}}"#;
        let error = ContainerDescriptor::parse(descriptor.as_bytes()).unwrap_err();
        assert!(error.contains("not a tcp port"), "{error}");
    }
}
