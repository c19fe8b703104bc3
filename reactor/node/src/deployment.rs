//! The suite the reactor follows, read from the deployments file that
//! `deploy/deploy.sh` writes (`deploy/deployments/<name>.json`, format in
//! `deploy/deployments/README.md`): which chain (genesis hash) and where the
//! registry and the subscription contract are.

use dinfra_reactor::chain::{AccountId, BlockNumber, Hash};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// One contract of the suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub address: AccountId,
    pub code_hash: Hash,
    /// The block it was instantiated in: no event of it comes earlier.
    pub block: BlockNumber,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub name: String,
    pub genesis_hash: Hash,
    pub registry: Contract,
    pub subscription: Contract,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeploymentError {
    Read(PathBuf, String),
    Json(PathBuf, String),
    /// A field that is missing or not what it should be: its path and why.
    Field(String, String),
}

impl fmt::Display for DeploymentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeploymentError::Read(path, why) => write!(f, "reading {}: {why}", path.display()),
            DeploymentError::Json(path, why) => {
                write!(f, "{} is not a deployments file: {why}", path.display())
            }
            DeploymentError::Field(field, why) => write!(f, "deployments file: {field}: {why}"),
        }
    }
}

impl std::error::Error for DeploymentError {}

#[derive(Deserialize)]
struct RawContract {
    address: String,
    code_hash: String,
    block: BlockNumber,
}

#[derive(Deserialize)]
struct RawContracts {
    registry: RawContract,
    subscription: RawContract,
}

#[derive(Deserialize)]
struct RawDeployment {
    name: String,
    genesis_hash: String,
    contracts: RawContracts,
}

impl Deployment {
    pub fn load(path: &Path) -> Result<Self, DeploymentError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DeploymentError::Read(path.to_path_buf(), e.to_string()))?;
        Self::parse(&text).map_err(|e| match e {
            DeploymentError::Json(_, why) => DeploymentError::Json(path.to_path_buf(), why),
            other => other,
        })
    }

    pub fn parse(text: &str) -> Result<Self, DeploymentError> {
        let raw: RawDeployment = serde_json::from_str(text)
            .map_err(|e| DeploymentError::Json(PathBuf::new(), e.to_string()))?;
        let contract = |name: &str, raw: &RawContract| -> Result<Contract, DeploymentError> {
            let field = |f: &str| format!("contracts.{name}.{f}");
            Ok(Contract {
                address: ss58(&raw.address)
                    .map_err(|why| DeploymentError::Field(field("address"), why))?,
                code_hash: hash(&raw.code_hash)
                    .map_err(|why| DeploymentError::Field(field("code_hash"), why))?,
                block: raw.block,
            })
        };
        Ok(Deployment {
            name: raw.name,
            genesis_hash: hash(&raw.genesis_hash)
                .map_err(|why| DeploymentError::Field("genesis_hash".into(), why))?,
            registry: contract("registry", &raw.contracts.registry)?,
            subscription: contract("subscription", &raw.contracts.subscription)?,
        })
    }
}

/// An SS58 address (any network prefix).
pub fn ss58(text: &str) -> Result<AccountId, String> {
    subxt::utils::AccountId32::from_str(text)
        .map(|account| account.0)
        .map_err(|e| format!("{text:?} is not an SS58 address ({e})"))
}

/// `0x` and 64 hex digits.
pub fn hash(text: &str) -> Result<Hash, String> {
    let digits = text
        .strip_prefix("0x")
        .ok_or_else(|| format!("{text:?} does not start with 0x"))?;
    if digits.len() != 64 {
        return Err(format!("{text:?} is not 32 bytes of hex"));
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16)
            .map_err(|_| format!("{text:?} is not hex"))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{
      "name": "local", "url": "ws://127.0.0.1:9944",
      "genesis_hash": "0x0a8beeb93041374ff9ec8b9e4def0a71171dbbc68f21ec970127a0fb15a86473",
      "deployer": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "block": 23,
      "contracts": {
        "registry": { "address": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
                      "code_hash": "0x0c6601e7e66df6ec8f18dbab8eb07a244477caeb6a7d20804cb6cbb04ecea2e7",
                      "block": 16, "bundle": "artifacts/dinfra_registry.contract" },
        "escrow": { "address": "5F7863Uukmbs7d2wv1TeUquUCGSWgQs9saXb3ftmyYjNwQLy",
                    "code_hash": "0x0ab0b9f7f496e1acda17906a6dc8ff6d3fd4c6a25e203a97f68f514c249b2ad4",
                    "block": 17, "bundle": "artifacts/dinfra_escrow.contract" },
        "subscription": { "address": "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
                          "code_hash": "0x6444a2d19176f3e6c7e07674e1e1159dc98d0315dea396f711472f608370556b",
                          "block": 19, "bundle": "artifacts/dinfra_subscription.contract" } } }"#;

    #[test]
    fn reads_the_file_deploy_sh_writes() {
        let d = Deployment::parse(FILE).unwrap();
        assert_eq!(d.name, "local");
        assert_eq!(d.genesis_hash[..2], [0x0a, 0x8b]);
        // Alice and Bob, whose public keys are well known.
        assert_eq!(d.registry.address[..4], [0xd4, 0x35, 0x93, 0xc7]);
        assert_eq!(d.subscription.address[..4], [0x8e, 0xaf, 0x04, 0x15]);
        assert_eq!(d.subscription.block, 19);
        assert_eq!(d.subscription.code_hash[31], 0x6b);
    }

    #[test]
    fn names_the_field_that_is_wrong() {
        let bad = FILE.replace("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", "5Fnope");
        let e = Deployment::parse(&bad).unwrap_err();
        assert!(
            matches!(&e, DeploymentError::Field(f, _) if f == "contracts.subscription.address"),
            "{e}"
        );
        let bad = FILE.replace("\"0x0a8beeb9", "\"0a8beeb9");
        let e = Deployment::parse(&bad).unwrap_err();
        assert!(
            matches!(&e, DeploymentError::Field(f, _) if f == "genesis_hash"),
            "{e}"
        );
        assert!(matches!(
            Deployment::parse("{}"),
            Err(DeploymentError::Json(..))
        ));
    }

    #[test]
    fn hashes_must_be_32_bytes_of_hex() {
        assert!(hash("0x12").is_err());
        assert!(hash(&format!("0x{}", "zz".repeat(32))).is_err());
        assert_eq!(hash(&format!("0x{}", "ab".repeat(32))), Ok([0xab; 32]));
    }
}
