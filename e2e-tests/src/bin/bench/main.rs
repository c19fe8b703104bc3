//! Benchmarks of the DINFRA suite in the drink sandbox (the real
//! pallet-contracts runtime, in process): for every public message of the
//! four contracts the ref_time and proof_size it consumed and the storage
//! deposit its caller was charged; how the costs that must not grow scale;
//! how many `create` and `claim` calls fit in one block of the sandbox
//! runtime; and each contract's Wasm size against the code size limits.
//!
//! Every figure is read from the runtime: `gas_consumed` and
//! `storage_deposit` of each call's result, the runtime's `BlockWeights`,
//! `MaxCodeLen` and pallet-contracts' base weight of a `call` extrinsic.
//!
//! ```sh
//! cargo run --bin bench -- --out ../artifacts   # writes bench.md and bench.json
//! ```
//! (`deploy/bench.sh` runs it with the right target directory.)
//!
//! This file reads the arguments and runs the steps in order; the modules:
//! - `measure`: how one call is measured (gas, storage deposit, dry run)
//!   and the record of rows, series points and flatness checks;
//! - `market`: the fresh sandbox, contracts, accounts and unmeasured setup;
//! - `messages`: the per-message table;
//! - `series`: the scaling series and the flatness checks;
//! - `capacity`: the runtime's limits, calls per block and Wasm sizes;
//! - `yardstick`: a PSP22 `transfer`, the plain value-moving message every
//!   figure is also given as a multiple of;
//! - `report`: the Markdown and JSON written.

mod capacity;
mod market;
mod measure;
mod messages;
mod report;
mod series;
mod yardstick;

use std::path::PathBuf;
use std::time::Instant;

use measure::Bench;

fn main() {
    let mut out = PathBuf::from("../artifacts");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = PathBuf::from(args.next().expect("--out DIR")),
            "-h" | "--help" => {
                println!("usage: bench [--out DIR]   (writes DIR/bench.md and DIR/bench.json)");
                return;
            }
            other => panic!("unknown argument {other:?} (usage: bench [--out DIR])"),
        }
    }
    let started = Instant::now();
    let limits = capacity::limits();
    let mut bench = Bench::default();
    // The bundles drink built, read before anything else can rebuild them.
    let sizes = capacity::wasm_sizes(&out);

    let step = |what: &str| eprintln!("bench: {what} ({:.0} s)", started.elapsed().as_secs_f64());
    step("every message");
    messages::suite_messages(&mut bench, &limits);
    messages::controller_messages(&mut bench, &limits);
    step("create and select with 10, 100, 1,000 offers");
    for offers in [10, 100, 1_000] {
        series::with_offers(&mut bench, &limits, offers);
    }
    step("claim, settle and withdraw after 10, 1,000, 1,000,000 blocks");
    for blocks in [10, 1_000, 1_000_000] {
        series::after_blocks(&mut bench, &limits, blocks);
    }
    step("claim_many and page queries with 10 and 1,000 subscriptions");
    series::many_subscriptions(&mut bench, &limits);
    series::check_flatness(&mut bench);
    step("the yardstick: a PSP22 transfer");
    let yardstick = yardstick::psp22_transfer(&limits);

    let capacity = capacity::capacities(&bench, &limits, yardstick);
    let seconds = started.elapsed().as_secs_f64();
    let md = report::markdown(&bench, &limits, &capacity, &sizes, &out, yardstick);
    let js = report::json(&bench, &limits, &capacity, &sizes, seconds, yardstick);
    report::write(&out, &md, &js);
    println!("{md}");
    println!(
        "bench: wrote {} and {} in {seconds:.0} s",
        out.join("bench.md").display(),
        out.join("bench.json").display()
    );
    if bench.checks.iter().any(|c| !c.passed()) {
        eprintln!("bench: a cost that must stay flat grew (see the flatness table)");
        std::process::exit(1);
    }
}
