//! The reactor against a scripted chain and real processes.

mod common;

use common::*;
use dinfra_reactor::config::{DriverKind, HealthKind, TypeConfig};
use dinfra_reactor::{CloseReason, Phase};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(30);

fn is_running(reactor: &TestReactor, id: u64) -> bool {
    phase(reactor, id) == Phase::Running
}

/// Awards subscription `id` (type 1) and steps until it is marked ready.
fn deploy(h: &Harness, reactor: &mut TestReactor, id: u64) -> Vec<String> {
    let descriptor = h.descriptor(&format!("descriptor-{id}.json"), DOC);
    h.chain.award(id, ME, 1, descriptor, 1000);
    step_until(reactor, LONG, |r| is_running(r, id))
}

#[test]
fn an_award_deploys_a_listening_process_and_marks_it_ready_publishing_its_access() {
    let published = TypeConfig {
        access: vec![
            "http://{host}:{port}/".into(),
            "tcp://{host}:{port}#{id}".into(),
        ],
        ..http_server_type()
    };
    let mut h = Harness::new("deploy", 21000, &[("http", published)]);
    h.config.public_host = Some("node-7.provider.example".into());
    let mut reactor = h.reactor();
    h.chain.advance(1);
    let log = deploy(&h, &mut reactor, 7);

    let process = handle(&reactor, 7);
    assert!(alive(pid(&process)));
    let port = process.port.expect("a port");
    assert!((21000..=21009).contains(&port));
    assert!(listening(port), "it serves on its port");
    assert_eq!(h.chain.mark_ready_calls(), [Call::MarkReady(7, 2)]);
    assert_eq!(
        h.chain.0.borrow().access[&7],
        [
            format!("http://node-7.provider.example:{port}/"),
            format!("tcp://node-7.provider.example:{port}#7")
        ]
    );
    assert_eq!(h.chain.view(7).ready_at, Some(2));
    assert_eq!(groups_in(&h.work_dir(7)).len(), 1, "one deployment");
    assert!(h.config.log_dir.join("7.log").exists());
    assert!(
        log.iter()
            .any(|l| l.starts_with(&format!("[block 2] subscription 7 is healthy: marked ready; access http://node-7.provider.example:{port}/, tcp://"))),
        "{log:?}"
    );
    // The fetched descriptor is there for the deployment.
    assert_eq!(
        std::fs::read_to_string(h.config.work_dir.join("7.descriptor.json")).unwrap(),
        DOC
    );

    // Steps later send nothing more.
    h.chain.advance(1);
    step(&mut reactor);
    step(&mut reactor);
    assert_eq!(h.chain.mark_ready_calls().len(), 1);
    assert_eq!(reactor.state().subscriptions[&7].ready_at, Some(2));
}

#[test]
fn a_cancel_tears_the_deployment_down_at_the_end_block_and_not_before() {
    let h = Harness::new("cancel", 21010, &[("http", http_server_type())]);
    let mut reactor = h.reactor();
    deploy(&h, &mut reactor, 1);
    let process = handle(&reactor, 1);

    h.chain.advance(2);
    let end = h.chain.cancel(1).unwrap(); // consumer notice: 5 blocks
    assert_eq!(end, h.chain.block() + 5);
    while h.chain.block() < end {
        let log = step(&mut reactor);
        assert!(
            alive(pid(&process)),
            "still up at block {} (end {end}): {log:?}",
            h.chain.block()
        );
        assert!(listening(process.port.unwrap()));
        h.chain.advance(1);
    }
    let log = step(&mut reactor);
    assert!(!alive(pid(&process)), "down at the end block {end}");
    assert!(
        processes_in(&h.work_dir(1)).is_empty(),
        "nothing of it left"
    );
    assert!(matches!(phase(&reactor, 1), Phase::Stopped { .. }));
    assert!(reactor.state().subscriptions[&1].handle.is_none());
    assert_eq!(
        h.chain.claim_blocks(1),
        [end],
        "claimed at the end, before stopping"
    );
    assert!(
        log.iter()
            .any(|l| l.contains(&format!("stopped: ended at block {end}"))),
        "{log:?}"
    );
}

