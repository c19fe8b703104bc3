//! The report: the Markdown tables printed and written to `bench.md`, the
//! same figures as `bench.json`, and the number formatting they share.

use std::fmt::Write as _;
use std::path::Path;

use dinfra_e2e_tests::MAX_CANDIDATES;
use drink::Weight;
use serde_json::{json, Value};

use crate::capacity::{
    Capacity, Fit, Limits, WasmSize, NODE_CODE_LIMIT, PARACHAIN_NORMAL_CLASS, TARGET_CODE_SIZE,
};
use crate::market::CONTRACTS;
use crate::measure::{Bench, Cost, Point};
use crate::yardstick;

/// `1234567` → `1,234,567`.
pub fn thousands(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// `cost` as a multiple of the yardstick's, by ref_time and by proof_size.
fn multiple(cost: &Cost, yardstick: &Cost) -> (f64, f64) {
    (
        cost.ref_time as f64 / yardstick.ref_time as f64,
        cost.proof_size as f64 / yardstick.proof_size as f64,
    )
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

/// One calls-per-block table, for the block `fit` picks.
fn capacity_table(
    w: &mut String,
    capacity: &[Capacity],
    fit: impl Fn(&Capacity) -> &Fit,
    unbounded_proof: bool,
) {
    let _ = writeln!(
        w,
        "| call | extrinsic ref_time | extrinsic proof_size | per block by ref_time | by proof_size | fit | binding |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---|");
    for c in capacity {
        let f = fit(c);
        let calls = if c.units > 1 {
            format!(
                "{} ({} subscriptions)",
                thousands(f.calls()),
                thousands(f.calls() * c.units)
            )
        } else {
            thousands(f.calls())
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.what,
            thousands(c.extrinsic.ref_time()),
            thousands(c.extrinsic.proof_size()),
            thousands(f.by_ref_time),
            if unbounded_proof {
                "no bound (max_block proof_size is u64::MAX)".to_string()
            } else {
                thousands(f.by_proof_size)
            },
            calls,
            f.binding()
        );
    }
}

pub fn markdown(
    bench: &Bench,
    limits: &Limits,
    capacity: &[Capacity],
    sizes: &[WasmSize],
    artifacts: &Path,
    yardstick: Cost,
) -> String {
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "# DINFRA benchmarks (drink sandbox)\n");
    let _ = writeln!(
        w,
        "Read from the runtime by `deploy/bench.sh` (`e2e-tests/src/bin/bench/`): \
         `gas_consumed` (ref_time in picoseconds, proof_size in bytes) and `storage_deposit` \
         of each call's result in the scenarios' runtime (`DinfraSandboxRuntime`: drink's \
         minimal pallet-contracts runtime with an existential deposit of 500, \
         `DepositPerByte` = `DepositPerItem` = 1, so a deposit is bytes + items stored; \
         positive: charged to the caller, negative: refunded). Committed calls are made by \
         the caller the message is meant for; queries are dry runs. The weight of a call \
         extrinsic adds pallet-contracts' `call` base ({} ref_time, {} proof_size) and the \
         extrinsic base ({} ref_time) to the figures below.\n",
        thousands(limits.call_base.ref_time()),
        thousands(limits.call_base.proof_size()),
        thousands(limits.base_extrinsic.ref_time()),
    );

    let _ = writeln!(w, "## The yardstick\n");
    let _ = writeln!(
        w,
        "A plain value-moving ink! message measured in the same runtime and run: `{}`, \
         Cardinal Cryptography's published PSP22 token built by drink with the same \
         toolchain (`fixtures/psp22-token`), between two accounts that already hold \
         tokens: {} ref_time, {} proof_size, storage deposit {}. The tables give every \
         DINFRA call also as a multiple of it (ref_time × / proof_size ×).\n",
        yardstick::WHAT,
        thousands(yardstick.ref_time),
        thousands(yardstick.proof_size),
        thousands(yardstick.deposit),
    );

    let _ = writeln!(w, "## Every message\n");
    let _ = writeln!(
        w,
        "\\* controller-only message, called by a plain account the registry, escrow and \
         award were wired to (a top-level call; through the subscription contract it is \
         part of `create`, `mark_ready`, `settle` …).\n"
    );
    let _ = writeln!(
        w,
        "| contract | message | caller | how | ref_time | proof_size | storage deposit | × PSP22 transfer |"
    );
    let _ = writeln!(w, "|---|---|---|---|---:|---:|---:|---:|");
    for (contract, _) in CONTRACTS {
        for row in bench.rows.iter().filter(|r| r.contract == contract) {
            let (by_ref_time, by_proof) = multiple(&row.cost, &yardstick);
            let _ = writeln!(
                w,
                "| {} | `{}` | {} | {} | {} | {} | {} | {:.1} / {:.1} |",
                row.contract,
                row.message,
                row.caller,
                row.how,
                thousands(row.cost.ref_time),
                thousands(row.cost.proof_size),
                thousands(row.cost.deposit),
                by_ref_time,
                by_proof,
            );
        }
    }

    let _ = writeln!(w, "\n## Scaling\n");
    let _ = writeln!(
        w,
        "Each group in a fresh sandbox: `create` (subscription → registry, whose own award \
         chooses and reserves in one call → escrow; naming the offer; and through the award \
         contract: subscription → award → registry candidates → registry → escrow) and `Award::select` \
         with N live offers of the type (award window {}); \
         `claim`, `settle` (money ran out exactly then) and the payee's `Escrow::withdraw` \
         after N blocks of billing (beyond 100 blocks the block number jumps); \
         page queries (10 entries) with N subscriptions of one consumer (and provider) \
         and `claim_many` of N subscriptions, then the same claims as the provider makes them: \
         `Escrow::withdraw_many` by the provider, the streams' payee, as the reactor, the \
         TypeScript client's `claim`/`claimMany` and the console send it (all in one sandbox).\n",
        MAX_CANDIDATES
    );
    let _ = writeln!(
        w,
        "| series | point | ref_time | proof_size | storage deposit | ref_time vs first | × PSP22 transfer |"
    );
    let _ = writeln!(w, "|---|---|---:|---:|---:|---:|---:|");
    let mut names: Vec<&str> = Vec::new();
    for point in &bench.series {
        if !names.contains(&point.series) {
            names.push(point.series);
        }
    }
    for name in names {
        let points: Vec<&Point> = bench.series.iter().filter(|p| p.series == name).collect();
        let base = points[0].cost.ref_time;
        for point in points {
            let change = (point.cost.ref_time as f64 - base as f64) / base as f64 * 100.0;
            let (by_ref_time, by_proof) = multiple(&point.cost, &yardstick);
            let _ = writeln!(
                w,
                "| `{}` | {} | {} | {} | {} | {:+.2}% | {:.1} / {:.1} |",
                point.series,
                point.label,
                thousands(point.cost.ref_time),
                thousands(point.cost.proof_size),
                thousands(point.cost.deposit),
                change,
                by_ref_time,
                by_proof,
            );
        }
    }
    for (series, what) in [
        ("claim_many", "subscription"),
        ("Escrow::withdraw_many", "stream"),
    ] {
        if let (Some(one), Some(fifty)) =
            (bench.find_point(series, 1), bench.find_point(series, 50))
        {
            let _ = writeln!(
                w,
                "\n`{series}`: each {what} past the first adds {} ref_time, {} proof_size.",
                thousands((fifty.cost.ref_time - one.cost.ref_time) / 49),
                thousands((fifty.cost.proof_size - one.cost.proof_size) / 49)
            );
        }
    }

    let _ = writeln!(w, "\n## Flat where the design says O(1) or O(limit)\n");
    let _ = writeln!(
        w,
        "| cost | small | large | ref_time diff | proof_size diff | bound | |"
    );
    let _ = writeln!(w, "|---|---|---|---:|---:|---:|---|");
    for check in &bench.checks {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {:.3}% | {:.3}% | {:.0}% | {} |",
            check.what,
            check.small,
            check.large,
            check.ref_diff * 100.0,
            check.proof_diff * 100.0,
            check.bound * 100.0,
            if check.passed() { "flat" } else { "**GREW**" }
        );
    }

    let _ = writeln!(w, "\n## Calls per block (sandbox runtime)\n");
    let _ = writeln!(
        w,
        "`frame_system::Config::BlockWeights` of `DinfraSandboxRuntime`: max_block {} \
         ref_time, {} proof_size; the normal class (every contract call) may fill \
         `max_total` = {} ref_time, {} proof_size (75% of the block). A call extrinsic \
         weighs the gas it consumed + pallet-contracts' `call` base + the extrinsic base, \
         and is admitted while the block's weight + its gas limit (`gas_required`) + those \
         bases stays within `max_total`: n calls fit when (n − 1) × weight + admitted ≤ \
         `max_total`, by ref_time and by proof_size; the smaller binds.\n",
        thousands(limits.max_block.ref_time()),
        thousands(limits.max_block.proof_size()),
        thousands(limits.normal_max_total.ref_time()),
        thousands(limits.normal_max_total.proof_size()),
    );
    let unbounded_proof = limits.max_block.proof_size() == u64::MAX;
    capacity_table(w, capacity, |c| &c.sandbox, unbounded_proof);

    let _ = writeln!(w, "\n## Calls per block (a parachain)\n");
    let _ = writeln!(
        w,
        "What a real chain allows: the normal class of a parachain block may fill 75% \
         of a 2 s block's ref_time and of a 5 MiB proof of validity = {} ref_time, {} \
         proof_size. Every call into a contract puts its whole code into the proof, so \
         here the proof size usually binds. Same extrinsic weights and admission rule \
         as above (the sandbox runtime's extrinsic and `call` bases).\n",
        thousands(PARACHAIN_NORMAL_CLASS.ref_time()),
        thousands(PARACHAIN_NORMAL_CLASS.proof_size()),
    );
    capacity_table(w, capacity, |c| &c.parachain, false);

    let _ = writeln!(w, "\n## Wasm size\n");
    let _ = writeln!(
        w,
        "Optimized Wasm (`cargo contract build --release`): `{}/dinfra_*.wasm` when \
         `deploy/build.sh` made them, and the bundle drink built and deployed here, against \
         substrate-contracts-node's {} limit and the sandbox runtime's `MaxCodeLen` ({}).\n",
        artifacts.display(),
        kib(NODE_CODE_LIMIT),
        kib(limits.max_code_len)
    );
    let _ = writeln!(
        w,
        "| contract | artifacts | drink bundle | of {} | of {} | ≤ {} |",
        kib(NODE_CODE_LIMIT),
        kib(limits.max_code_len),
        kib(TARGET_CODE_SIZE)
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---|");
    for size in sizes {
        let bytes = size.artifact.or(size.bundle).unwrap_or(0);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {:.1}% | {:.1}% | {} |",
            size.contract,
            size.artifact
                .map_or("not built".to_string(), |b| format!("{} ({})", kib(b), b)),
            size.bundle
                .map_or("unreadable".to_string(), |b| format!("{} ({})", kib(b), b)),
            bytes as f64 / NODE_CODE_LIMIT as f64 * 100.0,
            bytes as f64 / limits.max_code_len as f64 * 100.0,
            if bytes <= TARGET_CODE_SIZE {
                "yes"
            } else {
                "no"
            }
        );
    }
    md
}

