//! The `process` driver: a deployment is a local command run by `sh -c` in a
//! session (and process group) of its own, so the reactor can be killed and
//! restarted without taking its deployments down, and a stop reaches
//! everything the command started. Output goes to the subscription's log.

use crate::config::HealthKind;
use crate::driver::{Driver, DriverError, Handle, Health, Spec, Unit, Workload};
use crate::probe;
use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub struct ProcessDriver {
    /// How long a stopped group gets between SIGTERM and SIGKILL.
    grace: Duration,
    /// Processes this driver started (to reap them once stopped).
    children: HashMap<u32, Child>,
}

impl Default for ProcessDriver {
    fn default() -> Self {
        Self::new(Duration::from_secs(10))
    }
}

impl ProcessDriver {
    pub fn new(grace: Duration) -> Self {
        Self {
            grace,
            children: HashMap::new(),
        }
    }
}

/// The fields of /proc/<pid>/stat the driver uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub state: char,
    pub pgrp: u32,
    pub start_time: u64,
}

impl Stat {
    /// Running (or sleeping, stopped …), not a zombie or dead.
    pub fn live(&self) -> bool {
        !matches!(self.state, 'Z' | 'X' | 'x')
    }
}

/// Reads /proc/<pid>/stat; `None` if there is no such process.
pub fn stat(pid: u32) -> Option<Stat> {
    parse_stat(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// `pid (comm) state ppid pgrp …`: comm may hold spaces and parentheses.
fn parse_stat(text: &str) -> Option<Stat> {
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(Stat {
        state: fields.first()?.chars().next()?,
        pgrp: fields.get(2)?.parse().ok()?,
        start_time: fields.get(19)?.parse().ok()?,
    })
}

/// Whether any live process (not a zombie) is in process group `pgid`.
pub fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = fs::read_dir("/proc") else {
        return false;
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(stat)
        .any(|s| s.pgrp == pgid && s.live())
}

/// Whether `pid` is a live process (not a zombie).
pub fn alive(pid: u32) -> bool {
    stat(pid).is_some_and(|s| s.live())
}

/// Whether something accepts connections on 127.0.0.1:`port`.
pub fn listening(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(300))
        .is_ok()
}

/// The live processes whose working directory is `dir` or below it: what a
/// reactor whose work directory is `dir` runs (tests, clean-up).
pub fn processes_in(dir: &std::path::Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(dir))
                && alive(*pid)
        })
        .collect()
}

