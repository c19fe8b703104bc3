//! `dinfra-reactor --config reactor.json`: for now it reads and checks the
//! config and says what it would run. The chain back-ends (the drink
//! sandbox, a node via subxt) are wired in separately; the reactor's logic
//! is the library (`dinfra_reactor::Reactor`).

use dinfra_reactor::Config;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: dinfra-reactor --config <reactor.json>";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut config_path: Option<PathBuf> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" => config_path = args.next().map(PathBuf::from),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(path) = config_path else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let config = match Config::load(&path) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("dinfra-reactor: {e}");
            return ExitCode::from(2);
        }
    };
    println!("config {} is valid:", path.display());
    println!("  state file  {}", config.state_file.display());
    println!("  logs        {}", config.log_dir.display());
    println!("  work dirs   {}", config.work_dir.display());
    println!(
        "  ports       {}..={}",
        config.ports.first, config.ports.last
    );
    println!(
        "  claims      every {} blocks, and {} blocks before an end",
        config.claim_period, config.claim_margin
    );
    for (name, kind) in &config.types {
        println!(
            "  type {name:?}: {:?} `{}` (health {:?}, {} s, {} restarts)",
            kind.driver, kind.command, kind.health, kind.health_timeout_secs, kind.max_restarts
        );
    }
    eprintln!(
        "dinfra-reactor: no chain back-end is built into this binary yet (the drink sandbox and \
         node back-ends are wired in separately); nothing to run"
    );
    ExitCode::from(1)
}
