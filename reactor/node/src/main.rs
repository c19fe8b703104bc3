//! `dinfra-reactor`: the provider's agent, run against a node.
//!
//! ```text
//! dinfra-reactor --config reactor.json [--url ws://…] [--suri //Bob | --key-file F]
//!                [--deployments deploy/deployments/local.json] [--check | --once | --status]
//! ```
//!
//! It steps the reactor (`dinfra_reactor::Reactor`) every `poll_interval_ms`
//! with the node back-end until SIGTERM or SIGINT, then finishes its step and
//! exits; the deployments keep running and the next start adopts them.
//! `--check` validates the config, connects and checks the suite, and exits;
//! `--once` runs one step; `--status` prints what the state file records
//! (no chain needed). Log lines go to stderr, prefixed with the block.
//!
//! ```text
//! dinfra-reactor descriptor <file> --type <name> [--types <dir>] [--uri <uri>] [--json]
//! ```
//!
//! checks a descriptor against its type's schema in the catalogue
//! (`types/`) and prints its hash and `create`'s `descriptor` argument
//! (see `descriptor_command`).

use dinfra_reactor::status::StatusService;
use dinfra_reactor::{Config, Driver, Drivers, Reactor, ReactorError, State};
use dinfra_reactor_node::settings::{Overrides, Settings};
use dinfra_reactor_node::{keypair, Deployment, NodeChain, StatusServer};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const USAGE: &str = "usage: dinfra-reactor --config <reactor.json> [--url ws://…] \
[--suri <secret uri> | --key-file <file>] [--deployments <file>] [--check | --once | --status]";

/// How long a deployment gets between SIGTERM and SIGKILL when stopped.
const STOP_GRACE: Duration = Duration::from_secs(5);

mod descriptor_command;

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

#[derive(PartialEq)]
enum Mode {
    Run,
    Check,
    Once,
    Status,
}

struct Args {
    config: PathBuf,
    overrides: Overrides,
    mode: Mode,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = std::env::args().skip(1);
    let mut config = None;
    let mut overrides = Overrides::default();
    let mut mode = Mode::Run;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--config" => config = Some(PathBuf::from(value("--config")?)),
            "--url" => overrides.url = Some(value("--url")?),
            "--suri" => overrides.suri = Some(value("--suri")?),
            "--key-file" => overrides.key_file = Some(PathBuf::from(value("--key-file")?)),
            "--deployments" => overrides.deployments = Some(PathBuf::from(value("--deployments")?)),
            "--check" if mode == Mode::Run => mode = Mode::Check,
            "--once" if mode == Mode::Run => mode = Mode::Once,
            "--status" if mode == Mode::Run => mode = Mode::Status,
            "--check" | "--once" | "--status" => {
                return Err("give one of --check, --once and --status".into())
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let config = config.ok_or("--config is required")?;
    Ok(Some(Args {
        config,
        overrides,
        mode,
    }))
}

fn main() -> ExitCode {
    let all: Vec<String> = std::env::args().skip(1).collect();
    if all.first().map(String::as_str) == Some("descriptor") {
        return descriptor_command::main(&all[1..]);
    }
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}\n{}", descriptor_command::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(why) => {
            eprintln!("dinfra-reactor: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("dinfra-reactor: {why}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let mut config = Config::load(&args.config).map_err(|e| e.to_string())?;
    if args.mode == Mode::Status {
        return status(&config);
    }
    let config_dir = args.config.parent().unwrap_or(Path::new("."));
    let settings =
        Settings::resolve(&config.chain, config_dir, &args.overrides).map_err(|e| e.to_string())?;
    let deployment = Deployment::load(&settings.deployments).map_err(|e| e.to_string())?;
    let signer = keypair(&settings.key.secret().map_err(|e| e.to_string())?)
        .map_err(|e| format!("the provider's key: {e}"))?;
    // Nothing of the suite happened before its subscription contract was
    // instantiated: a fresh state need not read the blocks before.
    config.start_block = config.start_block.max(deployment.subscription.block);

    let chain =
        NodeChain::connect(&settings.url, signer, deployment.clone()).map_err(|e| e.to_string())?;
    let provider = subxt::utils::AccountId32(dinfra_reactor::Chain::provider(&chain));
    println!(
        "dinfra-reactor: provider {provider} on {} (suite {:?}, subscription contract {}, \
         events from block {})",
        settings.url,
        deployment.name,
        subxt::utils::AccountId32(deployment.subscription.address),
        config.start_block
    );
    let drivers = Drivers::for_config(&config, STOP_GRACE)?;
    for (name, kind) in &config.types {
        match &drivers.podman {
            Some(podman) if kind.command.is_empty() => println!(
                "  type {name:?}: containers (instance {:?})",
                podman.instance()
            ),
            _ => println!("  type {name:?}: `{}`", kind.command),
        }
    }
    if args.mode == Mode::Check {
        println!("dinfra-reactor: the config, the key and the suite check out");
        return Ok(());
    }

    let mut reactor = Reactor::new(config, chain, drivers)
        .map_err(|e| e.to_string())?
        .with_echo(true);
    println!(
        "dinfra-reactor: state {} ({} subscriptions, events read up to block {})",
        reactor.config().state_file.display(),
        reactor.state().subscriptions.len(),
        reactor.state().next_block.saturating_sub(1)
    );
    let mut stepper = Stepper::new();
    if args.mode == Mode::Once {
        return stepper.step(&mut reactor);
    }
    // The status API, for each subscription's consumer (signed requests).
    let status = match reactor.config().status.clone() {
        Some(settings) => {
            let service = StatusService::new(reactor.status_board(), settings.max_age_blocks);
            let server = StatusServer::start(&settings.listen, service)?;
            println!(
                "dinfra-reactor: status API on http://{} (GET /subscriptions/{{id}}, /openapi.json)",
                server.address()
            );
            Some(server)
        }
        None => None,
    };

    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGTERM, on_signal as libc::sighandler_t);
        libc::signal(libc::SIGINT, on_signal as libc::sighandler_t);
    }
    let poll = Duration::from_millis(reactor.config().poll_interval_ms);
    while !STOP.load(Ordering::SeqCst) {
        stepper.step(&mut reactor)?;
        if let Some(server) = &status {
            server.update(reactor.status_board());
        }
        let mut slept = Duration::ZERO;
        while slept < poll && !STOP.load(Ordering::SeqCst) {
            let slice = (poll - slept).min(Duration::from_millis(100));
            std::thread::sleep(slice);
            slept += slice;
        }
    }
    println!(
        "dinfra-reactor: stopping; the deployments keep running and are adopted at the next start"
    );
    Ok(())
}