fn json_weight(w: Weight) -> Value {
    json!({"ref_time": w.ref_time(), "proof_size": w.proof_size()})
}

/// `fields` with the cost's figures added: one flat object per row.
fn with_cost(fields: Value, cost: &Cost) -> Value {
    let mut object = match fields {
        Value::Object(object) => object,
        _ => unreachable!("fields are an object"),
    };
    let figures = json!({
        "ref_time": cost.ref_time,
        "proof_size": cost.proof_size,
        "required_ref_time": cost.required_ref_time,
        "required_proof_size": cost.required_proof_size,
        "storage_deposit": i64::try_from(cost.deposit).expect("a storage deposit fits an i64"),
    });
    if let Value::Object(figures) = figures {
        object.extend(figures);
    }
    Value::Object(object)
}

fn json_fit(fit: &Fit) -> Value {
    json!({
        "per_block_by_ref_time": fit.by_ref_time,
        "per_block_by_proof_size": fit.by_proof_size,
        "per_block": fit.calls(),
        "binding": fit.binding(),
    })
}

/// `bench.json`: the same figures as the Markdown, serialized by serde_json.
pub fn json(
    bench: &Bench,
    limits: &Limits,
    capacity: &[Capacity],
    sizes: &[WasmSize],
    seconds: f64,
    yardstick: Cost,
) -> String {
    let vs_yardstick = |cost: &Cost| {
        let (ref_time, proof_size) = multiple(cost, &yardstick);
        json!({"ref_time": ref_time, "proof_size": proof_size})
    };
    let report = json!({
        "runtime": {
            "name": "dinfra_e2e_tests::DinfraSandboxRuntime",
            "max_block": json_weight(limits.max_block),
            "normal_max_total": json_weight(limits.normal_max_total),
            "normal_max_extrinsic": json_weight(limits.normal_max_extrinsic),
            "base_extrinsic": json_weight(limits.base_extrinsic),
            "contracts_call_base": json_weight(limits.call_base),
            "max_code_len": limits.max_code_len,
            "node_code_limit": NODE_CODE_LIMIT,
        },
        "parachain_normal_class": json_weight(PARACHAIN_NORMAL_CLASS),
        "yardstick": with_cost(json!({"message": yardstick::WHAT}), &yardstick),
        "messages": bench.rows.iter().map(|row| with_cost(json!({
            "contract": row.contract,
            "message": row.message,
            "caller": row.caller,
            "how": row.how,
            "vs_yardstick": vs_yardstick(&row.cost),
        }), &row.cost)).collect::<Vec<_>>(),
        "series": bench.series.iter().map(|p| with_cost(json!({
            "series": p.series,
            "point": p.label,
            "n": p.n,
            "vs_yardstick": vs_yardstick(&p.cost),
        }), &p.cost)).collect::<Vec<_>>(),
        "flatness": bench.checks.iter().map(|c| json!({
            "what": c.what,
            "small": c.small,
            "large": c.large,
            "ref_time_diff": c.ref_diff,
            "proof_size_diff": c.proof_diff,
            "bound": c.bound,
            "flat": c.passed(),
        })).collect::<Vec<_>>(),
        "block_capacity": capacity.iter().map(|c| with_cost(json!({
            "call": c.what,
            "units_per_call": c.units,
            "extrinsic": json_weight(c.extrinsic),
            "sandbox": json_fit(&c.sandbox),
            "parachain": json_fit(&c.parachain),
        }), &c.per_call)).collect::<Vec<_>>(),
        "wasm": sizes.iter().map(|s| json!({
            "contract": s.contract,
            "artifact_bytes": s.artifact,
            "bundle_bytes": s.bundle,
        })).collect::<Vec<_>>(),
        "seconds": (seconds * 10.0).round() / 10.0,
    });
    let mut out = serde_json::to_string_pretty(&report).expect("the report serializes");
    out.push('\n');
    out
}

/// Writes `bench.md` and `bench.json` into `out` (created if need be).
pub fn write(out: &Path, md: &str, js: &str) {
    std::fs::create_dir_all(out).expect("creating the output directory");
    std::fs::write(out.join("bench.md"), md).expect("writing bench.md");
    std::fs::write(out.join("bench.json"), js).expect("writing bench.json");
}
