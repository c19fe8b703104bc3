//! Deployment descriptors and the catalogue of their types (`types/` at the
//! repository root): each type is a folder with a JSON Schema (draft
//! 2020-12) in `schema.json`, whose blake2-256 is the type's `schema_hash`
//! on chain. A descriptor is a JSON or YAML document; it is valid for a type
//! when it parses and its schema accepts it. The reactor checks every
//! fetched descriptor here before it starts anything, and a consumer checks
//! one with `dinfra-reactor descriptor` before paying for it.
//!
//! Schemas are self-contained: the validator is built without remote
//! references, so checking a descriptor never touches the network or the
//! provider's files.

use crate::chain::Hash;
use crate::fetch::blake2_256;
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};

/// The file of a type's schema inside its folder.
pub const SCHEMA_FILE: &str = "schema.json";
/// The only draft the catalogue's schemas may declare.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";
/// Violations reported for one descriptor at most (the rest are counted).
const MAX_VIOLATIONS: usize = 20;

/// One type of the catalogue.
pub struct DeploymentType {
    /// The folder's name: the type's name in the registry.
    pub name: String,
    pub schema_path: PathBuf,
    /// blake2-256 of the schema file's bytes.
    pub schema_hash: Hash,
    validator: jsonschema::Validator,
}

impl fmt::Debug for DeploymentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeploymentType")
            .field("name", &self.name)
            .field("schema_path", &self.schema_path)
            .field("schema_hash", &crate::chain::hex(&self.schema_hash))
            .finish()
    }
}

/// The catalogue: every `<dir>/<name>/schema.json`, by name.
#[derive(Debug)]
pub struct Catalogue {
    types: Vec<DeploymentType>,
}

/// Why a catalogue could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogueError {
    Io(PathBuf, String),
    /// A schema is not JSON, not draft 2020-12, or not a valid schema.
    BadSchema(PathBuf, String),
    /// Two types share a schema (the chain could not tell them apart).
    SameSchema(String, String),
    Empty(PathBuf),
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogueError::Io(path, why) => write!(f, "cannot read {}: {why}", path.display()),
            CatalogueError::BadSchema(path, why) => {
                write!(f, "{} is not a usable schema: {why}", path.display())
            }
            CatalogueError::SameSchema(a, b) => {
                write!(f, "types {a} and {b} have the same schema")
            }
            CatalogueError::Empty(dir) => {
                write!(f, "no <type>/{SCHEMA_FILE} under {}", dir.display())
            }
        }
    }
}

impl std::error::Error for CatalogueError {}

/// One thing a schema refused: where in the descriptor (a JSON pointer,
/// empty for the whole document) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "at {at}: {}", self.message)
    }
}

/// Why a descriptor is not valid for its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DescriptorError {
    /// Neither JSON nor YAML.
    Unparsable(String),
    /// Parsed, but the schema refused it (the first [`MAX_VIOLATIONS`],
    /// and how many there were).
    Invalid {
        violations: Vec<Violation>,
        total: usize,
    },
}

impl DescriptorError {
    /// The pointers of the fields the schema refused.
    pub fn pointers(&self) -> Vec<&str> {
        match self {
            DescriptorError::Unparsable(_) => Vec::new(),
            DescriptorError::Invalid { violations, .. } => {
                violations.iter().map(|v| v.pointer.as_str()).collect()
            }
        }
    }
}

