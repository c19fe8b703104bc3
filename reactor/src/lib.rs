//! The DINFRA reactor: a provider's off-chain agent. It follows the
//! subscription contract's events for its provider, deploys what each award
//! describes through a driver, marks it ready once healthy, claims its
//! earnings, and tears it down when the subscription ends — and its state
//! survives a restart. The chain is behind [`chain::Chain`] (back-ends live
//! elsewhere); deployments are behind [`driver::Driver`]: [`process`] for
//! host commands, [`podman`] for OCI containers.

pub mod chain;
pub mod config;
pub mod descriptor;
pub mod driver;
pub mod fetch;
pub mod podman;
pub mod probe;
pub mod process;
pub mod reactor;
pub mod state;
pub mod status;

pub use chain::{
    Chain, ChainError, ChainEvent, CloseReason, Descriptor, SubscriptionView, TypeView,
};
pub use config::Config;
pub use driver::{Driver, Drivers, Handle, Health, Spec, Unit, Workload};
pub use podman::PodmanDriver;
pub use process::ProcessDriver;
pub use reactor::{Reactor, ReactorError, StepReport};
pub use state::{Entry, Phase, State};
