//! Cold code: the messages a contract's hot paths never run, in separate
//! Wasm blobs the contract delegate-calls.
//!
//! pallet-contracts loads a contract's whole Wasm — and puts it in the
//! block's proof — on every call into it, so a `create` that crosses four
//! contracts pays for all of their code, governance and queries included.
//! A contract is therefore built from one source several times:
//! - the **hot** build (the contract you instantiate, whose metadata you
//!   use) holds the messages the hot paths run; every other message's body
//!   [`forward`]s;
//! - each **cold part** (package `<contract>/coldN`, feature `coldN`;
//!   uploaded, never instantiated) holds the bodies of its share of the other
//!   messages, and traps on the rest. A part is kept under 32 KiB.
//!
//! [`forward`] hands the call to the part's code as it came — same input,
//! same caller, same transferred value, the contract's own storage, account
//! and events — and that code's reply (a revert included) becomes the call's
//! reply (`FORWARD_INPUT | TAIL_CALL`). Callers see one contract with one
//! metadata: nothing of the split shows in selectors, arguments, replies or
//! events. A cold message keeps its selector in the hot Wasm and forwards
//! from its body ([`cold!`](crate::cold!)). An inherent cold message's
//! arguments are [`Skipped`] there ([`cold_args!`](crate::cold_args!)): the
//! hot code decodes none of them (about 150 bytes of code a message) and the
//! part decodes the input it gets whole. So a call with value to a
//! non-payable cold message traps in the hot code whatever its arguments,
//! and malformed arguments are refused (`CouldNotReadInput`) by the part.
//! Trait messages keep the trait's argument types, decoded in both.
//!
//! Trust: each part's code hash is a constant compiled into the hot code
//! ([`code_hash`] of `DINFRA_COLDn_CODE_HASH`, set by `deploy/build.sh`), so
//! the hot code's hash commits to its cold parts: the admin can change them
//! only by an upgrade, behind the governance delay like any other code. The
//! contract holds a delegate dependency on each ([`hold`]), so their
//! uploader cannot remove them while the contract points at them.
//!
//! A message whose body is cold must not be called as a Rust method from a
//! hot message, nor from a cold one of another part: in the hot Wasm that
//! call would forward the *whole* call (the caller's input) to the cold part,
//! which traps on a selector it does not hold, and in another part its body
//! is [`absent`]. (A cold message with `Arg` arguments cannot be called from
//! hot code at all: it does not compile. One without arguments, or a trait
//! message, compiles and traps.) Within its own part it may be called. Keep
//! getters that both use unwrapped; the scenarios would trap otherwise.
//!
//! Which build is which comes from the contract's build script
//! (`contracts/cold_build.rs`, which each contract's `build.rs` includes):
//! `cfg(dinfra_hot)` in the hot Wasm, `cfg(dinfra_cold)` and
//! `dinfra_cold_part` in a part's; off chain (`#[ink::test]`, the metadata
//! build) neither, and every message runs in place.

use ink::env::call::{build_call, ExecutionInput, Selector};
use ink::env::{CallFlags, DefaultEnvironment};
use ink::primitives::Hash;
use ink::storage::{traits::ManualKey, Mapping};

/// The cells recording which cold code, per part, the contract holds a
/// delegate dependency on (the same key in every contract; no contract uses
/// it for anything else).
pub const HELD_KEY: u32 = 0x636f_6c64;

