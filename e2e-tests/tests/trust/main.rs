//! The attacks on DINFRA's promise that the rules, not a party, decide where
//! escrowed money goes, each written as a scenario on the pallet-contracts
//! runtime that must fail for the attacker with nothing moved: the admin (an
//! account, and a multisig contract) going after a deposit by every route
//! ([`governance`]); a provider front-running a consumer's acceptance, an
//! award contract breaking the consumer's terms, an exit trapping the
//! consumer ([`terms`]); one cheap account stalling the market ([`stall`]);
//! a reaped account holding up the other party's money ([`money`]); an
//! upgrade losing state ([`upgrade`]); reputation and capacity for free
//! ([`reputation`]).
//!
//! Every call goes through [`Market::act_on`], which checks after each one
//! that no native balance appeared or vanished across every account and
//! contract, and that a refused call moved nothing.

mod cold;
mod governance;
mod money;
mod reputation;
mod stall;
mod terms;
mod upgrade;

use dinfra::admin::AdminError;
use dinfra_e2e_tests::market::Market;
use dinfra_e2e_tests::*;
use drink::AccountId32;
use ink::scale::Decode;
use std::fmt::Debug;

/// drink's session type: each scenario opens a `Session::<DinfraSandbox>`
/// (the [`Sandbox`] alias).
use drink::session::Session;

/// An `Admin::…` message on `contract` as `who`.
fn admin_call<T: Decode + Debug>(
    market: &Market,
    session: &mut Sandbox,
    who: &AccountId32,
    contract: &AccountId32,
    message: &str,
    args: &[String],
) -> Result<T, AdminError> {
    market
        .act_on::<T, AdminError>(session, who, contract, message, args, 0)
        .0
}

/// The stream behind subscription `id`.
fn stream_of(market: &Market, session: &mut Sandbox, id: u64) -> u64 {
    market.details(session, id).subscription.stream_id
}
