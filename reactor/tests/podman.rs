//! The podman driver against the real engine (Debian's Podman, runc, the
//! repository's containers.conf), with images built locally by
//! `podman/test-images.sh` — and the reactor running a `container` award
//! through it against the scripted chain. `deploy/setup.sh` installs what
//! these need.

mod common;

use common::*;
use dinfra_reactor::config::{DriverKind, HealthKind, TypeConfig};
use dinfra_reactor::podman::{ContainerConfig, ContainerDescriptor, INSTANCE_LABEL};
use dinfra_reactor::{
    Driver, Drivers, Handle, Health, PodmanDriver, Reactor, Spec, Unit, Workload,
};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(60);

fn podman_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("podman")
}

fn containers_conf() -> PathBuf {
    podman_dir().join("containers.conf")
}

/// The engine, as the tests call it directly.
fn podman(args: &[&str]) -> (bool, String) {
    let out = Command::new("podman")
        .args(args)
        .env("CONTAINERS_CONF", containers_conf())
        .output()
        .expect("podman runs (deploy/setup.sh installs it)");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success(), text)
}

/// Builds the test images once per test binary.
fn images() {
    static BUILT: Once = Once::new();
    BUILT.call_once(|| {
        let status = Command::new("bash")
            .arg(podman_dir().join("test-images.sh"))
            .status()
            .expect("bash runs");
        assert!(status.success(), "podman/test-images.sh failed");
    });
}

/// Every container and volume of `instance` is removed when the test ends,
/// even by a panic.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let label = format!("label={INSTANCE_LABEL}={}", self.0);
        let (_, pods) = podman(&["pod", "ps", "--quiet", "--filter", &label]);
        for pod in pods.split_whitespace() {
            podman(&["pod", "rm", "--force", "--time", "0", pod]);
        }
        let (_, ids) = podman(&["ps", "--all", "--quiet", "--filter", &label]);
        for id in ids.split_whitespace() {
            podman(&["rm", "--force", "--time", "0", id]);
        }
        let (_, volumes) = podman(&["volume", "ls", "--quiet", "--filter", &label]);
        for volume in volumes.split_whitespace() {
            podman(&["volume", "rm", "--force", volume]);
        }
    }
}

/// An instance name of this test run's own.
fn instance(test: &str) -> String {
    let hash =
        dinfra_reactor::fetch::blake2_256(format!("{test}{}", std::process::id()).as_bytes());
    let hex: String = hash[..5].iter().map(|b| format!("{b:02x}")).collect();
    format!("t{hex}")
}

fn config() -> ContainerConfig {
    ContainerConfig {
        containers_conf: Some(containers_conf()),
        pull: "never".into(),
        stop_grace_secs: 1,
        pids_limit: 64,
        ..ContainerConfig::default()
    }
}

fn driver(instance: &str) -> PodmanDriver {
    images();
    PodmanDriver::new(config(), instance.into()).expect("podman can be used")
}

/// Free TCP ports of 127.0.0.1 from `first` on.
fn free_ports(first: u16, count: usize) -> Vec<u16> {
    (first..first + 100)
        .filter(|port| TcpListener::bind((Ipv4Addr::UNSPECIFIED, *port)).is_ok())
        .take(count)
        .collect()
}

fn spec(dir: &Path, id: u64, descriptor: &str, ports: Vec<u16>, health: HealthKind) -> Spec {
    let container = ContainerDescriptor::parse(descriptor.as_bytes()).expect("a valid descriptor");
    Spec {
        id,
        workload: Workload::Container(container),
        dir: dir.join(id.to_string()),
        log: dir.join(format!("{id}.log")),
        port: ports.first().copied(),
        ports,
        health,
    }
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dinfra-podman-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn wait_for(driver: &mut PodmanDriver, handle: &Handle, want: Health) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let health = driver.healthy(handle);
        if health == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "health stayed {health:?}, wanted {want:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn container_id(handle: &Handle) -> String {
    match &handle.unit {
        Unit::Container { container_id, .. } => container_id.clone(),
        other => panic!("not a container: {other:?}"),
    }
}

fn inspect(id: &str, format: &str) -> String {
    let (ok, text) = podman(&["container", "inspect", "--format", format, id]);
    assert!(ok, "inspect {id}");
    text
}

fn exists(id: &str) -> bool {
    podman(&["container", "exists", id]).0
}