/// What the state file records, and whether each recorded process still
/// runs: for an operator, without the chain (and safe next to a running
/// reactor: the file is only ever replaced whole).
fn status(config: &Config) -> Result<(), String> {
    let state = State::load(&config.state_file, config.start_block).map_err(|e| e.to_string())?;
    println!(
        "state {}: events read up to block {}; {} subscriptions",
        config.state_file.display(),
        state.next_block.saturating_sub(1),
        state.subscriptions.len()
    );
    let drivers = Drivers::for_config(config, STOP_GRACE)?;
    for line in state.report(|handle| drivers.alive(handle)) {
        println!("  {line}");
    }
    Ok(())
}

/// Steps the reactor, reporting chain errors once per run of the same error
/// (a node that is down fails every step alike).
struct Stepper {
    last_error: Option<String>,
    repeats: u64,
}

impl Stepper {
    fn new() -> Self {
        Self {
            last_error: None,
            repeats: 0,
        }
    }

    /// One step; a chain error is reported and tried again at the next
    /// step, a state error ends the reactor (it must not run on without its
    /// memory).
    fn step(&mut self, reactor: &mut Reactor<NodeChain, Drivers>) -> Result<(), String> {
        match reactor.step() {
            Ok(_) => {
                self.settle(true);
                Ok(())
            }
            Err(e @ ReactorError::State(_)) => Err(e.to_string()),
            Err(e) => {
                let text = e.to_string();
                if self.last_error.as_deref() == Some(text.as_str()) {
                    self.repeats += 1;
                } else {
                    self.settle(false);
                    eprintln!("step failed (tried again at the next step): {text}");
                    self.last_error = Some(text);
                }
                Ok(())
            }
        }
    }

    /// Closes a run of one error: how many more steps failed alike, and
    /// whether the chain answers again.
    fn settle(&mut self, recovered: bool) {
        if self.last_error.take().is_some() {
            if self.repeats > 0 {
                eprintln!("  (the same error {} more times)", self.repeats);
            }
            if recovered {
                eprintln!("the chain answers again");
            }
        }
        self.repeats = 0;
    }
}
