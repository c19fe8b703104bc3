//! DINFRA shared library.
//!
//! Everything the four contracts share lives here, so that each contract can be
//! swapped without touching the others:
//! - [`traits`]: the `#[ink::trait_definition]` interfaces the contracts call each
//!   other through (one module per interface, each with its error enum and `From`
//!   conversions), in the style of common-amm;
//! - [`types`]: ids, money and block types, and the input-validation vocabulary;
//! - [`admin`]: the two-step admin every contract uses, and the glue of
//!   [`governance`]: changes that wait for the contract's delay;
//! - pure logic tested without a chain: stream accounting ([`stream`]), award
//!   selection ([`selection`]), the subscription lifecycle ([`lifecycle`]) and
//!   the books of pooled funding ([`pool`]).
#![cfg_attr(not(feature = "std"), no_std)]

pub mod admin;
pub mod cold;
pub mod governance;
pub mod lifecycle;
pub mod pool;
pub mod selection;
pub mod stream;
pub mod traits;
pub mod types;

pub use types::*;