/// GET http://127.0.0.1:{port}/ — the body, if answered 200.
fn get(port: u16) -> Option<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(2)))
        .build()
        .into();
    let mut answer = agent.get(format!("http://127.0.0.1:{port}/")).call().ok()?;
    answer.body_mut().read_to_string().ok()
}

const HTTPD: &str = r#"{"image": "localhost/dinfra-busybox:latest",
    "command": ["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/srv"],
    "ports": [{"name": "http", "port": 8080}],
    "resources": {"cpu": 0.25, "memory_mib": 32},
    "health": {"http": {"port": "http", "path": "/"}}}"#;

#[test]
fn a_container_runs_limited_labelled_on_its_given_port_logs_and_is_removed_at_stop() {
    let name = instance("limits");
    let _cleanup = Cleanup(name.clone());
    let dir = scratch("limits");
    let mut driver = driver(&name);
    let ports = free_ports(23000, 1);
    let spec = spec(
        &dir,
        5,
        HTTPD,
        ports.clone(),
        HealthKind::Http { path: "/".into() },
    );
    let handle = driver.start(&spec).expect("started");
    let id = container_id(&handle);
    assert_eq!(handle.port, Some(ports[0]));
    wait_for(&mut driver, &handle, Health::Healthy);
    assert!(driver.alive(&handle) && driver.adopt(&handle));

    // The descriptor's limits, the reactor's labels, only the given port.
    assert_eq!(
        inspect(&id, "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}}"),
        format!("250000000 {} {} 64", 32 << 20, 32 << 20)
    );
    assert_eq!(
        inspect(&id, "{{index .Config.Labels \"dinfra.instance\"}} {{index .Config.Labels \"dinfra.subscription\"}} {{.Name}}"),
        format!("{name} 5 dinfra-{name}-5")
    );
    let published = inspect(&id, "{{json .HostConfig.PortBindings}}");
    assert!(
        published.contains(&format!("\"HostPort\":\"{}\"", ports[0]))
            && published.contains("8080/tcp"),
        "{published}"
    );
    assert!(inspect(&id, "{{.HostConfig.SecurityOpt}}").contains("no-new-privileges"));
    let body = get(ports[0]).expect("it serves on the given host port");
    assert!(body.contains("served by a DINFRA container"), "{body}");

    // Its output is in the subscription's log.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !std::fs::read_to_string(&spec.log).is_ok_and(|log| log.contains("response:200")) {
        assert!(
            Instant::now() < deadline,
            "no request logged in {}",
            spec.log.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    driver.stop(&handle).expect("stopped");
    assert!(!exists(&id), "removed");
    assert!(!driver.alive(&handle));
    assert_eq!(driver.healthy(&handle), Health::Dead);
    driver.stop(&handle).expect("a second stop is fine");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_restarted_reactor_adopts_its_own_container_and_no_other_instances() {
    let mine = instance("adopt");
    let theirs = instance("adopt-other");
    let _cleanup = (Cleanup(mine.clone()), Cleanup(theirs.clone()));
    let dir = scratch("adopt");
    let mut first = driver(&mine);
    let ports = free_ports(23010, 1);
    let handle = first
        .start(&spec(&dir, 8, HTTPD, ports, HealthKind::Tcp))
        .expect("started");
    wait_for(&mut first, &handle, Health::Healthy);

    // The same instance after a restart: its container, adopted.
    let again = driver(&mine);
    assert!(again.adopt(&handle));
    // Another reactor on the host adopts nothing of it, and its stop
    // leaves it running.
    let mut other = driver(&theirs);
    assert!(!other.adopt(&handle) && !other.alive(&handle));
    other.stop(&handle).expect("nothing of its own to stop");
    assert!(again.alive(&handle), "still running");
    assert_eq!(other.healthy(&handle), Health::Dead);

    // A handle whose container was replaced (same name, another id) is
    // not adopted: the recorded container is gone.
    let mut forged = handle.clone();
    if let Unit::Container { container_id, .. } = &mut forged.unit {
        *container_id = "f".repeat(64);
    }
    assert!(!again.adopt(&forged));
    first.stop(&handle).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_leftover_of_ours_is_replaced_and_a_strangers_container_is_not_touched() {
    let name = instance("leftover");
    let _cleanup = Cleanup(name.clone());
    let dir = scratch("leftover");
    let mut driver = driver(&name);
    // Someone else's container holds the name the driver would use.
    let taken = driver.container_name(3);
    let (ok, stranger) = podman(&[
        "run",
        "--detach",
        "--name",
        &taken,
        "localhost/dinfra-busybox:latest",
        "sleep",
        "300",
    ]);
    assert!(ok);
    let refused = driver
        .start(&spec(&dir, 3, HTTPD, free_ports(23020, 1), HealthKind::Tcp))
        .unwrap_err();
    assert!(refused.0.contains("not this reactor's"), "{refused}");
    assert!(exists(&stranger), "the stranger's container is left alone");
    podman(&["rm", "--force", "--time", "0", &stranger]);

    // A container of ours that the state never recorded (a crash between
    // the start and the save) is replaced by the new start.
    let first = driver
        .start(&spec(&dir, 3, HTTPD, free_ports(23020, 1), HealthKind::Tcp))
        .unwrap();
    let second = driver
        .start(&spec(&dir, 3, HTTPD, free_ports(23030, 1), HealthKind::Tcp))
        .unwrap();
    assert!(!exists(&container_id(&first)) && exists(&container_id(&second)));
    driver.stop(&second).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn volumes_outlive_a_restart_and_go_at_release() {
    let name = instance("volumes");
    let _cleanup = Cleanup(name.clone());
    let dir = scratch("volumes");
    let mut driver = driver(&name);
    let descriptor = r#"{"image": "localhost/dinfra-busybox:latest",
        "command": ["/bin/sh", "-c", "echo written >> /data/log; exec sleep 300"],
        "resources": {"cpu": 0.1, "memory_mib": 16},
        "volumes": [{"name": "data", "mount_path": "/data", "size_mib": 8}]}"#;
    let first = driver
        .start(&spec(&dir, 4, descriptor, Vec::new(), HealthKind::None))
        .unwrap();
    wait_for(&mut driver, &first, Health::Healthy);
    driver.stop(&first).unwrap();
    let second = driver
        .start(&spec(&dir, 4, descriptor, Vec::new(), HealthKind::None))
        .unwrap();
    let volume = format!("dinfra-{name}-4-data");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, text) = podman(&["exec", &container_id(&second), "cat", "/data/log"]);
        if text == "written\nwritten" {
            break; // the first run's line is still there
        }
        assert!(Instant::now() < deadline, "the volume holds {text:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    driver.stop(&second).unwrap();
    assert!(
        podman(&["volume", "exists", &volume]).0,
        "kept after a stop"
    );
    driver.release(4).unwrap();
    assert!(
        !podman(&["volume", "exists", &volume]).0,
        "removed at release"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_images_own_healthcheck_decides_and_an_exit_is_death() {
    let name = instance("health");
    let _cleanup = Cleanup(name.clone());
    let dir = scratch("health");
    let mut driver = driver(&name);
    let checked = r#"{"image": "localhost/dinfra-busybox-healthy:latest",
        "ports": [{"name": "http", "port": 8080}],
        "resources": {"cpu": 0.1, "memory_mib": 16}, "health": {"image": true}}"#;
    let handle = driver
        .start(&spec(
            &dir,
            6,
            checked,
            free_ports(23040, 1),
            HealthKind::Image,
        ))
        .unwrap();
    wait_for(&mut driver, &handle, Health::Healthy);
    driver.stop(&handle).unwrap();

    // An image's check that fails: its server never starts.
    let failing = r#"{"image": "localhost/dinfra-busybox-healthy:latest",
        "command": ["/bin/busybox", "sleep", "300"],
        "resources": {"cpu": 0.1, "memory_mib": 16}, "health": {"image": true}}"#;
    let handle = driver
        .start(&spec(&dir, 7, failing, Vec::new(), HealthKind::Image))
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(driver.healthy(&handle), Health::Waiting);
    driver.stop(&handle).unwrap();

    let exits = r#"{"image": "localhost/dinfra-busybox:latest",
        "command": ["/bin/sh", "-c", "echo bye; exit 3"],
        "resources": {"cpu": 0.1, "memory_mib": 16}}"#;
    let handle = driver
        .start(&spec(&dir, 9, exits, Vec::new(), HealthKind::None))
        .unwrap();
    wait_for(&mut driver, &handle, Health::Dead);
    assert!(!driver.alive(&handle));
    driver.stop(&handle).unwrap();
    assert!(!exists(&container_id(&handle)));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn memory_over_the_limit_is_killed_by_the_engine() {
    let name = instance("oom");
    let _cleanup = Cleanup(name.clone());
    let dir = scratch("oom");
    let mut driver = driver(&name);
    // 64 MiB into the tmpfs /dev/shm (charged to the container) of a
    // container limited to 16 MiB, no swap: the kernel kills it.
    let hungry = r#"{"image": "localhost/dinfra-busybox:latest",
        "command": ["/bin/busybox", "dd", "if=/dev/zero", "of=/dev/shm/fill", "bs=1M", "count=64"],
        "resources": {"cpu": 0.5, "memory_mib": 16}}"#;
    let handle = driver
        .start(&spec(&dir, 2, hungry, Vec::new(), HealthKind::None))
        .unwrap();
    wait_for(&mut driver, &handle, Health::Dead);
    // SIGKILL (128 + 9); a dd that wrote all 64 MiB would exit 0.
    assert_eq!(
        inspect(&container_id(&handle), "{{.State.ExitCode}}"),
        "137"
    );
    driver.stop(&handle).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- the reactor with the podman driver ------------------------------------

/// The catalogue's `container` type, run by podman.
fn container_type() -> TypeConfig {
    TypeConfig {
        schema: catalogue_schema("container"),
        driver: DriverKind::Podman,
        command: String::new(),
        health: HealthKind::Tcp,
        health_timeout_secs: 20,
        max_restarts: 1,
        access: vec!["http://{host}:{port}/".into()],
    }
}

fn container_reactor(h: &Harness) -> ContainerReactor {
    images();
    let drivers = Drivers::for_config(&h.config, Duration::from_secs(1)).expect("drivers");
    Reactor::new(h.config.clone(), h.chain.clone(), drivers).unwrap()
}

#[test]
fn the_reactor_runs_a_container_award_publishes_its_port_and_removes_it_at_the_end() {
    let mut h = Harness::new("container", 23100, &[("container", container_type())]);
    h.config.public_host = Some("203.0.113.7".into());
    h.config.containers = ContainerConfig {
        instance: Some(instance("reactor")),
        ..config()
    };
    let _cleanup = Cleanup(h.config.instance());
    let mut reactor = container_reactor(&h);
    h.chain.advance(1);
    // The catalogue's own example, as a consumer would send it.
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../types/container/examples/valid/busybox-httpd.json"),
    )
    .unwrap();
    let descriptor = h.descriptor("descriptor-11.json", &example);
    h.chain.award(11, ME, 1, descriptor, 1000);
    let log = step_until(&mut reactor, LONG, |r| {
        phase(r, 11) == dinfra_reactor::Phase::Running
    });

    let running = handle(&reactor, 11);
    let id = container_id(&running);
    let port = running.port.expect("a host port");
    assert!(
        (23100..=23109).contains(&port),
        "a port of the provider's range"
    );
    assert_eq!(reactor.state().subscriptions[&11].ports, [port]);
    assert_eq!(
        h.chain.0.borrow().access[&11],
        [format!("http://203.0.113.7:{port}/")]
    );
    assert!(get(port).is_some_and(|body| body.contains("DINFRA")));
    assert!(
        log.iter().any(|l| l.contains(&format!(
            "started subscription 11: container dinfra-{}-11",
            h.config.instance()
        ))),
        "{log:?}"
    );
    let report = reactor.state().report(|handle| reactor_alive(&h, handle));
    assert!(
        report[0].contains("container dinfra-") && report[0].contains("(alive)"),
        "{report:?}"
    );

    // A reactor restart adopts it rather than starting another.
    drop(reactor);
    let mut reactor = container_reactor(&h);
    let log = step(&mut reactor);
    assert!(
        log.iter().any(|l| l.contains("adopted container")),
        "{log:?}"
    );
    assert_eq!(container_id(&handle(&reactor, 11)), id);

    // The consumer cancels: down at the end block, container removed.
    let end = h.chain.cancel(11).expect("an end block");
    let now = h.chain.0.borrow().block;
    h.chain.advance(end - now);
    step_until(&mut reactor, LONG, |r| {
        r.state().subscriptions[&11].handle.is_none()
    });
    assert!(!exists(&id), "removed at the end");
}

fn reactor_alive(h: &Harness, handle: &Handle) -> bool {
    Drivers::for_config(&h.config, Duration::from_secs(1))
        .expect("drivers")
        .alive(handle)
}

#[test]
fn a_container_descriptor_the_driver_cannot_run_is_refused_and_declined() {
    let mut h = Harness::new(
        "container-refused",
        23110,
        &[("container", container_type())],
    );
    h.config.public_host = Some("203.0.113.7".into());
    h.config.containers = ContainerConfig {
        instance: Some(instance("refused")),
        ..config()
    };
    let _cleanup = Cleanup(h.config.instance());
    let mut reactor = container_reactor(&h);
    h.chain.advance(1);
    // Valid for the schema, but a NUL byte no command line can carry: the
    // driver's own check refuses it before anything runs (the schema is
    // the provider's to configure; the driver does not rely on it).
    let smuggled = r#"{"image": "localhost/dinfra-busybox:latest",
        "resources": {"cpu": 0.1, "memory_mib": 16},
        "env": {"GREETING": "hello\u0000world"}}"#;
    let descriptor = h.descriptor("descriptor-12.json", smuggled);
    h.chain.award(12, ME, 1, descriptor, 1000);
    let log = step_until(&mut reactor, LONG, |r| {
        matches!(phase(r, 12), dinfra_reactor::Phase::Refused { .. })
    });
    assert!(
        log.iter()
            .any(|l| l.contains("/env/GREETING: holds a NUL byte")),
        "the log names the field: {log:?}"
    );
    let label = format!("label={INSTANCE_LABEL}={}", h.config.instance());
    assert_eq!(
        podman(&["ps", "--all", "--quiet", "--filter", &label]).1,
        "",
        "nothing started"
    );
    step(&mut reactor);
    assert!(h
        .chain
        .calls()
        .iter()
        .any(|c| matches!(c, Call::Decline(12, _))));
}

#[test]
fn a_container_larger_than_the_provider_allows_is_refused_before_anything_runs() {
    let mut h = Harness::new("container-large", 23120, &[("container", container_type())]);
    h.config.public_host = Some("203.0.113.7".into());
    h.config.containers = ContainerConfig {
        instance: Some(instance("large")),
        max_cpu: 1.0,
        max_memory_mib: 256,
        ..config()
    };
    let _cleanup = Cleanup(h.config.instance());
    let mut reactor = container_reactor(&h);
    h.chain.advance(1);
    // Valid for the type, but the whole machine for one offer's price.
    let greedy = r#"{"image": "localhost/dinfra-busybox:latest",
        "resources": {"cpu": 16, "memory_mib": 65536}}"#;
    h.chain
        .award(13, ME, 1, h.descriptor("descriptor-13.json", greedy), 1000);
    let log = step_until(&mut reactor, LONG, |r| {
        matches!(phase(r, 13), dinfra_reactor::Phase::Refused { .. })
    });
    assert!(
        log.iter().any(|l| l.contains("asks for too much: /resources/cpu: 16 cores is more than this provider's 1 per deployment")),
        "{log:?}"
    );
    let label = format!("label={INSTANCE_LABEL}={}", h.config.instance());
    assert_eq!(
        podman(&["ps", "--all", "--quiet", "--filter", &label]).1,
        ""
    );
}