impl fmt::Display for DescriptorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DescriptorError::Unparsable(why) => write!(f, "not JSON or YAML: {why}"),
            DescriptorError::Invalid { violations, total } => {
                let listed: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
                write!(f, "invalid {}", listed.join("; "))?;
                if *total > violations.len() {
                    write!(f, "; and {} more", total - violations.len())?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for DescriptorError {}

/// A descriptor's document: JSON, or else YAML (a Kubernetes manifest).
pub fn parse(bytes: &[u8]) -> Result<Value, DescriptorError> {
    let json_error = match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let looks_like_json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[');
    if looks_like_json {
        return Err(DescriptorError::Unparsable(format!("JSON: {json_error}")));
    }
    // An alias expands in place: a few KiB of anchors nested a few deep
    // are gigabytes parsed. A descriptor has no need of them.
    if has_yaml_alias(bytes) {
        return Err(DescriptorError::Unparsable(
            "YAML: anchors and aliases (&name, *name) are not accepted".into(),
        ));
    }
    serde_yaml_ng::from_slice::<Value>(bytes)
        .map_err(|e| DescriptorError::Unparsable(format!("YAML: {e}")))
}

/// Whether the YAML text holds an alias or anchor: a `*` or `&` that
/// starts a node (after the line's indentation, `- `, `: `, `? `, `[`, `{`
/// or `,`) and is followed by a name. Conservative: such text inside a
/// quoted string is refused too.
fn has_yaml_alias(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.lines().any(|line| {
        let chars: Vec<char> = line.chars().collect();
        chars.iter().enumerate().any(|(i, c)| {
            if *c != '*' && *c != '&' {
                return false;
            }
            let named = chars
                .get(i + 1)
                .is_some_and(|n| n.is_alphanumeric() || *n == '_' || *n == '-');
            let before = chars[..i].iter().rev().find(|b| !b.is_whitespace());
            let at_node_start = match before {
                None => true,
                Some(b) => matches!(b, '-' | ':' | '?' | '[' | '{' | ','),
            };
            named
                && at_node_start
                && (i == 0 || chars[i - 1].is_whitespace() || "[{,".contains(chars[i - 1]))
        })
    })
}

impl DeploymentType {
    /// Compiles the schema at `path` as draft 2020-12, with no remote
    /// references and `format` checked.
    pub fn load(name: &str, path: &Path) -> Result<Self, CatalogueError> {
        let bytes = std::fs::read(path)
            .map_err(|e| CatalogueError::Io(path.to_path_buf(), e.to_string()))?;
        let bad = |why: String| CatalogueError::BadSchema(path.to_path_buf(), why);
        let schema: Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
        if schema.get("$schema").and_then(Value::as_str) != Some(DRAFT_2020_12) {
            return Err(bad(format!("its $schema must be {DRAFT_2020_12}")));
        }
        jsonschema::meta::validate(&schema).map_err(|e| bad(e.to_string()))?;
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            name: name.to_string(),
            schema_path: path.to_path_buf(),
            schema_hash: blake2_256(&bytes),
            validator,
        })
    }

    /// The descriptor's document if this type's schema accepts it.
    pub fn check(&self, descriptor: &[u8]) -> Result<Value, DescriptorError> {
        let document = parse(descriptor)?;
        let mut violations = Vec::new();
        let mut total = 0;
        for error in self.validator.iter_errors(&document) {
            total += 1;
            if violations.len() < MAX_VIOLATIONS {
                violations.push(Violation {
                    pointer: error.instance_path().to_string(),
                    message: error.to_string(),
                });
            }
        }
        if total == 0 {
            Ok(document)
        } else {
            Err(DescriptorError::Invalid { violations, total })
        }
    }
}

impl Catalogue {
    /// Every `<dir>/<name>/schema.json`, sorted by name.
    pub fn load(dir: &Path) -> Result<Self, CatalogueError> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| CatalogueError::Io(dir.to_path_buf(), e.to_string()))?;
        let mut types: Vec<DeploymentType> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| CatalogueError::Io(dir.to_path_buf(), e.to_string()))?;
            let schema = entry.path().join(SCHEMA_FILE);
            if !schema.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let loaded = DeploymentType::load(&name, &schema)?;
            if let Some(twin) = types.iter().find(|t| t.schema_hash == loaded.schema_hash) {
                return Err(CatalogueError::SameSchema(twin.name.clone(), name));
            }
            types.push(loaded);
        }
        if types.is_empty() {
            return Err(CatalogueError::Empty(dir.to_path_buf()));
        }
        types.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Self { types })
    }

    pub fn types(&self) -> &[DeploymentType] {
        &self.types
    }

    pub fn by_name(&self, name: &str) -> Option<&DeploymentType> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The type whose schema has this blake2-256 (the chain's `schema_hash`).
    pub fn by_schema_hash(&self, hash: &Hash) -> Option<&DeploymentType> {
        self.types.iter().find(|t| &t.schema_hash == hash)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn yaml_aliases_are_refused_before_they_expand() {
        let bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";
        let error = parse(bomb.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("anchors and aliases"), "{error}");
        for text in ["- &x 1\n- *x\n", "k: {a: *x}\n", "list: [1, *x]\n"] {
            assert!(has_yaml_alias(text.as_bytes()), "{text}");
        }
        for text in [
            "cmd: [\"sh\", \"-c\", \"ls *.txt\"]\n",
            "a: b*c\n",
            "glob: \"x&y\"\n",
            "k: 2*3\n",
        ] {
            assert!(!has_yaml_alias(text.as_bytes()), "{text}");
            assert!(parse(text.as_bytes()).is_ok(), "{text}");
        }
    }

    use super::*;

    fn container() -> DeploymentType {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../types/container/schema.json");
        DeploymentType::load("container", &dir).unwrap()
    }

    #[test]
    fn json_and_yaml_parse_to_the_same_document() {
        let json = parse(br#"{"a": [1, "x"], "b": {"c": true}}"#).unwrap();
        let yaml = parse(b"a: [1, x]\nb:\n  c: true\n").unwrap();
        assert_eq!(json, yaml);
    }

    #[test]
    fn broken_json_is_reported_as_json_not_yaml() {
        let error = parse(b"{\"a\": ").unwrap_err();
        assert!(error.to_string().contains("JSON"), "{error}");
        let error = parse(b"a: [1, 2\n").unwrap_err();
        assert!(error.to_string().contains("YAML"), "{error}");
    }

    #[test]
    fn every_violation_names_its_field() {
        let error = container()
            .check(
                br#"{"image": "Bad Image", "resources": {"cpu": 0, "memory_mib": 64}, "extra": 1}"#,
            )
            .unwrap_err();
        let mut pointers = error.pointers();
        pointers.sort();
        assert_eq!(pointers, ["", "/image", "/resources/cpu"], "{error}");
        assert!(error.to_string().starts_with("invalid at "), "{error}");
    }

    #[test]
    fn a_schema_of_another_draft_or_with_errors_is_refused() {
        let dir = std::env::temp_dir().join(format!("dinfra-schema-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(SCHEMA_FILE);
        for (schema, why) in [
            (
                r#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#,
                "2020-12",
            ),
            (
                r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "thing"}"#,
                "thing",
            ),
            ("not json", "expected"),
        ] {
            std::fs::write(&path, schema).unwrap();
            let error = DeploymentType::load("x", &path).unwrap_err();
            assert!(
                matches!(&error, CatalogueError::BadSchema(_, text) if text.contains(why)),
                "{schema}: {error}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
