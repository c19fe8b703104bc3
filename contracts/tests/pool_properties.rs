//! Property tests of `dinfra::pool`: random contributions, take-backs,
//! spending, a close with any refund and every withdrawal, against a model
//! that keeps each contributor's money apart. Checked: the pool's books
//! always equal the model's; after the close each contributor is paid
//! `⌊contributed × distributable / total⌋`, the last one also the dust,
//! which is under one unit per contributor; every unit of `distributable`
//! is paid out; and a refused operation changes nothing.
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use dinfra::pool::{mul_div, Books, PoolError, PoolEvent, PoolPhase, Share};
use dinfra::{AccountId, Balance};
use proptest::prelude::*;

const CONTRIBUTORS: usize = 5;

#[derive(Debug, Clone)]
enum Op {
    Contribute(usize, Balance),
    Forward(usize, Balance),
    TakeBack(usize),
    Spend(Balance),
}

fn op() -> impl Strategy<Value = Op> {
    // Amounts small and huge: the share formula must not overflow near
    // u128::MAX / CONTRIBUTORS.
    let amount = prop_oneof![1u128..1_000, 1u128..u64::MAX as u128, Just(u128::MAX / 64)];
    prop_oneof![
        (0..CONTRIBUTORS, amount.clone()).prop_map(|(w, a)| Op::Contribute(w, a)),
        (0..CONTRIBUTORS, amount.clone()).prop_map(|(w, a)| Op::Forward(w, a)),
        (0..CONTRIBUTORS).prop_map(Op::TakeBack),
        amount.prop_map(Op::Spend),
    ]
}

fn who(i: usize) -> AccountId {
    AccountId::from([i as u8 + 1; 32])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_books_conserve_every_unit(
        ops in prop::collection::vec(op(), 1..40),
        refund_permille in 0u128..=1_500,
        order in Just(()).prop_perturb(|_, mut rng| {
            let mut order: Vec<usize> = (0..CONTRIBUTORS).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, (rng.next_u32() as usize) % (i + 1));
            }
            order
        }),
    ) {
        let mut books = Books::default();
        let mut shares = [Share::default(); CONTRIBUTORS];
        let mut put_in = [0u128; CONTRIBUTORS];
        let mut sent = 0u128;
        for op in ops {
            let before = (books.clone(), shares);
            let result = match op {
                Op::Contribute(w, a) => books.contribute(&mut shares[w], who(w), a, false),
                Op::Forward(w, a) => books.contribute(&mut shares[w], who(w), a, true),
                Op::TakeBack(w) => books.take_back(&mut shares[w], who(w)),
                Op::Spend(a) => books.spent(1, a),
            };
            match (&op, &result) {
                (Op::Contribute(w, a), Ok(_)) => put_in[*w] += a,
                (Op::Forward(w, a), Ok(_)) => {
                    put_in[*w] += a;
                    sent += a;
                }
                (Op::TakeBack(w), Ok(_)) => put_in[*w] = 0,
                (Op::Spend(a), Ok(_)) => sent += a,
                (_, Err(_)) => prop_assert_eq!(
                    (books.clone(), shares),
                    before,
                    "a refused {:?} changed nothing",
                    op
                ),
            }
            let total: Balance = put_in.iter().sum();
            prop_assert_eq!(books.contributed, total);
            prop_assert_eq!(books.sent, sent);
            prop_assert_eq!(books.unspent + books.sent, total, "every unit is kept or sent");
            for (w, share) in shares.iter().enumerate() {
                prop_assert_eq!(share.contributed, put_in[w]);
            }
        }
        if books.phase == PoolPhase::Funding {
            prop_assert_eq!(books.close(0), Err(PoolError::NotStarted));
            return Ok(());
        }
        // The escrow refunds any part of what was sent (more than sent: a
        // stranger also topped it up).
        let refunded = (sent / 1_000)
            .saturating_mul(refund_permille)
            .min(u128::MAX - books.unspent);
        books.close(refunded).unwrap();
        let total = books.contributed;
        prop_assert_eq!(books.distributable, books.unspent + refunded);
        let last = order.iter().rev().copied().find(|w| put_in[*w] > 0);
        let mut paid = 0u128;
        for w in order {
            let result = books.withdraw(&mut shares[w], who(w));
            if put_in[w] == 0 {
                prop_assert_eq!(result, Err(PoolError::NoContribution));
                continue;
            }
            let events = result.unwrap();
            let [PoolEvent::Withdrawn { amount, dust, .. }] = events.as_slice() else {
                panic!("one Withdrawn event, got {events:?}");
            };
            let pro_rata = mul_div(put_in[w], books.distributable, total).unwrap();
            prop_assert_eq!(*amount, pro_rata + dust);
            if Some(w) == last {
                prop_assert!(*dust < CONTRIBUTORS as u128, "dust {} under a unit each", dust);
            } else {
                prop_assert_eq!(*dust, 0);
            }
            paid += amount;
            prop_assert_eq!(
                books.withdraw(&mut shares[w], who(w)),
                Err(PoolError::AlreadyWithdrawn)
            );
        }
        prop_assert_eq!(paid, books.distributable, "every unit paid out");
        prop_assert_eq!(books.held(), 0);
    }

    #[test]
    fn mul_div_matches_wide_arithmetic(a in any::<u64>(), b in any::<u64>(), c in 1u64..) {
        let exact = (a as u128 * b as u128) / c as u128;
        prop_assert_eq!(mul_div(a as u128, b as u128, c as u128), Some(exact));
        // Scaled by 2^64 on both sides of the fraction: same quotient.
        let shifted = mul_div((a as u128) << 32, (b as u128) << 32, (c as u128) << 64);
        prop_assert_eq!(shifted, Some(exact));
    }
}
