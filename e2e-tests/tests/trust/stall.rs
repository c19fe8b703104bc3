//! A market nobody can stall: one account with the minimum bond, whatever it
//! publishes, pauses, withdraws or fills, never makes a `create` of the type
//! fail while an offer that fits exists — under every strategy. Offers that
//! cannot be awarded leave the registry's index and come back when they can;
//! offers that do not fit cost a window position, and a window is wider than
//! one provider's offers.

use super::*;
use dinfra::traits::Requirements;
use dinfra::types::MAX_OFFERS_PER_PROVIDER;
use dinfra_e2e_tests::market::{fixed, wants};
use dinfra_subscription::subscription::Awarded;

/// Every award strategy, as contract-transcode reads it.
const STRATEGIES: [&str; 4] = [
    "RoundRobin",
    "Random",
    "Capacity",
    "Scored(Weights { price: 1, capacity: 1, reputation: 1, preferred: 1 })",
];

/// The price the consumer pays at most, the live provider's price.
const PRICE: u128 = 10;

fn set_strategy(market: &Market, session: &mut Sandbox, strategy: &str) {
    session.set_actor(market.admin.clone());
    configure_award(session, &market.suite, MAX_CANDIDATES, strategy);
}

/// The squatter (provider 0) publishes `count` more offers on `spec`.
fn squat(market: &Market, session: &mut Sandbox, count: u32, spec: OfferSpec) -> Vec<u64> {
    publish(market, session, 0, count, spec)
}

/// Provider `provider` publishes `count` more offers on `spec`.
fn publish(
    market: &Market,
    session: &mut Sandbox,
    provider: usize,
    count: u32,
    spec: OfferSpec,
) -> Vec<u64> {
    (0..count)
        .map(|_| {
            let (offer, _) = market.act_on::<u64, dinfra::traits::RegistryError>(
                session,
                &market.providers[provider],
                &market.suite.registry,
                "publish_offer",
                &["0".into(), spec.arg()],
                0,
            );
            offer.expect("the provider publishes")
        })
        .collect()
}

fn registry_call(
    market: &Market,
    session: &mut Sandbox,
    who: &AccountId32,
    message: &str,
    args: &[String],
) {
    let (reply, _) = market.act_on::<(), dinfra::traits::RegistryError>(
        session,
        who,
        &market.suite.registry,
        message,
        args,
        0,
    );
    reply.unwrap_or_else(|e| panic!("{message}: {e:?}"));
}

/// A consumer's create must succeed, awarded to an offer that fits; it is
/// then cancelled (before ready: everything back) so capacity stays free.
fn create_succeeds(
    market: &Market,
    session: &mut Sandbox,
    requirements: &Requirements,
    what: &str,
) -> AccountId32 {
    let consumer = market.consumer.clone();
    let id = market
        .create_as(session, &consumer, requirements, None, 10_000)
        .unwrap_or_else(|e| panic!("{what}: create failed with {e:?}"));
    let awarded = the_event::<Awarded>(session, &market.suite.subscription);
    market.on(session, &consumer, "Subscription::cancel", id);
    drink::AccountId32::new(*awarded.provider.as_ref())
}