/// The real interpreter behind `python3` (a pyenv shim is a shell script
/// that resolves it on every start), so that a command template `exec`ing it
/// starts in one quick step: the tests' and the demos' `python3 -m
/// http.server` deployments.
pub fn python3_executable() -> std::io::Result<String> {
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()?;
    if !output.status.success() {
        return Err(std::io::Error::other(format!(
            "python3 exited with {}",
            output.status
        )));
    }
    String::from_utf8(output.stdout)
        .map(|path| path.trim().to_string())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// The process groups (deployments) running in `dir`.
pub fn groups_in(dir: &std::path::Path) -> std::collections::BTreeSet<u32> {
    processes_in(dir)
        .into_iter()
        .filter_map(|pid| Some(stat(pid)?.pgrp))
        .collect()
}

/// SIGKILLs every process running in `dir` (below it too) and its process
/// group: what a test or demo does to leave nothing behind, however it ends.
pub fn kill_all_in(dir: &std::path::Path) {
    for pid in processes_in(dir) {
        if let Some(s) = stat(pid) {
            signal_group(s.pgrp, libc::SIGKILL);
        }
        if let Ok(pid) = libc::pid_t::try_from(pid) {
            // SAFETY: kill(2) has no memory-safety preconditions.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

fn signal_group(pgid: u32, signal: libc::c_int) {
    if let Ok(pgid) = libc::pid_t::try_from(pgid) {
        // SAFETY: kill(2) with a negative pid signals a process group; it
        // has no memory-safety preconditions.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

fn unix_time() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl ProcessDriver {
    fn spawn(&mut self, spec: &Spec) -> Result<Handle, String> {
        let Workload::Command(command_line) = &spec.workload else {
            return Err("the process driver runs command lines only".into());
        };
        fs::create_dir_all(&spec.dir)
            .map_err(|e| format!("cannot create {}: {e}", spec.dir.display()))?;
        if let Some(parent) = spec.log.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&spec.log)
            .map_err(|e| format!("cannot open log {}: {e}", spec.log.display()))?;
        writeln!(
            log,
            "--- {} start subscription {}: {}",
            unix_time(),
            spec.id,
            command_line
        )
        .map_err(|e| format!("cannot write log {}: {e}", spec.log.display()))?;
        let stderr = log.try_clone().map_err(|e| e.to_string())?;
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(command_line)
            .current_dir(&spec.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(stderr)
            .env("DINFRA_SUBSCRIPTION", spec.id.to_string())
            .env("DINFRA_DIR", &spec.dir);
        if let Some(port) = spec.port {
            command.env("DINFRA_PORT", port.to_string());
        }
        // SAFETY: setsid(2) is async-signal-safe, as a pre_exec hook must be.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().map_err(|e| format!("cannot run sh: {e}"))?;
        let pid = child.id();
        // Its /proc entry exists from fork on (a zombie keeps it too).
        let start_time = stat(pid)
            .map(|s| s.start_time)
            .ok_or_else(|| format!("process {pid} vanished before it could be recorded"))?;
        self.children.insert(pid, child);
        Ok(Handle {
            unit: Unit::Process { pid, start_time },
            port: spec.port,
            log: spec.log.clone(),
            health: spec.health.clone(),
        })
    }

    /// Waits until no live process is left in the group (reaping our own
    /// leader as it goes); false on timeout.
    fn wait_group(&mut self, pgid: u32, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(child) = self.children.get_mut(&pgid) {
                let _ = child.try_wait();
            }
            if !group_alive(pgid) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            sleep(Duration::from_millis(20));
        }
    }
}

impl Driver for ProcessDriver {
    fn start(&mut self, spec: &Spec) -> Result<Handle, DriverError> {
        self.spawn(spec).map_err(DriverError)
    }

    fn healthy(&mut self, handle: &Handle) -> Health {
        if !self.alive(handle) {
            return Health::Dead;
        }
        let passes = match (&handle.health, handle.port) {
            (HealthKind::Tcp, Some(port)) => probe::tcp(port),
            (HealthKind::Http { path }, Some(port)) => probe::http(port, path),
            (HealthKind::None, _) => true,
            // No port to check, or a container image's check: never passes.
            (HealthKind::Tcp | HealthKind::Http { .. } | HealthKind::Image, _) => false,
        };
        if passes {
            Health::Healthy
        } else {
            Health::Waiting
        }
    }

    fn alive(&self, handle: &Handle) -> bool {
        self.adopt(handle)
    }

    fn stop(&mut self, handle: &Handle) -> Result<(), DriverError> {
        let Unit::Process {
            pid: pgid,
            start_time,
        } = handle.unit
        else {
            return Err(DriverError(
                "the process driver stops processes only".into(),
            ));
        };
        match stat(pgid) {
            // The pid now belongs to someone else: ours is long gone, and its
            // group with it (a pid is not reused while its group exists).
            Some(s) if s.start_time != start_time => return Ok(()),
            // Ours (maybe a zombie), or gone with members of its group left.
            _ => {}
        }
        signal_group(pgid, libc::SIGTERM);
        if !self.wait_group(pgid, self.grace) {
            signal_group(pgid, libc::SIGKILL);
            if !self.wait_group(pgid, Duration::from_secs(5)) {
                return Err(DriverError(format!(
                    "process group {pgid} survived SIGKILL"
                )));
            }
        }
        if let Some(mut child) = self.children.remove(&pgid) {
            let _ = child.wait();
        }
        Ok(())
    }

    fn adopt(&self, handle: &Handle) -> bool {
        let Unit::Process { pid, start_time } = handle.unit else {
            return false;
        };
        stat(pid).is_some_and(|s| s.start_time == start_time && s.live() && s.pgrp == pid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(handle: &Handle) -> u32 {
        match handle.unit {
            Unit::Process { pid, .. } => pid,
            Unit::Container { .. } | Unit::Pod { .. } => panic!("not a process"),
        }
    }

    fn spec(name: &str, command: &str) -> Spec {
        let dir =
            std::env::temp_dir().join(format!("dinfra-process-{}-{name}", std::process::id()));
        Spec {
            id: 1,
            workload: Workload::Command(command.into()),
            log: dir.join("1.log"),
            dir,
            port: None,
            ports: Vec::new(),
            health: HealthKind::None,
        }
    }

    #[test]
    fn runs_in_its_own_group_logs_and_stops_the_whole_group() {
        let mut driver = ProcessDriver::new(Duration::from_secs(2));
        let spec = spec("group", "echo hello; sleep 30 & sleep 30");
        let handle = driver.start(&spec).unwrap();
        let s = stat(pid(&handle)).unwrap();
        assert_eq!(s.pgrp, pid(&handle), "a group of its own");
        assert!(driver.alive(&handle) && driver.adopt(&handle));
        assert_eq!(driver.healthy(&handle), Health::Healthy);
        sleep(Duration::from_millis(200));
        driver.stop(&handle).unwrap();
        assert!(!group_alive(pid(&handle)), "both sleeps are gone");
        assert!(!driver.alive(&handle));
        assert_eq!(driver.healthy(&handle), Health::Dead);
        let log = fs::read_to_string(&handle.log).unwrap();
        assert!(
            log.contains("start subscription 1: echo hello") && log.contains("hello\n"),
            "{log}"
        );
        fs::remove_dir_all(&spec.dir).unwrap();
    }

    #[test]
    fn sigkill_after_the_grace_period() {
        let mut driver = ProcessDriver::new(Duration::from_millis(300));
        let spec = spec("stubborn", "trap '' TERM; while true; do sleep 0.1; done");
        let handle = driver.start(&spec).unwrap();
        sleep(Duration::from_millis(200));
        let started = Instant::now();
        driver.stop(&handle).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert!(!group_alive(pid(&handle)));
        fs::remove_dir_all(&spec.dir).unwrap();
    }

    #[test]
    fn a_reused_pid_is_not_adopted_nor_killed() {
        let mut driver = ProcessDriver::new(Duration::from_secs(1));
        let spec = spec("reused", "sleep 30");
        let handle = driver.start(&spec).unwrap();
        let Unit::Process {
            pid: leader,
            start_time,
        } = handle.unit
        else {
            panic!("not a process")
        };
        let stranger = Handle {
            unit: Unit::Process {
                pid: leader,
                start_time: start_time + 1,
            },
            ..handle.clone()
        };
        assert!(!driver.adopt(&stranger) && !driver.alive(&stranger));
        driver.stop(&stranger).unwrap();
        assert!(
            stat(pid(&handle)).unwrap().live(),
            "the real owner of the pid lives on"
        );
        driver.stop(&handle).unwrap();
        assert!(!group_alive(pid(&handle)));
        fs::remove_dir_all(&spec.dir).unwrap();
    }

    #[test]
    fn a_crashed_process_is_dead_and_stop_reaps_it() {
        let mut driver = ProcessDriver::default();
        let spec = spec("crash", "exit 3");
        let handle = driver.start(&spec).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while driver.alive(&handle) && Instant::now() < deadline {
            sleep(Duration::from_millis(10));
        }
        assert!(!driver.alive(&handle));
        driver.stop(&handle).unwrap();
        assert!(stat(pid(&handle)).is_none(), "reaped");
        fs::remove_dir_all(&spec.dir).unwrap();
    }

    #[test]
    fn stat_parses_a_comm_with_spaces_and_parens() {
        let line =
            "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        let parsed = parse_stat(line).unwrap();
        assert_eq!(
            parsed,
            Stat {
                state: 'S',
                pgrp: 4242,
                start_time: 987654
            }
        );
        assert!(!parse_stat(&line.replace(" S ", " Z ")).unwrap().live());
        let me = stat(std::process::id()).unwrap();
        assert!(me.live() && me.start_time > 0);
        assert!(stat(u32::MAX).is_none());
    }
}
