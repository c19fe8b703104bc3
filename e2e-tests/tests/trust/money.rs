//! Money that always gets out: a payment the runtime refuses — below the
//! existential deposit, to an account that was reaped — no longer blocks
//! the other party's money at close. It is credited to its owner, who takes
//! it later; every unit is accounted for at every step.

use super::*;
use dinfra::lifecycle::CloseReason;
use dinfra::traits::EscrowError;
use dinfra_e2e_tests::market::{fixed, wants};
use dinfra_escrow::escrow::Credited;
use dinfra_subscription::subscription::EndScheduled;
use drink::sandbox_api::balance_api::BalanceAPI;
use drink::Sandbox as _;

const RATE: u128 = 10;
const NOTICE: u32 = 20;

/// Sends all of `from`'s free balance to `to`, letting `from` be reaped.
fn drain(session: &mut Sandbox, from: &AccountId32, to: &AccountId32) {
    let (from, to) = (from.clone(), to.clone());
    session.sandbox().execute_with(|| {
        drink::pallet_balances::Pallet::<DinfraSandboxRuntime>::transfer_all(
            dinfra_e2e_tests::sandbox::RuntimeOrigin::signed(from.clone()),
            to.into(),
            false,
        )
        .expect("draining an account");
        assert!(
            !ink_sandbox::frame_system::Pallet::<DinfraSandboxRuntime>::account_exists(&from),
            "the account was reaped"
        );
    });
}

fn credit_of(market: &Market, session: &mut Sandbox, account: &AccountId32) -> u128 {
    call(
        session,
        &market.suite.escrow,
        "credit_of",
        &[account.to_string()],
    )
}

/// The provider exits `blocks` after ready; the keeper settles at the end.
/// Returns (ready, end).
fn exit_and_settle(market: &Market, session: &mut Sandbox, id: u64, blocks: u32) -> (u32, u32) {
    let ready = market.ready(session, id, 0);
    advance_blocks(session, blocks);
    market.on(session, &market.providers[0], "exit", id);
    let end = the_event::<EndScheduled>(session, &market.suite.subscription).end;
    (ready, end)
}

#[test]
fn a_reaped_consumer_never_holds_up_the_providers_pay() {
    let mut session = Session::<DinfraSandbox>::default();
    let mut market = Market::new(&mut session, &[fixed(RATE, 0, NOTICE)]);
    let consumer = funded_account(&mut session, 60);
    market.include(&mut session, consumer.clone());
    // Paid will be RATE × (5 + NOTICE) = 250; 100 more stays to refund.
    let deposit = RATE * u128::from(5 + NOTICE) + 100;
    assert!(100 < EXISTENTIAL_DEPOSIT);
    let id = market
        .create_as(&mut session, &consumer, &wants(RATE), None, deposit)
        .unwrap();
    let stranger = market.stranger.clone();
    drain(&mut session, &consumer, &stranger);
    let (ready, end) = exit_and_settle(&market, &mut session, id, 5);
    let now = block_number(&mut session);
    advance_blocks(&mut session, end - now);
    let provider_before = free_balance(&mut session, &market.providers[0]);
    // The escrow's free balance is the money it holds (held balance on it is
    // the storage deposit its callers paid for its records).
    let escrow_before = free_balance(&mut session, &market.suite.escrow);
    market.on(&mut session, &stranger, "settle", id);
    let closed = market.closed(&mut session);
    let paid = RATE * u128::from(end - ready);
    assert_eq!(closed.reason, CloseReason::ProviderExited);
    assert_eq!((closed.paid, closed.refunded), (paid, 100));
    assert_eq!(
        free_balance(&mut session, &market.providers[0]) - provider_before,
        paid,
        "the provider was paid though the consumer's refund could not be"
    );
    let credited = the_event::<Credited>(&session, &market.suite.escrow);
    assert_eq!(
        (credited.account, credited.amount),
        (ink_account(&consumer), 100)
    );
    assert_eq!(credit_of(&market, &mut session, &consumer), 100);
    let escrow_after = free_balance(&mut session, &market.suite.escrow);
    assert_eq!(
        escrow_before - escrow_after,
        paid,
        "the escrow paid the provider and keeps the consumer's refund as a credit"
    );
    let held: u128 = call(&mut session, &market.suite.escrow, "total_held", &[]);
    let credits: u128 = call(&mut session, &market.suite.escrow, "total_credited", &[]);
    assert_eq!((held, credits), (0, 100));

    // Revived, the consumer takes its credit — once.
    session.set_actor(stranger.clone());
    session
        .sandbox()
        .mint_into(&consumer, EXISTENTIAL_DEPOSIT)
        .expect("reviving the consumer");
    market.recount(&mut session);
    let (taken, received) = market.act_on::<u128, EscrowError>(
        &mut session,
        &consumer,
        &market.suite.escrow,
        "withdraw_credit",
        &[],
        0,
    );
    assert_eq!(taken, Ok(100));
    assert_eq!(received, 100);
    let (again, _) = market.act_on::<u128, EscrowError>(
        &mut session,
        &consumer,
        &market.suite.escrow,
        "withdraw_credit",
        &[],
        0,
    );
    assert_eq!(again, Err(EscrowError::NoCredit));
    let (other, _) = market.act_on::<u128, EscrowError>(
        &mut session,
        &stranger,
        &market.suite.escrow,
        "withdraw_credit",
        &[],
        0,
    );
    assert_eq!(other, Err(EscrowError::NoCredit), "nobody else takes it");
    let credits: u128 = call(&mut session, &market.suite.escrow, "total_credited", &[]);
    assert_eq!(credits, 0);
}

