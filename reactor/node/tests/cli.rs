//! The `dinfra-reactor` binary's command line, without a node: usage,
//! refused arguments and settings, and an unreachable node — each with its
//! exit code (2: usage; 1: could not run) and a message naming the problem.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn reactor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dinfra-reactor"))
        .args(args)
        .output()
        .expect("running dinfra-reactor")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A directory with a valid reactor config whose `chain` is `chain`.
struct Setup(PathBuf);

impl Setup {
    fn new(name: &str, chain: serde_json::Value) -> Self {
        let dir = std::env::temp_dir().join(format!("dinfra-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let config = serde_json::json!({
            "state_file": "state.json", "log_dir": "logs", "work_dir": "work",
            "ports": { "first": 40000, "last": 40010 }, "claim_period": 10,
            "chain": chain,
            "types": { "web": { "schema": Path::new(env!("CARGO_MANIFEST_DIR")).join("../../types/container/schema.json"),
                                "driver": "process", "command": "sleep 100", "health": "none" } }
        });
        std::fs::write(dir.join("reactor.json"), config.to_string()).unwrap();
        Setup(dir)
    }

    fn config(&self) -> String {
        self.0.join("reactor.json").display().to_string()
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary, expecting exit `code` and `text` in its stderr.
fn fails_with(args: &[&str], code: i32, text: &str) {
    let output = reactor(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {err}");
    assert!(err.contains(text), "{args:?}: expected {text:?} in: {err}");
}

#[test]
fn help_and_usage_errors() {
    let help = reactor(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--config"));

    fails_with(&[], 2, "--config is required");
    fails_with(
        &["--config", "x.json", "--fast"],
        2,
        "unknown argument \"--fast\"",
    );
    fails_with(
        &["--config", "x.json", "--check", "--once"],
        2,
        "give one of",
    );
    fails_with(&["--config"], 2, "--config needs a value");
}

#[test]
fn a_missing_setting_or_file_is_named() {
    let setup = Setup::new("settings", serde_json::json!({ "url": "ws://127.0.0.1:1" }));
    let config = setup.config();
    fails_with(&["--config", &config], 1, "no key_file");
    fails_with(
        &["--config", &config, "--suri", "//Bob"],
        1,
        "no deployments",
    );
    let missing = "/nonexistent/local.json";
    let args = [
        "--config",
        &config,
        "--suri",
        "//Bob",
        "--deployments",
        missing,
    ];
    fails_with(&args, 1, "reading /nonexistent/local.json");
    fails_with(
        &["--config", "/nonexistent/reactor.json"],
        1,
        "reactor.json",
    );
}

#[test]
fn a_bad_key_and_an_unreachable_node_are_reported() {
    let setup = Setup::new("node", serde_json::json!({ "url": "ws://127.0.0.1:1" }));
    let deployments = setup.0.join("local.json");
    std::fs::write(
        &deployments,
        serde_json::json!({
            "name": "local", "genesis_hash": format!("0x{}", "00".repeat(32)),
            "contracts": {
                "registry": { "address": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
                              "code_hash": format!("0x{}", "11".repeat(32)), "block": 1 },
                "subscription": { "address": "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
                                  "code_hash": format!("0x{}", "22".repeat(32)), "block": 2 } }
        })
        .to_string(),
    )
    .unwrap();
    let deployments = deployments.display().to_string();
    let config = setup.config();
    let key_file = setup.0.join("provider.key");
    std::fs::write(&key_file, "not a key at all\n").unwrap();
    let key_file = key_file.display().to_string();

    let with_key = [
        "--config",
        &config,
        "--deployments",
        &deployments,
        "--key-file",
        &key_file,
    ];
    fails_with(&with_key, 1, "the provider's key");
    let with_suri = [
        "--config",
        &config,
        "--deployments",
        &deployments,
        "--suri",
        "//Bob",
    ];
    fails_with(
        &[&with_suri[..], &["--check"]].concat(),
        1,
        "connecting to ws://127.0.0.1:1",
    );
}

#[test]
fn status_prints_the_state_file_without_a_chain() {
    let setup = Setup::new("status", serde_json::Value::Null);
    let output = reactor(&["--config", &setup.config(), "--status"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("0 subscriptions"), "{stdout}");

    let mut state = dinfra_reactor::State::fresh(0);
    let mut entry = dinfra_reactor::Entry::new(
        2,
        dinfra_reactor::Descriptor {
            hash: [1; 32],
            uri: "file:///d.json".into(),
        },
        30,
    );
    entry.phase = dinfra_reactor::Phase::Refused {
        why: "descriptor hash mismatch".into(),
    };
    state.subscriptions.insert(7, entry);
    state.next_block = 12;
    state.save(&setup.0.join("state.json")).unwrap();
    let output = reactor(&["--config", &setup.config(), "--status"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("events read up to block 11; 1 subscriptions"),
        "{stdout}"
    );
    assert!(
        stdout.contains("subscription 7: refused (descriptor hash mismatch); type 2"),
        "{stdout}"
    );

    std::fs::write(setup.0.join("state.json"), "{ not json").unwrap();
    let output = reactor(&["--config", &setup.config(), "--status"]);
    assert_eq!(output.status.code(), Some(1));
}
