//! The operations a sequence is made of (`Kind`, `Op`), how often each kind
//! is drawn, and how one is drawn against the last `View`: usually aimed at
//! a subscription where it has a chance to succeed and sent by its rightful
//! caller, sometimes at the wrong one, by anyone, or with odd values.

use crate::rng::Rng;
use crate::storage::View;
use crate::world::{account_of, World};
use dinfra::lifecycle::{Phase, Subscription};
use dinfra::stream::{Stream, StreamStatus};
use dinfra::traits::Requirements;
use dinfra::types::BlockNumber;
use dinfra_e2e_tests::drink::AccountId32;
use dinfra_e2e_tests::ink_account;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Create,
    MarkReady,
    TopUp,
    Cancel,
    Exit,
    ProposePrice,
    AcceptPrice,
    RejectPrice,
    ApplyPrice,
    Advance,
    Claim,
    ClaimMany,
    Settle,
    Reaward,
    AdminClose,
}

/// How often each operation is drawn (out of the sum).
pub const WEIGHTS: [(Kind, u64); 15] = [
    (Kind::Create, 7),
    (Kind::MarkReady, 9),
    (Kind::TopUp, 6),
    (Kind::Cancel, 6),
    (Kind::Exit, 4),
    (Kind::ProposePrice, 8),
    (Kind::AcceptPrice, 6),
    (Kind::RejectPrice, 4),
    (Kind::ApplyPrice, 8),
    (Kind::Advance, 15),
    (Kind::Claim, 7),
    (Kind::ClaimMany, 3),
    (Kind::Settle, 7),
    (Kind::Reaward, 4),
    (Kind::AdminClose, 1),
];

/// One drawn operation, ready to run.
#[derive(Debug, Clone)]
pub enum Op {
    Create {
        consumer: usize,
        type_id: u32,
        requirements: Requirements,
        deposit: u128,
    },
    /// A subscription message on one id, by `actor`, sending `value`.
    OnId {
        kind: Kind,
        actor: AccountId32,
        id: u64,
        value: u128,
        rate: Option<u128>,
    },
    ClaimMany {
        actor: AccountId32,
        ids: Vec<u64>,
    },
    Advance(BlockNumber),
}

impl Op {
    pub fn kind(&self) -> Kind {
        match self {
            Op::Create { .. } => Kind::Create,
            Op::OnId { kind, .. } => *kind,
            Op::ClaimMany { .. } => Kind::ClaimMany,
            Op::Advance(_) => Kind::Advance,
        }
    }
}

/// Whether an operation of `kind` on `sub` (with its `stream`, at `now`)
/// has a chance to succeed: what the draws aim at most of the time.
fn promising(kind: Kind, sub: &Subscription, stream: &Stream, now: BlockNumber) -> bool {
    let settleable = matches!(
        stream.status(now),
        StreamStatus::Ended | StreamStatus::Exhausted
    );
    match kind {
        Kind::MarkReady => sub.phase == Phase::Awarded && now <= sub.ready_deadline,
        Kind::Reaward => sub.phase == Phase::Awarded && now > sub.ready_deadline,
        Kind::Cancel | Kind::Exit | Kind::ProposePrice => live_phase(sub),
        Kind::TopUp | Kind::AdminClose => sub.phase != Phase::Closed,
        Kind::AcceptPrice | Kind::RejectPrice => {
            live_phase(sub) && sub.price_change.is_some_and(|c| c.needs_consent)
        }
        Kind::ApplyPrice => {
            sub.is_live()
                && sub
                    .price_change
                    .is_some_and(|c| !c.needs_consent && c.effective_at <= now)
        }
        Kind::Claim | Kind::ClaimMany => billed(sub) && stream.withdrawable(now) > 0,
        Kind::Settle => billed(sub) && settleable,
        Kind::Create | Kind::Advance => true,
    }
}

fn live_phase(sub: &Subscription) -> bool {
    matches!(sub.phase, Phase::Awarded | Phase::Active)
}