/// Before the decline existed the award was left to time out (a missed
/// deadline on the provider's record); now it is declined at once.
#[test]
fn a_descriptor_hash_mismatch_is_refused_declined_and_nothing_is_started() {
    let marker_command = TypeConfig {
        command: "touch {dir}/../started; sleep 30".into(),
        health: HealthKind::None,
        ..http_server_type()
    };
    let h = Harness::new("mismatch", 21020, &[("touch", marker_command)]);
    let mut reactor = h.reactor();
    let mut descriptor = h.descriptor("descriptor.json", DOC);
    let document_hash = descriptor.hash;
    descriptor.hash[0] ^= 0xff; // what the chain records differs from the document
    h.chain.award(3, ME, 1, descriptor.clone(), 100);

    let mut log = step(&mut reactor);
    for _ in 0..3 {
        h.chain.advance(1);
        log.extend(step(&mut reactor));
    }
    let line = format!(
        "[block 1] refused subscription 3: descriptor hash mismatch (chain {}, fetched {})",
        dinfra_reactor::chain::hex(&descriptor.hash),
        dinfra_reactor::chain::hex(&document_hash)
    );
    assert!(log.contains(&line), "{line}\nnot in {log:#?}");
    assert!(
        log.iter()
            .any(|l| l.starts_with("[block 1] declined subscription 3: descriptor hash mismatch")),
        "{log:#?}"
    );
    assert!(matches!(phase(&reactor, 3), Phase::Refused { .. }));
    assert_eq!(
        h.chain.calls(),
        [Call::Decline(3, 1)],
        "one decline in the award's block, nothing else"
    );
    assert!(h.chain.view(3).closed, "nobody else: closed, Declined");
    assert!(reactor.state().subscriptions[&3].decline_sent);
    assert!(
        !h.config.work_dir.join("started").exists(),
        "nothing started"
    );
    assert!(processes_in(&h.root).is_empty());
    assert!(reactor.state().subscriptions[&3].handle.is_none());
}

/// Refused and, since the decline, declined (they were left to time out).
#[test]
fn unsupported_uris_unknown_types_and_invalid_descriptors_are_refused_and_declined() {
    let h = Harness::new("refuse", 21030, &[("http", http_server_type())]);
    let mut reactor = h.reactor();
    let mut ftp = h.descriptor("d.json", DOC);
    ftp.uri = "ftp://example.org/d.json".into();
    h.chain.award(1, ME, 1, ftp, 100);
    h.chain.set_type(9, "gpu", [9; 32]);
    h.chain.award(2, ME, 9, h.descriptor("d2.json", DOC), 100);
    h.chain.award(3, ME, 42, h.descriptor("d3.json", DOC), 100);
    // A namesake: "http" registered again, with a schema of its own.
    h.chain.set_type(5, "http", [5; 32]);
    h.chain.award(4, ME, 5, h.descriptor("d4.json", DOC), 100);
    // A descriptor the type's schema refuses: no limits, a host path.
    let invalid = r#"{"image":"localhost/x","volumes":[{"name":"etc","mount_path":"/etc","host_path":"/etc","size_mib":1}]}"#;
    h.chain
        .award(5, ME, 1, h.descriptor("d5.json", invalid), 100);
    // URIs into the provider's own network (its SSH port, its cloud's
    // metadata service): refused before any connection.
    let mut inside = h.descriptor("d6.json", DOC);
    inside.uri = "http://127.0.0.1:22/".into();
    h.chain.award(6, ME, 1, inside, 100);
    let mut metadata = h.descriptor("d7.json", DOC);
    metadata.uri = "http://169.254.169.254/latest/meta-data/".into();
    h.chain.award(7, ME, 1, metadata, 100);
    let log = step(&mut reactor);
    let refused = |id: u64, why: &str| {
        assert!(
            log.iter()
                .any(|l| l.contains(&format!("refused subscription {id}: ")) && l.contains(why)),
            "{id}: {why} not in {log:#?}"
        );
        assert!(matches!(phase(&reactor, id), Phase::Refused { .. }));
    };
    refused(
        1,
        "descriptor URI scheme \"ftp\" is not one this provider fetches (https, http, ipfs, file)",
    );
    refused(2, "no driver configured for type \"gpu\"");
    refused(3, "type 42 is not registered");
    refused(
        4,
        "type 5 (\"http\") is registered with schema 0x0505050505050505050505050505050505050505050505050505050505050505, not the 0x",
    );
    refused(
        5,
        "its descriptor is not a valid http: invalid at /: \"resources\" is a required property; \
         at /volumes/0: Additional properties are not allowed ('host_path' was unexpected)",
    );
    refused(
        6,
        "http://127.0.0.1:22/: 127.0.0.1 resolves only to non-public addresses (127.0.0.1)",
    );
    refused(
        7,
        "169.254.169.254 resolves only to non-public addresses (169.254.169.254)",
    );
    assert_eq!(
        h.chain.calls(),
        (1..=7).map(|id| Call::Decline(id, 1)).collect::<Vec<_>>()
    );
    h.chain.advance(1);
    step(&mut reactor);
    assert_eq!(h.chain.calls().len(), 7, "nothing sent again");
    assert!(processes_in(&h.root).is_empty());
}

