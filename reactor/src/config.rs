//! The provider's configuration (JSON): where the reactor keeps its state,
//! logs and work directories, which ports it may hand out, how often it
//! claims, and for each deployment type (by its registry name) how to run it.
//!
//! A command template is run by `sh -c` after its placeholders are replaced:
//! `{port}` (a free port from `ports`), `{id}` (the subscription id), `{dir}`
//! (the subscription's own work directory) and `{descriptor}` (the fetched
//! descriptor file). Paths are inserted shell-quoted. `{{` and `}}` stand for
//! literal braces; any other `{` not starting a `{name}` is kept as is, so
//! `${HOME}` is an error (write `${{HOME}}`) but `awk '{ print }'` is not.

use crate::chain::{BlockNumber, SubscriptionId};
use crate::descriptor::DeploymentType;
use crate::fetch::{blake2_256, FetchPolicy};
use crate::podman::ContainerConfig;
use crate::status::StatusConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Placeholders a command template may use.
pub const PLACEHOLDERS: [&str; 4] = ["port", "id", "dir", "descriptor"];
/// Placeholders an access template may use.
pub const ACCESS_PLACEHOLDERS: [&str; 3] = ["host", "port", "id"];
/// Most access URIs a deployment publishes, and their longest, in bytes
/// (the subscription contract's `MAX_ACCESS_URIS` and `MAX_ENDPOINT_LEN`).
pub const MAX_ACCESS_URIS: usize = 4;
pub const MAX_ACCESS_URI_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The reactor's own state (JSON), rewritten atomically.
    pub state_file: PathBuf,
    /// One log file per subscription: `<log_dir>/<id>.log`.
    pub log_dir: PathBuf,
    /// One work directory per subscription: `<work_dir>/<id>/`.
    pub work_dir: PathBuf,
    pub ports: PortRange,
    /// Claim a running subscription's earnings every this many blocks.
    pub claim_period: BlockNumber,
    /// Also claim once when the end block is this close (and at the end).
    #[serde(default)]
    pub claim_margin: BlockNumber,
    /// Milliseconds between two steps of `run`.
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// A running deployment's health probe runs at most this often (it is
    /// checked alive every step).
    #[serde(default = "default_health_interval_ms")]
    pub health_interval_ms: u64,
    /// The first block a fresh state reads events from (default 0: all of
    /// them; set it to the block the provider registered at on a long chain).
    #[serde(default)]
    pub start_block: BlockNumber,
    /// At most this many blocks of events are read in one step.
    #[serde(default = "default_max_blocks_per_step")]
    pub max_blocks_per_step: BlockNumber,
    /// An award still not started, or started and not healthy yet, this
    /// many blocks before its ready deadline is declined (its deployment
    /// stopped) rather than left to miss the deadline, which would count
    /// against the provider. At least 1 on a node, where a transaction sent
    /// at block `b` lands in block `b + 1`.
    #[serde(default = "default_decline_margin")]
    pub decline_margin: BlockNumber,
    /// Deployment types by their registry name.
    pub types: BTreeMap<String, TypeConfig>,
    /// What descriptor URIs the reactor may fetch (the consumer chooses
    /// them): schemes, hosts, non-public addresses, size and time limits.
    #[serde(default)]
    pub fetch: FetchPolicy,
    /// How the `podman` driver runs containers (engine, containers.conf,
    /// publish address, pull policy, limits).
    #[serde(default)]
    pub containers: ContainerConfig,
    /// The status API (`GET /subscriptions/{id}` and its logs, for the
    /// subscription's consumer only): where it listens. None: not served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusConfig>,
    /// The name or address consumers reach this provider's deployments at:
    /// `{host}` in the types' access templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_host: Option<String>,
    /// Settings of the chain back-end (URL, key, deployments file), kept
    /// opaque here: the back-end reads them.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub chain: serde_json::Value,
}

fn default_poll_interval_ms() -> u64 {
    2000
}

fn default_health_interval_ms() -> u64 {
    5000
}

fn default_max_blocks_per_step() -> BlockNumber {
    1000
}

