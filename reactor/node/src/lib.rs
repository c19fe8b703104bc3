//! The DINFRA reactor on a real node: [`node::NodeChain`] implements the
//! reactor's [`dinfra_reactor::Chain`] over subxt, reading the suite from a
//! deployments file ([`deployment::Deployment`]); [`contract`] maps the
//! contracts' own types to the reactor's (shared with the drink sandbox
//! back-end in `e2e-tests`). The `dinfra-reactor` binary (`src/main.rs`)
//! runs the reactor with it.

pub mod client;
pub mod contract;
pub mod deployment;
pub mod node;
pub mod settings;
pub mod status_server;

pub use client::{keypair, Node};
pub use deployment::Deployment;
pub use node::NodeChain;
pub use status_server::StatusServer;
