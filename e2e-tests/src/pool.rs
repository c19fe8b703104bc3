//! Drink helpers for the pool contract: one deployed for a [`Market`]'s
//! subscription contract, its accounts counted in the market's total, and
//! calls that check — as every market call does — that no balance appeared
//! or vanished and that a refused call moved nothing.

use crate::market::Market;
use crate::*;
use dinfra::pool::{Books, PoolError, Share};
use dinfra::traits::Requirements;
use drink::AccountId32;
use ink::scale::Decode;
use std::fmt::Debug;

/// A pool's terms as contract-transcode reads them.
pub fn pool_terms_arg(type_id: u32, max_rate: u128) -> String {
    format!("Terms {{ type_id: {type_id}, max_rate: {max_rate}, max_cancel_fee: 0 }}")
}

pub struct Pool {
    pub address: AccountId32,
    pub governor: AccountId32,
}

impl Pool {
    /// A pool for type 0 at no more than `max_rate`, governed by
    /// `governor`, deployed by the market's admin; the pool and the
    /// governor join the market's total.
    pub fn deploy(
        session: &mut Sandbox,
        market: &mut Market,
        governor: AccountId32,
        max_rate: u128,
    ) -> Self {
        session.set_actor(market.admin.clone());
        crate::upload_cold_parts(session, BundleProvider::DinfraPool)
            .expect("uploading the pool's cold part");
        let address = session
            .deploy_bundle(
                BundleProvider::DinfraPool
                    .bundle()
                    .expect("the pool's bundle (deploy/build.sh)"),
                "new",
                &[
                    market.suite.subscription.to_string(),
                    governor.to_string(),
                    pool_terms_arg(0, max_rate),
                ],
                {
                    let bytes: &[u8; 32] = governor.as_ref();
                    bytes.to_vec()
                },
                NO_ENDOWMENT,
            )
            .expect("deploying a pool");
        market.include(session, address.clone());
        if !market.everyone().contains(&governor) {
            market.include(session, governor.clone());
        }
        Pool { address, governor }
    }

    /// `message` on the pool as `who` with `value`: the reply and what
    /// `who` received net of storage deposits.
    pub fn act<T: Decode + Debug>(
        &self,
        session: &mut Sandbox,
        market: &Market,
        who: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
    ) -> (Result<T, PoolError>, i128) {
        market.act_on(session, who, &self.address, message, args, value)
    }

    /// As [`Pool::act`] for a call that must succeed.
    pub fn ok<T: Decode + Debug>(
        &self,
        session: &mut Sandbox,
        market: &Market,
        who: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
    ) -> (T, i128) {
        let (reply, received) = self.act(session, market, who, message, args, value);
        (
            reply.unwrap_or_else(|e| panic!("pool {message}: {e:?}")),
            received,
        )
    }

    /// A call that must be refused with `expected` (and move nothing).
    #[allow(clippy::too_many_arguments)]
    pub fn refused(
        &self,
        session: &mut Sandbox,
        market: &Market,
        who: &AccountId32,
        message: &str,
        args: &[String],
        value: u128,
        expected: PoolError,
    ) {
        let (reply, _) = self.act::<()>(session, market, who, message, args, value);
        assert_eq!(reply, Err(expected), "pool {message}");
    }

    /// `who` contributes `amount`; checks it paid exactly that.
    pub fn contribute(
        &self,
        session: &mut Sandbox,
        market: &Market,
        who: &AccountId32,
        amount: u128,
    ) {
        let (_, received) = self.ok::<()>(session, market, who, "contribute", &[], amount);
        assert_eq!(
            received,
            -(amount as i128),
            "the contributor paid its contribution"
        );
    }

    /// The governor creates the pool's subscription with `deposit`,
    /// naming `offer` or letting the award choose.
    pub fn create(
        &self,
        session: &mut Sandbox,
        market: &Market,
        requirements: &Requirements,
        offer: Option<u64>,
        deposit: u128,
    ) -> Result<u64, PoolError> {
        let args = [
            descriptor_arg(9, "ipfs://public-rpc"),
            requirements_arg(requirements),
            option_arg(offer),
            deposit.to_string(),
        ];
        self.act::<u64>(session, market, &self.governor.clone(), "create", &args, 0)
            .0
    }

    /// `who` withdraws; checks it received what the reply says.
    pub fn withdraw(&self, session: &mut Sandbox, market: &Market, who: &AccountId32) -> u128 {
        let (amount, received) = self.ok::<u128>(session, market, who, "withdraw", &[], 0);
        assert_eq!(
            received, amount as i128,
            "the contributor received its withdrawal"
        );
        amount
    }

    pub fn books(&self, session: &mut Sandbox) -> Books {
        call(session, &self.address, "books", &[])
    }

    pub fn share(&self, session: &mut Sandbox, who: &AccountId32) -> Share {
        call(session, &self.address, "share_of", &[who.to_string()])
    }

    pub fn withdrawable(&self, session: &mut Sandbox, who: &AccountId32) -> u128 {
        call(session, &self.address, "withdrawable", &[who.to_string()])
    }
}