#[test]
fn another_providers_events_are_ignored() {
    let h = Harness::new("others", 21040, &[("http", http_server_type())]);
    let mut reactor = h.reactor();
    h.chain.award(5, OTHER, 1, h.descriptor("d.json", DOC), 100);
    h.chain.advance(1);
    step(&mut reactor);
    h.chain.close(5, CloseReason::ConsumerCancelled);
    h.chain.advance(1);
    step(&mut reactor);
    assert!(reactor.state().subscriptions.is_empty());
    assert!(h.chain.calls().is_empty());
    assert!(processes_in(&h.root).is_empty());
    assert_eq!(
        reactor.state().next_block,
        3,
        "read up to the current block, read again next"
    );
}

/// Ended in an `exit` before the decline existed (closing the subscription
/// and marking the provider ExitedEarly); now the award is declined and
/// goes on to another provider.
#[test]
fn a_crash_loop_before_ready_ends_in_exactly_one_decline_after_max_restarts() {
    let crashing = TypeConfig {
        schema: catalogue_schema("container"),
        driver: DriverKind::Process,
        command: "echo start >> {dir}/starts; exit 3".into(),
        health: HealthKind::Tcp,
        health_timeout_secs: 20,
        max_restarts: 2,
        access: Vec::new(),
    };
    // Tcp health needs {port}: give it one it never listens on.
    let crashing = TypeConfig {
        command: format!("{} # {{port}}", crashing.command),
        ..crashing
    };
    let h = Harness::new("crash", 21050, &[("crash", crashing)]);
    h.chain.0.borrow_mut().hand_on_to = Some(OTHER);
    let mut reactor = h.reactor();
    h.chain.award(4, ME, 1, h.descriptor("d.json", DOC), 1000);
    let log = step_until(&mut reactor, LONG, |r| {
        r.state().subscriptions[&4].decline_sent
    });
    for _ in 0..3 {
        h.chain.advance(1);
        step(&mut reactor); // reads AwardDeclined and the Awarded to OTHER
    }

    assert_eq!(h.chain.decline_calls().len(), 1, "exactly one decline");
    assert!(h.chain.exit_calls().is_empty(), "no exit");
    assert!(h.chain.mark_ready_calls().is_empty());
    let starts = std::fs::read_to_string(h.work_dir(4).join("starts")).unwrap();
    assert_eq!(starts.lines().count(), 3, "the first start and 2 restarts");
    assert!(
        matches!(phase(&reactor, 4), Phase::Failed { ref why } if why.contains("gave up after 2 restarts"))
    );
    assert!(
        log.iter().any(
            |l| l.contains("declined subscription 4: process exited during start-up")
                && l.contains("gave up after 2 restarts")
        ),
        "{log:#?}"
    );
    let view = h.chain.view(4);
    assert_eq!(view.provider, OTHER, "handed on");
    assert!(!view.closed);
    assert!(processes_in(&h.root).is_empty());

    // Read again from the start, nothing is sent or started again.
    drop(reactor);
    let mut state = dinfra_reactor::State::load(&h.config.state_file, 0).unwrap();
    state.next_block = 0;
    state.save(&h.config.state_file).unwrap();
    let mut reactor = h.reactor();
    step(&mut reactor);
    step(&mut reactor);
    assert_eq!(h.chain.calls().len(), 1);
    assert!(processes_in(&h.root).is_empty());
}

#[test]
fn a_crash_loop_after_ready_ends_in_one_exit_with_notice_and_a_claim_at_the_end() {
    // Healthy the first time; every restart crashes at once.
    let flaky = TypeConfig {
        command: format!(
            "if [ -e starts ]; then echo crash >> starts; exit 3; fi; echo start >> starts; \
             exec {} -m http.server {{port}} --bind 127.0.0.1",
            python()
        ),
        ..http_server_type()
    };
    let h = Harness::new("flaky", 21190, &[("flaky", flaky)]);
    let mut reactor = h.reactor();
    deploy(&h, &mut reactor, 1);
    let ready = h.chain.view(1).ready_at.unwrap();
    let process = handle(&reactor, 1);
    h.chain.advance(2);
    step(&mut reactor);
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe { libc::kill(-(pid(&process) as i32), libc::SIGKILL) };
    step_until_dead(pid(&process));
    let exit_at = h.chain.block();
    let log = step_until(&mut reactor, LONG, |r| {
        r.state().subscriptions[&1].exit_sent
    });
    assert!(
        log.iter().any(
            |l| l.contains("exited subscription 1: ") && l.contains("gave up after 2 restarts")
        ),
        "{log:#?}"
    );
    assert_eq!(h.chain.exit_calls(), [Call::Exit(1, exit_at)]);
    assert!(h.chain.decline_calls().is_empty(), "no decline after ready");
    let end = h.chain.view(1).end.expect("ends after the notice");
    assert_eq!(end, exit_at + 3);
    while h.chain.block() < end {
        h.chain.advance(1);
        step(&mut reactor);
    }
    assert_eq!(h.chain.claim_blocks(1), [end], "paid to the end");
    let paid: u128 = h
        .chain
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            Call::Claim(_, _, amount) => amount.ok(),
            _ => None,
        })
        .sum();
    assert_eq!(paid, RATE * u128::from(end - ready));
    assert!(processes_in(&h.root).is_empty());
    assert_eq!(h.chain.exit_calls().len(), 1);
}

