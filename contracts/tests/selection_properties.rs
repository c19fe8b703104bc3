//! Property tests of `dinfra::selection` on random windows and requirements.
//!
//! Values come from tiny ranges (4 providers, 3 attestors, 4 attributes,
//! prices 0..=5, capacities 0..=3, notices 0..=3, cancel fees 0..=2) so
//! that fitting and unfitting candidates, collisions and ties all happen
//! often. `fits`/`rejection` (and `check_reservation`, which adds the
//! deployment type) are checked against an independent reference model
//! written from the rules, and every strategy's pick against a brute-force
//! reference that collects the fitting candidates first.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use dinfra::lifecycle::check_reservation;
use dinfra::selection::{fits, pick, rejection, Reject};
use dinfra::traits::{
    Attestation, Candidate, Pricing, Reputation, Requirements, Reservation, Strategy,
    SubscriptionError, Weights,
};
use dinfra::{AccountId, Attribute};
use proptest::prelude::*;

fn acc(n: u64) -> AccountId {
    AccountId::from([n as u8; 32])
}

/// The attribute universe; two values per key so "same key, other value" happens.
fn universe(i: usize) -> Attribute {
    let (key, value) = [
        ("region", "eu"),
        ("region", "us"),
        ("network", "aws"),
        ("network", "ovh"),
    ][i];
    Attribute {
        key: key.into(),
        value: value.into(),
    }
}

fn attributes(mask: u64) -> Vec<Attribute> {
    (0..4)
        .filter(|i| mask >> i & 1 == 1)
        .map(universe)
        .collect()
}

/// Providers 1..=4; attestors 10..=12.
fn attestor(n: u64) -> AccountId {
    acc(10 + n % 3)
}

/// Decodes a candidate from two random words. Strategies are plain tuples
/// because proptest's combinators are slow in debug builds.
fn candidate((a, b): (u64, u64)) -> Candidate {
    let attestations = (0..b % 3)
        .map(|k| {
            let w = b >> (2 + 8 * k);
            Attestation {
                attestor: attestor(w),
                attributes: attributes(w >> 2),
            }
        })
        .collect();
    Candidate {
        offer_id: a >> 40,
        provider: acc(1 + a % 4),
        price_per_block: u128::from((a >> 2) % 6),
        // Full one time in eight, so that enough get past the newer rules.
        free_capacity: if (a >> 22) % 8 == 0 {
            0
        } else {
            1 + ((a >> 5) % 3) as u32
        },
        min_duration: ((a >> 7) % 4) as u32,
        notice_blocks: ((a >> 16) % 4) as u32,
        pricing: if (a >> 18) & 1 == 0 {
            Pricing::Fixed
        } else {
            Pricing::Dynamic
        },
        // Mostly fee-free.
        cancel_fee: if (a >> 19) % 8 == 0 {
            u128::from((a >> 21) % 3)
        } else {
            0
        },
        provider_active: (a >> 9) % 8 != 0,
        attributes: attributes(a >> 12),
        attestations,
        // The counts are drawn apart from the values, which alone weigh.
        reputation: Reputation {
            completed: ((b >> 30) % 4) as u32,
            exited_early: ((b >> 32) % 3) as u32,
            missed_ready: ((b >> 34) % 3) as u32,
            completed_value: u128::from((b >> 36) % 4),
            exited_value: u128::from((b >> 38) % 3),
            missed_value: u128::from((b >> 40) % 3),
        },
    }
}

/// Decodes requirements from two random words; each list entry is present
/// with probability 1/8 (attributes) or 1/2 (providers, attestors).
fn requirements((a, b): (u64, u64)) -> Requirements {
    let preferred_providers: Vec<_> = (1..=4).filter(|i| b >> i & 1 == 1).map(acc).collect();
    let trusted_attestors = if b >> 8 & 1 == 1 {
        Vec::new()
    } else {
        (0..3)
            .filter(|i| b >> (9 + i) & 1 == 1)
            .map(attestor)
            .collect()
    };
    Requirements {
        max_price_per_block: u128::from(1 + a % 6),
        required_attributes: attributes((a >> 3) & (a >> 7) & (a >> 23)),
        excluded_attributes: attributes((a >> 11) & (a >> 15) & (a >> 27)),
        preferred_only: !preferred_providers.is_empty() && (b >> 16) % 4 == 0,
        preferred_providers,
        excluded_providers: (1..=4)
            .filter(|i| b >> (20 + i) & 3 == 3)
            .map(acc)
            .collect(),
        trusted_attestors,
        min_duration: ((a >> 31) % 5) as u32,
        fixed_price_only: (a >> 36) % 16 == 0,
        // Bounds repricing only: never a reason to reject.
        max_rate: ((a >> 50) % 2 == 0).then_some(10),
        max_notice_blocks: ((a >> 40) % 8 == 0).then_some(((a >> 43) % 4) as u32),
        min_reprice_notice: ((a >> 45) % 8).saturating_sub(5) as u32,
        max_cancel_fee: u128::from((a >> 48) % 3),
    }
}