fn default_decline_margin() -> BlockNumber {
    2
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortRange {
    pub first: u16,
    pub last: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DriverKind {
    /// The type's `command`, run on the host (tests, simple hosts).
    Process,
    /// The descriptor (a `container` descriptor) run as an OCI container
    /// by the engine of the config's `containers`.
    Podman,
}

/// How the reactor knows a deployment is up. A container's descriptor may
/// name its own check; this is the type's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthKind {
    /// Something accepts TCP connections on 127.0.0.1:{port}.
    Tcp,
    /// `GET http://127.0.0.1:{port}{path}` is answered with a 2xx status.
    Http { path: String },
    /// The container image's own HEALTHCHECK (podman only).
    Image,
    /// Up as soon as the process runs.
    None,
}

fn default_health() -> HealthKind {
    HealthKind::Tcp
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeConfig {
    /// The JSON Schema (draft 2020-12, e.g. `types/<name>/schema.json`)
    /// every descriptor of this type must follow. Its blake2-256 must be
    /// the type's `schema_hash` on chain: an award of a type registered
    /// under this name with another schema is declined, and so is one whose
    /// descriptor the schema refuses. Relative to the config file.
    pub schema: PathBuf,
    pub driver: DriverKind,
    /// The command template of a `process` type (none for `podman`: the
    /// descriptor says what runs).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub command: String,
    /// The default health check (`tcp` if not given): a container checks
    /// its first tcp port, unless its descriptor names a check of its own.
    #[serde(default = "default_health")]
    pub health: HealthKind,
    /// Seconds a (re)started deployment has to become healthy.
    #[serde(default = "default_health_timeout_secs")]
    pub health_timeout_secs: u64,
    /// Restarts after a crash or a failed health check before giving up
    /// (and declining the award, or exiting the subscription once ready).
    #[serde(default = "default_max_restarts")]
    pub max_restarts: u32,
    /// The access record published with `mark_ready`: URI templates with
    /// `{host}` (the config's `public_host`), `{port}` and `{id}`, such as
    /// `ws://{host}:{port}` (at most 4, each at most 128 bytes rendered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access: Vec<String>,
}

fn default_health_timeout_secs() -> u64 {
    60
}

fn default_max_restarts() -> u32 {
    3
}

#[derive(Debug)]
pub enum ConfigError {
    Read(PathBuf, std::io::Error),
    Parse(PathBuf, serde_json::Error),
    /// `ports.first > ports.last` or port 0.
    PortRange {
        first: u16,
        last: u16,
    },
    ZeroClaimPeriod,
    ZeroMaxBlocksPerStep,
    NoTypes,
    EmptyCommand {
        type_name: String,
    },
    UnknownPlaceholder {
        type_name: String,
        name: String,
    },
    UnclosedPlaceholder {
        type_name: String,
    },
    /// `health: tcp` but the command never receives `{port}`.
    TcpHealthWithoutPort {
        type_name: String,
    },
    ZeroHealthTimeout {
        type_name: String,
    },
    /// The fetch policy cannot be used.
    Fetch(String),
    /// The `containers` settings cannot be used.
    Containers(String),
    /// The `status` settings cannot be used.
    Status(String),
    /// A setting this type's driver does not take, or lacks one it needs.
    Driver {
        type_name: String,
        why: String,
    },
    /// A type's access templates cannot be used.
    Access {
        type_name: String,
        why: String,
    },
    /// The type's schema cannot be read or is not a usable schema.
    Schema {
        type_name: String,
        why: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read(path, e) => write!(f, "cannot read {}: {e}", path.display()),
            ConfigError::Parse(path, e) => write!(f, "{} is not a valid config: {e}", path.display()),
            ConfigError::PortRange { first, last } => write!(
                f,
                "ports: {first}..={last} is not a range of ports (need 1 <= first <= last)"
            ),
            ConfigError::ZeroClaimPeriod => write!(f, "claim_period must be at least 1 block"),
            ConfigError::ZeroMaxBlocksPerStep => write!(f, "max_blocks_per_step must be at least 1"),
            ConfigError::NoTypes => write!(f, "types: no deployment type is configured"),
            ConfigError::EmptyCommand { type_name } => write!(f, "type {type_name}: empty command"),
            ConfigError::UnknownPlaceholder { type_name, name } => write!(
                f,
                "type {type_name}: unknown placeholder {{{name}}} (known: {{port}}, {{id}}, {{dir}}, {{descriptor}}; write {{{{ and }}}} for literal braces)"
            ),
            ConfigError::UnclosedPlaceholder { type_name } => {
                write!(f, "type {type_name}: a placeholder is not closed with }}")
            }
            ConfigError::TcpHealthWithoutPort { type_name } => write!(
                f,
                "type {type_name}: health tcp or http checks {{port}}, but the command does not use {{port}}"
            ),
            ConfigError::ZeroHealthTimeout { type_name } => {
                write!(f, "type {type_name}: health_timeout_secs must be at least 1")
            }
            ConfigError::Schema { type_name, why } => write!(f, "type {type_name}: {why}"),
            ConfigError::Fetch(why) => f.write_str(why),
            ConfigError::Containers(why) | ConfigError::Status(why) => f.write_str(why),
            ConfigError::Driver { type_name, why } => write!(f, "type {type_name}: {why}"),
            ConfigError::Access { type_name, why } => write!(f, "type {type_name}: access: {why}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// A config with the layout this README shows — `state.json`, `logs/`
    /// and `work/` under `root` — claiming every `claim_period` blocks, with
    /// `types` by registry name and the file format's defaults for the rest
    /// (no claim margin, 2 s polls, from block 0, 1000 blocks a step, a
    /// decline margin of 2 blocks, no chain settings). Not validated:
    /// `validate` or `Reactor::new` does.
    pub fn rooted(
        root: &Path,
        ports: PortRange,
        claim_period: BlockNumber,
        types: &[(&str, TypeConfig)],
    ) -> Config {
        Config {
            state_file: root.join("state.json"),
            log_dir: root.join("logs"),
            work_dir: root.join("work"),
            ports,
            claim_period,
            claim_margin: 0,
            poll_interval_ms: default_poll_interval_ms(),
            health_interval_ms: default_health_interval_ms(),
            start_block: 0,
            max_blocks_per_step: default_max_blocks_per_step(),
            decline_margin: default_decline_margin(),
            types: types
                .iter()
                .map(|(name, kind)| (name.to_string(), kind.clone()))
                .collect(),
            fetch: FetchPolicy::default(),
            containers: ContainerConfig::default(),
            status: None,
            public_host: None,
            chain: serde_json::Value::Null,
        }
    }

    /// Reads and validates a config file; relative paths in it are taken
    /// relative to the file's directory.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.to_path_buf(), e))?;
        let mut config: Config =
            serde_json::from_str(&text).map_err(|e| ConfigError::Parse(path.to_path_buf(), e))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let schemas = config.types.values_mut().map(|kind| &mut kind.schema);
        for field in [
            &mut config.state_file,
            &mut config.log_dir,
            &mut config.work_dir,
        ]
        .into_iter()
        .chain(schemas)
        .chain(config.containers.containers_conf.as_mut())
        {
            if field.is_relative() {
                *field = base.join(&*field);
            }
        }
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let PortRange { first, last } = self.ports;
        if first == 0 || first > last {
            return Err(ConfigError::PortRange { first, last });
        }
        if self.claim_period == 0 {
            return Err(ConfigError::ZeroClaimPeriod);
        }
        if self.max_blocks_per_step == 0 {
            return Err(ConfigError::ZeroMaxBlocksPerStep);
        }
        if self.types.is_empty() {
            return Err(ConfigError::NoTypes);
        }
        if let Some(problem) = self.fetch.problem() {
            return Err(ConfigError::Fetch(problem));
        }
        if let Some(problem) = self.containers.problem() {
            return Err(ConfigError::Containers(problem));
        }
        if let Some(problem) = self.status.as_ref().and_then(StatusConfig::problem) {
            return Err(ConfigError::Status(problem));
        }
        for (name, kind) in &self.types {
            kind.validate(name)?;
            self.check_access(name, kind)?;
        }
        Ok(())
    }

    /// A type's access templates render to what the contract accepts.
    fn check_access(&self, type_name: &str, kind: &TypeConfig) -> Result<(), ConfigError> {
        let refuse = |why: String| ConfigError::Access {
            type_name: type_name.into(),
            why,
        };
        if kind.access.len() > MAX_ACCESS_URIS {
            return Err(refuse(format!("at most {MAX_ACCESS_URIS} URIs")));
        }
        let host = self.public_host.as_deref().unwrap_or_default();
        for template in &kind.access {
            let used = parse(template, &ACCESS_PLACEHOLDERS).map_err(|e| {
                refuse(match e {
                    TemplateError::Unknown(name) => format!(
                        "unknown placeholder {{{name}}} in {template:?} (known: {{host}}, {{port}}, {{id}})"
                    ),
                    TemplateError::Unclosed => format!("a placeholder is not closed in {template:?}"),
                })
            })?;
            let uses = |name: &str| {
                used.iter()
                    .any(|p| matches!(p, Piece::Placeholder(n) if *n == name))
            };
            if uses("host") && host.is_empty() {
                return Err(refuse(format!(
                    "{template:?} uses {{host}}: set public_host"
                )));
            }
            if uses("port") && !kind.uses_port() {
                return Err(refuse(format!(
                    "{template:?} uses {{port}}, but the command does not"
                )));
            }
            let longest = longest_access(template, host).map_err(|e| refuse(format!("{e:?}")))?;
            if template.is_empty() || longest > MAX_ACCESS_URI_LEN {
                return Err(refuse(format!(
                    "{template:?} may render to {longest} bytes (1 to {MAX_ACCESS_URI_LEN})"
                )));
            }
        }
        let mut rendered: Vec<String> = Vec::new();
        for template in &kind.access {
            let uri =
                render_access(template, host, Some(1), 0).map_err(|e| refuse(format!("{e:?}")))?;
            if rendered.contains(&uri) {
                return Err(refuse(format!("{template:?} twice")));
            }
            rendered.push(uri);
        }
        Ok(())
    }
}

impl Config {
    /// This reactor's name on the host's container engine: the configured
    /// `containers.instance`, or the first 8 hex digits of the blake2-256
    /// of the state file's path.
    pub fn instance(&self) -> String {
        self.containers.instance.clone().unwrap_or_else(|| {
            let hash = blake2_256(self.state_file.as_os_str().as_encoded_bytes());
            hash[..4].iter().map(|b| format!("{b:02x}")).collect()
        })
    }

    /// Whether some type runs containers.
    pub fn uses_containers(&self) -> bool {
        self.types
            .values()
            .any(|kind| kind.driver == DriverKind::Podman)
    }
}

impl TypeConfig {
    pub fn validate(&self, type_name: &str) -> Result<(), ConfigError> {
        if self.health_timeout_secs == 0 {
            return Err(ConfigError::ZeroHealthTimeout {
                type_name: type_name.into(),
            });
        }
        if self.driver == DriverKind::Podman {
            if !self.command.is_empty() {
                return Err(ConfigError::Driver {
                    type_name: type_name.into(),
                    why: "a podman type takes no command: its descriptor says what runs".into(),
                });
            }
            self.load_schema(type_name)?;
            return Ok(());
        }
        if self.health == HealthKind::Image {
            return Err(ConfigError::Driver {
                type_name: type_name.into(),
                why: "health image is a container image's own check: podman types only".into(),
            });
        }
        if self.command.trim().is_empty() {
            return Err(ConfigError::EmptyCommand {
                type_name: type_name.into(),
            });
        }
        let used = placeholders(&self.command).map_err(|e| e.for_type(type_name))?;
        let checks_port = matches!(self.health, HealthKind::Tcp | HealthKind::Http { .. });
        if checks_port && !used.iter().any(|p| p == "port") {
            return Err(ConfigError::TcpHealthWithoutPort {
                type_name: type_name.into(),
            });
        }
        if let HealthKind::Http { path } = &self.health {
            if !path.starts_with('/') {
                return Err(ConfigError::Driver {
                    type_name: type_name.into(),
                    why: format!("health http path {path:?} does not start with /"),
                });
            }
        }
        self.load_schema(type_name)?;
        Ok(())
    }

    /// The type's schema, compiled.
    pub fn load_schema(&self, type_name: &str) -> Result<DeploymentType, ConfigError> {
        DeploymentType::load(type_name, &self.schema).map_err(|e| ConfigError::Schema {
            type_name: type_name.into(),
            why: e.to_string(),
        })
    }

    /// Whether deployments of this type are given a port: a command that
    /// uses `{port}`; a container (one per port its descriptor names).
    pub fn uses_port(&self) -> bool {
        self.driver == DriverKind::Podman
            || placeholders(&self.command).is_ok_and(|used| used.iter().any(|p| p == "port"))
    }
}

/// The values a template's placeholders are replaced with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vars<'a> {
    pub port: Option<u16>,
    pub id: SubscriptionId,
    pub dir: &'a Path,
    pub descriptor: &'a Path,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    Unknown(String),
    Unclosed,
}

impl TemplateError {
    fn for_type(self, type_name: &str) -> ConfigError {
        let type_name = type_name.to_string();
        match self {
            TemplateError::Unknown(name) => ConfigError::UnknownPlaceholder { type_name, name },
            TemplateError::Unclosed => ConfigError::UnclosedPlaceholder { type_name },
        }
    }
}

/// One piece of a parsed template.
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

fn parse<'a>(template: &'a str, known: &[&str]) -> Result<Vec<Piece<'a>>, TemplateError> {
    let mut pieces = Vec::new();
    let bytes = template.as_bytes();
    let (mut i, mut text_start) = (0, 0);
    while i < bytes.len() {
        let escaped = (bytes[i] == b'{' || bytes[i] == b'}') && bytes.get(i + 1) == Some(&bytes[i]);
        if escaped {
            pieces.push(Piece::Text(&template[text_start..=i]));
            i += 2;
            text_start = i;
            continue;
        }
        if bytes[i] == b'{' {
            let name_len = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            let close = i + 1 + name_len;
            if name_len > 0 && close == bytes.len() {
                return Err(TemplateError::Unclosed);
            }
            if name_len > 0 && bytes[close] == b'}' {
                let name = &template[i + 1..close];
                if !known.contains(&name) {
                    return Err(TemplateError::Unknown(name.into()));
                }
                pieces.push(Piece::Text(&template[text_start..i]));
                pieces.push(Piece::Placeholder(name));
                i = close + 1;
                text_start = i;
                continue;
            }
        }
        i += 1;
    }
    pieces.push(Piece::Text(&template[text_start..]));
    Ok(pieces)
}

