//! The status API as a consumer calls it: real HTTP requests, signed as
//! `clients/ts`'s `providerStatus` signs them (sr25519 over
//! `"GET <target> <block>"`).

use dinfra_reactor::chain::hex;
use std::fmt::Display;
use std::time::Duration;
use subxt_signer::sr25519::Keypair;

pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// The three headers of a GET of `target` signed by `signer` over `block`.
pub fn signed(signer: &Keypair, target: &str, block: u32) -> Vec<(&'static str, String)> {
    let message = format!("GET {target} {block}");
    vec![
        ("x-dinfra-account", hex(&signer.public_key().0)),
        ("x-dinfra-block", block.to_string()),
        (
            "x-dinfra-signature",
            hex(&signer.sign(message.as_bytes()).0),
        ),
    ]
}

/// GET `target` from the server at `address` with `headers` (none:
/// unsigned); any status is an answer.
pub fn get(address: impl Display, target: &str, headers: &[(&str, String)]) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let mut request = agent.get(format!("http://{address}{target}"));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let mut answer = request.call().expect("the status API answers");
    Answer {
        status: answer.status().as_u16(),
        body: answer.body_mut().read_to_string().expect("a text body"),
    }
}