/// The rules, written independently of the implementation.
fn reference_rejection(c: &Candidate, r: &Requirements) -> Option<Reject> {
    let trust_all = r.trusted_attestors.is_empty();
    let attested = |x: &Attribute| {
        for att in &c.attestations {
            let trusted = trust_all || r.trusted_attestors.iter().any(|t| *t == att.attestor);
            if trusted && att.attributes.iter().any(|y| y == x) {
                return true;
            }
        }
        false
    };
    let declared = |x: &Attribute| {
        c.attributes
            .iter()
            .any(|y| y.key == x.key && y.value == x.value)
    };
    if !c.provider_active {
        Some(Reject::Inactive)
    } else if c.free_capacity == 0 {
        Some(Reject::Full)
    } else if c.price_per_block > r.max_price_per_block {
        Some(Reject::TooExpensive)
    } else if c.min_duration > r.min_duration {
        Some(Reject::MinDuration)
    } else if r.fixed_price_only && c.pricing != Pricing::Fixed {
        Some(Reject::NotFixedPrice)
    } else if matches!(r.max_notice_blocks, Some(longest) if c.notice_blocks > longest) {
        Some(Reject::NoticeTooLong)
    } else if c.pricing == Pricing::Dynamic && c.notice_blocks < r.min_reprice_notice {
        Some(Reject::RepriceNoticeTooShort)
    } else if c.cancel_fee > r.max_cancel_fee {
        Some(Reject::CancelFeeTooHigh)
    } else if r.excluded_providers.iter().any(|p| *p == c.provider) {
        Some(Reject::ExcludedProvider)
    } else if r.preferred_only && !r.preferred_providers.iter().any(|p| *p == c.provider) {
        Some(Reject::NotPreferred)
    } else if r
        .required_attributes
        .iter()
        .any(|x| !(attested(x) || (trust_all && declared(x))))
    {
        Some(Reject::MissingAttribute)
    } else if r
        .excluded_attributes
        .iter()
        .any(|x| declared(x) || attested(x))
    {
        Some(Reject::ExcludedAttribute)
    } else {
        None
    }
}

/// The reference score of every fitting candidate, as (index, score).
fn reference_scores(w: &Weights, window: &[Candidate], r: &Requirements) -> Vec<(usize, u128)> {
    let fitting: Vec<(usize, &Candidate)> = window
        .iter()
        .enumerate()
        .filter(|(_, c)| reference_rejection(c, r).is_none())
        .collect();
    let Some(min) = fitting.iter().map(|(_, c)| c.price_per_block).min() else {
        return Vec::new();
    };
    let max = fitting
        .iter()
        .map(|(_, c)| c.price_per_block)
        .max()
        .unwrap();
    let max_free = fitting
        .iter()
        .map(|(_, c)| u128::from(c.free_capacity))
        .max()
        .unwrap();
    fitting
        .iter()
        .map(|&(i, c)| {
            let price = if max == min {
                1000
            } else {
                1000 * (max - c.price_per_block) / (max - min)
            };
            let capacity = 1000 * u128::from(c.free_capacity) / max_free;
            // The share of the value at stake that was served to its end.
            let rep = &c.reputation;
            let total = rep.completed_value + rep.exited_value + rep.missed_value;
            let reputation = if total == 0 {
                500
            } else {
                1000 * rep.completed_value / total
            };
            let preferred = if r.preferred_providers.contains(&c.provider) {
                1000
            } else {
                0
            };
            let score = u128::from(w.price) * price
                + u128::from(w.capacity) * capacity
                + u128::from(w.reputation) * reputation
                + u128::from(w.preferred) * preferred;
            (i, score)
        })
        .collect()
}

