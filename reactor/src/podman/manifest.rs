//! A `kube-manifest` descriptor (types/kube-manifest/schema.json) as the
//! podman driver plays it on one host (`podman kube play`): parsed field by
//! field into what a tenant may ask for — containers with images, commands,
//! environment, ports, CPU and memory limits, emptyDir volumes — and written
//! out again as a Pod that carries only those fields, plus what the
//! provider adds: the pod's name and labels, and a host port from its range
//! for each container port. Nothing the consumer wrote reaches the engine
//! unless it is on that list.

use super::descriptor::{
    is_env_name, is_image, is_label, is_mount_path, ContainerHealth, Protocol, INSTANCE_LABEL,
    SUBSCRIPTION_LABEL,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A container port of the pod, in the order the manifest lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodPort {
    /// Index of its container.
    pub container: usize,
    pub name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
}

/// A checked `kube-manifest` descriptor, as one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeManifest {
    containers: Vec<RawContainer>,
    volumes: Vec<RawVolume>,
    restart_policy: Option<String>,
    pub ports: Vec<PodPort>,
    /// The sum of the containers' CPU limits, in thousandths of a core.
    pub cpu_millis: u64,
    /// The sum of the containers' memory limits, in MiB (rounded up).
    pub memory_mib: u64,
    /// The sum of the emptyDir size limits, in MiB.
    pub volumes_mib: u64,
    /// The first container's readiness (else liveness) probe.
    pub health: Option<ContainerHealth>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Raw {
    api_version: String,
    kind: String,
    metadata: RawMetadata,
    spec: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read so that nothing else may be there
struct RawMetadata {
    name: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawDeployment {
    #[serde(default)]
    replicas: Option<u32>,
    #[allow(dead_code)]
    selector: Value,
    template: RawTemplate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    #[allow(dead_code)]
    #[serde(default)]
    metadata: Option<Value>,
    spec: RawPodSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawPodSpec {
    containers: Vec<RawContainer>,
    #[serde(default)]
    restart_policy: Option<String>,
    #[serde(default)]
    volumes: Vec<RawVolume>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawContainer {
    name: String,
    image: String,
    #[serde(default)]
    command: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    working_dir: Option<String>,
    #[serde(default)]
    env: Vec<RawEnv>,
    #[serde(default)]
    ports: Vec<RawPort>,
    resources: RawResources,
    #[serde(default)]
    volume_mounts: Vec<RawMount>,
    #[serde(default)]
    readiness_probe: Option<RawProbe>,
    #[serde(default)]
    liveness_probe: Option<RawProbe>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    name: String,
    value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawPort {
    #[serde(default)]
    name: Option<String>,
    container_port: u16,
    #[serde(default)]
    protocol: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResources {
    limits: RawQuantities,
    #[serde(default)]
    requests: Option<RawQuantities>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuantities {
    #[serde(default)]
    cpu: Option<Value>,
    #[serde(default)]
    memory: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawMount {
    name: String,
    mount_path: String,
    #[serde(default)]
    read_only: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawProbe {
    #[serde(default)]
    tcp_socket: Option<RawProbePort>,
    #[serde(default)]
    http_get: Option<RawHttpGet>,
    #[serde(default)]
    initial_delay_seconds: Option<u32>,
    #[serde(default)]
    period_seconds: Option<u32>,
    #[serde(default)]
    failure_threshold: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProbePort {
    port: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttpGet {
    port: Value,
    #[serde(default)]
    path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawVolume {
    name: String,
    empty_dir: RawEmptyDir,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawEmptyDir {
    #[serde(default)]
    size_limit: Option<String>,
}

/// A Kubernetes DNS label: at most 63 bytes.
fn is_dns_label(name: &str) -> bool {
    is_label(name, 63)
}

/// CPU: cores (`0.5`, `2`, `"1.5"`) or millicores (`"500m"`).
fn cpu_millis(value: &Value) -> Option<u64> {
    let millis = match value {
        Value::Number(n) => n.as_f64()? * 1000.0,
        Value::String(s) => match s.strip_suffix('m') {
            Some(m) => m.parse::<u64>().ok()? as f64,
            None => s.parse::<f64>().ok()? * 1000.0,
        },
        _ => return None,
    };
    (millis.is_finite() && millis >= 1.0 && millis <= 64_000.0).then(|| millis.ceil() as u64)
}

/// Memory: bytes with an optional binary or decimal suffix, in MiB
/// rounded up.
fn memory_mib(text: &str) -> Option<u64> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(split);
    let number: u128 = digits.parse().ok()?;
    let unit: u128 = match suffix {
        "" => 1,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        _ => return None,
    };
    let bytes = number.checked_mul(unit)?;
    u64::try_from(bytes.div_ceil(1 << 20)).ok()
}

fn words_ok(words: &[String]) -> bool {
    words.iter().all(|w| !w.contains('\0') && w.len() <= 4096)
}

impl KubeManifest {
    /// Whether a parsed document is a manifest (it names a `kind`).
    pub fn is_manifest(value: &Value) -> bool {
        value.get("kind").is_some() && value.get("apiVersion").is_some()
    }

    /// Parses and checks a manifest (YAML or JSON); the error names the
    /// field. A Deployment is one pod here: more than one replica is a
    /// cluster's business, and is refused.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        Self::from_value(crate::descriptor::parse(bytes).map_err(|e| e.to_string())?)
    }

    /// The same, from the parsed document.
    pub fn from_value(value: Value) -> Result<Self, String> {
        let raw: Raw =
            serde_json::from_value(value).map_err(|e| format!("not a kube-manifest: {e}"))?;
        if !is_dns_label(&raw.metadata.name) {
            return Err(format!(
                "/metadata/name: {:?} is not a DNS label",
                raw.metadata.name
            ));
        }
        let (spec, at) = match (raw.api_version.as_str(), raw.kind.as_str()) {
            ("v1", "Pod") => (
                serde_json::from_value::<RawPodSpec>(raw.spec)
                    .map_err(|e| format!("/spec: {e}"))?,
                "/spec",
            ),
            ("apps/v1", "Deployment") => {
                let deployment: RawDeployment =
                    serde_json::from_value(raw.spec).map_err(|e| format!("/spec: {e}"))?;
                if deployment.replicas.unwrap_or(1) != 1 {
                    return Err(format!(
                        "/spec/replicas: {} replicas; this provider runs one pod per deployment on a single host",
                        deployment.replicas.unwrap_or(1)
                    ));
                }
                (deployment.template.spec, "/spec/template/spec")
            }
            (api, kind) => {
                return Err(format!(
                    "/kind: {api} {kind} is not a v1 Pod or an apps/v1 Deployment"
                ))
            }
        };
        if spec.containers.is_empty() || spec.containers.len() > 8 {
            return Err(format!("{at}/containers: 1 to 8 containers"));
        }
        let volume_names: Vec<&str> = spec.volumes.iter().map(|v| v.name.as_str()).collect();
        let mut ports = Vec::new();
        let (mut cpu, mut memory, mut volumes_mib) = (0u64, 0u64, 0u64);
        let mut names: Vec<&str> = Vec::new();
        for (i, c) in spec.containers.iter().enumerate() {
            let here = format!("{at}/containers/{i}");
            if !is_dns_label(&c.name) || names.contains(&c.name.as_str()) {
                return Err(format!(
                    "{here}/name: {:?} is not a DNS label or is there twice",
                    c.name
                ));
            }
            names.push(&c.name);
            if !is_image(&c.image) {
                return Err(format!(
                    "{here}/image: {:?} is not an image reference",
                    c.image
                ));
            }
            let counts = [c.command.len(), c.args.len(), c.env.len()];
            if counts.iter().any(|n| *n > 64) || c.volume_mounts.len() > 8 {
                return Err(format!("{here}: at most 64 words, 64 variables, 8 mounts"));
            }
            if !words_ok(&c.command) || !words_ok(&c.args) {
                return Err(format!(
                    "{here}/command: a word holds a NUL byte or is too long"
                ));
            }
            if c.working_dir
                .as_deref()
                .is_some_and(|d| !d.starts_with('/') || d.contains('\0'))
            {
                return Err(format!("{here}/workingDir: not an absolute path"));
            }
            for (j, env) in c.env.iter().enumerate() {
                if !is_env_name(&env.name) || env.value.contains('\0') {
                    return Err(format!("{here}/env/{j}: {:?} is not a variable", env.name));
                }
            }
            for (j, port) in c.ports.iter().enumerate() {
                let protocol = match port.protocol.as_deref() {
                    None | Some("TCP") => Protocol::Tcp,
                    Some("UDP") => Protocol::Udp,
                    Some(other) => return Err(format!("{here}/ports/{j}/protocol: {other:?}")),
                };
                if port.container_port == 0
                    || ports
                        .iter()
                        .any(|p: &PodPort| p.port == port.container_port && p.protocol == protocol)
                {
                    return Err(format!(
                        "{here}/ports/{j}/containerPort: 0 or twice in the pod"
                    ));
                }
                ports.push(PodPort {
                    container: i,
                    name: port.name.clone(),
                    port: port.container_port,
                    protocol,
                });
            }
            let limits = &c.resources.limits;
            let c_cpu = limits.cpu.as_ref().and_then(cpu_millis).ok_or_else(|| {
                format!("{here}/resources/limits/cpu: a CPU limit is needed (0.001 to 64 cores)")
            })?;
            let c_memory = limits
                .memory
                .as_deref()
                .and_then(memory_mib)
                .filter(|m| *m >= 6)
                .ok_or_else(|| {
                    format!(
                        "{here}/resources/limits/memory: a memory limit of at least 6Mi is needed"
                    )
                })?;
            cpu = cpu.saturating_add(c_cpu);
            memory = memory.saturating_add(c_memory);
            for (j, mount) in c.volume_mounts.iter().enumerate() {
                if !volume_names.contains(&mount.name.as_str()) {
                    return Err(format!(
                        "{here}/volumeMounts/{j}/name: no volume {:?}",
                        mount.name
                    ));
                }
                if !is_mount_path(&mount.mount_path) {
                    return Err(format!(
                        "{here}/volumeMounts/{j}/mountPath: {:?} is not a plain absolute path",
                        mount.mount_path
                    ));
                }
            }
        }
        for (i, volume) in spec.volumes.iter().enumerate() {
            if !is_dns_label(&volume.name) {
                return Err(format!(
                    "{at}/volumes/{i}/name: {:?} is not a DNS label",
                    volume.name
                ));
            }
            let size = match &volume.empty_dir.size_limit {
                Some(limit) => memory_mib(limit)
                    .ok_or_else(|| format!("{at}/volumes/{i}/emptyDir/sizeLimit: {limit:?}"))?,
                None => 0,
            };
            volumes_mib = volumes_mib.saturating_add(size);
        }
        if ports.len() > 16 {
            return Err(format!("{at}/containers: more than 16 ports in the pod"));
        }
        if let Some(policy) = &spec.restart_policy {
            if !["Always", "OnFailure", "Never"].contains(&policy.as_str()) {
                return Err(format!("{at}/restartPolicy: {policy:?}"));
            }
        }
        let first = &spec.containers[0];
        let probe = first
            .readiness_probe
            .as_ref()
            .or(first.liveness_probe.as_ref());
        let health = match probe {
            None => None,
            Some(probe) => Some(
                probe_health(probe, &ports, &first.name)
                    .map_err(|why| format!("{at}/containers/0: {why}"))?,
            ),
        };
        Ok(Self {
            containers: spec.containers,
            volumes: spec.volumes,
            restart_policy: spec.restart_policy,
            ports,
            cpu_millis: cpu,
            memory_mib: memory,
            volumes_mib,
            health,
        })
    }

    /// The pod the engine plays: only the checked fields, named and
    /// labelled for this reactor and subscription, each container port
    /// published on its host port (`host_ports` in `ports` order).
    pub fn pod(
        &self,
        name: &str,
        instance: &str,
        id: u64,
        host_ports: &[u16],
        address: IpAddr,
        pull: &str,
    ) -> Result<Value, String> {
        // The provider's pull policy (`missing`, `always`, `newer`,
        // `never`) as each container's imagePullPolicy.
        let pull_policy = match pull {
            "always" | "newer" => "Always",
            "never" => "Never",
            _ => "IfNotPresent",
        };
        if host_ports.len() != self.ports.len() {
            return Err(format!(
                "{} ports to publish, {} host ports given",
                self.ports.len(),
                host_ports.len()
            ));
        }
        let mut containers = Vec::new();
        for (i, c) in self.containers.iter().enumerate() {
            let mut out = Map::new();
            out.insert("name".into(), json!(c.name));
            out.insert("image".into(), json!(c.image));
            out.insert("imagePullPolicy".into(), json!(pull_policy));
            // As `--security-opt no-new-privileges` for a container.
            out.insert(
                "securityContext".into(),
                json!({ "allowPrivilegeEscalation": false }),
            );
            if !c.command.is_empty() {
                out.insert("command".into(), json!(c.command));
            }
            if !c.args.is_empty() {
                out.insert("args".into(), json!(c.args));
            }
            if let Some(dir) = &c.working_dir {
                out.insert("workingDir".into(), json!(dir));
            }
            if !c.env.is_empty() {
                let env: Vec<Value> = c
                    .env
                    .iter()
                    .map(|e| json!({"name": e.name, "value": e.value}))
                    .collect();
                out.insert("env".into(), Value::Array(env));
            }
            let ports: Vec<Value> = self
                .ports
                .iter()
                .zip(host_ports)
                .filter(|(p, _)| p.container == i)
                .map(|(p, host)| {
                    json!({
                        "containerPort": p.port,
                        "hostPort": host,
                        "hostIP": address.to_string(),
                        "protocol": match p.protocol { Protocol::Tcp => "TCP", Protocol::Udp => "UDP" },
                    })
                })
                .collect();
            if !ports.is_empty() {
                out.insert("ports".into(), Value::Array(ports));
            }
            let mut limits = Map::new();
            if let Some(cpu) = &c.resources.limits.cpu {
                limits.insert("cpu".into(), cpu.clone());
            }
            if let Some(memory) = &c.resources.limits.memory {
                limits.insert("memory".into(), json!(memory));
            }
            out.insert("resources".into(), json!({ "limits": limits }));
            if !c.volume_mounts.is_empty() {
                let mounts: Vec<Value> = c
                    .volume_mounts
                    .iter()
                    .map(|m| {
                        json!({
                            "name": volume_name(name, &m.name),
                            "mountPath": m.mount_path,
                            "readOnly": m.read_only.unwrap_or(false),
                        })
                    })
                    .collect();
                out.insert("volumeMounts".into(), Value::Array(mounts));
            }
            containers.push(Value::Object(out));
        }
        let volumes: Vec<Value> = self
            .volumes
            .iter()
            .map(|v| match &v.empty_dir.size_limit {
                Some(limit) => {
                    json!({"name": volume_name(name, &v.name), "emptyDir": {"sizeLimit": limit}})
                }
                None => json!({"name": volume_name(name, &v.name), "emptyDir": {}}),
            })
            .collect();
        let mut spec = json!({ "containers": containers, "volumes": volumes });
        if let Some(policy) = &self.restart_policy {
            spec["restartPolicy"] = json!(policy);
        }
        Ok(json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "labels": { INSTANCE_LABEL: instance, SUBSCRIPTION_LABEL: id.to_string() },
            },
            "spec": spec,
        }))
    }

    /// The host port of the first tcp port: `{port}` and a default check.
    pub fn first_tcp_port(&self, host_ports: &[u16]) -> Option<u16> {
        let index = self
            .ports
            .iter()
            .position(|p| p.protocol == Protocol::Tcp)?;
        host_ports.get(index).copied()
    }

    /// The host port of the pod port named or numbered `port`.
    pub fn host_port(&self, port: &str, host_ports: &[u16]) -> Option<u16> {
        let index = self
            .ports
            .iter()
            .position(|p| p.name.as_deref() == Some(port) || p.port.to_string() == port)?;
        host_ports.get(index).copied()
    }

    /// The first container's name: its log is the pod's.
    pub fn first_container(&self) -> &str {
        &self.containers[0].name
    }
}

/// The engine turns an emptyDir into a named volume of the volume's name:
/// prefixed with the pod's name, no two subscriptions share one.
fn volume_name(pod: &str, volume: &str) -> String {
    format!("{pod}-{volume}")
}

/// A probe of the first container as the reactor's own check (the engine
/// is not asked to run it: there may be no systemd for its timers).
fn probe_health(
    probe: &RawProbe,
    ports: &[PodPort],
    _container: &str,
) -> Result<ContainerHealth, String> {
    let port_of = |value: &Value| -> Result<String, String> {
        let key = match value {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => return Err("a probe's port is a number or a port name".into()),
        };
        let known = ports.iter().any(|p| {
            p.protocol == Protocol::Tcp
                && (p.name.as_deref() == Some(key.as_str()) || p.port.to_string() == key)
        });
        if known {
            Ok(key)
        } else {
            Err(format!(
                "a probe checks port {key}, which the pod does not publish over tcp"
            ))
        }
    };
    match (&probe.tcp_socket, &probe.http_get) {
        (Some(tcp), None) => Ok(ContainerHealth::Tcp {
            port: port_of(&tcp.port)?,
        }),
        (None, Some(http)) => {
            let path = http.path.clone().unwrap_or_else(|| "/".into());
            if !path.starts_with('/') || path.chars().any(char::is_whitespace) {
                return Err(format!("a probe's path {path:?} is not a path"));
            }
            Ok(ContainerHealth::Http {
                port: port_of(&http.port)?,
                path,
            })
        }
        _ => Err("a probe has one of tcpSocket and httpGet".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use std::path::Path;

    fn example(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../types/kube-manifest/examples")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn the_catalogue_pod_becomes_a_pod_of_only_checked_fields_with_host_ports() {
        let manifest = KubeManifest::parse(&example("valid/pod.yaml")).unwrap();
        assert_eq!(
            (
                manifest.cpu_millis,
                manifest.memory_mib,
                manifest.volumes_mib
            ),
            (100, 32, 64)
        );
        assert_eq!(manifest.ports.len(), 1);
        assert_eq!(
            manifest.health,
            Some(ContainerHealth::Tcp {
                port: "8080".into()
            })
        );
        let pod = manifest
            .pod(
                "dinfra-abc-3",
                "abc",
                3,
                &[30007],
                IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                "never",
            )
            .unwrap();
        assert_eq!(pod["spec"]["containers"][0]["imagePullPolicy"], "Never");
        assert_eq!(
            pod["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"],
            false
        );
        assert_eq!(pod["metadata"]["name"], "dinfra-abc-3");
        assert_eq!(pod["metadata"]["labels"]["dinfra.subscription"], "3");
        let port = &pod["spec"]["containers"][0]["ports"][0];
        assert_eq!(
            (port["containerPort"].as_u64(), port["hostPort"].as_u64()),
            (Some(8080), Some(30007))
        );
        assert_eq!(
            pod["spec"]["containers"][0]["resources"]["limits"]["memory"],
            "32Mi"
        );
        assert!(
            pod["spec"]["containers"][0].get("readinessProbe").is_none(),
            "the reactor checks it"
        );
        assert_eq!(manifest.host_port("http", &[30007]), Some(30007));
        // The engine names an emptyDir's volume after it: one per pod.
        assert_eq!(pod["spec"]["volumes"][0]["name"], "dinfra-abc-3-www");
        assert_eq!(
            pod["spec"]["containers"][0]["volumeMounts"][0]["name"],
            "dinfra-abc-3-www"
        );
    }

    #[test]
    fn a_deployment_of_one_replica_is_a_pod_and_more_are_refused() {
        let text = String::from_utf8(example("valid/deployment.yaml")).unwrap();
        let error = KubeManifest::parse(text.as_bytes()).unwrap_err();
        assert!(error.contains("/spec/replicas: 2 replicas"), "{error}");
        let one = text.replace("replicas: 2", "replicas: 1");
        let manifest = KubeManifest::parse(one.as_bytes()).unwrap();
        assert_eq!((manifest.cpu_millis, manifest.memory_mib), (500, 128));
        assert_eq!(
            manifest.health,
            Some(ContainerHealth::Http {
                port: "80".into(),
                path: "/".into()
            })
        );
    }

    #[test]
    fn what_a_tenant_may_not_ask_for_is_refused_naming_the_field() {
        let base = |container_extra: &str, spec_extra: &str| {
            format!(
                r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "p"}},
                    "spec": {{"containers": [{{"name": "c", "image": "x",
                        "resources": {{"limits": {{"cpu": "100m", "memory": "16Mi"}}}}{container_extra}}}]{spec_extra}}}}}"#
            )
        };
        for (text, field) in [
            (base("", r#", "hostNetwork": true"#), "/spec"),
            (
                base(r#", "securityContext": {"privileged": true}"#, ""),
                "securityContext",
            ),
            (
                base(r#", "ports": [{"containerPort": 80, "hostPort": 80}]"#, ""),
                "hostPort",
            ),
            (
                base(
                    "",
                    r#", "volumes": [{"name": "v", "hostPath": {"path": "/"}}]"#,
                ),
                "hostPath",
            ),
            (
                base(
                    r#", "volumeMounts": [{"name": "v", "mountPath": "/a,b"}]"#,
                    r#", "volumes": [{"name": "v", "emptyDir": {}}]"#,
                ),
                "mountPath",
            ),
            (
                base(r#", "env": [{"name": "A=B", "value": "x"}]"#, ""),
                "/env/0",
            ),
            (
                base("", "").replace(r#""image": "x""#, r#""image": "--privileged""#),
                "/image",
            ),
            (base("", "").replace(r#""cpu": "100m", "#, ""), "limits"),
        ] {
            let error = KubeManifest::parse(text.as_bytes()).unwrap_err();
            assert!(error.contains(field), "{field}: {error}");
        }
    }

    #[test]
    fn quantities_parse_as_kubernetes_writes_them() {
        assert_eq!(cpu_millis(&json!("500m")), Some(500));
        assert_eq!(cpu_millis(&json!(0.5)), Some(500));
        assert_eq!(cpu_millis(&json!("2")), Some(2000));
        assert_eq!(cpu_millis(&json!("0m")), None);
        assert_eq!(memory_mib("64Mi"), Some(64));
        assert_eq!(memory_mib("1Gi"), Some(1024));
        assert_eq!(memory_mib("500M"), Some(477));
        assert_eq!(memory_mib("12Q"), None);
    }
}