/// Exited before the decline existed; now declined.
#[test]
fn a_deployment_that_never_gets_healthy_is_restarted_then_declined() {
    let silent = TypeConfig {
        schema: catalogue_schema("container"),
        driver: DriverKind::Process,
        command: "echo start >> {dir}/starts; exec sleep 60 # {port}".into(),
        health: HealthKind::Tcp,
        health_timeout_secs: 1,
        max_restarts: 1,
        access: Vec::new(),
    };
    let h = Harness::new("unhealthy", 21060, &[("silent", silent)]);
    let mut reactor = h.reactor();
    h.chain.award(2, ME, 1, h.descriptor("d.json", DOC), 1000);
    let log = step_until(&mut reactor, LONG, |r| {
        r.state().subscriptions[&2].decline_sent
    });
    assert_eq!(h.chain.decline_calls(), [Call::Decline(2, 1)]);
    assert!(h.chain.exit_calls().is_empty());
    assert!(h.chain.view(2).closed, "nobody else: closed, Declined");
    assert_eq!(
        std::fs::read_to_string(h.work_dir(2).join("starts"))
            .unwrap()
            .lines()
            .count(),
        2
    );
    assert!(
        log.iter().any(|l| l.contains("not healthy after 1 s")),
        "{log:#?}"
    );
    assert!(processes_in(&h.root).is_empty(), "the sleeps were stopped");
}

#[test]
fn a_crashed_running_deployment_is_restarted_on_its_port() {
    let h = Harness::new("rerun", 21070, &[("http", http_server_type())]);
    let mut reactor = h.reactor();
    deploy(&h, &mut reactor, 1);
    let first = handle(&reactor, 1);
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe { libc::kill(pid(&first) as i32, libc::SIGKILL) };
    let log = step_until(&mut reactor, LONG, |r| {
        r.state().subscriptions[&1]
            .handle
            .as_ref()
            .is_some_and(|h| pid(&h) != pid(&first))
    });
    assert!(
        log.iter()
            .any(|l| l.contains("restarting subscription 1 (1/2): process exited")),
        "{log:#?}"
    );
    let second = handle(&reactor, 1);
    assert_eq!(second.port, first.port);
    step_until(&mut reactor, LONG, |_| listening(second.port.unwrap()));
    assert!(is_running(&reactor, 1));
    assert_eq!(h.chain.mark_ready_calls().len(), 1, "not marked again");
    assert!(h.chain.exit_calls().is_empty());
    assert_eq!(groups_in(&h.work_dir(1)).len(), 1);
}

#[test]
fn closed_revoked_or_declined_elsewhere_stops_at_once() {
    let h = Harness::new("closed", 21080, &[("http", http_server_type())]);
    let mut reactor = h.reactor();
    deploy(&h, &mut reactor, 1);
    let ready = handle(&reactor, 1);
    h.chain.advance(1);
    h.chain.close(1, CloseReason::FundsExhausted);
    step(&mut reactor);
    assert!(!alive(pid(&ready)), "stopped on Closed");
    assert!(
        matches!(phase(&reactor, 1), Phase::Stopped { ref why } if why.contains("FundsExhausted"))
    );
    assert!(
        h.chain.claim_blocks(1).is_empty(),
        "close pays out; no claim"
    );

    // Revoked while still starting (a deployment that never listens).
    let slow = TypeConfig {
        command: "exec sleep 60 # {port}".into(),
        ..http_server_type()
    };
    let h2 = Harness::new("revoked", 21090, &[("slow", slow)]);
    let mut reactor = h2.reactor();
    h2.chain.award(2, ME, 1, h2.descriptor("d.json", DOC), 1000);
    step(&mut reactor);
    let starting = handle(&reactor, 2);
    assert_eq!(phase(&reactor, 2), Phase::Starting);
    h2.chain.advance(1);
    h2.chain.revoke(2);
    step(&mut reactor);
    assert!(!alive(pid(&starting)), "stopped on AwardRevoked");
    assert!(h2.chain.calls().is_empty());

    // Declined by someone else with the provider's key while it starts.
    h2.chain
        .award(3, ME, 1, h2.descriptor("d3.json", DOC), 1000);
    step(&mut reactor);
    let starting = handle(&reactor, 3);
    h2.chain.advance(1);
    h2.chain.declined_elsewhere(3);
    let log = step(&mut reactor);
    assert!(!alive(pid(&starting)), "stopped on AwardDeclined");
    assert!(
        matches!(phase(&reactor, 3), Phase::Stopped { ref why } if why.contains("award declined at block")),
        "{log:#?}"
    );
    assert!(h2.chain.calls().is_empty(), "nothing sent");
}