/// The first index with the highest value.
fn first_max(values: impl Iterator<Item = (usize, u128)>) -> Option<usize> {
    let mut best: Option<(usize, u128)> = None;
    for (i, v) in values {
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

type Words = (u64, u64);

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fits_follows_the_rules(c in any::<Words>(), r in any::<Words>()) {
        let (c, r) = (candidate(c), requirements(r));
        prop_assert_eq!(rejection(&c, &r), reference_rejection(&c, &r));
        prop_assert_eq!(fits(&c, &r), reference_rejection(&c, &r).is_none());
    }

    #[test]
    fn check_reservation_follows_the_rules(
        c in any::<Words>(),
        r in any::<Words>(),
        (asked, reserved) in (0..3u32, 0..3u32),
    ) {
        let (c, r) = (candidate(c), requirements(r));
        let reservation = Reservation { type_id: reserved, offer: c.clone() };
        let expected = if reserved != asked {
            Err(SubscriptionError::Unfit(Reject::WrongType))
        } else {
            match reference_rejection(&c, &r) {
                Some(reject) => Err(SubscriptionError::Unfit(reject)),
                None => Ok(()),
            }
        };
        prop_assert_eq!(check_reservation(asked, &r, &reservation), expected);
    }

    #[test]
    fn every_strategy_picks_a_fitting_candidate_iff_one_exists(
        window in proptest::collection::vec(any::<Words>(), 0..=20),
        r in any::<Words>(),
        seed in any::<u64>(),
        w in any::<[u8; 4]>(),
    ) {
        let window: Vec<Candidate> = window.into_iter().map(candidate).collect();
        let r = requirements(r);
        let weights = Weights {
            price: u32::from(w[0] % 4),
            capacity: u32::from(w[1] % 4),
            reputation: u32::from(w[2] % 4),
            preferred: u32::from(w[3] % 4),
        };
        let fitting: Vec<usize> = (0..window.len()).filter(|&i| fits(&window[i], &r)).collect();
        for strategy in [Strategy::RoundRobin, Strategy::Random, Strategy::Capacity, Strategy::Scored(weights)] {
            let picked = pick(&strategy, &window, &r, seed);
            prop_assert_eq!(picked.is_some(), !fitting.is_empty(), "{:?}", strategy);
            if let Some(i) = picked {
                prop_assert!(i < window.len());
                prop_assert!(fits(&window[i], &r), "{:?} picked an unfit {}", strategy, i);
            }
            // Deterministic for a given seed.
            prop_assert_eq!(pick(&strategy, &window, &r, seed), picked);
        }

        // RoundRobin: the first fitting.
        prop_assert_eq!(pick(&Strategy::RoundRobin, &window, &r, seed), fitting.first().copied());

        // Random: the (seed % n)-th fitting.
        let expected = if fitting.is_empty() { None } else { Some(fitting[(seed % fitting.len() as u64) as usize]) };
        prop_assert_eq!(pick(&Strategy::Random, &window, &r, seed), expected);

        // Capacity: the most free capacity among fitting; the earliest such.
        let capacity = pick(&Strategy::Capacity, &window, &r, seed);
        if let Some(i) = capacity {
            prop_assert!(fitting.iter().all(|&j| window[j].free_capacity <= window[i].free_capacity));
        }
        prop_assert_eq!(capacity, first_max(fitting.iter().map(|&j| (j, u128::from(window[j].free_capacity)))));

        // Scored: the earliest highest reference score.
        prop_assert_eq!(
            pick(&Strategy::Scored(weights), &window, &r, seed),
            first_max(reference_scores(&weights, &window, &r).into_iter())
        );

        // Scored on price alone: a cheapest fitting (the earliest).
        let cheap = pick(&Strategy::Scored(Weights { price: 1, ..Weights::default() }), &window, &r, seed);
        if let Some(i) = cheap {
            prop_assert!(fitting.iter().all(|&j| window[i].price_per_block <= window[j].price_per_block));
        }
        prop_assert_eq!(
            cheap,
            fitting.iter().copied().find(|&j| fitting.iter().all(|&k| window[j].price_per_block <= window[k].price_per_block))
        );

        // All-zero weights: the first fitting.
        prop_assert_eq!(pick(&Strategy::Scored(Weights::default()), &window, &r, seed), fitting.first().copied());
    }

    #[test]
    fn random_stays_in_range_for_any_seed(
        window in proptest::collection::vec(any::<Words>(), 0..=20),
        r in any::<Words>(),
        seeds in any::<[u64; 4]>(),
    ) {
        let window: Vec<Candidate> = window.into_iter().map(candidate).collect();
        let r = requirements(r);
        for seed in seeds.into_iter().chain([0, 1, u64::MAX]) {
            match pick(&Strategy::Random, &window, &r, seed) {
                Some(i) => prop_assert!(i < window.len() && fits(&window[i], &r)),
                None => prop_assert!(window.iter().all(|c| !fits(c, &r))),
            }
        }
    }
}

/// The generators must produce both outcomes often, or the properties above
/// say little.
#[test]
fn generators_cover_fitting_and_unfitting() {
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut reasons = std::collections::BTreeMap::new();
    let mut fitting = 0;
    for _ in 0..20_000 {
        let c = candidate((next(), next()));
        let r = requirements((next(), next()));
        match rejection(&c, &r) {
            None => fitting += 1,
            Some(reason) => *reasons.entry(format!("{reason:?}")).or_insert(0) += 1,
        }
    }
    eprintln!("fitting {fitting} of 20000, rejected: {reasons:?}");
    assert!(fitting > 2_000, "only {fitting} of 20000 fit");
    for reason in [
        "Inactive",
        "Full",
        "TooExpensive",
        "MinDuration",
        "NotFixedPrice",
        "NoticeTooLong",
        "RepriceNoticeTooShort",
        "CancelFeeTooHigh",
        "ExcludedProvider",
        "NotPreferred",
        "MissingAttribute",
        "ExcludedAttribute",
    ] {
        assert!(
            reasons.get(reason).copied().unwrap_or(0) > 100,
            "{reason} too rare: {reasons:?}"
        );
    }
}
