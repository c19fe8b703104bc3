#!/usr/bin/env bash
# deploy/deploy.sh — puts the DINFRA suite on a pallet-contracts chain with
# cargo-contract: uploads the four contracts' code, instantiates registry,
# escrow, award and subscription (each with the same governance delay; the
# subscription contract's award link names the registry, which chooses by its
# own award rules, the award contract standing by for a scheduled
# Link::Award change), wires them with Admin::schedule_change (the
# subscription contract becomes the registry's controller, the award's
# selector and the escrow's controller: a first wiring applies at once),
# sets the registry's award window (--max-candidates, as the award's),
# registers the catalogue of
# deployment types (types/) and writes deploy/deployments/<name>.json with
# addresses, code hashes, blocks and the types' ids.
#
#   deploy/deploy.sh --suri //Alice [--url ws://127.0.0.1:9944] [--name local]
#                    [--dry-run] [--fresh] [--min-bond N] [--unbonding-blocks N]
#                    [--max-candidates N] [--ready-timeout N] [--consumer-notice N]
#                    [--governance-delay N] [--pool TYPE_ID:MAX_RATE[:GOVERNOR] ...]
#
# --pool (repeatable) then instantiates a pool (pool/, artifacts/dinfra_pool.contract)
# at the suite's subscription contract — new or recorded — with
# Terms { type_id: TYPE_ID, max_rate: MAX_RATE, max_cancel_fee: 0 } (a
# registered type, a rate of at least 1 per block, no cancel fee) and GOVERNOR (an SS58 address; default the --suri
# account), and records it under `.pools[]` of the json (address, code_hash,
# block, bundle, type_id, max_rate as a decimal string, governor,
# subscription); `.contracts` is unchanged. Pools recorded for the suite are kept, and a --pool equal to one
# of them (same terms and governor) is not instantiated again. A pool has no
# admin and no governance delay; its governor may hand over with
# transfer_governor + accept_governor.
#
# Safe to re-run: a deployment recorded under the same name on the same chain
# (same genesis hash) whose contracts are still there with the artifacts' code
# is kept, and what differs is sent again: parameters through `configure`
# (at once), links and the governance delay through `schedule_change`, which
# on a wired suite only *schedules* them — they take effect after the
# governance delay, when anyone may `apply_change` (a re-run after the eta
# applies a due change it finds). A recorded deployment built from other code
# is refused unless --fresh (a new suite beside it). --dry-run reads the chain
# and prints what would be done, sending nothing. The --suri account pays and
# becomes the admin of all four.
#
# Defaults: --min-bond 1000, --unbonding-blocks 100, --max-candidates 20
# (17..100: wider than one provider's 16 offers), --ready-timeout 20,
# --consumer-notice 10, --governance-delay 14400 (one day of 6-second blocks;
# the consumer notice may be at most half of it).
set -euo pipefail
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARTIFACTS="${ARTIFACTS_DIR:-$ROOT/artifacts}"
# jq: a Strategy as `query` prints it → the argument cargo-contract reads.
STRATEGY_ARG='if type == "string" then .
    else "Scored(Weights { " + ([.Scored | to_entries[] | "\(.key): \(.value)"] | join(", ")) + " })" end'
CONTRACTS=(registry escrow award subscription)

url="ws://127.0.0.1:9944"
suri=""
name="local"
dry_run=0
fresh=0
min_bond=1000
unbonding_blocks=100
max_candidates=20
ready_timeout=20
consumer_notice=10
governance_delay=14400
pool_specs=()
# contracts/src/types.rs: MIN_AWARD_WINDOW, MAX_PAGE, MAX_TERM_BLOCKS.
MIN_AWARD_WINDOW=17
MAX_PAGE=100
MAX_TERM_BLOCKS=52560000

usage() { sed -n '11,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
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
        --governance-delay) governance_delay=$(number "$1" "${2:-}"); shift 2 ;;
        --pool) pool_specs+=("${2:?}"); shift 2 ;;
        *) usage ;;
    esac
