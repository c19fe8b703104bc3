//! The contract bundles the scenarios, the demo and the benchmark deploy:
//! the `.contract` files `deploy/build.sh` writes to `artifacts/` (the
//! suite) and `artifacts/fixtures/` (the test-only contracts), built once per
//! machine and shared with `deploy/deploy.sh` and the TypeScript client —
//! not built again by this crate (which therefore needs neither drink's
//! build macros nor binaryen to compile).
//!
//! A bundle older than the sources it is built from is refused with the
//! command that rebuilds it, so a scenario never runs yesterday's code.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use drink::session::ContractBundle;

/// Each contract the scenarios deploy (the variants drink's
/// `contract_bundle_provider` used to generate, under the same names).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum BundleProvider {
    // (Keep `ALL` below in step.)
    DinfraRegistry,
    DinfraAward,
    DinfraSubscription,
    DinfraEscrow,
    /// Pooled funding: a consumer that is a contract.
    DinfraPool,
    /// A test-only implementation of the `Award` trait.
    PriciestAward,
    /// A test-only m-of-n multisig: an admin that is a contract.
    DinfraMultisig,
    /// The benchmark's yardstick: the published PSP22 token.
    Psp22Token,
    /// The four contracts with an added field and messages: the code the
    /// upgrade tests move a deployed suite to.
    DinfraRegistryV2,
    DinfraAwardV2,
    DinfraEscrowV2,
    DinfraSubscriptionV2,
}

/// Where `deploy/build.sh` put the bundles: `$ARTIFACTS_DIR` (as for
/// `deploy/build.sh`), else this checkout's `artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    std::env::var_os("ARTIFACTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository().join("artifacts"))
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e-tests/ is inside the repository")
        .to_path_buf()
}

impl BundleProvider {
    /// Every bundle, in `deploy/build.sh`'s order.
    pub const ALL: [BundleProvider; 12] = [
        BundleProvider::DinfraRegistry,
        BundleProvider::DinfraAward,
        BundleProvider::DinfraSubscription,
        BundleProvider::DinfraEscrow,
        BundleProvider::DinfraPool,
        BundleProvider::PriciestAward,
        BundleProvider::DinfraMultisig,
        BundleProvider::Psp22Token,
        BundleProvider::DinfraRegistryV2,
        BundleProvider::DinfraAwardV2,
        BundleProvider::DinfraSubscriptionV2,
        BundleProvider::DinfraEscrowV2,
    ];