#[test]
fn paused_or_full_offers_in_front_of_a_live_one_stall_nothing() {
    let mut session = Session::<DinfraSandbox>::default();
    // Provider 0 squats: ten offers at price 1, in front of the live offer
    // of provider 1. Its own first offer is at price 1 too.
    let squatter_spec = OfferSpec {
        capacity: 1,
        ..fixed(1, 0, 5)
    };
    let mut market = Market::new(&mut session, &[squatter_spec]);
    let squatted = squat(&market, &mut session, 9, squatter_spec);
    market.add_provider(&mut session, &fixed(PRICE, 0, 5));
    let squatter = market.providers[0].clone();
    let live = market.providers[1].clone();
    let count = |session: &mut Sandbox| -> u32 {
        call(
            session,
            &market.suite.registry,
            "offer_count_of_type",
            &["0".into()],
        )
    };
    assert_eq!(count(&mut session), 11);

    registry_call(&market, &mut session, &squatter, "pause_provider", &[]);
    assert_eq!(
        count(&mut session),
        1,
        "paused offers left the award's view"
    );
    for strategy in STRATEGIES {
        set_strategy(&market, &mut session, strategy);
        assert_eq!(
            create_succeeds(&market, &mut session, &wants(PRICE), strategy),
            live
        );
    }

    registry_call(&market, &mut session, &squatter, "resume_provider", &[]);
    assert_eq!(count(&mut session), 11, "and came back");
    // The squatter fills its own offers (subscriptions to itself: no
    // reputation, its own money locked).
    let mut fills = Vec::new();
    for offer in std::iter::once(market.offers[0]).chain(squatted.iter().copied()) {
        let id = market
            .create_as(&mut session, &squatter, &wants(PRICE), Some(offer), 100)
            .expect("the squatter fills its offer");
        fills.push(id);
    }
    assert_eq!(count(&mut session), 1, "full offers left the award's view");
    for strategy in STRATEGIES {
        set_strategy(&market, &mut session, strategy);
        assert_eq!(
            create_succeeds(&market, &mut session, &wants(PRICE), strategy),
            live
        );
    }
    // Released capacity brings an offer back.
    market.on(&mut session, &squatter, "Subscription::cancel", fills[0]);
    assert_eq!(count(&mut session), 2);
}

#[test]
fn offers_nobody_can_use_in_front_of_a_live_one_stall_nothing() {
    let mut session = Session::<DinfraSandbox>::default();
    // Every kind of offer a consumer's requirements refuse, all of one
    // account's offers, published before the live one.
    let unfit = [
        fixed(1_000_000, 0, 5), // too expensive
        fixed(1, 100_000, 5),   // minimum duration too long
        OfferSpec {
            dynamic: true,
            ..fixed(1, 0, 5)
        }, // Dynamic, the consumer wants Fixed
        fixed(1, 0, 100_000),   // notice too long
        OfferSpec {
            cancel_fee: 50,
            ..fixed(1, 0, 5)
        }, // a cancel fee
    ];
    let mut market = Market::new(&mut session, &[unfit[0]]);
    let mut squatted = 1;
    'publish: loop {
        for spec in unfit {
            if squatted == MAX_OFFERS_PER_PROVIDER {
                break 'publish;
            }
            squat(&market, &mut session, 1, spec);
            squatted += 1;
        }
    }
    market.add_provider(&mut session, &fixed(PRICE, 0, 5));
    let live = market.providers[1].clone();
    let requirements = Requirements {
        fixed_price_only: true,
        max_notice_blocks: Some(1_000),
        ..wants(PRICE)
    };
    for strategy in STRATEGIES {
        set_strategy(&market, &mut session, strategy);
        for round in 0..3 {
            let what = format!("{strategy}, round {round}");
            assert_eq!(
                create_succeeds(&market, &mut session, &requirements, &what),
                live,
                "{what}"
            );
        }
    }
}

