//! The yardstick: the cost of a plain value-moving ink! message, measured
//! in the same run and runtime as DINFRA's, so every DINFRA figure can also
//! be read as a multiple of it. The message is `PSP22::transfer` of the
//! published `psp22` crate (Cardinal Cryptography's minimal PSP22, 2.0.0,
//! ink! 5), whose ready-to-use token (`fixtures/psp22-token`)
//! `deploy/build.sh` builds with the same toolchain and cargo-contract as
//! the suite.

use dinfra_e2e_tests::{BundleProvider, Sandbox};
use drink::session::{Session, NO_ENDOWMENT, NO_SALT};
use psp22_token::psp22::PSP22Error;

use crate::capacity::Limits;
use crate::market::{actor, Actor};
use crate::measure::{send, Cost};

/// What the yardstick is, as the report names it.
pub const WHAT: &str = "PSP22::transfer (psp22 2.0.0)";

/// A transfer between two accounts that already hold tokens: the steady
/// state, no storage item created (the first transfer to an account, which
/// creates its balance, is made before and not measured).
pub fn psp22_transfer(limits: &Limits) -> Cost {
    let mut session: Sandbox = Session::default();
    session.set_gas_limit(limits.normal_max_extrinsic);
    let bundle = BundleProvider::Psp22Token
        .bundle()
        .unwrap_or_else(|e| panic!("loading the psp22 bundle: {e:?}"));
    let holder = actor(&mut session, "holder", 201);
    let receiver: Actor = actor(&mut session, "receiver", 202);
    session.set_actor(holder.id.clone());
    let token = session
        .deploy_bundle(
            bundle,
            "new",
            &["1000000", "None", "None", "0"],
            NO_SALT,
            NO_ENDOWMENT,
        )
        .unwrap_or_else(|e| panic!("deploying the psp22 token: {e:?}"));
    let transfer = |session: &mut Sandbox| {
        send::<(), PSP22Error>(
            session,
            &token,
            &holder,
            "PSP22::transfer",
            &[receiver.id.to_string(), "100".into(), "[]".into()],
        )
    };
    transfer(&mut session);
    transfer(&mut session);
    Cost::last(&session)
}