/// Parses `0x` + 64 hex digits at compile time. `None` (the variable unset)
/// is all zeroes, which names no code: allowed where nothing is forwarded
/// (off chain, and the cold builds themselves), refused at compile time in a
/// hot Wasm build, which could not reach its cold code.
// Evaluated by the compiler only (into a `const`): an overflow there stops
// the build, it cannot wrap at run time.
#[allow(clippy::arithmetic_side_effects)]
pub const fn code_hash(hex: Option<&str>, forwards: bool) -> [u8; 32] {
    let hex = match hex {
        Some(hex) => hex.as_bytes(),
        None if forwards => {
            panic!("DINFRA_COLD<n>_CODE_HASH is not set: build the contracts with deploy/build.sh")
        }
        None => return [0; 32],
    };
    if hex.len() != 66 || hex[0] != b'0' || hex[1] != b'x' {
        panic!("a cold code hash must be 0x and 64 hex digits");
    }
    let mut hash = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        hash[i] = nibble(hex[2 + 2 * i]) << 4 | nibble(hex[3 + 2 * i]);
        i += 1;
    }
    hash
}

#[allow(clippy::arithmetic_side_effects)]
const fn nibble(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => panic!("a cold code hash must be 0x and 64 hex digits"),
    }
}

/// Takes a delegate dependency on `code`, the cold code of `part` (and
/// drops the one on the code an earlier version used), once: the constructor
/// calls it, so a contract cannot be instantiated before its cold code is on
/// chain, and the first forwarded call after an upgrade moves the
/// dependency to the new code.
pub fn hold(part: u8, code: [u8; 32]) {
    let mut held: Mapping<u8, Hash, ManualKey<HELD_KEY>> = Mapping::new();
    let code = Hash::from(code);
    let previous = held.get(part);
    if previous == Some(code) {
        return;
    }
    ink::env::lock_delegate_dependency::<DefaultEnvironment>(&code);
    if let Some(previous) = previous {
        ink::env::unlock_delegate_dependency::<DefaultEnvironment>(&previous);
    }
    held.insert(part, &code);
}

/// Runs the call in `part`'s cold code `code` and returns its reply as this
/// call's; it never comes back here unless the cold code trapped.
pub fn forward(part: u8, code: [u8; 32]) -> ! {
    hold(part, code);
    let _trapped = build_call::<DefaultEnvironment>()
        .delegate(Hash::from(code))
        .call_flags(CallFlags::FORWARD_INPUT | CallFlags::TAIL_CALL)
        // Ignored: FORWARD_INPUT passes the caller's input unchanged.
        .exec_input(ExecutionInput::new(Selector::new([0; 4])))
        .returns::<()>()
        .try_invoke();
    panic!("the cold code trapped")
}

/// What a message is in a build that does not hold it (a hot message in a
/// cold part, one cold part's message in another): never dispatched there,
/// so it traps.
pub fn absent() -> ! {
    panic!("a message called on code that does not hold it")
}

/// A cold message's body, held by cold part `N` (1 to 4; `$code`: the
/// constant with that part's code hash): run in place off chain and in
/// that part's Wasm; [`forward`]ed in the hot Wasm; [`absent`] in the other
/// parts. Expanded in the contract's crate, so the cfgs are its build
/// script's. In the hot Wasm the body is removed by `#[cfg]` (not skipped
/// by `if cfg!`), so it may use arguments the hot build does not decode
/// ([`cold_args!`](crate::cold_args!)).
#[macro_export]
macro_rules! cold {
    (1, $code:expr, $body:block) => {
        $crate::cold!(@part "1", 1, $code, $body)
    };
    (2, $code:expr, $body:block) => {
        $crate::cold!(@part "2", 2, $code, $body)
    };
    (3, $code:expr, $body:block) => {
        $crate::cold!(@part "3", 3, $code, $body)
    };
    (4, $code:expr, $body:block) => {
        $crate::cold!(@part "4", 4, $code, $body)
    };
    (@part $name:tt, $part:expr, $code:expr, $body:block) => {{
        #[cfg(dinfra_hot)]
        #[allow(unreachable_code)]
        let reply = $crate::cold::forward($part, $code);
        #[cfg(not(dinfra_hot))]
        let reply = if cfg!(all(dinfra_cold, not(dinfra_cold_part = $name))) {
            $crate::cold::absent()
        } else $body;
        #[allow(unreachable_code)]
        reply
    }};
}