#[test]
fn a_squatter_behind_an_honest_offer_that_does_not_fit_stalls_nothing() {
    let mut session = Session::<DinfraSandbox>::default();
    // The index: the live offer (fits), honest offers that do not fit (too
    // expensive for this consumer), then the squatter's sixteen — together
    // as wide as the award's window.
    let mut market = Market::new(&mut session, &[fixed(PRICE, 0, 5)]);
    let honest = market.add_provider(&mut session, &fixed(5 * PRICE, 0, 5));
    let unfit = MAX_CANDIDATES - MAX_OFFERS_PER_PROVIDER;
    publish(
        &market,
        &mut session,
        honest,
        unfit - 1,
        fixed(5 * PRICE, 0, 5),
    );
    let squatter_index = market.add_provider(&mut session, &fixed(1_000, 0, 5));
    publish(
        &market,
        &mut session,
        squatter_index,
        MAX_OFFERS_PER_PROVIDER - 1,
        fixed(1_000, 0, 5),
    );
    let live = market.providers[0].clone();
    let squatter = market.providers[squatter_index].clone();
    for strategy in STRATEGIES {
        set_strategy(&market, &mut session, strategy);
        // The first create moves the cursor past the live offer, onto the
        // honest ones and the squatter's behind them: a window of
        // max_candidates positions from there holds nothing that fits.
        for round in 0..3 {
            let what = format!("{strategy}, round {round}");
            assert_eq!(
                create_succeeds(&market, &mut session, &wants(PRICE), &what),
                live,
                "{what}"
            );
        }
    }
    // Pausing and resuming puts the squatter's offers back at the end of
    // the index, all together: still nothing stalls.
    registry_call(&market, &mut session, &squatter, "pause_provider", &[]);
    registry_call(&market, &mut session, &squatter, "resume_provider", &[]);
    for round in 0..3 {
        let what = format!("after pause and resume, round {round}");
        assert_eq!(
            create_succeeds(&market, &mut session, &wants(PRICE), &what),
            live,
            "{what}"
        );
    }
}

/// A small deterministic PRNG (xorshift64*), so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

#[test]
fn whatever_one_account_does_a_create_that_fits_succeeds() {
    let mut session = Session::<DinfraSandbox>::default();
    let mut market = Market::new(&mut session, &[fixed(2, 0, 5)]);
    market.add_provider(&mut session, &fixed(PRICE, 0, 5));
    let squatter = market.providers[0].clone();
    let mut offers = vec![market.offers[0]];
    let mut fills: Vec<u64> = Vec::new();
    let mut paused = false;
    let mut rng = Rng(0x5eed_0001);
    let specs = |rng: &mut Rng| OfferSpec {
        price_per_block: [1, 2, PRICE, PRICE + 1, 1_000_000][rng.below(5) as usize],
        capacity: 1 + rng.below(2) as u32,
        min_duration: [0, 10, 100_000][rng.below(3) as usize],
        notice_blocks: [0, 5, 100_000][rng.below(3) as usize],
        dynamic: rng.below(2) == 0,
        cancel_fee: [0, 0, 5][rng.below(3) as usize],
    };
    let requirements = Requirements {
        max_notice_blocks: Some(1_000),
        ..wants(PRICE)
    };
    for step in 0..60 {
        let action = rng.below(6);
        match action {
            0 | 1 if offers.len() < MAX_OFFERS_PER_PROVIDER as usize => {
                offers.extend(squat(&market, &mut session, 1, specs(&mut rng)));
            }
            2 if !offers.is_empty() => {
                let offer = offers.remove(rng.below(offers.len() as u64) as usize);
                registry_call(
                    &market,
                    &mut session,
                    &squatter,
                    "withdraw_offer",
                    &[offer.to_string()],
                );
            }
            3 => {
                let message = if paused {
                    "resume_provider"
                } else {
                    "pause_provider"
                };
                registry_call(&market, &mut session, &squatter, message, &[]);
                paused = !paused;
            }
            4 if !offers.is_empty() => {
                // Fill one of its offers itself, if it can be filled.
                let offer = offers[rng.below(offers.len() as u64) as usize];
                let filler = Requirements {
                    max_price_per_block: u128::MAX / 2,
                    min_duration: 200_000,
                    max_cancel_fee: 1_000,
                    ..max_price(u128::MAX / 2)
                };
                if let Ok(id) =
                    market.create_as(&mut session, &squatter, &filler, Some(offer), 200_000_000)
                {
                    fills.push(id);
                }
            }
            5 if !fills.is_empty() => {
                let id = fills.remove(0);
                market.on(&mut session, &squatter, "Subscription::cancel", id);
            }
            _ => {}
        }
        let what = format!("step {step}, action {action}");
        create_succeeds(&market, &mut session, &requirements, &what);
    }
}
