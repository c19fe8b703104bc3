//! The catalogue of deployment types (`types/`): every example descriptor
//! validates or fails exactly as its type's README says, every example is
//! in that table, and each type's hash is the blake2-256 of its schema
//! file as an independent implementation (coreutils' `b2sum`) computes it.

use dinfra_reactor::chain::hex;
use dinfra_reactor::descriptor::{Catalogue, DescriptorError};
use std::path::{Path, PathBuf};
use std::process::Command;

fn types_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../types")
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Valid,
    /// Invalid, with a violation at this JSON pointer.
    InvalidAt(String),
    Unparsable,
}

/// The rows `| `examples/…` | outcome |` of a type's README.
fn readme_table(readme: &str) -> Vec<(String, Outcome)> {
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let file = cells
                .get(1)?
                .strip_prefix("`examples/")?
                .strip_suffix('`')?;
            let outcome = cells.get(2)?;
            let outcome = if *outcome == "valid" {
                Outcome::Valid
            } else if *outcome == "unparsable" {
                Outcome::Unparsable
            } else {
                let pointer = outcome.strip_prefix("invalid at `")?.split('`').next()?;
                Outcome::InvalidAt(pointer.to_string())
            };
            Some((format!("examples/{file}"), outcome))
        })
        .collect()
}

fn example_files(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for kind in ["valid", "invalid"] {
        for entry in std::fs::read_dir(dir.join("examples").join(kind)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            files.push(format!("examples/{kind}/{name}"));
        }
    }
    files.sort();
    files
}

#[test]
fn the_catalogue_has_the_three_types() {
    let catalogue = Catalogue::load(&types_dir()).unwrap();
    let names: Vec<&str> = catalogue.types().iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["container", "kube-manifest", "substrate-node"]);
}

#[test]
fn every_example_fares_as_its_readme_says() {
    let catalogue = Catalogue::load(&types_dir()).unwrap();
    for deployment_type in catalogue.types() {
        let dir = types_dir().join(&deployment_type.name);
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        let table = readme_table(&readme);
        let mut listed: Vec<String> = table.iter().map(|(file, _)| file.clone()).collect();
        listed.sort();
        assert_eq!(
            listed,
            example_files(&dir),
            "{}: the README's table and examples/ differ",
            deployment_type.name
        );
        for (folder, valid) in [("examples/valid/", true), ("examples/invalid/", false)] {
            let rows: Vec<&(String, Outcome)> = table
                .iter()
                .filter(|(file, _)| file.starts_with(folder))
                .collect();
            assert!(
                !rows.is_empty(),
                "{}: nothing in {folder}",
                deployment_type.name
            );
            assert!(
                rows.iter().all(|(_, o)| (*o == Outcome::Valid) == valid),
                "{}: an example in {folder} is listed with the other outcome",
                deployment_type.name
            );
        }
        for (file, outcome) in &table {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let result = deployment_type.check(&bytes);
            let what = format!("{}/{file}", deployment_type.name);
            match (outcome, result) {
                (Outcome::Valid, Ok(_)) => {}
                (Outcome::Unparsable, Err(DescriptorError::Unparsable(_))) => {}
                (Outcome::InvalidAt(pointer), Err(error @ DescriptorError::Invalid { .. })) => {
                    assert!(
                        error.pointers().contains(&pointer.as_str()),
                        "{what}: expected a violation at {pointer:?}, got {error}"
                    );
                }
                (outcome, result) => panic!("{what}: expected {outcome:?}, got {result:?}"),
            }
        }
    }
}

#[test]
fn each_schema_hash_is_the_files_blake2_256() {
    let catalogue = Catalogue::load(&types_dir()).unwrap();
    for deployment_type in catalogue.types() {
        let output = Command::new("b2sum")
            .args(["-l", "256"])
            .arg(&deployment_type.schema_path)
            .output()
            .expect("coreutils' b2sum");
        assert!(output.status.success());
        let b2sum = String::from_utf8(output.stdout).unwrap();
        let b2sum = b2sum.split_whitespace().next().unwrap();
        assert_eq!(
            hex(&deployment_type.schema_hash),
            format!("0x{b2sum}"),
            "{}",
            deployment_type.name
        );
        assert_eq!(
            catalogue
                .by_schema_hash(&deployment_type.schema_hash)
                .map(|t| t.name.as_str()),
            Some(deployment_type.name.as_str())
        );
    }
}
