//! Where the binary finds its chain: the URL, the provider's key and the
//! deployments file, from the config's `chain` object and the command line
//! (the command line wins).
//!
//! ```json
//! "chain": { "url": "ws://127.0.0.1:9944", "key_file": "provider.key",
//!            "deployments": "../deploy/deployments/local.json" }
//! ```
//!
//! `suri` may stand instead of `key_file`, but a key file (mode 0600) keeps
//! the secret out of the config and of `ps`. Relative paths in the config
//! are taken from the config file's directory; on the command line, from
//! the working directory.

use std::fmt;
use std::path::{Path, PathBuf};

/// The provider's secret: a secret URI (`//Alice`, a mnemonic, a `0x`
/// seed) or a file holding one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Suri(String),
    File(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub url: String,
    pub key: Key,
    pub deployments: PathBuf,
}

/// What the command line gave (each overrides the config).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub url: Option<String>,
    pub suri: Option<String>,
    pub key_file: Option<PathBuf>,
    pub deployments: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    /// `chain` is there but not an object, or a field is not a string.
    NotAString(String),
    UnknownField(String),
    Missing(&'static str),
    /// Both `suri` and `key_file` (in one place).
    TwoKeys,
    NotAWebSocket(String),
    KeyFile(PathBuf, String),
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::NotAString(field) => write!(f, "chain.{field} must be a string"),
            SettingsError::UnknownField(field) => write!(
                f,
                "chain.{field} is not a setting (url, suri, key_file, deployments)"
            ),
            SettingsError::Missing(what) => write!(
                f,
                "no {what}: set chain.{what} in the config or pass --{}",
                what.replace('_', "-")
            ),
            SettingsError::TwoKeys => write!(f, "give either a suri or a key file, not both"),
            SettingsError::NotAWebSocket(url) => {
                write!(f, "{url:?} is not a ws:// or wss:// address")
            }
            SettingsError::KeyFile(path, why) => {
                write!(f, "reading the key file {}: {why}", path.display())
            }
        }
    }
}

impl std::error::Error for SettingsError {}

impl Settings {
    /// Merges the config's `chain` value (`config_dir`: where the config
    /// file is) with the command line.
    pub fn resolve(
        chain: &serde_json::Value,
        config_dir: &Path,
        overrides: &Overrides,
    ) -> Result<Settings, SettingsError> {
        let fields = match chain {
            serde_json::Value::Null => serde_json::Map::new(),
            serde_json::Value::Object(map) => map.clone(),
            _ => return Err(SettingsError::NotAString("(the object itself)".into())),
        };
        for name in fields.keys() {
            if !["url", "suri", "key_file", "deployments"].contains(&name.as_str()) {
                return Err(SettingsError::UnknownField(name.clone()));
            }
        }
        let text = |name: &str| -> Result<Option<String>, SettingsError> {
            match fields.get(name) {
                None => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(SettingsError::NotAString(name.into())),
            }
        };
        let path = |name: &str| -> Result<Option<PathBuf>, SettingsError> {
            Ok(text(name)?.map(|p| config_dir.join(p)))
        };
        let url = overrides
            .url
            .clone()
            .or(text("url")?)
            .ok_or(SettingsError::Missing("url"))?;
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(SettingsError::NotAWebSocket(url));
        }
        let key = match (&overrides.suri, &overrides.key_file) {
            (Some(_), Some(_)) => return Err(SettingsError::TwoKeys),
            (Some(suri), None) => Key::Suri(suri.clone()),
            (None, Some(file)) => Key::File(file.clone()),
            (None, None) => match (text("suri")?, path("key_file")?) {
                (Some(_), Some(_)) => return Err(SettingsError::TwoKeys),
                (Some(suri), None) => Key::Suri(suri),
                (None, Some(file)) => Key::File(file),
                (None, None) => return Err(SettingsError::Missing("key_file")),
            },
        };
        let deployments = overrides
            .deployments
            .clone()
            .or(path("deployments")?)
            .ok_or(SettingsError::Missing("deployments"))?;
        Ok(Settings {
            url,
            key,
            deployments,
        })
    }
}

impl Key {
    /// The secret URI itself (a key file's first line).
    pub fn secret(&self) -> Result<String, SettingsError> {
        match self {
            Key::Suri(suri) => Ok(suri.clone()),
            Key::File(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| SettingsError::KeyFile(path.clone(), e.to_string()))?;
                let line = text.lines().next().unwrap_or_default().trim().to_string();
                if line.is_empty() {
                    return Err(SettingsError::KeyFile(path.clone(), "it is empty".into()));
                }
                Ok(line)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_config_and_resolves_its_paths() {
        let chain = json!({ "url": "ws://127.0.0.1:9944", "key_file": "bob.key",
                            "deployments": "d/local.json" });
        let s = Settings::resolve(&chain, Path::new("/etc/r"), &Overrides::default()).unwrap();
        assert_eq!(s.url, "ws://127.0.0.1:9944");
        assert_eq!(s.key, Key::File("/etc/r/bob.key".into()));
        assert_eq!(s.deployments, PathBuf::from("/etc/r/d/local.json"));
    }

    #[test]
    fn the_command_line_wins() {
        let chain = json!({ "url": "ws://a:1", "key_file": "bob.key", "deployments": "x.json" });
        let overrides = Overrides {
            url: Some("wss://b:2".into()),
            suri: Some("//Bob".into()),
            key_file: None,
            deployments: Some("y.json".into()),
        };
        let s = Settings::resolve(&chain, Path::new("/c"), &overrides).unwrap();
        assert_eq!(s.url, "wss://b:2");
        assert_eq!(s.key, Key::Suri("//Bob".into()));
        assert_eq!(s.deployments, PathBuf::from("y.json"));
    }

    #[test]
    fn names_what_is_missing_or_wrong() {
        let none = Overrides::default();
        let dir = Path::new("/c");
        let resolve = |chain: serde_json::Value| Settings::resolve(&chain, dir, &none);
        assert_eq!(
            resolve(serde_json::Value::Null),
            Err(SettingsError::Missing("url"))
        );
        assert_eq!(
            resolve(json!({ "url": "ws://a:1", "deployments": "d" })),
            Err(SettingsError::Missing("key_file"))
        );
        assert_eq!(
            resolve(json!({ "url": "ws://a:1", "suri": "//A" })),
            Err(SettingsError::Missing("deployments"))
        );
        assert_eq!(
            resolve(json!({ "url": "http://a:1" })),
            Err(SettingsError::NotAWebSocket("http://a:1".into()))
        );
        assert_eq!(
            resolve(json!({ "url": "ws://a:1", "suri": "//A", "key_file": "k" })),
            Err(SettingsError::TwoKeys)
        );
        assert_eq!(
            resolve(json!({ "url": 9944 })),
            Err(SettingsError::NotAString("url".into()))
        );
        assert_eq!(
            resolve(json!({ "uri": "ws://a:1" })),
            Err(SettingsError::UnknownField("uri".into()))
        );
    }

    #[test]
    fn a_key_file_holds_the_secret_on_its_first_line() {
        let dir = std::env::temp_dir().join(format!("dinfra-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("k");
        std::fs::write(&file, "//Bob\n").unwrap();
        assert_eq!(Key::File(file.clone()).secret(), Ok("//Bob".into()));
        std::fs::write(&file, "\n").unwrap();
        assert!(matches!(
            Key::File(file.clone()).secret(),
            Err(SettingsError::KeyFile(..))
        ));
        assert!(matches!(
            Key::File(dir.join("missing")).secret(),
            Err(SettingsError::KeyFile(..))
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
