//! The bundles every scenario deploys come from `deploy/build.sh`: each one
//! is there, is the contract it is named after, and a stale one would be
//! refused.

use std::time::Duration;

use dinfra_e2e_tests::bundles::newest_source;
use dinfra_e2e_tests::BundleProvider;

#[test]
fn every_bundle_is_built_and_is_the_contract_it_names() {
    for which in BundleProvider::ALL {
        let bundle = which.bundle().unwrap_or_else(|e| panic!("{which:?}: {e}"));
        assert!(bundle.wasm.starts_with(b"\0asm"), "{which:?}: not Wasm");
        // The metadata names the package the file is named after
        // (`fixtures/dinfra_registry_v2.contract` ← `dinfra-registry-v2`).
        let stem = which
            .file()
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".contract"))
            .expect("a .contract file");
        let metadata: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dinfra_e2e_tests::artifacts_dir().join(which.file()))
                .expect("the bundle"),
        )
        .expect("a JSON bundle");
        assert_eq!(
            metadata["contract"]["name"]
                .as_str()
                .map(|n| n.replace('-', "_")),
            Some(stem.to_string()),
            "{which:?}"
        );
        assert!(!which.sources().is_empty(), "{which:?} names its sources");
    }
}

#[test]
fn the_newest_source_is_found_below_and_build_output_is_not_a_source() {
    let dir = std::env::temp_dir().join(format!("dinfra-bundles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("nested/deeper")).unwrap();
    std::fs::create_dir_all(dir.join("target")).unwrap();
    std::fs::create_dir_all(dir.join(".ink")).unwrap();
    std::fs::write(dir.join("lib.rs"), "// older").unwrap();
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(dir.join("nested/deeper/data.rs"), "// newer").unwrap();
    std::fs::write(dir.join("nested/notes.md"), "not a source").unwrap();
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(dir.join("target/generated.rs"), "// build output").unwrap();
    std::fs::write(dir.join(".ink/metadata_gen.rs"), "// build output").unwrap();

    let (_, newest) = newest_source(&dir).expect("sources");
    assert_eq!(newest, dir.join("nested/deeper/data.rs"));

    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(dir.join("Cargo.toml"), "[package]").unwrap();
    let (_, newest) = newest_source(&dir).expect("sources");
    assert_eq!(newest, dir.join("Cargo.toml"), "a manifest is a source");
    assert!(newest_source(&dir.join("missing")).is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}
