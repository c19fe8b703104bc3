//! Randomized lifecycles: hundreds of seeded random sequences of operations
//! (create, ready, top-up, cancel, exit, repricing, blocks passing, claims,
//! settle, reaward, admin close) by three consumers, three providers (Fixed
//! and Dynamic offers of various price, capacity, minimum duration and
//! notice), a stranger (keeper, sponsor) and the admin, against the deployed
//! suite. Many calls are refused (wrong caller, wrong phase, too early, no
//! provider fits, deposit below the minimum, …); that is expected. What must
//! hold after EVERY step:
//!
//! 1. no native balance appeared or vanished: Σ free + held over every
//!    account and the four contracts is unchanged, and every account's free
//!    balance is exactly what the test's own books say (what it sent, what it
//!    was paid or refunded, storage deposits);
//! 2. every closed subscription paid out exactly its deposits: create
//!    deposit + top-ups = claims + paid at close + refunded, on the escrow's
//!    figures (`details` when it closes, the stream record at every step)
//!    and on the test's books;
//! 3. the registry's reserved capacity of each offer is the number of live
//!    subscriptions on it (per the subscription records), Σ = `live_count`,
//!    and each provider's reserved count is the sum of its offers';
//! 4. the escrow's free balance is what the books say and at least its
//!    `total_held`, which is Σ (deposits − claims) of live subscriptions.
//!
//! Beyond conservation, the test models the money rules itself: a
//! subscription earns its rate per block from its ready block to its end,
//! never more than it holds (nothing after depletion); every claim takes
//! exactly that, every close pays it and refunds the rest, and the escrow's
//! `withdrawable` matches the model after every step. It also checks the
//! lifecycle rules the model leans on (ready block, end block of a cancel or
//! an exit, rates only changed by an announced price change or a new award,
//! Dynamic rates within the consumer's bound) and that a refused call wrote
//! nothing.
//!
//! Cheap enough to run on every change: the suite is deployed once per
//! thread and each sequence starts from a snapshot of the sandbox's storage;
//! blocks pass by setting the block number (the contracts only read it); the
//! per-step checks read the contracts' storage directly (root keys from the
//! bundles' metadata) instead of a contract call per figure, and every few
//! sequences that reading is cross-checked against the contracts' own
//! messages (`details`, `live_count`, `offer`, `total_held`).
//!
//! A failing sequence prints its operations and its seed; replay only it
//! with `SUBSCRIPTION_RANDOM_SEED=0x… cargo test --test subscription_random
//! -- --nocapture`. `SUBSCRIPTION_RANDOM_SEQUENCES=n` runs n sequences,
//! `SUBSCRIPTION_RANDOM_THREADS=n` on n threads (default: the CPUs, at most
//! 4); the seeds, not the threads, decide what each sequence does.
//!
//! This file holds the test itself: the seeds, the threads, and the loop of
//! one sequence (draw, run, read, check). The rest, by concern:
//! [`rng`] the PRNG and seeds, [`draw`] the operations and how they are
//! drawn, [`world`] the accounts and offers set up before the snapshot,
//! [`execute`] running an operation, [`storage`] reading the contracts'
//! storage, [`books`] the test's own books and model of earnings,
//! [`checks`] the invariants, [`report`] the counts and the summary.

mod books;
mod checks;
mod draw;
mod execute;
mod report;
mod rng;
mod storage;
mod world;

use books::Books;
use dinfra_e2e_tests::drink::sandbox_api::prelude::*;
use dinfra_e2e_tests::drink::session::Session;
use dinfra_e2e_tests::drink::Sandbox as _;
use dinfra_e2e_tests::*;
use draw::WEIGHTS;
use report::Tally;
use rng::{sequence_seed, Rng};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use world::World;

/// Sequences run by default, and the fewest operations in each.
const SEQUENCES: u64 = 200;
const MIN_OPS: u64 = 30;
/// Operations added at random to each sequence's minimum (0..EXTRA_OPS).
const EXTRA_OPS: u64 = 2;
/// Seed of the whole run; sequence `i` runs on `sequence_seed(BASE_SEED, i)`.
const BASE_SEED: u64 = 0xD1F7_A5EE_D000_0001;
/// Every this many sequences (and on the last), the storage reading is
/// cross-checked against the contracts' messages.
const CROSS_CHECK_EVERY: u64 = 25;
/// Most sandboxes (threads) the sequences are spread over.
const MAX_THREADS: usize = 4;

