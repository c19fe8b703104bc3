//! The report: the Markdown tables printed and written to `bench.md`, the
//! same figures as `bench.json`, and the number formatting they share.

use std::fmt::Write as _;
use std::path::Path;

use dinfra_e2e_tests::MAX_CANDIDATES;
use drink::Weight;

use crate::capacity::{Capacity, Limits, WasmSize, NODE_CODE_LIMIT};
use crate::market::CONTRACTS;
use crate::measure::{Bench, Cost, Point};

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

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

pub fn markdown(
    bench: &Bench,
    limits: &Limits,
    capacity: &[Capacity],
    sizes: &[WasmSize],
    artifacts: &Path,
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

    let _ = writeln!(w, "## Every message\n");
    let _ = writeln!(
        w,
        "\\* controller-only message, called by a plain account the registry, escrow and \
         award were wired to (a top-level call; through the subscription contract it is \
         part of `create`, `mark_ready`, `settle` …).\n"
    );
    let _ = writeln!(
        w,
        "| contract | message | caller | how | ref_time | proof_size | storage deposit |"
    );
    let _ = writeln!(w, "|---|---|---|---|---:|---:|---:|");
    for (contract, _) in CONTRACTS {
        for row in bench.rows.iter().filter(|r| r.contract == contract) {
            let _ = writeln!(
                w,
                "| {} | `{}` | {} | {} | {} | {} | {} |",
                row.contract,
                row.message,
                row.caller,
                row.how,
                thousands(row.cost.ref_time),
                thousands(row.cost.proof_size),
                thousands(row.cost.deposit),
            );
        }
    }

    let _ = writeln!(w, "\n## Scaling\n");
    let _ = writeln!(
        w,
        "Each group in a fresh sandbox: `create` (subscription → award → registry → \
         escrow) and `Award::select` with N live offers of the type (award window {}); \
         `claim`, `settle` (money ran out exactly then) and the payee's `Escrow::withdraw` \
         after N blocks of billing (beyond 100 blocks the block number jumps); \
         page queries (10 entries) with N subscriptions of one consumer (and provider) \
         and `claim_many` of N subscriptions (these two in one sandbox).\n",
        MAX_CANDIDATES
    );
    let _ = writeln!(
        w,
        "| series | point | ref_time | proof_size | storage deposit | ref_time vs first |"
    );
    let _ = writeln!(w, "|---|---|---:|---:|---:|---:|");
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
            let _ = writeln!(
                w,
                "| `{}` | {} | {} | {} | {} | {:+.2}% |",
                point.series,
                point.label,
                thousands(point.cost.ref_time),
                thousands(point.cost.proof_size),
                thousands(point.cost.deposit),
                change
            );
        }
    }
    if let (Some(one), Some(fifty)) = (
        bench.find_point("claim_many", 1),
        bench.find_point("claim_many", 50),
    ) {
        let _ = writeln!(
            w,
            "\n`claim_many`: each subscription past the first adds {} ref_time, {} proof_size.",
            thousands((fifty.cost.ref_time - one.cost.ref_time) / 49),
            thousands((fifty.cost.proof_size - one.cost.proof_size) / 49)
        );
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
    let _ = writeln!(
        w,
        "| call | extrinsic ref_time | extrinsic proof_size | per block by ref_time | by proof_size | fit | binding |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---|");
    for c in capacity {
        let fit = if c.units > 1 {
            format!(
                "{} ({} subscriptions)",
                thousands(c.calls()),
                thousands(c.calls() * c.units)
            )
        } else {
            thousands(c.calls())
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.what,
            thousands(c.extrinsic.ref_time()),
            thousands(c.extrinsic.proof_size()),
            thousands(c.by_ref_time),
            if limits.max_block.proof_size() == u64::MAX {
                "no bound (max_block proof_size is u64::MAX)".to_string()
            } else {
                thousands(c.by_proof_size)
            },
            fit,
            c.binding()
        );
    }

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
        "| contract | artifacts | drink bundle | of {} | of {} |",
        kib(NODE_CODE_LIMIT),
        kib(limits.max_code_len)
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|");
    for size in sizes {
        let bytes = size.artifact.or(size.bundle).unwrap_or(0);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {:.1}% | {:.1}% |",
            size.contract,
            size.artifact
                .map_or("not built".to_string(), |b| format!("{} ({})", kib(b), b)),
            size.bundle
                .map_or("unreadable".to_string(), |b| format!("{} ({})", kib(b), b)),
            bytes as f64 / NODE_CODE_LIMIT as f64 * 100.0,
            bytes as f64 / limits.max_code_len as f64 * 100.0
        );
    }
    md
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_cost(cost: &Cost) -> String {
    format!(
        "\"ref_time\": {}, \"proof_size\": {}, \"required_ref_time\": {}, \
         \"required_proof_size\": {}, \"storage_deposit\": {}",
        cost.ref_time,
        cost.proof_size,
        cost.required_ref_time,
        cost.required_proof_size,
        cost.deposit
    )
}

