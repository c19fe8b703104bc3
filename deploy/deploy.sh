#!/usr/bin/env bash
# deploy/deploy.sh — puts the DINFRA suite on a pallet-contracts chain with
# cargo-contract: uploads the four contracts' code, instantiates registry,
# escrow, award and subscription, wires them (the subscription contract
# becomes the registry's controller, the award's selector and the escrow's
# subscription contract; registry and subscription parameters are set) and
# writes deploy/deployments/<name>.json with addresses, code hashes and blocks.
#
#   deploy/deploy.sh --suri //Alice [--url ws://127.0.0.1:9944] [--name local]
#                    [--dry-run] [--fresh] [--min-bond N] [--unbonding-blocks N]
#                    [--max-candidates N] [--ready-timeout N] [--consumer-notice N]
#
# Safe to re-run: a deployment recorded under the same name on the same chain
# (same genesis hash) whose contracts are still there with the artifacts' code
# is kept, and only wiring or parameters that differ are sent again. A
# recorded deployment built from other code is refused unless --fresh (a new
# suite beside it). --dry-run reads the chain and prints what would be done,
# sending nothing. The --suri account pays and becomes the admin of all four.
set -euo pipefail
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARTIFACTS="${ARTIFACTS_DIR:-$ROOT/artifacts}"
CONTRACTS=(registry escrow award subscription)

url="ws://127.0.0.1:9944"
suri=""
name="local"
dry_run=0
fresh=0
min_bond=1000
unbonding_blocks=100
max_candidates=10
ready_timeout=20
consumer_notice=10

usage() { sed -n '9,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
say() { echo "deploy: $*" >&2; }
die() { echo "deploy: FAILED: $*" >&2; exit 1; }
number() { [[ $2 =~ ^[0-9]+$ ]] || die "$1 must be a whole number, got '$2'"; echo "$2"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --url) url="${2:?}"; shift 2 ;;
        --suri) suri="${2:?}"; shift 2 ;;
        --name) name="${2:?}"; shift 2 ;;
        --dry-run) dry_run=1; shift ;;
        --fresh) fresh=1; shift ;;
        --min-bond) min_bond=$(number "$1" "${2:-}"); shift 2 ;;
        --unbonding-blocks) unbonding_blocks=$(number "$1" "${2:-}"); shift 2 ;;
        --max-candidates) max_candidates=$(number "$1" "${2:-}"); shift 2 ;;
        --ready-timeout) ready_timeout=$(number "$1" "${2:-}"); shift 2 ;;
        --consumer-notice) consumer_notice=$(number "$1" "${2:-}"); shift 2 ;;
        *) usage ;;
    esac