#[test]
fn claims_come_on_the_period_and_before_the_end() {
    let mut h = Harness::new("claims", 21100, &[("http", http_server_type())]);
    h.config.claim_period = 10;
    h.config.claim_margin = 3;
    let mut reactor = h.reactor();
    deploy(&h, &mut reactor, 1);
    let ready = h.chain.view(1).ready_at.unwrap();

    for _ in 0..25 {
        h.chain.advance(1);
        step(&mut reactor);
    }
    assert_eq!(h.chain.claim_blocks(1), [ready + 10, ready + 20]);
    let end = h.chain.cancel(1).unwrap(); // 5 blocks of notice
    for _ in 0..8 {
        h.chain.advance(1);
        step(&mut reactor);
    }
    assert_eq!(
        h.chain.claim_blocks(1),
        [ready + 10, ready + 20, end - 3, end],
        "on the period, then within the margin of the end, then at it"
    );
    let amounts: Vec<_> = h
        .chain
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            Call::Claim(_, _, amount) => Some(amount.unwrap()),
            _ => None,
        })
        .collect();
    assert_eq!(
        amounts.iter().sum::<u128>(),
        RATE * u128::from(end - ready),
        "every block paid once"
    );
    assert!(matches!(phase(&reactor, 1), Phase::Stopped { .. }));
}

#[test]
fn a_restarted_reactor_adopts_its_process_and_sends_nothing_twice() {
    let h = Harness::new("restart", 21110, &[("http", http_server_type())]);
    let mut reactor = h.reactor();
    deploy(&h, &mut reactor, 1);
    let process = handle(&reactor, 1);
    let calls = h.chain.calls();
    drop(reactor); // as if killed: its deployment runs on

    h.chain.advance(2);
    let mut reactor = h.reactor();
    let log = step(&mut reactor);
    assert!(
        log.iter()
            .any(|l| l.contains(&format!("subscription 1: adopted pid {}", pid(&process)))),
        "{log:#?}"
    );
    step(&mut reactor);
    assert_eq!(handle(&reactor, 1), process, "the same process");
    assert!(alive(pid(&process)));
    assert_eq!(
        groups_in(&h.work_dir(1)),
        [pid(&process)].into(),
        "exactly one process group"
    );
    assert_eq!(h.chain.calls(), calls, "nothing sent again");

    // Replaying every event from the start changes nothing either.
    drop(reactor);
    let mut state = dinfra_reactor::State::load(&h.config.state_file, 0).unwrap();
    state.next_block = 0;
    state.save(&h.config.state_file).unwrap();
    let mut reactor = h.reactor();
    step(&mut reactor);
    assert_eq!(groups_in(&h.work_dir(1)), [pid(&process)].into());
    assert_eq!(h.chain.calls(), calls);

    // It still tears it down at the end.
    let end = h.chain.cancel(1).unwrap();
    while h.chain.block() < end {
        h.chain.advance(1);
        step(&mut reactor);
    }
    assert!(!alive(pid(&process)));
    assert!(processes_in(&h.root).is_empty());
    assert_eq!(h.chain.mark_ready_calls().len(), 1);
}

#[test]
fn a_save_lost_after_mark_ready_does_not_mark_twice() {
    // The server waits for a gate file, so the first step surely sees it
    // Starting (python can listen within one step on a fast machine).
    let gated = TypeConfig {
        command: format!(
            "while [ ! -e {{dir}}/../go ]; do sleep 0.05; done; exec {} -m http.server {{port}} --bind 127.0.0.1",
            common::python()
        ),
        ..http_server_type()
    };
    let h = Harness::new("lost-save", 21120, &[("http", gated)]);
    let mut reactor = h.reactor();
    h.chain.award(1, ME, 1, h.descriptor("d.json", DOC), 1000);
    step(&mut reactor); // started, not healthy yet
    assert_eq!(phase(&reactor, 1), Phase::Starting);
    let before_ready = std::fs::read(&h.config.state_file).unwrap();
    std::fs::write(h.work_dir(1).join("../go"), b"").unwrap();
    step_until(&mut reactor, LONG, |r| is_running(r, 1));
    let process = handle(&reactor, 1);
    drop(reactor);
    // Killed after mark_ready but before its state reached the disk; and
    // (to check the chain's view alone protects it) no events re-read.
    std::fs::write(&h.config.state_file, before_ready).unwrap();
    h.chain.advance(1);
    let mut state = dinfra_reactor::State::load(&h.config.state_file, 0).unwrap();
    state.next_block = h.chain.block() + 1;
    state.save(&h.config.state_file).unwrap();

    let mut reactor = h.reactor();
    let log = step_until(&mut reactor, LONG, |r| is_running(r, 1));
    assert!(
        log.iter().any(|l| l
            .contains("subscription 1 is already ready on chain (block 1); not marking it again")),
        "{log:#?}"
    );
    assert_eq!(h.chain.mark_ready_calls().len(), 1, "mark_ready sent once");
    assert_eq!(handle(&reactor, 1), process);
    assert_eq!(groups_in(&h.work_dir(1)).len(), 1);
}