#[test]
fn a_reaped_provider_never_holds_up_the_consumers_refund() {
    let mut session = Session::<DinfraSandbox>::default();
    let mut market = Market::new(&mut session, &[fixed(RATE, 0, NOTICE)]);
    let deposit = 100_000;
    let id = market.create(&mut session, &wants(RATE), deposit);
    let provider = market.providers[0].clone();
    let (ready, end) = exit_and_settle(&market, &mut session, id, 3);
    let paid = RATE * u128::from(end - ready);
    assert!(paid < EXISTENTIAL_DEPOSIT);
    // The provider left with everything it had (bond aside, which stays in
    // the registry).
    let stranger = market.stranger.clone();
    drain(&mut session, &provider, &stranger);
    let now = block_number(&mut session);
    advance_blocks(&mut session, end - now);
    let consumer = market.consumer.clone();
    let consumer_before = free_balance(&mut session, &consumer);
    market.on(&mut session, &stranger, "settle", id);
    let closed = market.closed(&mut session);
    assert_eq!((closed.paid, closed.refunded), (paid, deposit - paid));
    assert_eq!(
        free_balance(&mut session, &consumer) - consumer_before,
        deposit - paid,
        "the consumer was refunded though the provider's pay could not be sent"
    );
    assert_eq!(credit_of(&market, &mut session, &provider), paid);
    session
        .sandbox()
        .mint_into(&provider, EXISTENTIAL_DEPOSIT)
        .unwrap();
    market.recount(&mut session);
    let (taken, received) = market.act_on::<u128, EscrowError>(
        &mut session,
        &provider,
        &market.suite.escrow,
        "withdraw_credit",
        &[],
        0,
    );
    assert_eq!((taken, received), (Ok(paid), paid as i128));
}

#[test]
fn a_batch_claim_pays_a_reaped_provider_its_total_in_one_transfer() {
    let mut session = Session::<DinfraSandbox>::default();
    let market = Market::new(&mut session, &[fixed(RATE, 0, NOTICE)]);
    let deposit = 100_000;
    let ids = [
        market.create(&mut session, &wants(RATE), deposit),
        market.create(&mut session, &wants(RATE), deposit),
    ];
    for id in ids {
        market.ready(&mut session, id, 0);
    }
    let provider = market.providers[0].clone();
    let stranger = market.stranger.clone();
    drain(&mut session, &provider, &stranger);
    // Each earned less than the existential deposit, the two together more:
    // one claim alone would be refused by the runtime (and credited); the
    // batch is one transfer of the total, which the runtime takes.
    advance_blocks(&mut session, 30);
    let each = RATE * 30;
    let withdrawable = |session: &mut Sandbox, id: u64| {
        let figures: Option<dinfra::traits::StreamFigures> = call(
            session,
            &market.suite.escrow,
            "Escrow::figures",
            &[id.to_string()],
        );
        figures.expect("a stream").withdrawable
    };
    assert!(ids.iter().all(|id| withdrawable(&mut session, *id) == each));
    assert!(each < EXISTENTIAL_DEPOSIT && 2 * each >= EXISTENTIAL_DEPOSIT);
    let list = format!("[{}, {}]", ids[0], ids[1]);
    let (total, received) = market.ok::<u128>(&mut session, &provider, "claim_many", &[list], 0);
    assert_eq!((total, received), (2 * each, (2 * each) as i128));
    assert!(events::<Credited>(&session, &market.suite.escrow).is_empty());
    assert_eq!(credit_of(&market, &mut session, &provider), 0);
}
