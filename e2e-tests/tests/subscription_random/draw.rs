//! The operations a sequence is made of (`Kind`, `Op`), how often each kind
//! is drawn, and how one is drawn against the last `View` and the books:
//! usually aimed where it has a chance to succeed and sent by its rightful
//! caller, sometimes at the wrong target, by anyone, or with odd values. Only
//! an account with funds sends a transaction, except a claim or a credit
//! withdrawal, which a drained account tries too (it pays no deposit).

use crate::books::{min_deposit, Books};
use crate::rng::Rng;
use crate::storage::View;
use crate::world::{account_of, Contract, World};
use dinfra::governance::{Change, MAX_GOVERNANCE_DELAY};
use dinfra::lifecycle::{Parameters, Phase, Subscription};
use dinfra::stream::{Stream, StreamStatus};
use dinfra::traits::Requirements;
use dinfra::types::{BlockNumber, CodeHash};
use dinfra_e2e_tests::drink::AccountId32;
use dinfra_e2e_tests::{ink_account, EXISTENTIAL_DEPOSIT};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Create,
    CreateNamed,
    MarkReady,
    Decline,
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
    Schedule,
    ApplyChange,
    CancelChange,
    Configure,
    Drain,
    Revive,
    WithdrawCredit,
}

/// How often each operation is drawn (out of the sum).
pub const WEIGHTS: [(Kind, u64); 23] = [
    (Kind::Create, 6),
    (Kind::CreateNamed, 4),
    (Kind::MarkReady, 9),
    (Kind::Decline, 3),
    (Kind::TopUp, 5),
    (Kind::Cancel, 7),
    (Kind::Exit, 4),
    (Kind::ProposePrice, 7),
    (Kind::AcceptPrice, 5),
    (Kind::RejectPrice, 3),
    (Kind::ApplyPrice, 7),
    (Kind::Advance, 15),
    (Kind::Claim, 7),
    (Kind::ClaimMany, 3),
    (Kind::Settle, 7),
    (Kind::Reaward, 4),
    (Kind::Schedule, 4),
    (Kind::ApplyChange, 3),
    (Kind::CancelChange, 2),
    (Kind::Configure, 1),
    (Kind::Drain, 4),
    (Kind::Revive, 3),
    (Kind::WithdrawCredit, 3),
];

/// Below this free balance (by the books) an account sends nothing but
/// claims and credit withdrawals: a call may need a storage deposit.
pub const FUNDED: u128 = 1_000_000_000;

/// What a governance operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GovAction {
    Schedule(Change),
    Apply(u32),
    Cancel(u32),
}