fn billed(sub: &Subscription) -> bool {
    matches!(sub.phase, Phase::Active | Phase::Ending)
}

/// A subscription id to act on: usually a promising one, else any id,
/// sometimes one that does not exist. `None` (draw another kind) most of
/// the time when none is promising.
fn target(rng: &mut Rng, view: &View, kind: Kind) -> Option<u64> {
    let matching: Vec<u64> = view
        .subs
        .iter()
        .enumerate()
        .filter(|(_, (sub, stream))| promising(kind, sub, stream, view.now))
        .map(|(id, _)| id as u64)
        .collect();
    if matching.is_empty() && rng.chance(90) {
        return None;
    }
    if !matching.is_empty() && rng.chance(94) {
        return Some(rng.pick(&matching));
    }
    let count = view.subs.len() as u64;
    if count == 0 || rng.chance(5) {
        return Some(count + rng.below(2));
    }
    Some(rng.below(count))
}

/// Who may send `kind` on `sub`: its consumer or its provider.
fn rightful(kind: Kind, sub: &Subscription) -> ink::primitives::AccountId {
    match kind {
        Kind::Cancel | Kind::AcceptPrice | Kind::RejectPrice => sub.consumer,
        _ => sub.provider,
    }
}

/// `who` with probability `percent` %, anyone otherwise.
fn usually(rng: &mut Rng, world: &World, percent: u64, who: AccountId32) -> AccountId32 {
    if rng.chance(percent) {
        who
    } else {
        rng.pick(&world.people())
    }
}

/// The rightful actor most of the time, anyone else otherwise.
fn actor(
    rng: &mut Rng,
    world: &World,
    rightful: Option<ink::primitives::AccountId>,
) -> AccountId32 {
    match rightful {
        Some(account) => usually(rng, world, 92, account_of(&account)),
        None => rng.pick(&world.people()),
    }
}

fn draw_kind(rng: &mut Rng) -> Kind {
    let total: u64 = WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut roll = rng.below(total);
    for (kind, weight) in WEIGHTS {
        if roll < weight {
            return kind;
        }
        roll -= weight;
    }
    unreachable!("the roll is below the sum of the weights")
}

/// The next operation of a sequence, drawn against the last `view`.
pub fn draw(rng: &mut Rng, world: &World, view: &View) -> Op {
    loop {
        if let Some(op) = draw_one(rng, world, view) {
            return op;
        }
    }
}

/// An operation of a random kind, or `None` when the kind has nothing
/// promising to act on this time.
fn draw_one(rng: &mut Rng, world: &World, view: &View) -> Option<Op> {
    let kind = draw_kind(rng);
    let sub_of = |id: u64| view.subs.get(id as usize).map(|(sub, _)| sub.clone());
    let on_id = |actor, id, value, rate| {
        Some(Op::OnId {
            kind,
            actor,
            id,
            value,
            rate,
        })
    };
    match kind {
        Kind::Create => Some(draw_create(rng, world)),
        Kind::MarkReady
        | Kind::Exit
        | Kind::Claim
        | Kind::Cancel
        | Kind::AcceptPrice
        | Kind::RejectPrice => {
            let id = target(rng, view, kind)?;
            let who = actor(rng, world, sub_of(id).map(|s| rightful(kind, &s)));
            on_id(who, id, 0, None)
        }
        Kind::TopUp => {
            let id = target(rng, view, kind)?;
            let rate = sub_of(id).map_or(3, |s| s.rate_per_block);
            let value = match rng.below(100) {
                0..=6 => 0,
                7..=94 => rate * rng.range(1, 120) as u128,
                _ => rng.range(10_000, 500_000) as u128,
            };
            on_id(rng.pick(&world.people()), id, value, None)
        }
        Kind::ProposePrice => {
            let id = target(rng, view, kind)?;
            let sub = sub_of(id);
            let who = actor(rng, world, sub.as_ref().map(|s| rightful(kind, s)));
            let (current, max) = sub.map_or((3, 10), |s| {
                (s.rate_per_block, s.requirements.max_price_per_block)
            });
            let rate = match rng.below(100) {
                0..=3 => 0,
                4..=7 => current,
                8..=64 => rng.range(1, max as u64) as u128,
                65..=79 => max + rng.range(1, 5) as u128,
                _ => rng.range(1, 40) as u128,
            };
            on_id(who, id, 0, Some(rate))
        }
        Kind::ApplyPrice | Kind::Settle | Kind::Reaward | Kind::AdminClose => {
            let id = target(rng, view, kind)?;
            let who = if kind == Kind::AdminClose {
                usually(rng, world, 85, world.admin.clone())
            } else {
                usually(rng, world, 70, world.stranger.clone())
            };
            on_id(who, id, 0, None)
        }
        Kind::ClaimMany => draw_claim_many(rng, world, view),
        Kind::Advance => Some(Op::Advance(match rng.below(100) {
            0..=39 => rng.range(1, 3),
            40..=74 => rng.range(4, 25),
            75..=94 => rng.range(26, 150),
            _ => rng.range(500, 20_000),
        } as BlockNumber)),
    }
}

