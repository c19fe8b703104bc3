//! `#[ink::test]` unit tests of the subscription contract. The off-chain
//! engine makes no cross-contract calls, so these cover what is refused
//! before any call; the drink scenarios in `e2e-tests/` cover the rest.
