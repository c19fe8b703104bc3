//! `dinfra-reactor descriptor`: the consumer's check before paying, run as
//! the binary a consumer runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn types_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../types")
}

fn descriptor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dinfra-reactor"))
        .arg("descriptor")
        .args(args)
        .arg("--types")
        .arg(types_dir())
        .output()
        .unwrap()
}

fn example(path: &str) -> String {
    types_dir().join(path).display().to_string()
}

fn b2sum(path: &str) -> String {
    let out = Command::new("b2sum")
        .args(["-l", "256", path])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    format!("0x{}", text.split_whitespace().next().unwrap())
}

#[test]
fn a_valid_descriptor_gives_its_hash_and_create_argument() {
    let file = example("container/examples/valid/static-site.json");
    let uri = "https://example.org/static-site.json";
    let out = descriptor(&[&file, "--type", "container", "--uri", uri]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hash = b2sum(&file);
    assert!(stdout.contains("a valid container descriptor"), "{stdout}");
    assert!(
        stdout.contains(&format!("'{{ hash: {hash}, uri: \"{uri}\" }}'")),
        "{stdout}"
    );
}

#[test]
fn an_invalid_descriptor_exits_1_naming_each_refused_field() {
    let file = example("kube-manifest/examples/invalid/privileged.yaml");
    let out = descriptor(&[&file, "--type", "kube-manifest"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("NOT a valid kube-manifest descriptor"),
        "{stdout}"
    );
    assert!(
        stdout.contains("at /spec/containers/0: ") && stdout.contains("securityContext"),
        "{stdout}"
    );
}

#[test]
fn json_output_for_scripts() {
    let file = example("substrate-node/examples/invalid/unknown-role.json");
    let out = descriptor(&[&file, "--type", "substrate-node", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["violations"][0]["pointer"], "/role");
    assert_eq!(report["hash"], b2sum(&file));
    assert_eq!(
        report["schema_hash"],
        b2sum(&example("substrate-node/schema.json"))
    );
    assert!(report["descriptor"].is_null(), "no URI given: no argument");
}

#[test]
fn what_cannot_be_checked_exits_2() {
    let file = example("container/examples/valid/static-site.json");
    for (args, says) in [
        (vec![file.as_str(), "--type", "vm"], "no type \"vm\""),
        (vec![file.as_str()], "--type is required"),
        (
            vec![file.as_str(), "--type", "container", "--uri", "ftp://x/y"],
            "the URI must start with",
        ),
        (
            vec!["/nonexistent.json", "--type", "container"],
            "cannot read",
        ),
    ] {
        let out = descriptor(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let long = format!("https://example.org/{}", "a".repeat(120));
    let out = descriptor(&[&file, "--type", "container", "--uri", &long]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 to 128 bytes"));
}