    /// The bundle's path under [`artifacts_dir`].
    pub fn file(self) -> &'static str {
        use BundleProvider::*;
        match self {
            DinfraRegistry => "dinfra_registry.contract",
            DinfraAward => "dinfra_award.contract",
            DinfraSubscription => "dinfra_subscription.contract",
            DinfraEscrow => "dinfra_escrow.contract",
            DinfraPool => "dinfra_pool.contract",
            PriciestAward => "fixtures/priciest_award.contract",
            DinfraMultisig => "fixtures/dinfra_multisig.contract",
            Psp22Token => "fixtures/psp22_token.contract",
            DinfraRegistryV2 => "fixtures/dinfra_registry_v2.contract",
            DinfraAwardV2 => "fixtures/dinfra_award_v2.contract",
            DinfraEscrowV2 => "fixtures/dinfra_escrow_v2.contract",
            DinfraSubscriptionV2 => "fixtures/dinfra_subscription_v2.contract",
        }
    }

    /// The directories (from the repository's root) whose files the bundle
    /// is built from.
    pub fn sources(self) -> &'static [&'static str] {
        use BundleProvider::*;
        match self {
            DinfraRegistry => &["contracts/src", "registry"],
            DinfraAward => &["contracts/src", "award"],
            DinfraSubscription => &["contracts/src", "subscription"],
            DinfraEscrow => &["contracts/src", "escrow"],
            DinfraPool => &["contracts/src", "pool"],
            PriciestAward => &["contracts/src", "fixtures/priciest-award"],
            DinfraMultisig => &["contracts/src", "fixtures/multisig"],
            Psp22Token => &["fixtures/psp22-token"],
            DinfraRegistryV2 => &["contracts/src", "registry", "fixtures/upgraded/registry"],
            DinfraAwardV2 => &["contracts/src", "award", "fixtures/upgraded/award"],
            DinfraEscrowV2 => &["contracts/src", "escrow", "fixtures/upgraded/escrow"],
            DinfraSubscriptionV2 => &[
                "contracts/src",
                "subscription",
                "fixtures/upgraded/subscription",
            ],
        }
    }

    /// The bundle `deploy/build.sh` built; an error naming the command to
    /// run when it is missing or older than its sources.
    pub fn bundle(self) -> drink::DrinkResult<ContractBundle> {
        self.load(&artifacts_dir().join(self.file()))
    }

    /// The cold parts of a contract split into hot code and cold parts
    /// (`contracts/src/cold.rs`): the bundles `deploy/build.sh` built beside
    /// the contract's (`<contract>_cold1.contract` …), whose code must be on
    /// chain before the contract is instantiated. An upgrade target uses the
    /// parts of the contract it upgrades. Empty for an unsplit contract.
    pub fn cold_parts(self) -> drink::DrinkResult<Vec<ContractBundle>> {
        use BundleProvider::*;
        let stem = match self {
            DinfraRegistry | DinfraRegistryV2 => "dinfra_registry",
            DinfraEscrow | DinfraEscrowV2 => "dinfra_escrow",
            DinfraSubscription | DinfraSubscriptionV2 => "dinfra_subscription",
            DinfraPool => "dinfra_pool",
            _ => return Ok(Vec::new()),
        };
        let mut parts = Vec::new();
        for n in 1.. {
            let path = artifacts_dir().join(format!("{stem}_cold{n}.contract"));
            if !path.exists() {
                break;
            }
            parts.push(self.load(&path)?);
        }
        if parts.is_empty() {
            return Err(drink::Error::BundleLoadFailed(format!(
                "{stem}_cold1.contract is missing: run deploy/build.sh"
            )));
        }
        Ok(parts)
    }

    /// The bundle at `path`, refused when missing or older than this
    /// contract's sources.
    fn load(self, path: &Path) -> drink::DrinkResult<ContractBundle> {
        let path = path.to_path_buf();
        let built = modified(&path).ok_or_else(|| {
            drink::Error::BundleLoadFailed(format!(
                "{} is missing: run deploy/build.sh (deploy/test.sh and deploy/demo.sh run it)",
                path.display()
            ))
        })?;
        let root = repository();
        if let Some(newer) = self
            .sources()
            .iter()
            .filter_map(|dir| newest_source(&root.join(dir)))
            .find(|(at, _)| *at > built)
        {
            return Err(drink::Error::BundleLoadFailed(format!(
                "{} is older than {}: run deploy/build.sh",
                path.display(),
                newer.1.display()
            )));
        }
        ContractBundle::load(&path)
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The most recently modified `.rs` or `Cargo.toml` under `dir` (a nested
/// `target/` or `.ink/` is build output, not a source).
pub fn newest_source(dir: &Path) -> Option<(SystemTime, PathBuf)> {
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let candidate = if path.is_dir() {
            // A nested crate's own build output is not a source.
            if path
                .file_name()
                .is_some_and(|n| n == "target" || n == ".ink")
            {
                continue;
            }
            newest_source(&path)
        } else if path.extension().is_some_and(|e| e == "rs")
            || path.file_name().is_some_and(|n| n == "Cargo.toml")
        {
            modified(&path).map(|at| (at, path))
        } else {
            None
        };
        if let Some(candidate) = candidate {
            if newest.as_ref().is_none_or(|(at, _)| candidate.0 > *at) {
                newest = Some(candidate);
            }
        }
    }
    newest
}