fn json_weight(w: Weight) -> String {
    format!(
        "{{\"ref_time\": {}, \"proof_size\": {}}}",
        w.ref_time(),
        w.proof_size()
    )
}

fn json_optional(value: Option<u64>) -> String {
    value.map_or("null".to_string(), |v| v.to_string())
}

/// A member `name` of the top-level object: an array of `items`, one a line.
fn json_array(out: &mut String, name: &str, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.map(|item| format!("    {item}")).collect();
    let _ = writeln!(out, "  \"{name}\": [\n{}\n  ],", items.join(",\n"));
}

pub fn json(
    bench: &Bench,
    limits: &Limits,
    capacity: &[Capacity],
    sizes: &[WasmSize],
    seconds: f64,
) -> String {
    let mut out = String::from("{\n");
    let _ = writeln!(
        out,
        "  \"runtime\": {{\"name\": \"dinfra_e2e_tests::DinfraSandboxRuntime\", \
         \"max_block\": {}, \"normal_max_total\": {}, \"normal_max_extrinsic\": {}, \
         \"base_extrinsic\": {}, \"contracts_call_base\": {}, \"max_code_len\": {}, \
         \"node_code_limit\": {}}},",
        json_weight(limits.max_block),
        json_weight(limits.normal_max_total),
        json_weight(limits.normal_max_extrinsic),
        json_weight(limits.base_extrinsic),
        json_weight(limits.call_base),
        limits.max_code_len,
        NODE_CODE_LIMIT
    );
    json_array(
        &mut out,
        "messages",
        bench.rows.iter().map(|row| {
            format!(
                "{{\"contract\": {}, \"message\": {}, \"caller\": {}, \"how\": {}, {}}}",
                json_string(row.contract),
                json_string(&row.message),
                json_string(row.caller),
                json_string(row.how),
                json_cost(&row.cost)
            )
        }),
    );
    json_array(
        &mut out,
        "series",
        bench.series.iter().map(|p| {
            format!(
                "{{\"series\": {}, \"point\": {}, \"n\": {}, {}}}",
                json_string(p.series),
                json_string(&p.label),
                p.n,
                json_cost(&p.cost)
            )
        }),
    );
    json_array(
        &mut out,
        "flatness",
        bench.checks.iter().map(|c| {
            format!(
                "{{\"what\": {}, \"small\": {}, \"large\": {}, \"ref_time_diff\": {:.6}, \
                 \"proof_size_diff\": {:.6}, \"bound\": {}, \"flat\": {}}}",
                json_string(c.what),
                json_string(&c.small),
                json_string(&c.large),
                c.ref_diff,
                c.proof_diff,
                c.bound,
                c.passed()
            )
        }),
    );
    json_array(
        &mut out,
        "block_capacity",
        capacity.iter().map(|c| {
            format!(
                "{{\"call\": {}, \"units_per_call\": {}, {}, \"extrinsic\": {}, \
                 \"per_block_by_ref_time\": {}, \"per_block_by_proof_size\": {}, \
                 \"per_block\": {}, \"binding\": {}}}",
                json_string(&c.what),
                c.units,
                json_cost(&c.per_call),
                json_weight(c.extrinsic),
                c.by_ref_time,
                c.by_proof_size,
                c.calls(),
                json_string(c.binding())
            )
        }),
    );
    json_array(
        &mut out,
        "wasm",
        sizes.iter().map(|s| {
            format!(
                "{{\"contract\": {}, \"artifact_bytes\": {}, \"bundle_bytes\": {}}}",
                json_string(s.contract),
                json_optional(s.artifact),
                json_optional(s.bundle)
            )
        }),
    );
    let _ = writeln!(out, "  \"seconds\": {seconds:.1}");
    out.push_str("}\n");
    out
}

/// Writes `bench.md` and `bench.json` into `out` (created if need be).
pub fn write(out: &Path, md: &str, js: &str) {
    std::fs::create_dir_all(out).expect("creating the output directory");
    std::fs::write(out.join("bench.md"), md).expect("writing bench.md");
    std::fs::write(out.join("bench.json"), js).expect("writing bench.json");
}