done
[ -n "$suri" ] || { say "--suri is required (the account that pays and becomes admin)"; usage; }
[[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "--name may hold letters, digits, '-' and '_' only"
[[ $url =~ ^wss?:// ]] || die "--url must be a ws:// or wss:// address, got '$url'"

out="$ROOT/deploy/deployments/$name.json"
http_url=$(echo "$url" | sed -e 's#^ws://#http://#' -e 's#^wss://#https://#')

rpc() { # method, params (JSON) → result (JSON)
    local reply
    reply=$(curl -sf -m 10 -H 'Content-Type: application/json' \
        -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":$2}" "$http_url") \
        || die "no answer from $url ($1); is the node running? (deploy/node.sh start)"
    echo "$reply" | jq -ce '.result' || die "$1 failed: $reply"
}
block_number() { printf '%d\n' "$(rpc chain_getHeader '[]' | jq -r '.number')"; }

# The contracts' code: build what is missing.
for c in "${CONTRACTS[@]}"; do
    if [ ! -f "$ARTIFACTS/dinfra_$c.contract" ]; then
        if [ "$dry_run" = 1 ]; then
            die "artifacts/dinfra_$c.contract is missing: run deploy/build.sh first"
        fi
        say "building the contracts (artifacts/ is incomplete)"
        bash "$ROOT/deploy/build.sh" >&2
        break
    fi
done
declare -A code_hash address
for c in "${CONTRACTS[@]}"; do
    code_hash[$c]=$(jq -r '.source.hash' "$ARTIFACTS/dinfra_$c.contract")
done

genesis=$(rpc chain_getBlockHash '[0]' | jq -r '.')
say "chain at $url: genesis $genesis, block $(block_number)"

# cargo contract, with the options every command shares.
contract() { (cd "$ROOT" && cargo contract "$@" --url "$url"); }

# The code hash of the contract at an address, or nothing when there is none.
code_at() {
    contract info --contract "$1" --output-json 2>/dev/null | jq -r '.code_hash // empty' || true
}

# A recorded deployment on this chain is reused when its code is current.
reuse=0
if [ -f "$out" ] && [ "$fresh" = 0 ]; then
    recorded_genesis=$(jq -r '.genesis_hash' "$out")
    if [ "$recorded_genesis" != "$genesis" ]; then
        say "$out records another chain (genesis $recorded_genesis): deploying anew"
    else
        stale=()
        for c in "${CONTRACTS[@]}"; do
            address[$c]=$(jq -r ".contracts.$c.address" "$out")
            on_chain=$(code_at "${address[$c]}")
            [ "$on_chain" = "${code_hash[$c]}" ] || stale+=("$c (${address[$c]}: ${on_chain:-no contract})")
        done
        if [ ${#stale[@]} -gt 0 ]; then
            die "deployment '$name' on this chain differs from the artifacts: ${stale[*]}; use --fresh for a new suite or another --name"
        fi
        reuse=1
        say "deployment '$name' is on this chain with the artifacts' code: keeping it"
    fi
fi

# Dry-run a message of one of the four and print its decoded result.
query() { # contract name, message, args...
    local c="$1" message="$2"
    shift 2
    local args=()
    [ $# -gt 0 ] && args=(--args "$@")
    contract call "$ARTIFACTS/dinfra_$c.json" --contract "${address[$c]}" --message "$message" \
        "${args[@]}" --suri "$suri" --output-json | jq -c '.data'
}

# Send a message; dies with cargo-contract's message when it fails or the
# message returns Err.
send() { # contract name, message, args...
    local c="$1" message="$2"
    shift 2
    if [ "$dry_run" = 1 ]; then
        say "would call $c.$message($*)"
        return
    fi
    local result args=()
    [ $# -gt 0 ] && args=(--args "$@")
    result=$(contract call "$ARTIFACTS/dinfra_$c.json" --contract "${address[$c]}" \
        --message "$message" "${args[@]}" --suri "$suri" --execute --skip-confirm \
        --output-json 2>&1) || die "$c.$message failed: $result"
    say "called $c.$message($*) at block $(block_number)"
}

declare -A instantiated_at
deployer=""
[ -f "$out" ] && [ "$reuse" = 1 ] && deployer=$(jq -r '.deployer // empty' "$out")
if [ "$reuse" = 0 ]; then
    # Salt: a fresh suite never collides with an earlier one from the same
    # deployer and arguments.
    salt="0x$(printf '%s-%s-%s' "$name" "$(date +%s%N)" "$$" | sha256sum | cut -c1-16)"
    for c in "${CONTRACTS[@]}"; do
        bundle="$ARTIFACTS/dinfra_$c.contract"
        if [ "$dry_run" = 1 ]; then
            say "would upload $c (code hash ${code_hash[$c]}) unless the chain has it"
            continue
        fi
        if result=$(contract upload "$bundle" --suri "$suri" --execute --skip-confirm --output-json 2>&1); then
            say "uploaded $c: ${code_hash[$c]}"
        elif [[ $result == *"already been uploaded"* ]]; then
            say "the chain already has $c's code: ${code_hash[$c]}"
        else
            die "uploading $c failed: $result"
        fi
    done
    instantiate() { # contract, args...
        local c="$1"
        shift
        if [ "$dry_run" = 1 ]; then
            say "would instantiate $c with new($*)"
            address[$c]="<$c>"
            return
        fi
        local result args=()
        [ $# -gt 0 ] && args=(--args "$@")
        # The metadata file carries the code hash, not the code: instantiate
        # from the code uploaded above.
        result=$(contract instantiate "$ARTIFACTS/dinfra_$c.json" --constructor new \
            "${args[@]}" --suri "$suri" --salt "$salt" --execute --skip-confirm \
            --output-json 2>&1) || die "instantiating $c failed: $result"
        address[$c]=$(echo "$result" | sed -n '/^{/,$p' | jq -r '.contract') \
            || die "no address in cargo-contract's answer: $result"
        instantiated_at[$c]=$(block_number)
        # The Instantiated event names the deployer (the --suri account).
        [ -n "$deployer" ] || deployer=$(echo "$result" | sed -n '/^{/,$p' \
            | jq -r '[.. | objects | select(.name? == "deployer") | .value
                      | if type == "object" then .Literal else . end][0] // empty')
        say "instantiated $c at ${address[$c]} (block ${instantiated_at[$c]})"
    }
    instantiate registry "$min_bond" "$unbonding_blocks"
    instantiate escrow
    instantiate award "${address[registry]}" "$max_candidates"
    instantiate subscription "${address[award]}" "${address[registry]}" "${address[escrow]}" \
        "Parameters { ready_timeout: $ready_timeout, consumer_notice: $consumer_notice }"
else
    for c in "${CONTRACTS[@]}"; do instantiated_at[$c]=$(jq -r ".contracts.$c.block" "$out"); done
fi

# Wiring: compare what each contract holds with what it should, and send only
# the differences (all of them for a suite this run created).
sub="${address[subscription]}"
wired() { # contract name, message, jq test on the decoded result
    [ "$reuse" = 1 ] && query "$1" "$2" | jq -e "$3" >/dev/null
}
has_sub=".. | strings | select(. == \"$sub\")"
if wired registry controller "$has_sub" \
    && wired registry parameters "tostring | test(\"min_bond[^0-9]*$min_bond[^0-9].*unbonding_blocks[^0-9]*$unbonding_blocks[^0-9]\")"; then
    say "registry: controller and parameters already set"
else
    send registry configure \
        "Parameters { min_bond: $min_bond, unbonding_blocks: $unbonding_blocks }" "Some($sub)"
fi
if wired award selector "$has_sub" \
    && wired award max_candidates "tostring | test(\"[^0-9]$max_candidates[^0-9]\")"; then
    say "award: selector and window already set"
else
    send award configure "Some($sub)" "$max_candidates" RoundRobin
fi
if wired escrow subscription_contract "$has_sub"; then
    say "escrow: subscription contract already set"
else
    send escrow set_subscription_contract "Some($sub)"
fi
if wired subscription parameters "tostring | test(\"ready_timeout[^0-9]*$ready_timeout[^0-9].*consumer_notice[^0-9]*$consumer_notice[^0-9]\")"; then
    say "subscription: parameters already set"
elif [ "$reuse" = 1 ]; then
    send subscription configure "Parameters { ready_timeout: $ready_timeout, consumer_notice: $consumer_notice }"
fi

if [ "$dry_run" = 1 ]; then
    say "dry run: nothing sent, $out not written"
    exit 0
fi

block=$(block_number)
mkdir -p "$(dirname "$out")"
tmp=$(mktemp)
jq -n --arg name "$name" --arg url "$url" --arg genesis "$genesis" --argjson block "$block" \
    --arg deployer "$deployer" \
    --arg registry "${address[registry]}" --arg award "${address[award]}" \
    --arg escrow "${address[escrow]}" --arg subscription "${address[subscription]}" \
    --arg registry_hash "${code_hash[registry]}" --arg award_hash "${code_hash[award]}" \
    --arg escrow_hash "${code_hash[escrow]}" --arg subscription_hash "${code_hash[subscription]}" \
    --argjson registry_block "${instantiated_at[registry]}" --argjson award_block "${instantiated_at[award]}" \
    --argjson escrow_block "${instantiated_at[escrow]}" --argjson subscription_block "${instantiated_at[subscription]}" \
    --argjson min_bond "$min_bond" --argjson unbonding_blocks "$unbonding_blocks" \
    --argjson max_candidates "$max_candidates" --argjson ready_timeout "$ready_timeout" \
    --argjson consumer_notice "$consumer_notice" '
    def entry($c; $a; $h; $b): {address: $a, code_hash: $h, block: $b, bundle: "artifacts/dinfra_\($c).contract"};
    { name: $name, url: $url, genesis_hash: $genesis, deployer: $deployer, block: $block,
      contracts: {
        registry: entry("registry"; $registry; $registry_hash; $registry_block),
        escrow: entry("escrow"; $escrow; $escrow_hash; $escrow_block),
        award: entry("award"; $award; $award_hash; $award_block),
        subscription: entry("subscription"; $subscription; $subscription_hash; $subscription_block) },
      parameters: { min_bond: $min_bond, unbonding_blocks: $unbonding_blocks,
        max_candidates: $max_candidates, ready_timeout: $ready_timeout,
        consumer_notice: $consumer_notice } }' >"$tmp"
mv "$tmp" "$out"
say "wrote $out (block $block)"
cat "$out"