/// The placeholders a template uses, in order (with repeats).
pub fn placeholders(template: &str) -> Result<Vec<String>, TemplateError> {
    Ok(parse(template, &PLACEHOLDERS)?
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Placeholder(name) => Some(name.to_string()),
            Piece::Text(_) => None,
        })
        .collect())
}

/// The command line for `sh -c`: placeholders replaced, paths single-quoted.
/// `{port}` without a port renders as an empty string (validation prevents it).
pub fn render(template: &str, vars: &Vars<'_>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() + 64);
    for piece in parse(template, &PLACEHOLDERS)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Placeholder("port") => {
                if let Some(port) = vars.port {
                    out.push_str(&port.to_string());
                }
            }
            Piece::Placeholder("id") => out.push_str(&vars.id.to_string()),
            Piece::Placeholder("dir") => out.push_str(&shell_quote(&vars.dir.to_string_lossy())),
            Piece::Placeholder(_) => out.push_str(&shell_quote(&vars.descriptor.to_string_lossy())),
        }
    }
    Ok(out)
}

/// An access URI: `{host}`, `{port}` and `{id}` replaced, nothing quoted.
pub fn render_access(
    template: &str,
    host: &str,
    port: Option<u16>,
    id: SubscriptionId,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() + host.len() + 16);
    for piece in parse(template, &ACCESS_PLACEHOLDERS)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Placeholder("host") => out.push_str(host),
            Piece::Placeholder("port") => {
                out.push_str(&port.map_or(String::new(), |p| p.to_string()))
            }
            Piece::Placeholder(_) => out.push_str(&id.to_string()),
        }
    }
    Ok(out)
}