#[test]
fn a_process_gone_while_the_reactor_was_down_is_restarted() {
    let h = Harness::new("gone", 21130, &[("http", http_server_type())]);
    let mut reactor = h.reactor();
    deploy(&h, &mut reactor, 1);
    let first = handle(&reactor, 1);
    drop(reactor);
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe { libc::kill(-(pid(&first) as i32), libc::SIGKILL) };
    step_until_dead(pid(&first));

    let mut reactor = h.reactor();
    let log = step(&mut reactor);
    assert!(
        log.iter().any(|l| l.contains(&format!(
            "pid {} was gone when the reactor started",
            pid(&first)
        ))),
        "{log:#?}"
    );
    let second = handle(&reactor, 1);
    assert_ne!(pid(&second), pid(&first));
    assert_eq!(second.port, first.port);
    step_until(&mut reactor, LONG, |_| listening(second.port.unwrap()));
    assert_eq!(groups_in(&h.work_dir(1)), [pid(&second)].into());
    assert_eq!(reactor.state().subscriptions[&1].restarts, 1);
    assert_eq!(h.chain.mark_ready_calls().len(), 1);
}

fn step_until_dead(pid: u32) {
    let started = std::time::Instant::now();
    while alive(pid) {
        assert!(started.elapsed() < LONG);
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_corrupt_state_file_stops_the_reactor_from_starting() {
    let h = Harness::new("corrupt", 21140, &[("http", http_server_type())]);
    std::fs::write(&h.config.state_file, "{ \"version\": 1, \"next_blo").unwrap();
    let result = dinfra_reactor::Reactor::new(
        h.config.clone(),
        h.chain.clone(),
        dinfra_reactor::ProcessDriver::default(),
    );
    let error = result.err().expect("an error").to_string();
    assert!(error.contains("is corrupt"), "{error}");
}

#[test]
fn a_deployment_gone_while_down_is_not_restarted_if_it_closed_meanwhile() {
    let h = Harness::new("gone-closed", 21150, &[("http", http_server_type())]);
    let mut reactor = h.reactor();
    deploy(&h, &mut reactor, 1);
    let first = handle(&reactor, 1);
    drop(reactor);
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe { libc::kill(-(pid(&first) as i32), libc::SIGKILL) };
    step_until_dead(pid(&first));
    h.chain.advance(1);
    h.chain.close(1, CloseReason::FundsExhausted);

    let mut reactor = h.reactor();
    step(&mut reactor);
    step(&mut reactor);
    assert!(
        matches!(phase(&reactor, 1), Phase::Stopped { ref why } if why.contains("FundsExhausted"))
    );
    assert_eq!(reactor.state().subscriptions[&1].restarts, 0);
    assert!(processes_in(&h.root).is_empty(), "not started again");
}

#[test]
fn a_descriptor_not_there_yet_is_fetched_on_a_later_step() {
    let h = Harness::new("pending", 21160, &[("http", http_server_type())]);
    let mut reactor = h.reactor();
    let descriptor = h.descriptor("late.json", DOC);
    let path = h.root.join("late.json");
    std::fs::remove_file(&path).unwrap();
    h.chain.award(1, ME, 1, descriptor, 1000);
    let log = step(&mut reactor);
    step(&mut reactor);
    assert!(
        matches!(phase(&reactor, 1), Phase::Pending { ref why } if why.contains("cannot fetch its descriptor yet"))
    );
    assert_eq!(
        log.iter()
            .filter(|l| l.contains("subscription 1 waits"))
            .count(),
        1,
        "{log:#?}"
    );
    assert!(processes_in(&h.root).is_empty());

    std::fs::write(&path, DOC).unwrap();
    h.chain.advance(1);
    step_until(&mut reactor, LONG, |r| is_running(r, 1));
    assert_eq!(h.chain.mark_ready_calls(), [Call::MarkReady(1, 2)]);
}

#[test]
fn two_subscriptions_get_two_ports_and_two_processes() {
    let h = Harness::new("two", 21170, &[("http", http_server_type())]);
    let mut reactor = h.reactor();
    h.chain.award(1, ME, 1, h.descriptor("a.json", DOC), 1000);
    h.chain.award(2, ME, 1, h.descriptor("b.json", DOC), 1000);
    step_until(&mut reactor, LONG, |r| is_running(r, 1) && is_running(r, 2));
    let (a, b) = (handle(&reactor, 1), handle(&reactor, 2));
    assert_ne!(a.port, b.port);
    assert!(listening(a.port.unwrap()) && listening(b.port.unwrap()));
    assert_eq!(groups_in(&h.work_dir(1)), [pid(&a)].into());
    assert_eq!(groups_in(&h.work_dir(2)), [pid(&b)].into());
    // In the order they got healthy (which one listens first is up to the
    // machine), both in block 1, once each.
    let mut marks = h.chain.mark_ready_calls();
    marks.sort_by_key(|call| match call {
        Call::MarkReady(id, _) => *id,
        _ => 0,
    });
    assert_eq!(marks, [Call::MarkReady(1, 1), Call::MarkReady(2, 1)]);

    // Ending one leaves the other alone.
    h.chain.advance(1);
    h.chain.close(1, CloseReason::ConsumerCancelled);
    step(&mut reactor);
    assert!(!alive(pid(&a)) && alive(pid(&b)));
}

#[test]
fn claims_due_in_the_same_step_go_in_one_batch() {
    let mut h = Harness::new("batch", 21180, &[("http", http_server_type())]);
    h.config.claim_period = 10;
    let mut reactor = h.reactor();
    h.chain.award(1, ME, 1, h.descriptor("a.json", DOC), 1000);
    h.chain.award(2, ME, 1, h.descriptor("b.json", DOC), 1000);
    step_until(&mut reactor, LONG, |r| is_running(r, 1) && is_running(r, 2));
    let ready = h.chain.view(1).ready_at.unwrap();
    assert_eq!(
        h.chain.view(2).ready_at,
        Some(ready),
        "both ready in one block"
    );

    for _ in 0..10 {
        h.chain.advance(1);
        step(&mut reactor);
    }
    assert_eq!(h.chain.batches(), [vec![1, 2]], "one call for both");
    assert_eq!(h.chain.claim_blocks(1), [ready + 10]);
    assert_eq!(h.chain.claim_blocks(2), [ready + 10]);
    let log = step(&mut reactor);
    assert!(log.is_empty(), "nothing more due: {log:?}");
    assert_eq!(
        reactor.state().subscriptions[&1].last_claim,
        Some(ready + 10)
    );
}

/// Holds every port of `ports` (as the reactor's port check binds them).
fn hold_ports(first: u16, last: u16) -> Vec<std::net::TcpListener> {
    (first..=last)
        .map(|port| std::net::TcpListener::bind(("0.0.0.0", port)).expect("a free test port"))
        .collect()
}

#[test]
fn an_award_not_started_near_its_deadline_is_declined() {
    let mut h = Harness::new("no-port", 21200, &[("http", http_server_type())]);
    h.config.ports.last = h.config.ports.first;
    let _held = hold_ports(h.config.ports.first, h.config.ports.last);
    let mut reactor = h.reactor();
    h.chain.award(1, ME, 1, h.descriptor("d.json", DOC), 5); // ready by block 6
    let mut log = step(&mut reactor);
    assert!(
        matches!(phase(&reactor, 1), Phase::Pending { ref why } if why.contains("no free port")),
        "{log:#?}"
    );
    while h.chain.block() < 6 {
        h.chain.advance(1);
        log.extend(step(&mut reactor));
    }
    // Declined `decline_margin` (2) blocks before the deadline, once.
    assert_eq!(h.chain.calls(), [Call::Decline(1, 4)]);
    assert!(
        matches!(phase(&reactor, 1), Phase::Failed { ref why }
            if why.contains("not started 2 blocks before its ready deadline (block 6): no free port")),
        "{log:#?}"
    );
    assert!(h.chain.view(1).closed);
    assert!(processes_in(&h.root).is_empty(), "nothing started");
}

#[test]
fn an_award_not_healthy_near_its_deadline_is_stopped_and_declined() {
    let silent = TypeConfig {
        command: "exec sleep 60 # {port}".into(),
        health_timeout_secs: 600,
        ..http_server_type()
    };
    let h = Harness::new("not-healthy", 21210, &[("silent", silent)]);
    h.chain.0.borrow_mut().hand_on_to = Some(OTHER);
    let mut reactor = h.reactor();
    h.chain.award(1, ME, 1, h.descriptor("d.json", DOC), 4); // ready by block 5
    step(&mut reactor);
    assert_eq!(phase(&reactor, 1), Phase::Starting);
    let process = handle(&reactor, 1);
    h.chain.advance(1);
    step(&mut reactor);
    assert!(alive(pid(&process)), "still given its chance at block 2");
    h.chain.advance(1);
    let log = step(&mut reactor);
    assert!(!alive(pid(&process)), "stopped at block 3");
    assert_eq!(h.chain.calls(), [Call::Decline(1, 3)]);
    assert!(
        log.iter().any(|l| l.contains(
            "declined subscription 1: not healthy 2 blocks before its ready deadline (block 5"
        )),
        "{log:#?}"
    );
    assert_eq!(h.chain.view(1).provider, OTHER);
    h.chain.advance(1);
    step(&mut reactor);
    assert_eq!(h.chain.calls().len(), 1);
    assert!(processes_in(&h.root).is_empty());
}

#[test]
fn a_decline_the_contract_refuses_falls_back_to_an_exit() {
    let h = Harness::new("decline-refused", 21220, &[("http", http_server_type())]);
    h.chain.0.borrow_mut().refuse_declines = Some("Registry".into());
    let mut reactor = h.reactor();
    let mut descriptor = h.descriptor("d.json", DOC);
    descriptor.hash[0] ^= 0xff;
    h.chain.award(1, ME, 1, descriptor, 100);
    let log = step(&mut reactor);
    assert_eq!(h.chain.calls(), [Call::Decline(1, 1), Call::Exit(1, 1)]);
    assert!(
        log.iter()
            .any(|l| l.contains("decline of subscription 1 refused: Registry; exiting it instead")),
        "{log:#?}"
    );
    assert!(h.chain.view(1).closed, "the exit closed it (a full refund)");
    let entry = &reactor.state().subscriptions[&1];
    assert!(entry.decline_sent && entry.exit_sent);
    h.chain.advance(1);
    step(&mut reactor);
    assert_eq!(h.chain.calls().len(), 2, "nothing more");
}

#[test]
fn a_decline_whose_save_was_lost_is_not_sent_twice() {
    let h = Harness::new("lost-decline", 21230, &[("http", http_server_type())]);
    h.chain.0.borrow_mut().hand_on_to = Some(OTHER);
    let mut reactor = h.reactor();
    let mut descriptor = h.descriptor("d.json", DOC);
    descriptor.hash[0] ^= 0xff;
    h.chain.award(1, ME, 1, descriptor, 100);
    step(&mut reactor);
    assert_eq!(h.chain.calls(), [Call::Decline(1, 1)]);
    drop(reactor);
    // Killed after the decline went out, before its state was saved.
    let mut state = dinfra_reactor::State::load(&h.config.state_file, 0).unwrap();
    state.subscriptions.get_mut(&1).unwrap().decline_sent = false;
    state.save(&h.config.state_file).unwrap();

    h.chain.advance(1);
    let mut reactor = h.reactor();
    let log = step(&mut reactor);
    assert!(
        log.iter().any(|l| l
            .contains("not declining subscription 1: it is closed or awarded to another provider")),
        "{log:#?}"
    );
    assert_eq!(h.chain.calls(), [Call::Decline(1, 1)], "sent once");
    assert!(reactor.state().subscriptions[&1].decline_sent);
}

#[test]
fn a_ready_deployment_that_stops_answering_is_restarted_then_exited_with_its_reason() {
    // Listens for a moment, then keeps running without listening: alive,
    // but failing its health check.
    let fading = TypeConfig {
        command: format!(
            "exec {} -c 'import socket, sys, time; s = socket.socket(); \
             s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); \
             s.bind((\"127.0.0.1\", int(sys.argv[1]))); s.listen(); time.sleep(1.5); \
             s.close(); time.sleep(60)' {{port}}",
            common::python()
        ),
        health_timeout_secs: 1,
        max_restarts: 1,
        ..http_server_type()
    };
    let h = Harness::new("fading", 21240, &[("http", fading)]);
    let mut reactor = h.reactor();
    deploy(&h, &mut reactor, 1);
    let first = handle(&reactor, 1);
    let log = step_until(&mut reactor, LONG, |r| {
        r.state().subscriptions[&1].phase.is_final()
    });
    let lines = log.join("\n");
    assert!(
        lines.contains("subscription 1 fails its health check"),
        "{lines}"
    );
    assert!(
        lines.contains("restarting subscription 1 (1/1): failed its health check for more than 1 s after ready"),
        "{lines}"
    );
    let entry = &reactor.state().subscriptions[&1];
    assert!(
        matches!(&entry.phase, Phase::Failed { why } if why.contains("health check") && why.contains("gave up after 1 restarts")),
        "{:?}",
        entry.phase
    );
    assert_eq!(entry.restarts, 1);
    assert!(entry
        .last_error
        .as_deref()
        .is_some_and(|e| e.contains("health check")));
    assert!(!alive(pid(&first)), "the first process was stopped");
    assert!(processes_in(&h.root).is_empty(), "nothing left running");
    // After ready, giving up is an exit, sent once.
    step(&mut reactor);
    assert_eq!(h.chain.exit_calls().len(), 1, "{:?}", h.chain.calls());
    assert_eq!(h.chain.mark_ready_calls().len(), 1);
}
