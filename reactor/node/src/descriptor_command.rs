//! `dinfra-reactor descriptor FILE --type NAME [--types DIR] [--uri URI] [--json]`:
//! checks a descriptor against its type's schema in the catalogue, prints
//! its blake2-256 and the `descriptor` argument of `create`. Exits 1 when
//! the descriptor is invalid (each refused field named), 2 on bad usage.

use dinfra::types::MAX_ENDPOINT_LEN;
use dinfra_reactor::chain::hex;
use dinfra_reactor::descriptor::{Catalogue, DescriptorError};
use dinfra_reactor::fetch::blake2_256;
use std::path::PathBuf;
use std::process::ExitCode;

pub const USAGE: &str = "usage: dinfra-reactor descriptor <file> --type <name> \
[--types <catalogue dir>] [--uri <where it is published>] [--json]";

/// URI schemes a provider's reactor may fetch (`file://` only where the
/// provider allows it: for tests on one machine).
const SCHEMES: [&str; 4] = ["https://", "http://", "ipfs://", "file://"];

struct Args {
    file: PathBuf,
    type_name: String,
    types: PathBuf,
    uri: Option<String>,
    json: bool,
}

/// The catalogue in `./types`, else the one this binary was built from.
fn default_types() -> PathBuf {
    let here = PathBuf::from("types");
    if here.join("container").is_dir() {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../types"))
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut args = args.iter();
    let (mut file, mut type_name, mut types, mut uri, mut json) = (None, None, None, None, false);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--type" => type_name = Some(value("--type")?),
            "--types" => types = Some(PathBuf::from(value("--types")?)),
            "--uri" => uri = Some(value("--uri")?),
            "--json" => json = true,
            flag if flag.starts_with("--") => return Err(format!("unknown argument {flag:?}")),
            path if file.is_none() => file = Some(PathBuf::from(path)),
            extra => return Err(format!("one descriptor file at a time ({extra:?})")),
        }
    }
    let uri = uri.map(check_uri).transpose()?;
    Ok(Args {
        file: file.ok_or("the descriptor file is required")?,
        type_name: type_name.ok_or("--type is required")?,
        types: types.unwrap_or_else(default_types),
        uri,
        json,
    })
}

/// What the subscription contract and a reactor would refuse, said before
/// the consumer pays for it.
fn check_uri(uri: String) -> Result<String, String> {
    if uri.is_empty() || uri.len() > MAX_ENDPOINT_LEN {
        return Err(format!(
            "the URI must be 1 to {MAX_ENDPOINT_LEN} bytes (the contract refuses it otherwise)"
        ));
    }
    if !SCHEMES.iter().any(|scheme| uri.starts_with(scheme)) {
        return Err(format!("the URI must start with one of {SCHEMES:?}"));
    }
    Ok(uri)
}

pub fn main(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(args) => args,
        Err(why) => {
            eprintln!("dinfra-reactor descriptor: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(why) => {
            eprintln!("dinfra-reactor descriptor: {why}");
            ExitCode::from(2)
        }
    }
}

/// Whether the descriptor is valid; `Err` when it could not be checked.
fn run(args: &Args) -> Result<bool, String> {
    let catalogue = Catalogue::load(&args.types).map_err(|e| e.to_string())?;
    let deployment_type = catalogue.by_name(&args.type_name).ok_or_else(|| {
        let names: Vec<&str> = catalogue.types().iter().map(|t| t.name.as_str()).collect();
        format!(
            "no type {:?} in {} (it has {})",
            args.type_name,
            args.types.display(),
            names.join(", ")
        )
    })?;
    let bytes = std::fs::read(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let hash = hex(&blake2_256(&bytes));
    let schema_hash = hex(&deployment_type.schema_hash);
    let outcome = deployment_type.check(&bytes);
    if args.json {
        let violations: Vec<serde_json::Value> = match &outcome {
            Ok(_) => Vec::new(),
            Err(DescriptorError::Unparsable(why)) => {
                vec![serde_json::json!({ "pointer": "", "message": why })]
            }
            Err(DescriptorError::Invalid { violations, .. }) => violations
                .iter()
                .map(|v| serde_json::json!({ "pointer": v.pointer, "message": v.message }))
                .collect(),
        };
        let report = serde_json::json!({
            "file": args.file.display().to_string(),
            "type": deployment_type.name,
            "schema_hash": schema_hash,
            "valid": outcome.is_ok(),
            "violations": violations,
            "hash": hash,
            "bytes": bytes.len(),
            "descriptor": args.uri.as_ref().map(|uri| serde_json::json!({ "hash": hash, "uri": uri })),
        });
        println!("{report:#}");
        return Ok(outcome.is_ok());
    }
    let file = args.file.display();
    let name = &deployment_type.name;
    if let Err(error) = outcome {
        println!("{file}: NOT a valid {name} descriptor (schema {schema_hash}):");
        match error {
            DescriptorError::Unparsable(why) => println!("  not JSON or YAML: {why}"),
            DescriptorError::Invalid { violations, total } => {
                for violation in &violations {
                    println!("  {violation}");
                }
                if total > violations.len() {
                    println!("  … and {} more", total - violations.len());
                }
            }
        }
        return Ok(false);
    }
    println!("{file}: a valid {name} descriptor");
    println!(
        "  type:   {name}, schema {schema_hash} ({})",
        deployment_type.schema_path.display()
    );
    println!("  hash:   {hash} (blake2-256 of its {} bytes)", bytes.len());
    let uri = args
        .uri
        .as_deref()
        .unwrap_or("<the URI you publish it at: --uri>");
    println!("  create's `descriptor` argument, once the file is published unchanged at that URI:");
    println!("    cargo contract call: '{{ hash: {hash}, uri: \"{uri}\" }}'");
    println!("    TypeScript client:   {{ hash: '{hash}', uri: '{uri}' }}");
    Ok(true)
}