/// Runs the sequence seeded `seed` from the world as set up, checking every
/// step; logs each operation to `log` (printed if it fails) and cross-checks
/// the storage reading at the end if `cross`.
fn run_sequence(
    session: &mut Sandbox,
    world: &World,
    seed: u64,
    tally: &mut Tally,
    log: &mut Vec<String>,
    cross: bool,
) {
    let mut rng = Rng(seed);
    let mut books = Books::open(session, world);
    let mut view = storage::read_view(session, world);
    assert!(view.subs.is_empty() && view.total_held == 0);
    let ops = MIN_OPS + rng.below(EXTRA_OPS);
    for step in 0..ops {
        let op = draw::draw(&mut rng, world, &view);
        let kind = op.kind();
        let outcome = execute::execute(session, world, &op);
        let after = storage::read_view(session, world);
        log.push(format!(
            "step {step} @{}: {op:?} -> {}",
            view.now,
            match &outcome.error {
                None => "Ok".to_string(),
                Some(e) => format!("{e:?}"),
            }
        ));
        checks::check_step(session, world, &mut books, tally, &outcome, &view, &after);
        tally.count(kind, &outcome);
        view = after;
    }
    tally.max_subscriptions = tally.max_subscriptions.max(view.subs.len());
    if cross {
        storage::cross_check(session, world, &view);
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={value} is not a number")))
}

/// Runs the sequences `index ≡ worker (mod workers)` on its own sandbox:
/// deploys the suite once, then starts each sequence from a snapshot of it.
fn worker(
    session: &mut Sandbox,
    worker: usize,
    workers: usize,
    seeds: &[u64],
    failed: &AtomicBool,
) -> Tally {
    let world = World::new(session);
    session.sandbox().reset_events();
    let snapshot = session.sandbox().take_snapshot();
    let mut tally = Tally::default();
    for (index, seed) in seeds.iter().enumerate().skip(worker).step_by(workers) {
        if failed.load(Ordering::Relaxed) {
            break;
        }
        session.sandbox().restore_snapshot(snapshot.clone());
        let mut log = Vec::new();
        let cross = index as u64 % CROSS_CHECK_EVERY == 0 || index + 1 == seeds.len();
        let result = catch_unwind(AssertUnwindSafe(|| {
            run_sequence(session, &world, *seed, &mut tally, &mut log, cross)
        }));
        if let Err(panic) = result {
            failed.store(true, Ordering::Relaxed);
            eprintln!(
                "---- sequence {index} (seed {seed:#x}) failed at its last step; its operations:\n  {}",
                log.join("\n  ")
            );
            eprintln!(
                "---- replay it with SUBSCRIPTION_RANDOM_SEED={seed:#x} \
                 cargo test --test subscription_random -- --nocapture"
            );
            resume_unwind(panic);
        }
        tally.sequences += 1;
    }
    tally
}

#[drink::test]
fn random_sequences_conserve_money_and_capacity(mut session: Session) {
    let started = Instant::now();
    let seeds: Vec<u64> = match env_u64("SUBSCRIPTION_RANDOM_SEED") {
        Some(seed) => vec![seed],
        None => {
            let n = env_u64("SUBSCRIPTION_RANDOM_SEQUENCES").unwrap_or(SEQUENCES);
            (0..n).map(|i| sequence_seed(BASE_SEED, i)).collect()
        }
    };
    // Sequences are independent: spread them over a few sandboxes, one per
    // thread (each sequence's seed, not the thread, decides what it does).
    let workers = env_u64("SUBSCRIPTION_RANDOM_THREADS")
        .map(|n| n as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, MAX_THREADS)
        .min(seeds.len().max(1));
    let failed = AtomicBool::new(false);
    let mut tally = Tally::default();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..workers)
            .map(|w| {
                let (seeds, failed) = (&seeds, &failed);
                scope.spawn(move || worker(&mut Sandbox::default(), w, workers, seeds, failed))
            })
            .collect();
        tally.merge(worker(&mut session, 0, workers, &seeds, &failed));
        for handle in handles {
            match handle.join() {
                Ok(other) => tally.merge(other),
                Err(panic) => resume_unwind(panic),
            }
        }
    });

    tally.print(workers, started.elapsed());
    assert_eq!(tally.sequences, seeds.len() as u64);
    if seeds.len() as u64 >= SEQUENCES {
        for (kind, _) in WEIGHTS {
            assert!(
                tally.succeeded.get(&kind).copied().unwrap_or(0) > 0,
                "{kind:?} never succeeded: the draws miss it"
            );
        }
    }
}
