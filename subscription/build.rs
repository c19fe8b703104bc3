// Which build this is: the hot Wasm, a cold part's, or off chain (see
// contracts/src/cold.rs).
include!("../contracts/cold_build.rs");