// ---- kube-manifest: one pod through `podman kube play` ---------------------

fn pod_id(handle: &Handle) -> String {
    match &handle.unit {
        Unit::Pod { pod_id, .. } => pod_id.clone(),
        other => panic!("not a pod: {other:?}"),
    }
}

fn pod_exists(id: &str) -> bool {
    podman(&["pod", "exists", id]).0
}

fn catalogue_example(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../types")
            .join(path),
    )
    .unwrap()
}

#[test]
fn a_manifest_plays_as_one_labelled_pod_with_its_limits_on_the_given_port() {
    let name = instance("pod");
    let _cleanup = Cleanup(name.clone());
    let dir = scratch("pod");
    let mut driver = driver(&name);
    let manifest = dinfra_reactor::podman::KubeManifest::parse(
        catalogue_example("kube-manifest/examples/valid/pod.yaml").as_bytes(),
    )
    .unwrap();
    let ports = free_ports(23050, 1);
    let spec = Spec {
        id: 21,
        workload: Workload::Manifest(manifest),
        dir: dir.join("21"),
        log: dir.join("21.log"),
        port: ports.first().copied(),
        ports: ports.clone(),
        health: HealthKind::Tcp,
    };
    let handle = driver.start(&spec).expect("played");
    let pod = pod_id(&handle);
    wait_for(&mut driver, &handle, Health::Healthy);
    assert!(driver.alive(&handle) && driver.adopt(&handle));
    let container = format!("dinfra-{name}-21-httpd");
    assert_eq!(
        inspect(
            &container,
            "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}"
        ),
        format!("100000000 {}", 32 << 20),
        "the manifest's limits"
    );
    let (_, labels) = podman(&[
        "pod",
        "inspect",
        "--format",
        "{{index .Labels \"dinfra.instance\"}} {{index .Labels \"dinfra.subscription\"}}",
        &pod,
    ]);
    assert_eq!(labels, format!("{name} 21"));
    // A pod's ports are bound by its infra container.
    let (_, bindings) = podman(&[
        "pod",
        "inspect",
        "--format",
        "{{json .InfraConfig.PortBindings}}",
        &pod,
    ]);
    assert!(
        bindings.contains(&format!("\"HostPort\":\"{}\"", ports[0])),
        "{bindings}"
    );
    assert!(
        std::fs::symlink_metadata(&spec.log).is_ok_and(|m| m.file_type().is_symlink()),
        "the log points at the engine's"
    );
    // Its emptyDir is a volume of its own, gone with the pod.
    let volume = format!("dinfra-{name}-21-www");
    assert!(podman(&["volume", "exists", &volume]).0, "{volume}");
    // Another instance neither adopts nor stops it.
    let other_name = instance("pod-other");
    let _other_cleanup = Cleanup(other_name.clone());
    let mut other = PodmanDriver::new(config(), other_name).unwrap();
    assert!(!other.adopt(&handle));
    other.stop(&handle).unwrap();
    assert!(pod_exists(&pod));
    driver.stop(&handle).expect("stopped");
    assert!(!pod_exists(&pod), "removed");
    assert!(!podman(&["volume", "exists", &volume]).0, "its volume too");
    assert_eq!(driver.healthy(&handle), Health::Dead);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_reactor_runs_a_kube_manifest_award_and_removes_the_pod_at_the_end() {
    let manifest_type = TypeConfig {
        schema: catalogue_schema("kube-manifest"),
        ..container_type()
    };
    let mut h = Harness::new("pod-award", 23130, &[("kube-manifest", manifest_type)]);
    h.config.public_host = Some("203.0.113.7".into());
    h.config.containers = ContainerConfig {
        instance: Some(instance("pod-award")),
        ..config()
    };
    let _cleanup = Cleanup(h.config.instance());
    let mut reactor = container_reactor(&h);
    h.chain.advance(1);
    let descriptor = h.descriptor(
        "pod.yaml",
        &catalogue_example("kube-manifest/examples/valid/pod.yaml"),
    );
    h.chain.award(31, ME, 1, descriptor, 1000);
    step_until(&mut reactor, LONG, |r| {
        phase(r, 31) == dinfra_reactor::Phase::Running
    });
    let running = handle(&reactor, 31);
    let pod = pod_id(&running);
    let port = running.port.expect("a host port");
    assert!((23130..=23139).contains(&port));
    assert_eq!(
        h.chain.0.borrow().access[&31],
        [format!("http://203.0.113.7:{port}/")]
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
        "reachable on its port"
    );

    // A Deployment of two replicas is not one this host runs: declined.
    let two = catalogue_example("kube-manifest/examples/valid/deployment.yaml");
    h.chain
        .award(32, ME, 1, h.descriptor("deployment.yaml", &two), 1000);
    let log = step_until(&mut reactor, LONG, |r| {
        matches!(phase(r, 32), dinfra_reactor::Phase::Refused { .. })
    });
    assert!(
        log.iter().any(|l| l.contains("/spec/replicas: 2 replicas")),
        "{log:?}"
    );

    let end = h.chain.cancel(31).expect("an end block");
    let now = h.chain.0.borrow().block;
    h.chain.advance(end - now);
    step_until(&mut reactor, LONG, |r| {
        r.state().subscriptions[&31].handle.is_none()
    });
    assert!(!pod_exists(&pod), "removed at the end");
}