done
[ -n "$suri" ] || { say "--suri is required (the account that pays and becomes admin)"; usage; }
[[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "--name may hold letters, digits, '-' and '_' only"
[[ $url =~ ^wss?:// ]] || die "--url must be a ws:// or wss:// address, got '$url'"
# What the constructors and `configure` would refuse, said before anything is sent.
[ "$max_candidates" -ge "$MIN_AWARD_WINDOW" ] && [ "$max_candidates" -le "$MAX_PAGE" ] \
    || die "--max-candidates must be $MIN_AWARD_WINDOW..$MAX_PAGE (more fitting offers compared than one provider can publish), got $max_candidates"
[ "$ready_timeout" -ge 1 ] && [ "$ready_timeout" -le "$MAX_TERM_BLOCKS" ] \
    || die "--ready-timeout must be 1..$MAX_TERM_BLOCKS blocks, got $ready_timeout"
[ "$governance_delay" -le "$MAX_TERM_BLOCKS" ] \
    || die "--governance-delay must be at most $MAX_TERM_BLOCKS blocks, got $governance_delay"
[ $((2 * consumer_notice)) -le "$governance_delay" ] \
    || die "--consumer-notice ($consumer_notice) may be at most half --governance-delay ($governance_delay): a consumer who cancels when a change is scheduled must be out before it applies, with time to react"
# --pool TYPE_ID:MAX_RATE[:GOVERNOR], checked as the pool's constructor would.
U32_MAX=4294967295
U128_MAX=340282366920938463463374607431768211455
for spec in ${pool_specs[@]+"${pool_specs[@]}"}; do
    [[ $spec =~ ^([0-9]+):([0-9]+)(:([1-9A-HJ-NP-Za-km-z]{46,50}))?$ ]] \
        || die "--pool takes TYPE_ID:MAX_RATE[:GOVERNOR] (whole numbers, an SS58 address), got '$spec'"
    [ "${#BASH_REMATCH[1]}" -le 10 ] && [ "${BASH_REMATCH[1]}" -le "$U32_MAX" ] \
        || die "--pool $spec: TYPE_ID must fit in 32 bits"
    rate="${BASH_REMATCH[2]}"
    rate="${rate#"${rate%%[1-9]*}"}"
    [ -n "$rate" ] || die "--pool $spec: MAX_RATE must be at least 1 (the pool's terms refuse 0)"
    { [ "${#rate}" -lt "${#U128_MAX}" ] || { [ "${#rate}" -eq "${#U128_MAX}" ] && [[ ! $rate > $U128_MAX ]]; }; } \
        || die "--pool $spec: MAX_RATE must fit in 128 bits"
done

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

# The contracts' code: build what is missing (the pool's too when --pool asks for one).
needed=("${CONTRACTS[@]}")
[ ${#pool_specs[@]} -gt 0 ] && needed+=(pool)
for c in "${needed[@]}"; do
    if [ ! -f "$ARTIFACTS/dinfra_$c.contract" ]; then
        if [ "$dry_run" = 1 ]; then
            die "artifacts/dinfra_$c.contract is missing: run deploy/build.sh first"
        fi
        say "building the contracts (artifacts/ is incomplete)"
        bash "$ROOT/deploy/build.sh" --suite >&2
        break
    fi
done
declare -A code_hash address
for c in "${needed[@]}"; do
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

# cargo-contract's decoded values (contract-transcode's `Value` as JSON) as
# plain JSON: Ok(v) and Some(v) → v, None → null, numbers, SS58 strings, unit
# variants by name, other variants {"Name": value or [values]}, sequences as
# arrays, structs as objects.
PLAIN='def plain:
  if type == "object" then
    if has("Tuple") then .Tuple as $t | ($t.values | length) as $n
      | if $t.ident == "Ok" and $n == 1 then $t.values[0] | plain
        elif $t.ident == "Some" and $n == 1 then $t.values[0] | plain
        elif $t.ident == "None" and $n == 0 then null
        elif $t.ident == null then [$t.values[] | plain]
        elif $n == 0 then $t.ident
        elif $n == 1 then {($t.ident): ($t.values[0] | plain)}
        else {($t.ident): [$t.values[] | plain]} end
    elif has("Map") then .Map | with_entries(.value |= plain)
    elif has("Seq") then [.Seq.elems[] | plain]
    elif has("UInt") then .UInt
    elif has("Int") then .Int
    elif has("Literal") then .Literal
    elif has("String") then .String
    elif has("Bool") then .Bool
    elif has("Hex") then "0x" + (.Hex.s | ltrimstr("0x"))
    else with_entries(.value |= plain) end
  elif . == "Unit" then null
  else . end;
plain'

# Dry-run a message of one of the four and print its decoded result (plain JSON).
query() { # contract name, message, args...
    local c="$1" message="$2"
    shift 2
    local args=()
    [ $# -gt 0 ] && args=(--args "$@")
    contract call "$ARTIFACTS/dinfra_$c.json" --contract "${address[$c]}" --message "$message" \
        "${args[@]}" --suri "$suri" --output-json | jq -c '.data' | jq -c "$PLAIN"
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

# Uploads a bundle's code unless the chain has it already.
upload() { # what, bundle
    local what="$1" bundle="$2" hash result
    hash=$(jq -r .source.hash "$bundle")
    if [ "$dry_run" = 1 ]; then
        say "would upload $what (code hash $hash) unless the chain has it"
        return
    fi
    if result=$(contract upload "$bundle" --suri "$suri" --execute --skip-confirm --output-json 2>&1); then
        say "uploaded $what: $hash"
    elif [[ $result == *"already been uploaded"* ]]; then
        say "the chain already has $what's code: $hash"
    else
        die "uploading $what failed: $result"
    fi
}

declare -A instantiated_at
deployer=""
[ -f "$out" ] && [ "$reuse" = 1 ] && deployer=$(jq -r '.deployer // empty' "$out")
if [ "$reuse" = 0 ]; then
    # Salt: a fresh suite never collides with an earlier one from the same
    # deployer and arguments.
    salt="0x$(printf '%s-%s-%s' "$name" "$(date +%s%N)" "$$" | sha256sum | cut -c1-16)"
    for c in "${CONTRACTS[@]}"; do
        # A contract split into hot code and cold parts (contracts/src/cold.rs)
        # needs its parts on chain before it is instantiated: its constructor
        # takes a delegate dependency on each.
        for part in "$ARTIFACTS/dinfra_${c}"_cold[0-9].contract; do
            [ -f "$part" ] || continue
            part_name=${part##*/}
            upload "$c's cold part ${part_name%.contract}" "$part"
        done
        upload "$c" "$ARTIFACTS/dinfra_$c.contract"
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
    instantiate registry "$min_bond" "$unbonding_blocks" "$governance_delay"
    instantiate escrow "$governance_delay"
    instantiate award "${address[registry]}" "$max_candidates" "$governance_delay"
    # The award link names the registry: it chooses by its own award rules
    # and reserves in one call. The award contract stands by: a scheduled
    # `Link::Award` change to it makes `create` ask `Award::select` instead.
    instantiate subscription "${address[registry]}" "${address[registry]}" "${address[escrow]}" \
        "Parameters { ready_timeout: $ready_timeout, consumer_notice: $consumer_notice }" "$governance_delay"
else
    for c in "${CONTRACTS[@]}"; do instantiated_at[$c]=$(jq -r ".contracts.$c.block" "$out"); done
fi

# Wiring and parameters: compare what each contract holds with what it
# should, and send only the differences (all of them for a suite this run
# created). Links and the governance delay move only through
# Admin::schedule_change: the first wiring of an unset link (and a longer
# delay) applies at once, anything else is pending for the governance delay.
sub="${address[subscription]}"
now=$(block_number)

# The pending change of contract $1 equal to the change $2 (plain JSON), if any.
pending_change() { # contract, change as plain JSON
    query "$1" Admin::pending_changes | jq -c --argjson want "$2" '[.[] | select(.change == $want)][0] // empty'
}

# Makes a contract's change take effect as far as governance allows: nothing
# if it is in effect, apply_change if the same change is pending and due,
# else schedule it and say whether it applied or when it will be due.
# `$in_effect` is a shell command that succeeds when the change is in effect.
govern() { # contract, change (transcode syntax), change (plain JSON), description, in-effect test
    local c="$1" change="$2" json="$3" what="$4" in_effect="$5" pending id eta
    if [ "$reuse" = 0 ] && [ "$dry_run" = 1 ]; then
        say "would call $c.Admin::schedule_change($change): $what (a first wiring applies at once)"
        return
    fi
    if eval "$in_effect"; then
        say "$c: $what: already in effect"
        return
    fi
    pending=""
    [ "$reuse" = 1 ] && pending=$(pending_change "$c" "$json")
    if [ -n "$pending" ]; then
        id=$(echo "$pending" | jq -r '.id')
        eta=$(echo "$pending" | jq -r '.eta')
        if [ "$now" -ge "$eta" ]; then
            send "$c" Admin::apply_change "$id"
            [ "$dry_run" = 1 ] || say "$c: $what: applied scheduled change #$id (due since block $eta)"
        else
            say "$c: $what: already SCHEDULED as change #$id, due at block $eta ($((eta - now)) blocks from now); NOT in effect yet"
        fi
        return
    fi
    if [ "$dry_run" = 1 ]; then
        case "$change" in
            Delay*) say "would call $c.Admin::schedule_change($change): $what (a longer delay applies at once, a shorter one waits the current delay)" ;;
            *) say "would call $c.Admin::schedule_change($change): $what (on a wired contract it waits the governance delay)" ;;
        esac
        return
    fi
    send "$c" Admin::schedule_change "$change"
    if eval "$in_effect"; then
        say "$c: $what: applied at once"
        return
    fi
    pending=$(pending_change "$c" "$json")
    [ -n "$pending" ] || die "$c: $what: scheduled, but neither in effect nor pending"
    id=$(echo "$pending" | jq -r '.id')
    eta=$(echo "$pending" | jq -r '.eta')
    say "$c: $what: SCHEDULED as change #$id, due at block $eta (governance delay $(query "$c" Admin::governance_delay) blocks); NOT in effect yet: re-run deploy.sh after block $eta, or have anyone call Admin::apply_change($id)"
}

# Points link $2 of contract $1 (read with query message $3) at $4.
link() { # contract, link, query message, account
    local c="$1" l="$2" message="$3" to="$4"
    govern "$c" "Link($l, Some($to))" "{\"Link\":[\"$l\",\"$to\"]}" "$l link -> $to" \
        "[ \"\$(query $c $message | jq -r '. // empty')\" = \"$to\" ]"
}

# The governance delay of contract $1: $governance_delay blocks.
delay() { # contract
    local c="$1"
    govern "$c" "Delay($governance_delay)" "{\"Delay\":$governance_delay}" "governance delay $governance_delay blocks" \
        "[ \"\$(query $c Admin::governance_delay)\" = $governance_delay ]"
}

# The subscription contract keeps its delay at least twice its consumer
# notice: when the delay grows, change it first; when it shrinks, the
# parameters first. (A delay below twice a notice the contract was ever
# configured with, or — on the escrow — twice a stream's exit notice, is
# refused for good: subscriptions running under it keep that notice.)
subscription_delay_first=1
if [ "$reuse" = 1 ]; then
    [ "$(query subscription Admin::governance_delay)" -lt "$governance_delay" ] || subscription_delay_first=0
fi

link registry Controller controller "$sub"
link award Controller selector "$sub"
link escrow Controller subscription_contract "$sub"
if [ "$reuse" = 1 ]; then
    # Set by its constructor; only someone else's change could have moved it.
    link subscription Award award "${address[registry]}"
    for c in registry escrow award; do delay "$c"; done
    [ "$subscription_delay_first" = 1 ] && delay subscription

    if query registry parameters | jq -e --argjson b "$min_bond" --argjson u "$unbonding_blocks" \
        '.min_bond == $b and .unbonding_blocks == $u' >/dev/null; then
        say "registry: parameters already set"
    else
        send registry configure "Parameters { min_bond: $min_bond, unbonding_blocks: $unbonding_blocks }"
    fi
    if [ "$(query award max_candidates)" = "$max_candidates" ]; then
        say "award: max_candidates already set"
    else
        # Keep the strategy the admin chose; change only max_candidates.
        strategy=$(query award strategy | jq -r "$STRATEGY_ARG")
        send award configure "$max_candidates" "$strategy"
    fi
    if query subscription parameters | jq -e --argjson r "$ready_timeout" --argjson n "$consumer_notice" \
        '.ready_timeout == $r and .consumer_notice == $n' >/dev/null; then
        say "subscription: parameters already set"
    else
        send subscription configure "Parameters { ready_timeout: $ready_timeout, consumer_notice: $consumer_notice }"
    fi
    [ "$subscription_delay_first" = 1 ] || delay subscription
fi

# The registry's own award rules (what `create` uses while the award link
# names the registry): the window from --max-candidates, the strategy the
# admin chose (round robin on a new suite).
if [ "$dry_run" = 1 ] && [ "$reuse" = 0 ]; then
    say "would set the registry's award window to $max_candidates (round robin) unless it is already"
else
    rules=$(query registry award_rules)
    if [ "$(echo "$rules" | jq -r '.max_candidates')" = "$max_candidates" ]; then
        say "registry: award window already set"
    else
        strategy=$(echo "$rules" | jq -r ".strategy | $STRATEGY_ARG")
        send registry configure_award "AwardRules { max_candidates: $max_candidates, strategy: $strategy }"
    fi
fi

# The catalogue of deployment types (types/<name>/schema.json): each is
# registered under its folder's name with the blake2-256 of its schema
# file's bytes, unless the chain has it already. A name taken with another
# schema stops the run: a provider checks descriptors of that name against
# the schema this repository ships, and would refuse every award of it.
hex_bytes='def hexbyte: [(. / 16 | floor), (. % 16)] | map("0123456789abcdef"[.:.+1]) | add;
    if type == "array" then "0x" + (map(hexbyte) | add) else . end'
types_json='{}'
if [ "$dry_run" = 1 ] && [ "$reuse" = 0 ]; then
    say "would register the catalogue's types: $(cd "$ROOT/types" && ls -d */ | tr -d / | tr '\n' ' ')"
else
    for schema in "$ROOT"/types/*/schema.json; do
        type_name=$(basename "$(dirname "$schema")")
        schema_hash="0x$(b2sum -l 256 "$schema" | cut -d' ' -f1)"
        type_id=$(query registry type_id_by_name "\"$type_name\"")
        if [ "$type_id" = null ]; then
            if [ "$dry_run" = 1 ]; then
                say "would register type $type_name (schema $schema_hash)"
                continue
            fi
            send registry register_type "\"$type_name\"" "$schema_hash"
            type_id=$(query registry type_id_by_name "\"$type_name\"")
            [[ $type_id =~ ^[0-9]+$ ]] || die "type $type_name: registered, but type_id_by_name answers '$type_id'"
            say "registered type $type_name as type $type_id (schema $schema_hash)"
        else
            registered=$(query registry deployment_type "$type_id" | jq -r ".schema_hash | $hex_bytes")
            [ "$registered" = "$schema_hash" ] || die "type '$type_name' is type $type_id on this chain with schema $registered, not this repository's $schema_hash ($schema): someone registered the name first; register ours under a new name (types/README.md)"
            say "type $type_name is registered already as type $type_id, with this schema"
        fi
        types_json=$(jq -c --arg n "$type_name" --argjson id "$type_id" --arg h "$schema_hash" \
            '. + {($n): {id: $id, schema_hash: $h}}' <<<"$types_json")
    done
fi

# Pools (--pool): each at the suite's subscription contract, recorded under
# .pools[] beside the suite. Those recorded for this suite are kept (a
# --pool equal to one of them is not instantiated again); a fresh suite
# starts with none.
pools_json='[]'
if [ "$reuse" = 1 ]; then
    pools_json=$(jq -c --arg sub "$sub" '[(.pools // [])[] | select(.subscription == $sub)]' "$out")
fi
# The --suri account's address: this run's Instantiated events name it; a
# recorded suite may have been deployed by another account, so it is derived
# from the secret URI with @polkadot/keyring (clients/ts: npm ci).
suri_address() {
    if [ "$reuse" = 0 ] && [ -n "$deployer" ]; then
        echo "$deployer"
        return
    fi
    [ -d "$ROOT/clients/ts/node_modules/@polkadot/keyring" ] \
        || die "--pool without GOVERNOR on a recorded suite needs the --suri account's address: give it as TYPE_ID:MAX_RATE:GOVERNOR, or install clients/ts (npm ci) to derive it"
    SURI="$suri" NODE_PATH="$ROOT/clients/ts/node_modules" node -e '
        const { Keyring } = require("@polkadot/keyring");
        const { cryptoWaitReady } = require("@polkadot/util-crypto");
        cryptoWaitReady().then(() => {
            console.log(new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri(process.env.SURI).address);
            process.exit(0);
        }).catch((e) => { console.error(e.message); process.exit(1); });' \
        || die "could not derive the --suri account's address for a pool's governor; give GOVERNOR explicitly"
}
if [ ${#pool_specs[@]} -gt 0 ]; then
    # Its cold part first (contracts/src/cold.rs): the constructor holds it.
    upload "pool's cold part" "$ARTIFACTS/dinfra_pool_cold1.contract"
    upload pool "$ARTIFACTS/dinfra_pool.contract"
fi
for spec in ${pool_specs[@]+"${pool_specs[@]}"}; do
    IFS=: read -r type_id max_rate governor <<<"$spec"
    type_id=$((10#$type_id))
    max_rate="${max_rate#"${max_rate%%[1-9]*}"}"
    # A pool for a type the registry does not know could never create.
    if [ "$reuse" = 1 ] || [ "$dry_run" = 0 ]; then
        [ "$(query registry deployment_type "$type_id")" != null ] \
            || die "--pool $spec: the registry has no deployment type $type_id (registered: $(jq -c 'with_entries(.value |= .id)' <<<"$types_json"))"
    fi
    if [ "$dry_run" = 1 ]; then
        say "would instantiate pool with new($sub, ${governor:-<the --suri account>}, Terms { type_id: $type_id, max_rate: $max_rate, max_cancel_fee: 0 }) unless one is recorded with these terms and governor"
        continue
    fi
    [ -n "$governor" ] || governor=$(suri_address) || exit 1
    existing=$(jq -r --argjson t "$type_id" --arg r "$max_rate" --arg g "$governor" \
        '[.[] | select(.type_id == $t and (.max_rate | tostring) == $r and .governor == $g)][0].address // empty' <<<"$pools_json")
    if [ -n "$existing" ]; then
        on_chain=$(code_at "$existing")
        [ "$on_chain" = "${code_hash[pool]}" ] \
            || say "WARNING: pool $existing (recorded) runs ${on_chain:-no contract}, not the artifacts' pool code ${code_hash[pool]}"
        say "pool for type $type_id at most $max_rate per block, governor $governor: recorded at $existing, keeping it"
        continue
    fi
    pool_salt="0x$(printf '%s-pool-%s-%s-%s' "$name" "$spec" "$(date +%s%N)" "$$" | sha256sum | cut -c1-16)"
    result=$(contract instantiate "$ARTIFACTS/dinfra_pool.json" --constructor new \
        --args "$sub" "$governor" "Terms { type_id: $type_id, max_rate: $max_rate, max_cancel_fee: 0 }" \
        --suri "$suri" --salt "$pool_salt" --execute --skip-confirm --output-json 2>&1) \
        || die "instantiating pool ($spec) failed: $result"
    pool_address=$(echo "$result" | sed -n '/^{/,$p' | jq -r '.contract') \
        || die "no address in cargo-contract's answer: $result"
    pool_block=$(block_number)
    say "instantiated pool at $pool_address (block $pool_block): type $type_id, at most $max_rate per block, governor $governor"
    pools_json=$(jq -c --arg a "$pool_address" --arg h "${code_hash[pool]}" --argjson b "$pool_block" \
        --argjson t "$type_id" --arg r "$max_rate" --arg g "$governor" --arg sub "$sub" \
        '. + [{address: $a, code_hash: $h, block: $b, bundle: "artifacts/dinfra_pool.contract",
               type_id: $t, max_rate: $r, governor: $g, subscription: $sub}]' <<<"$pools_json")
done

if [ "$dry_run" = 1 ]; then
    say "dry run: nothing sent, $out not written"
    exit 0
fi

# The delay in effect (a shorter one may still be pending): the smallest of
# the four, which is what bounds a consumer's notice.
delay_in_effect=""
for c in "${CONTRACTS[@]}"; do
    d=$(query "$c" Admin::governance_delay)
    [[ $d =~ ^[0-9]+$ ]] || die "$c.Admin::governance_delay answered '$d'"
    [ -n "$delay_in_effect" ] && [ "$d" -ge "$delay_in_effect" ] || delay_in_effect=$d
    [ "$d" = "$governance_delay" ] || say "$c: its governance delay in effect is $d blocks, not $governance_delay (see the scheduled change above)"
done

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
    --argjson consumer_notice "$consumer_notice" --argjson governance_delay "$delay_in_effect" \
    --argjson types "$types_json" --argjson pools "$pools_json" '
    def entry($c; $a; $h; $b): {address: $a, code_hash: $h, block: $b, bundle: "artifacts/dinfra_\($c).contract"};
    { name: $name, url: $url, genesis_hash: $genesis, deployer: $deployer, block: $block,
      contracts: {
        registry: entry("registry"; $registry; $registry_hash; $registry_block),
        escrow: entry("escrow"; $escrow; $escrow_hash; $escrow_block),
        award: entry("award"; $award; $award_hash; $award_block),
        subscription: entry("subscription"; $subscription; $subscription_hash; $subscription_block) },
      parameters: { min_bond: $min_bond, unbonding_blocks: $unbonding_blocks,
        max_candidates: $max_candidates, ready_timeout: $ready_timeout,
        consumer_notice: $consumer_notice, governance_delay: $governance_delay },
      types: $types }
    + (if ($pools | length) > 0 then {pools: $pools} else {} end)' >"$tmp"
mv "$tmp" "$out"
say "wrote $out (block $block)"
cat "$out"