/// One drawn operation, ready to run.
#[derive(Debug, Clone)]
pub enum Op {
    Create {
        consumer: AccountId32,
        type_id: u32,
        requirements: Requirements,
        /// The offer named, or `None`: the award chooses.
        offer: Option<u64>,
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
    Governance {
        actor: AccountId32,
        contract: Contract,
        action: GovAction,
    },
    Configure {
        actor: AccountId32,
        parameters: Parameters,
    },
    /// `who`'s whole balance goes to the stranger: the account is reaped.
    Drain(AccountId32),
    /// The stranger sends `amount` to `who`.
    Revive {
        who: AccountId32,
        amount: u128,
    },
    WithdrawCredit(AccountId32),
}

impl Op {
    pub fn kind(&self) -> Kind {
        match self {
            Op::Create { offer: None, .. } => Kind::Create,
            Op::Create { .. } => Kind::CreateNamed,
            Op::OnId { kind, .. } => *kind,
            Op::ClaimMany { .. } => Kind::ClaimMany,
            Op::Advance(_) => Kind::Advance,
            Op::Governance { action, .. } => match action {
                GovAction::Schedule(_) => Kind::Schedule,
                GovAction::Apply(_) => Kind::ApplyChange,
                GovAction::Cancel(_) => Kind::CancelChange,
            },
            Op::Configure { .. } => Kind::Configure,
            Op::Drain(_) => Kind::Drain,
            Op::Revive { .. } => Kind::Revive,
            Op::WithdrawCredit(_) => Kind::WithdrawCredit,
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
        Kind::MarkReady | Kind::Decline => sub.phase == Phase::Awarded && now <= sub.ready_deadline,
        Kind::Reaward => sub.phase == Phase::Awarded && now > sub.ready_deadline,
        Kind::Exit | Kind::ProposePrice => live_phase(sub),
        Kind::Cancel => match sub.end {
            // After an exit, or while a change is pending, a cancel may
            // still bring the end nearer.
            Some((end, _)) => sub.is_live() && now + sub.consumer_notice < end,
            None => sub.is_live(),
        },
        Kind::TopUp => sub.phase != Phase::Closed,
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
        _ => true,
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

/// Whether `account` may send `kind`: funded accounts anything, drained
/// ones only what needs no deposit.
fn may_send(books: &Books, kind: Kind, account: &AccountId32) -> bool {
    books.free(account) >= FUNDED
        || matches!(kind, Kind::Claim | Kind::ClaimMany | Kind::WithdrawCredit)
}

/// Anyone funded.
fn anyone(rng: &mut Rng, world: &World, books: &Books) -> AccountId32 {
    let funded: Vec<AccountId32> = world
        .people()
        .into_iter()
        .filter(|p| books.free(p) >= FUNDED)
        .collect();
    rng.pick(&funded)
}

/// `who` with probability `percent` % (if it may send `kind`), anyone
/// funded otherwise.
fn usually(
    rng: &mut Rng,
    world: &World,
    books: &Books,
    kind: Kind,
    percent: u64,
    who: AccountId32,
) -> AccountId32 {
    if rng.chance(percent) && may_send(books, kind, &who) {
        who
    } else {
        anyone(rng, world, books)
    }
}

/// The rightful actor most of the time, anyone else otherwise; `None`
/// (draw another) most of the time when the rightful one has no funds.
fn actor(
    rng: &mut Rng,
    world: &World,
    books: &Books,
    kind: Kind,
    rightful: Option<ink::primitives::AccountId>,
) -> Option<AccountId32> {
    match rightful {
        Some(account) => {
            let account = account_of(&account);
            if !may_send(books, kind, &account) && rng.chance(80) {
                return None;
            }
            Some(usually(rng, world, books, kind, 92, account))
        }
        None => Some(anyone(rng, world, books)),
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
pub fn draw(rng: &mut Rng, world: &World, view: &View, books: &Books) -> Op {
    if let Some(op) = follow_up_credit(rng, world, books) {
        return op;
    }
    loop {
        if let Some(op) = draw_one(rng, world, view, books) {
            return op;
        }
    }
}

/// Now and then, while the escrow owes someone a credit (a payment the
/// runtime refused), its owner is revived or takes the credit: credits are
/// rare and the chain drain → refused payment → revive → withdrawal would
/// otherwise seldom complete within one sequence.
fn follow_up_credit(rng: &mut Rng, world: &World, books: &Books) -> Option<Op> {
    let owed: Vec<AccountId32> = world
        .people()
        .into_iter()
        .filter(|p| books.credit(p) > 0)
        .collect();
    if owed.is_empty() || !rng.chance(25) {
        return None;
    }
    let who = rng.pick(&owed);
    if books.free(&who) >= EXISTENTIAL_DEPOSIT {
        Some(Op::WithdrawCredit(who))
    } else if world.drainable().contains(&who) {
        Some(Op::Revive {
            who,
            amount: 1_000_000_000_000,
        })
    } else {
        None
    }
}

/// An operation of a random kind, or `None` when the kind has nothing
/// promising to act on this time.
fn draw_one(rng: &mut Rng, world: &World, view: &View, books: &Books) -> Option<Op> {
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
        Kind::Create => Some(draw_create(rng, world, books)),
        Kind::CreateNamed => Some(draw_create_named(rng, world, books)),
        Kind::MarkReady
        | Kind::Decline
        | Kind::Exit
        | Kind::Claim
        | Kind::Cancel
        | Kind::RejectPrice => {
            let id = target(rng, view, kind)?;
            let who = actor(
                rng,
                world,
                books,
                kind,
                sub_of(id).map(|s| rightful(kind, &s)),
            )?;
            on_id(who, id, 0, None)
        }
        Kind::AcceptPrice => {
            let id = target(rng, view, kind)?;
            let sub = sub_of(id);
            let who = actor(
                rng,
                world,
                books,
                kind,
                sub.as_ref().map(|s| rightful(kind, s)),
            )?;
            let pending = sub.and_then(|s| s.price_change).map(|c| c.rate);
            // Usually the rate proposed; sometimes one the provider has
            // replaced since (`ProposalChanged`).
            let rate = match pending {
                Some(rate) if rng.chance(85) => rate,
                Some(rate) => rate + rng.range(1, 3) as u128,
                None => rng.range(1, 10) as u128,
            };
            on_id(who, id, 0, Some(rate))
        }
        Kind::TopUp => {
            let id = target(rng, view, kind)?;
            let rate = sub_of(id).map_or(3, |s| s.rate_per_block);
            let value = match rng.below(100) {
                0..=6 => 0,
                7..=94 => rate * rng.range(1, 120) as u128,
                _ => rng.range(10_000, 500_000) as u128,
            };
            on_id(anyone(rng, world, books), id, value, None)
        }
        Kind::ProposePrice => {
            let id = target(rng, view, kind)?;
            let sub = sub_of(id);
            let who = actor(
                rng,
                world,
                books,
                kind,
                sub.as_ref().map(|s| rightful(kind, s)),
            )?;
            let (current, max) = sub.map_or((3, 10), |s| {
                (s.rate_per_block, s.requirements.repricing_bound())
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
        Kind::ApplyPrice | Kind::Settle | Kind::Reaward => {
            let id = target(rng, view, kind)?;
            let who = usually(rng, world, books, kind, 70, world.stranger.clone());
            on_id(who, id, 0, None)
        }
        Kind::ClaimMany => draw_claim_many(rng, world, view),
        Kind::Advance => Some(Op::Advance(match rng.below(100) {
            0..=39 => rng.range(1, 3),
            40..=74 => rng.range(4, 25),
            75..=94 => rng.range(26, 150),
            _ => rng.range(500, 20_000),
        } as BlockNumber)),
        Kind::Schedule | Kind::ApplyChange | Kind::CancelChange => {
            draw_governance(rng, world, view, books, kind)
        }
        Kind::Configure => {
            let who = usually(rng, world, books, kind, 85, world.admin.clone());
            let parameters = Parameters {
                ready_timeout: rng.pick(&[0, 5, 20, 20, 40]),
                consumer_notice: rng.pick(&[0, 4, 10, 10, 30, 60]),
            };
            Some(Op::Configure {
                actor: who,
                parameters,
            })
        }
        Kind::Drain => {
            let funded: Vec<AccountId32> = world
                .drainable()
                .into_iter()
                .filter(|a| books.free(a) > 0)
                .collect();
            if funded.is_empty() || rng.chance(30) {
                return None;
            }
            Some(Op::Drain(rng.pick(&funded)))
        }
        Kind::Revive => {
            let poor: Vec<AccountId32> = world
                .drainable()
                .into_iter()
                .filter(|a| books.free(a) < FUNDED)
                .collect();
            if poor.is_empty() {
                return None;
            }
            let amount = match rng.below(100) {
                0..=14 => EXISTENTIAL_DEPOSIT,
                15..=29 => EXISTENTIAL_DEPOSIT + rng.range(1, 400) as u128,
                _ => 1_000_000_000_000,
            };
            // An account the escrow owes a credit is revived more often, so
            // that it can take the credit.
            let owed: Vec<AccountId32> = poor
                .iter()
                .filter(|a| books.credit(a) > 0)
                .cloned()
                .collect();
            let who = if !owed.is_empty() && rng.chance(70) {
                rng.pick(&owed)
            } else {
                rng.pick(&poor)
            };
            Some(Op::Revive { who, amount })
        }
        Kind::WithdrawCredit => {
            let owed: Vec<AccountId32> = world
                .people()
                .into_iter()
                .filter(|p| books.credit(p) > 0)
                .collect();
            if owed.is_empty() && rng.chance(85) {
                return None;
            }
            // Mostly an owner that can receive it now (alive again), so
            // that credits are taken as well as refused.
            let alive: Vec<AccountId32> = owed
                .iter()
                .filter(|p| books.free(p) >= EXISTENTIAL_DEPOSIT)
                .cloned()
                .collect();
            let who = if !alive.is_empty() && rng.chance(80) {
                rng.pick(&alive)
            } else if !owed.is_empty() && rng.chance(90) {
                rng.pick(&owed)
            } else {
                rng.pick(&world.people())
            };
            Some(Op::WithdrawCredit(who))
        }
    }
}

/// Random requirements by a consumer paying at most `max_price` and
/// committing to `min_duration`: mostly plain, sometimes with the newer
/// demands (Fixed pricing only, a repricing bound, a longest notice, a
/// shortest repricing notice, a highest cancel fee, preferences), now and
/// then contradictory.
fn draw_requirements(
    rng: &mut Rng,
    world: &World,
    max_price: u128,
    min_duration: u32,
) -> Requirements {
    let mut excluded = Vec::new();
    if rng.chance(15) {
        for p in &world.providers {
            if rng.chance(40) {
                excluded.push(ink_account(p));
            }
        }
    }
    let mut preferred = Vec::new();
    if rng.chance(10) {
        preferred.push(ink_account(&rng.pick(&world.providers)));
    }
    let preferred_only = !preferred.is_empty() && rng.chance(50);
    let max_rate = match rng.below(100) {
        0..=19 => Some(max_price + rng.below(10) as u128),
        20..=21 => Some(max_price.saturating_sub(1)),
        _ => None,
    };
    let max_notice_blocks = rng.chance(20).then(|| rng.pick(&[0u32, 3, 5, 6, 10, 30]));
    let min_reprice_notice = if rng.chance(15) {
        rng.pick(&[1u32, 3, 5, 10])
    } else {
        0
    };
    let max_cancel_fee = match rng.below(100) {
        0..=54 => 10_000,
        55..=74 => 0,
        _ => rng.pick(&[40u128, 50, 100, 300]),
    };
    Requirements {
        max_price_per_block: max_price,
        preferred_providers: preferred,
        preferred_only,
        excluded_providers: excluded,
        min_duration,
        fixed_price_only: rng.chance(15),
        max_rate,
        max_notice_blocks,
        min_reprice_notice,
        max_cancel_fee,
        ..Default::default()
    }
}

/// Who creates: a consumer, now and then a provider (which may get its own
/// offer: a self-subscription, which records no reputation).
fn draw_consumer(rng: &mut Rng, world: &World, books: &Books) -> Option<AccountId32> {
    let who = if rng.chance(8) {
        rng.pick(&world.providers)
    } else {
        rng.pick(&world.consumers)
    };
    (books.free(&who) >= FUNDED).then_some(who)
}

/// A deposit for requirements whose dearest fitting offer needs `floor`.
fn draw_deposit(rng: &mut Rng, floor: u128, max_price: u128) -> u128 {
    match rng.below(100) {
        0..=4 => 0,
        5..=19 => rng.range(1, (floor as u64 / 3).max(2)) as u128,
        20..=94 => floor + rng.below((max_price * 300) as u64) as u128,
        _ => rng.range(100_000, 2_000_000) as u128,
    }
}

/// A subscription request for the award to place: mostly one some offer
/// fits with a deposit that covers it, sometimes not.
fn draw_create(rng: &mut Rng, world: &World, books: &Books) -> Op {
    let max_price = rng.pick(&[1u128, 2, 3, 4, 5, 6, 7, 8, 10, 20]);
    let min_duration = rng.pick(&[0u32, 5, 10, 20, 50, 60, 200]);
    let requirements = draw_requirements(rng, world, max_price, min_duration);
    // Enough for any offer that fits these requirements.
    let floor = max_price * u128::from(min_duration.max(1));
    let deposit = draw_deposit(rng, floor, max_price);
    let type_id = if rng.chance(5) {
        world.empty_type
    } else {
        world.type_id
    };
    match draw_consumer(rng, world, books) {
        Some(consumer) => Op::Create {
            consumer,
            type_id,
            requirements,
            offer: None,
            deposit,
        },
        None => draw_create(rng, world, books),
    }
}

/// A request naming an offer: mostly with requirements tailored to it,
/// sometimes random ones (it may not fit: `Unfit`), now and then an offer
/// that does not exist or is full (a registry error).
fn draw_create_named(rng: &mut Rng, world: &World, books: &Books) -> Op {
    let Some(consumer) = draw_consumer(rng, world, books) else {
        return draw_create_named(rng, world, books);
    };
    if rng.chance(6) {
        let offer = world.offers.len() as u64 + rng.below(3);
        let requirements = draw_requirements(rng, world, 10, 100);
        return Op::Create {
            consumer,
            type_id: world.type_id,
            requirements,
            offer: Some(offer),
            deposit: rng.range(1, 5_000) as u128,
        };
    }
    let (offer_id, _, spec) = rng.pick(&world.offers);
    let requirements = if rng.chance(60) {
        let max_price = spec.price_per_block + rng.below(3) as u128;
        let min_duration = spec.min_duration + rng.pick(&[0u32, 0, 5, 100]);
        let mut r = draw_requirements(rng, world, max_price, min_duration);
        // Tailored: every newer demand the offer meets, most of the time.
        if rng.chance(85) {
            r.excluded_providers.clear();
            r.preferred_only = false;
            r.fixed_price_only &= !spec.dynamic;
            r.max_notice_blocks = r.max_notice_blocks.map(|n| n.max(spec.notice_blocks));
            if spec.dynamic {
                r.min_reprice_notice = r.min_reprice_notice.min(spec.notice_blocks);
            }
            r.max_cancel_fee = r.max_cancel_fee.max(spec.cancel_fee);
            r.max_rate = r.max_rate.map(|m| m.max(max_price));
        }
        r
    } else {
        let max_price = rng.pick(&[1u128, 2, 3, 5, 7, 10]);
        let min_duration = rng.pick(&[0u32, 5, 10, 20, 50, 200]);
        draw_requirements(rng, world, max_price, min_duration)
    };
    let floor = min_deposit(&spec);
    let deposit = match rng.below(100) {
        0..=3 => 0,
        4..=13 => rng.range(1, (floor as u64).max(2) - 1) as u128,
        14..=96 => floor + rng.below(spec.price_per_block as u64 * 300) as u128,
        _ => rng.range(100_000, 1_000_000) as u128,
    };
    let type_id = if rng.chance(4) {
        world.empty_type
    } else {
        world.type_id
    };
    Op::Create {
        consumer,
        type_id,
        requirements,
        offer: Some(offer_id),
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

/// A governance operation that never rewires the suite: the admin
/// schedules a new delay or a `Code` change to the contract's own code (now
/// and then to code nobody uploaded, which can never apply), anyone applies
/// a change (usually a due one), the admin withdraws one.
fn draw_governance(
    rng: &mut Rng,
    world: &World,
    view: &View,
    books: &Books,
    kind: Kind,
) -> Option<Op> {
    let contract = match rng.below(100) {
        0..=34 => Contract::Subscription,
        35..=54 => Contract::Registry,
        55..=74 => Contract::Escrow,
        _ => Contract::Award,
    };
    let gov = view.gov(contract);
    let pending_id = |rng: &mut Rng, due_first: bool| -> u32 {
        let due: Vec<u32> = gov
            .pending
            .iter()
            .filter(|c| c.eta <= view.now)
            .map(|c| c.id)
            .collect();
        let all: Vec<u32> = gov.pending.iter().map(|c| c.id).collect();
        if due_first && !due.is_empty() && rng.chance(85) {
            rng.pick(&due)
        } else if !all.is_empty() && rng.chance(92) {
            rng.pick(&all)
        } else {
            gov.next_id.saturating_sub(rng.below(3) as u32) + rng.below(2) as u32
        }
    };
    let action = match kind {
        Kind::Schedule => {
            let change = match rng.below(100) {
                0..=54 => Change::Code(CodeHash::from(world.code_hashes[contract.index()])),
                55..=59 => Change::Code(CodeHash::from([0xEE; 32])),
                60..=61 => Change::Delay(MAX_GOVERNANCE_DELAY + 1),
                _ if contract == Contract::Subscription => {
                    Change::Delay(rng.pick(&[5, 11, 20, 35, 50, 80]))
                }
                _ => Change::Delay(rng.pick(&[0, 5, 20, 35, 50, 80])),
            };
            GovAction::Schedule(change)
        }
        Kind::ApplyChange => {
            if gov.pending.is_empty() && rng.chance(85) {
                return None;
            }
            GovAction::Apply(pending_id(rng, true))
        }
        _ => {
            if gov.pending.is_empty() && rng.chance(85) {
                return None;
            }
            GovAction::Cancel(pending_id(rng, false))
        }
    };
    let actor = match action {
        GovAction::Apply(_) => anyone(rng, world, books),
        _ => usually(rng, world, books, kind, 90, world.admin.clone()),
    };
    Some(Op::Governance {
        actor,
        contract,
        action,
    })
}
