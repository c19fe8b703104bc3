// A contract's build script (each contract's `build.rs` includes this file;
// see contracts/src/cold.rs): tells the source which build it is in.
// `dinfra_hot` for the hot Wasm (target wasm32, no `coldN` feature);
// `dinfra_cold` and `dinfra_cold_part = "N"` for cold part N's Wasm (feature
// `coldN`); nothing off chain or as another contract's dependency, where
// every message runs in place. No dependencies, so a build script costs no
// compilation of its own.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(dinfra_hot)");
    println!("cargo::rustc-check-cfg=cfg(dinfra_cold)");
    println!("cargo::rustc-check-cfg=cfg(dinfra_cold_part, values(\"1\", \"2\", \"3\", \"4\"))");
    for var in [
        "DINFRA_COLD1_CODE_HASH",
        "DINFRA_COLD2_CODE_HASH",
        "DINFRA_COLD3_CODE_HASH",
        "DINFRA_COLD4_CODE_HASH",
    ] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    // A contract used as another's dependency (its call builders) is not
    // dispatched: its messages' arguments must encode as they are.
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32")
        || std::env::var_os("CARGO_FEATURE_INK_AS_DEPENDENCY").is_some()
    {
        return;
    }
    let part = (1..=4).find(|n| std::env::var_os(format!("CARGO_FEATURE_COLD{n}")).is_some());
    match part {
        Some(n) => {
            println!("cargo::rustc-cfg=dinfra_cold");
            println!("cargo::rustc-cfg=dinfra_cold_part=\"{n}\"");
        }
        None => println!("cargo::rustc-cfg=dinfra_hot"),
    }
}