/// Defines `Arg<T>`, the type of an inherent cold message's arguments: `T`
/// off chain and in the cold parts, [`Skipped<T>`] in the hot Wasm, which
/// forwards the input whole and so need not decode it (about 150 bytes of
/// code a message). The metadata is built off chain, so it shows `T`.
/// (Trait messages keep the trait's types: their signature is the trait's.)
#[macro_export]
macro_rules! cold_args {
    () => {
        /// A cold message's argument (see `dinfra::cold_args!`).
        #[cfg(not(dinfra_hot))]
        pub type Arg<T> = T;
        /// A cold message's argument (see `dinfra::cold_args!`).
        #[cfg(dinfra_hot)]
        pub type Arg<T> = $crate::cold::Skipped<T>;
    };
}

/// An argument the hot Wasm does not decode: it reads no input and encodes
/// to nothing (its message forwards the input whole to a cold part).
pub struct Skipped<T>(core::marker::PhantomData<T>);

impl<T> ink::scale::Decode for Skipped<T> {
    fn decode<I: ink::scale::Input>(_input: &mut I) -> Result<Self, ink::scale::Error> {
        Ok(Skipped(core::marker::PhantomData))
    }
}

impl<T> ink::scale::Encode for Skipped<T> {
    fn size_hint(&self) -> usize {
        0
    }
    fn encode_to<O: ink::scale::Output + ?Sized>(&self, _dest: &mut O) {}
}

/// A hot message's body: run here except in a cold part's Wasm, where it is
/// [`absent`] (so no cold part carries any of it).
#[macro_export]
macro_rules! hot {
    ($body:block) => {
        if cfg!(dinfra_cold) {
            $crate::cold::absent()
        } else $body
    };
}

/// In a hot Wasm constructor: [`hold`] each cold part's code (so
/// instantiation fails if one is not on chain). Nothing elsewhere.
#[macro_export]
macro_rules! hold_cold {
    ($(($part:expr, $code:expr)),+ $(,)?) => {
        if cfg!(dinfra_hot) {
            $($crate::cold::hold($part, $code);)+
        }
    };
}

/// The hash of cold part `$var`'s code (`DINFRA_COLD1_CODE_HASH` …), from
/// the environment at build time.
#[macro_export]
macro_rules! cold_code_hash {
    ($var:tt) => {
        $crate::cold::code_hash(option_env!($var), cfg!(dinfra_hot))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_hash_and_allows_none_only_where_nothing_is_forwarded() {
        let hex = "0x00ff10A0000000000000000000000000000000000000000000000000000000e1";
        let hash = code_hash(Some(hex), true);
        assert_eq!(hash[..4], [0x00, 0xff, 0x10, 0xa0]);
        assert_eq!(hash[31], 0xe1);
        assert_eq!(code_hash(None, false), [0; 32]);
        assert!(std::panic::catch_unwind(|| code_hash(None, true)).is_err());
        assert!(std::panic::catch_unwind(|| code_hash(Some("0x12"), false)).is_err());
        let bad_digit = "0xg0000000000000000000000000000000000000000000000000000000000000000";
        assert!(std::panic::catch_unwind(|| code_hash(Some(&bad_digit[..66]), false)).is_err());
    }

    #[test]
    fn a_skipped_argument_reads_nothing_and_writes_nothing() {
        use ink::scale::{Decode, Encode};
        // The hot Wasm decodes (selector stripped) what the caller sent and
        // leaves it all for the cold part, which gets the input whole.
        let input = (7u64, 1_000u128).encode();
        let mut rest = &input[..];
        let _skipped = <(Skipped<u64>, Skipped<u128>)>::decode(&mut rest).expect("decodes");
        assert_eq!(rest.len(), input.len());
        let skipped: Skipped<u64> = Skipped(core::marker::PhantomData);
        assert!(skipped.encode().is_empty());
    }
}