/// The longest an access template can render to: every placeholder at its
/// longest (a 5-digit port, a 20-digit id).
fn longest_access(template: &str, host: &str) -> Result<usize, TemplateError> {
    let longest = render_access(template, host, Some(u16::MAX), SubscriptionId::MAX)?;
    Ok(longest.len())
}

/// `'…'` with embedded `'` as `'\''`.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../types/substrate-node/schema.json")
    }

    fn kind(command: &str, health: HealthKind) -> TypeConfig {
        TypeConfig {
            schema: schema(),
            driver: DriverKind::Process,
            command: command.into(),
            health,
            health_timeout_secs: 10,
            max_restarts: 2,
            access: Vec::new(),
        }
    }

    fn config() -> Config {
        Config {
            state_file: "state.json".into(),
            log_dir: "logs".into(),
            work_dir: "work".into(),
            ports: PortRange {
                first: 30000,
                last: 30010,
            },
            claim_period: 10,
            claim_margin: 2,
            poll_interval_ms: 1000,
            health_interval_ms: 5000,
            start_block: 0,
            max_blocks_per_step: 100,
            decline_margin: 2,
            types: [(
                "node".to_string(),
                kind("node --port {port}", HealthKind::Tcp),
            )]
            .into(),
            fetch: FetchPolicy::default(),
            containers: ContainerConfig::default(),
            status: None,
            public_host: None,
            chain: serde_json::Value::Null,
        }
    }

    fn vars() -> Vars<'static> {
        Vars {
            port: Some(30001),
            id: 7,
            dir: Path::new("/var/work/7"),
            descriptor: Path::new("/var/work/7/it's.json"),
        }
    }

    #[test]
    fn renders_every_placeholder() {
        let line = render(
            "run --port {port} --id {id} --base {dir} --spec {descriptor}",
            &vars(),
        );
        assert_eq!(
            line.unwrap(),
            r"run --port 30001 --id 7 --base '/var/work/7' --spec '/var/work/7/it'\''s.json'"
        );
    }

    #[test]
    fn braces_escape_and_shell_braces_pass_through() {
        let line = render("echo ${{HOME}} {{port}} | awk '{ print $1 }' {id}", &vars()).unwrap();
        assert_eq!(line, "echo ${HOME} {port} | awk '{ print $1 }' 7");
        assert_eq!(
            placeholders("a {port} b {port} {dir}").unwrap(),
            ["port", "port", "dir"]
        );
    }

    #[test]
    fn template_errors() {
        assert_eq!(
            render("x ${HOME}", &vars()),
            Err(TemplateError::Unknown("HOME".into()))
        );
        assert_eq!(
            render("x --port {port", &vars()),
            Err(TemplateError::Unclosed)
        );
    }

    #[test]
    fn a_valid_config_passes() {
        config().validate().unwrap();
        assert!(config().types["node"].uses_port());
    }

    #[test]
    fn validation_names_the_problem() {
        let mut bad = config();
        bad.ports = PortRange {
            first: 30010,
            last: 30000,
        };
        assert!(matches!(
            bad.validate(),
            Err(ConfigError::PortRange {
                first: 30010,
                last: 30000
            })
        ));
        bad.ports = PortRange { first: 0, last: 10 };
        assert!(matches!(bad.validate(), Err(ConfigError::PortRange { .. })));

        let mut bad = config();
        bad.claim_period = 0;
        assert!(matches!(bad.validate(), Err(ConfigError::ZeroClaimPeriod)));

        let mut bad = config();
        bad.types.clear();
        assert!(matches!(bad.validate(), Err(ConfigError::NoTypes)));

        let cases = [
            (kind("   ", HealthKind::None), "empty command"),
            (
                kind("node --rpc {prot}", HealthKind::None),
                "unknown placeholder {prot}",
            ),
            (kind("node --rpc {port", HealthKind::Tcp), "not closed"),
            (kind("node --dev", HealthKind::Tcp), "does not use {port}"),
        ];
        for (kind, message) in cases {
            let mut bad = config();
            bad.types.insert("rpc".into(), kind);
            let error = bad.validate().unwrap_err().to_string();
            assert!(error.starts_with("type rpc: "), "{error}");
            assert!(error.contains(message), "{error} should contain {message}");
        }
        let mut bad = config();
        bad.types.get_mut("node").unwrap().health_timeout_secs = 0;
        assert!(matches!(
            bad.validate(),
            Err(ConfigError::ZeroHealthTimeout { .. })
        ));
        let mut bad = config();
        bad.types.get_mut("node").unwrap().schema = "/nonexistent/schema.json".into();
        let error = bad.validate().unwrap_err().to_string();
        assert!(
            error.starts_with("type node: cannot read /nonexistent/schema.json"),
            "{error}"
        );
    }

    #[test]
    fn driver_settings_are_checked_per_driver() {
        let podman = TypeConfig {
            driver: DriverKind::Podman,
            ..kind("", HealthKind::Tcp)
        };
        let mut ok = config();
        ok.types.insert("box".into(), podman.clone());
        ok.validate().unwrap();
        assert!(ok.uses_containers() && ok.types["box"].uses_port());
        assert!(!config().uses_containers());

        let cases = [
            (
                TypeConfig {
                    command: "run {port}".into(),
                    ..podman.clone()
                },
                "takes no command",
            ),
            (kind("node {port}", HealthKind::Image), "podman types only"),
            (
                kind("node", HealthKind::Http { path: "/".into() }),
                "does not use {port}",
            ),
            (
                kind(
                    "node {port}",
                    HealthKind::Http {
                        path: "health".into(),
                    },
                ),
                "does not start with /",
            ),
        ];
        for (kind, message) in cases {
            let mut bad = config();
            bad.types.insert("box".into(), kind);
            let error = bad.validate().unwrap_err().to_string();
            assert!(
                error.starts_with("type box: ") && error.contains(message),
                "{error}"
            );
        }
        let mut bad = config();
        bad.containers.pull = "sometimes".into();
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("containers.pull"));
        let mut bad = config();
        bad.status = Some(StatusConfig {
            listen: "localhost".into(),
            max_age_blocks: 10,
        });
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("status.listen"));
        let mut bad = config();
        bad.containers.instance = Some("Not-Valid".into());
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("containers.instance"));
    }

    #[test]
    fn the_instance_is_stable_per_state_file_and_differs_between_them() {
        let one = config();
        let mut other = config();
        other.state_file = "other/state.json".into();
        assert_eq!(one.instance(), config().instance());
        assert_eq!(one.instance().len(), 8);
        assert_ne!(one.instance(), other.instance());
        other.containers.instance = Some("edge1".into());
        assert_eq!(other.instance(), "edge1");
    }

    #[test]
    fn a_podman_type_and_containers_parse_from_json() {
        let text = format!(
            r#"{{"state_file": "s.json", "log_dir": "l", "work_dir": "w",
                "ports": {{"first": 30000, "last": 30009}}, "claim_period": 10,
                "types": {{"container": {{"schema": {:?}, "driver": "podman",
                                         "health": {{"http": {{"path": "/ready"}}}}}}}},
                "containers": {{"containers_conf": "podman/containers.conf", "pull": "never"}}}}"#,
            schema()
        );
        let dir = std::env::temp_dir().join(format!("dinfra-config-podman-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("reactor.json");
        std::fs::write(&path, text).unwrap();
        let config = Config::load(&path).unwrap();
        let kind = &config.types["container"];
        assert_eq!(kind.driver, DriverKind::Podman);
        assert_eq!(
            kind.health,
            HealthKind::Http {
                path: "/ready".into()
            }
        );
        assert_eq!(
            config.containers.containers_conf,
            Some(dir.join("podman/containers.conf")),
            "relative to the config file"
        );
        assert_eq!(config.containers.engine, "podman");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn access_templates_render_to_what_the_contract_accepts() {
        let with = |templates: &[&str], host: Option<&str>| {
            let mut config = config();
            config.public_host = host.map(str::to_string);
            config.types.get_mut("node").unwrap().access =
                templates.iter().map(|t| t.to_string()).collect();
            config.validate().map_err(|e| e.to_string())
        };
        assert_eq!(
            with(
                &["ws://{host}:{port}", "http://{host}:{port}/health"],
                Some("rpc.example")
            ),
            Ok(())
        );
        assert_eq!(
            render_access("wss://{host}:{port}/{id}", "rpc.example", Some(30001), 7).unwrap(),
            "wss://rpc.example:30001/7"
        );
        let refused = [
            (
                with(&["ws://{host}:{port}"], None),
                "uses {host}: set public_host",
            ),
            (
                with(&["ws://x:{prot}"], Some("h")),
                "unknown placeholder {prot}",
            ),
            (with(&["ws://x:{port"], Some("h")), "not closed"),
            (
                with(&["a", "b", "c", "d", "e"], Some("h")),
                "at most 4 URIs",
            ),
            (with(&[""], Some("h")), "may render to 0 bytes"),
            (
                with(&["ws://{host}:{port}", "ws://{host}:{port}"], Some("h")),
                "twice",
            ),
        ];
        for (result, says) in refused {
            let error = result.unwrap_err();
            assert!(error.starts_with("type node: access: "), "{error}");
            assert!(error.contains(says), "{error} should say {says}");
        }
        // wss:// + 100 + / + a 20-digit id: 127 bytes fit, 129 do not.
        assert_eq!(with(&["wss://{host}/{id}"], Some(&"h".repeat(100))), Ok(()));
        let error = with(&["wss://{host}/{id}/x"], Some(&"h".repeat(100))).unwrap_err();
        assert!(
            error.contains("may render to 129 bytes (1 to 128)"),
            "{error}"
        );
        let mut no_port = config();
        no_port.types.insert(
            "static".into(),
            TypeConfig {
                access: vec!["http://h:{port}".into()],
                ..kind("serve --dir {dir}", HealthKind::None)
            },
        );
        let error = no_port.validate().unwrap_err().to_string();
        assert!(
            error.contains("uses {port}, but the command does not"),
            "{error}"
        );
    }

    #[test]
    fn a_rooted_config_has_the_documented_layout_and_defaults() {
        let kind = TypeConfig {
            schema: schema(),
            driver: DriverKind::Process,
            command: "sleep 100".into(),
            health: HealthKind::None,
            health_timeout_secs: 60,
            max_restarts: 3,
            access: Vec::new(),
        };
        let ports = PortRange {
            first: 30000,
            last: 30009,
        };
        let config = Config::rooted(Path::new("/srv/r"), ports, 600, &[("web", kind.clone())]);
        assert_eq!(config.state_file, PathBuf::from("/srv/r/state.json"));
        assert_eq!(config.log_dir, PathBuf::from("/srv/r/logs"));
        assert_eq!(config.work_dir, PathBuf::from("/srv/r/work"));
        assert_eq!((config.claim_period, config.claim_margin), (600, 0));
        assert_eq!(config.poll_interval_ms, 2000);
        assert_eq!(config.max_blocks_per_step, 1000);
        assert_eq!(config.decline_margin, 2);
        assert_eq!(config.types["web"], kind);
        assert!(config.validate().is_ok());
    }

    #[test]
    fn loads_json_with_defaults_and_relative_paths() {
        let dir = std::env::temp_dir().join(format!("dinfra-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("reactor.json");
        std::fs::copy(schema(), dir.join("node.schema.json")).unwrap();
        std::fs::write(
            &path,
            r#"{
              "state_file": "state.json", "log_dir": "/var/log/dinfra", "work_dir": "work",
              "ports": { "first": 40000, "last": 40009 }, "claim_period": 50,
              "chain": { "url": "ws://127.0.0.1:9944" },
              "types": { "rpc-node": { "schema": "node.schema.json", "driver": "process",
                 "command": "substrate-contracts-node --dev --rpc-port {port} --base-path {dir}",
                 "health": "tcp" } }
            }"#,
        )
        .unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.state_file, dir.join("state.json"));
        assert_eq!(config.log_dir, PathBuf::from("/var/log/dinfra"));
        assert_eq!(config.poll_interval_ms, 2000);
        assert_eq!(config.decline_margin, 2);
        assert_eq!(config.types["rpc-node"].max_restarts, 3);
        assert_eq!(config.types["rpc-node"].health_timeout_secs, 60);
        assert_eq!(
            config.types["rpc-node"].schema,
            dir.join("node.schema.json")
        );
        assert_eq!(config.chain["url"], "ws://127.0.0.1:9944");

        std::fs::write(&path, r#"{ "state_fil": "x" }"#).unwrap();
        assert!(matches!(Config::load(&path), Err(ConfigError::Parse(..))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