/// A subscription request by a random consumer: mostly one some offer fits
/// with a deposit that covers it, sometimes not.
fn draw_create(rng: &mut Rng, world: &World) -> Op {
    let max_price = rng.pick(&[1u128, 2, 3, 4, 5, 6, 7, 8, 10, 20]);
    let min_duration = rng.pick(&[0u32, 5, 10, 20, 50, 60, 200]);
    let mut excluded = Vec::new();
    if rng.chance(15) {
        for p in &world.providers {
            if rng.chance(40) {
                excluded.push(ink_account(p));
            }
        }
    }
    let requirements = Requirements {
        max_price_per_block: max_price,
        excluded_providers: excluded,
        min_duration,
        ..Default::default()
    };
    // Enough for any offer that fits these requirements.
    let floor = max_price * u128::from(min_duration.max(1));
    let deposit = match rng.below(100) {
        0..=4 => 0,
        5..=19 => rng.range(1, (floor as u64 / 3).max(2)) as u128,
        20..=94 => floor + rng.below((max_price * 300) as u64) as u128,
        _ => rng.range(100_000, 2_000_000) as u128,
    };
    let type_id = if rng.chance(5) {
        world.empty_type
    } else {
        world.type_id
    };
    Op::Create {
        consumer: rng.below(world.consumers.len() as u64) as usize,
        type_id,
        requirements,
        deposit,
    }
}

/// A provider's claim on many of its subscriptions (sometimes with an id
/// that is not its, a repeated one, or none), or `None` most of the time
/// when no provider has anything to claim.
fn draw_claim_many(rng: &mut Rng, world: &World, view: &View) -> Option<Op> {
    let owed: Vec<usize> = (0..world.providers.len())
        .filter(|p| {
            let mine = ink_account(&world.providers[*p]);
            view.subs.iter().any(|(s, stream)| {
                s.provider == mine && promising(Kind::ClaimMany, s, stream, view.now)
            })
        })
        .collect();
    if owed.is_empty() && rng.chance(80) {
        return None;
    }
    let provider = if !owed.is_empty() && rng.chance(90) {
        rng.pick(&owed)
    } else {
        rng.below(world.providers.len() as u64) as usize
    };
    let mine = ink_account(&world.providers[provider]);
    let mut ids: Vec<u64> = view
        .subs
        .iter()
        .enumerate()
        .filter(|(_, (s, _))| s.provider == mine && billed(s) && rng.chance(85))
        .map(|(id, _)| id as u64)
        .collect();
    if ids.is_empty() || rng.chance(8) {
        ids.push(rng.below(view.subs.len() as u64 + 1));
    }
    if rng.chance(5) {
        ids.push(ids[0]);
    }
    if rng.chance(3) {
        ids.clear();
    }
    Some(Op::ClaimMany {
        actor: world.providers[provider].clone(),
        ids,
    })
}
