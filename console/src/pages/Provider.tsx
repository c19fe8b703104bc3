import {
  closeReasonText,
  formatAmount,
  formatBlock,
  MAX_CLAIM_BATCH,
  offerTerms,
  parseAmount,
  type Attribute,
  type ChainClock,
  type DeploymentType,
  type Details,
  type Offer,
  type OfferTermsInput,
  type Subscription,
  type TxResult,
} from '@dinfra/client';
import { useEffect, useState } from 'react';
import { inWords, type Account, type Session } from '../session';

/** The registry's provider record (plain: camelCase keys). */
interface ProviderRecord {
  name: string;
  endpoint: string;
  attributes: Attribute[];
  bond: bigint;
  status: unknown;
}

interface Awarded {
  id: bigint;
  details: Details;
}

/** `Active`, `Paused`, `Leaving (unbonds at block 120)`. */
function statusText(status: unknown, clock: ChainClock): string {
  if (typeof status === 'string') return status;
  if (status && typeof status === 'object') {
    const [name, value] = Object.entries(status as Record<string, unknown>)[0] ?? ['?', null];
    const at = (value as { unbondsAt?: number } | null)?.unbondsAt;
    return at !== undefined ? `${name} (the bond unbonds at ${formatBlock(at, clock)})` : name;
  }
  return String(status);
}

/** Every subscription ever awarded to `provider`, newest first, with its
 * details. The client has no wrapper for subscriptions_of_provider: the
 * message is queried directly. */
async function readAwarded(session: Session, provider: string): Promise<Awarded[]> {
  const out: Awarded[] = [];
  for (let cursor = 0; ; cursor += 100) {
    const [total, entries] = await session.dinfra.query<[number, [bigint, Subscription][]]>('subscription', 'subscriptions_of_provider', [provider, cursor, 100]);
    for (const [id] of entries) {
      const details = await session.dinfra.details(id);
      if (details) out.push({ id, details });
    }
    if (cursor + 100 >= total || entries.length === 0) break;
  }
  return out.reverse();
}

interface ProviderState {
  provider: ProviderRecord | null;
  offers: { offerId: bigint; offer: Offer }[];
  awarded: Awarded[];
  types: [number, DeploymentType][];
  minBond: bigint;
}

async function readProvider(session: Session, address: string): Promise<ProviderState> {
  const { dinfra } = session;
  const [provider, params, [, types]] = await Promise.all([
    dinfra.query<ProviderRecord | null>('registry', 'provider', [address]),
    dinfra.registryParameters(),
    dinfra.query<[number, [number, DeploymentType][]]>('registry', 'types', [0, 100]),
  ]);
  const offers = provider ? await dinfra.offersOfProvider(address) : [];
  const awarded = await readAwarded(session, address);
  return { provider, offers, awarded, types, minBond: BigInt(params.minBond) };
}

/** Provider: register (name, endpoint, bond), publish, update and withdraw
 * offers, the subscriptions awarded to me with what each lets me claim,
 * claim one or all. Every action can be dry-run first; a refusal is the
 * contract's error in words and nothing is sent. */
export function ProviderPage({ session, clock, account }: { session: Session; clock: ChainClock; account: Account | null }) {
  const { dinfra, token } = session;
  const fmt = (v: bigint) => formatAmount(v, token);
  const [state, setState] = useState<ProviderState | null>(null);
  const [loadError, setLoadError] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  // Registration.
  const [name, setName] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [bond, setBond] = useState('');
  // Offer terms.
  const [editing, setEditing] = useState<bigint | null>(null);
  const [typeId, setTypeId] = useState('');
  const [price, setPrice] = useState('');
  const [capacity, setCapacity] = useState('1');
  const [minDuration, setMinDuration] = useState('0');
  const [notice, setNotice] = useState('0');
  const [pricing, setPricing] = useState<'Fixed' | 'Dynamic'>('Fixed');
  const [cancelFee, setCancelFee] = useState('0');

  useEffect(() => {
    if (!account) return;
    let gone = false;
    readProvider(session, account.address)
      .then((s) => !gone && (setState(s), setLoadError('')))
      .catch((e) => !gone && setLoadError(inWords(e)));
    return () => {
      gone = true;
    };
  }, [session, clock.block, account?.address]);

  useEffect(() => {
    setState(null);
    setEditing(null);
    setMessage('');
    setError('');
  }, [account?.address]);

  if (!account) return <p>Choose an account (a wallet extension's, or a dev account on a dev chain) to act as a provider.</p>;

  /** Dry-runs `message` as the account: the outcome, or the refusal in words; nothing is signed. */
  const dryRun = async (what: string, build: () => { contract: 'registry' | 'subscription'; message: string; args: unknown[]; value?: bigint }, say: (value: unknown) => string) => {
    setBusy(true);
    setError('');
    setMessage('');
    try {
      const call = build();
      const result = await dinfra.dryRun(call.contract, call.message, call.args, account.address, call.value ?? 0n);
      setMessage(`${what}: the dry run succeeds — ${say(result.value)} Nothing was signed.`);
    } catch (e) {
      setError(inWords(e));
    } finally {
      setBusy(false);
    }
  };

  /** Signs and sends (the client dry-runs first: a refusal sends nothing). */
  const run = async <T extends TxResult>(what: string, call: () => Promise<T>, after?: (tx: T) => string) => {
    setBusy(true);
    setError('');
    setMessage(`${what}: signing and sending…`);
    try {
      const tx = await call();
      setMessage(`${what}: in block ${tx.blockNumber} (fee ${fmt(tx.fee)}).${after ? ` ${after(tx)}` : ''}`);
    } catch (e) {
      setMessage('');
      setError(inWords(e));
    } finally {
      setBusy(false);
    }
  };

  const registration = () => {
    if (name.trim() === '') throw new Error('a provider needs a name');
    if (!/^https?:\/\/\S+$/.test(endpoint.trim())) throw new Error('the endpoint is an http:// or https:// URL');
    const value = parseAmount(bond, token);
    if (value === 0n) throw new Error('the bond must be more than 0');
    return { name: name.trim(), endpoint: endpoint.trim(), value };
  };

  const terms = (): OfferTermsInput => {
    const whole = (text: string, what: string) => {
      if (!/^\d+$/.test(text.trim())) throw new Error(`${what} is a whole number`);
      return Number(text.trim());
    };
    const perBlock = parseAmount(price, token);
    if (perBlock === 0n) throw new Error('the price per block must be more than 0');
    const t: OfferTermsInput = {
      pricePerBlock: perBlock,
      capacity: whole(capacity, 'the capacity'),
      minDuration: whole(minDuration, 'the minimum duration'),
      noticeBlocks: whole(notice, 'the notice'),
      pricing,
      cancelFee: parseAmount(cancelFee, token),
    };
    offerTerms(t); // the client's checks (capacity above 0, the cancel fee at most 100 blocks of the price)
    return t;
  };

  const offerCall = () => {
    const t = terms();
    if (editing !== null) return { contract: 'registry' as const, message: 'update_offer', args: [editing, offerTerms(t)] };
    if (typeId === '') throw new Error('choose a deployment type');
    return { contract: 'registry' as const, message: 'publish_offer', args: [Number(typeId), offerTerms(t)] };
  };

  const edit = (offerId: bigint, o: Offer) => {
    setEditing(offerId);
    setTypeId(String(o.typeId));
    setPrice(formatAmount(o.pricePerBlock, token).split(' ')[0]!.replace(/,/g, ''));
    setCapacity(String(o.capacity));
    setMinDuration(String(o.minDuration));
    setNotice(String(o.noticeBlocks));
    setPricing(o.pricing);
    setCancelFee(formatAmount(o.cancelFee, token).split(' ')[0]!.replace(/,/g, ''));
    setMessage('');
    setError('');
  };

  const claimable = (state?.awarded ?? []).filter((a) => a.details.figures.withdrawable > 0n);
  const claimIds = claimable.slice(0, MAX_CLAIM_BATCH).map((a) => a.id);
  const claimTotal = claimable.slice(0, MAX_CLAIM_BATCH).reduce((sum, a) => sum + a.details.figures.withdrawable, 0n);

  const p = state?.provider ?? null;
  return (
    <section>
      <h2>Provider</h2>
      <p>
        Account <span className="mono">{account.address}</span> ({account.name}).
      </p>
      {loadError && <div className="error">{loadError}</div>}
      {!state && !loadError && <p>Reading the registry…</p>}
      {state && !p && (
        <div className="card" data-testid="register-form">
          <h3>Register as a provider</h3>
          <p className="small">The bond is held by the registry while you are a provider; the minimum is {fmt(state.minBond)}.</p>
          <div className="grid2">
            <label>
              Name <input data-testid="prov-name" value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label>
              Endpoint <input data-testid="prov-endpoint" size={40} value={endpoint} onChange={(e) => setEndpoint(e.target.value)} placeholder="https://…" />
            </label>
            <label>
              Bond <input data-testid="prov-bond" value={bond} onChange={(e) => setBond(e.target.value)} placeholder={`in ${token.symbol}, at least ${fmt(state.minBond)}`} />
            </label>
          </div>
          <button
            data-testid="prov-register-dry-run"
            disabled={busy}
            onClick={() =>
              void dryRun(
                'Registering',
                () => {
                  const r = registration();
                  return { contract: 'registry', message: 'register_provider', args: [r.name, r.endpoint, []], value: r.value };
                },
                () => `you would be registered as "${name.trim()}" with a bond of ${fmt(parseAmount(bond, token))}.`,
              )
            }
          >
            Dry run
          </button>{' '}
          <button
            data-testid="prov-register"
            disabled={busy}
            onClick={() => {
              let r: ReturnType<typeof registration>;
              try {
                r = registration();
              } catch (e) {
                setError(inWords(e));
                return;
              }
              void run(`Registering "${r.name}" with a bond of ${fmt(r.value)}`, async () => dinfra.registerProvider(await account.signer(), { name: r.name, endpoint: r.endpoint, bond: r.value }));
            }}
          >
            Sign and register
          </button>
        </div>
      )}
      {p && (
        <div className="card" data-testid="provider-record">
          <h3>
            <span data-testid="prov-registered-name">{p.name}</span> — <span data-testid="prov-status">{statusText(p.status, clock)}</span>
          </h3>
          <table className="facts">
            <tbody>
              <tr>
                <th>endpoint</th>
                <td className="mono">{p.endpoint}</td>
              </tr>
              <tr>
                <th>bond</th>
                <td data-testid="prov-bond-held">{fmt(BigInt(p.bond))}</td>
              </tr>
              <tr>
                <th>attributes (self-declared)</th>
                <td>{p.attributes.map((a) => `${a.key}=${a.value}`).join(', ') || '—'}</td>
              </tr>
            </tbody>
          </table>
        </div>
      )}
      {p && state && (
        <div className="card">
          <h3>My offers</h3>
          {state.offers.length === 0 ? (
            <p data-testid="no-offers">No offers yet.</p>
          ) : (
            <table data-testid="my-offers">
              <thead>
                <tr>
                  <th>offer</th>
                  <th>type</th>
                  <th>price per block</th>
                  <th>capacity</th>
                  <th>min duration</th>
                  <th>notice</th>
                  <th>pricing</th>
                  <th>cancel fee</th>
                  <th>state</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {state.offers.map(({ offerId, offer: o }) => (
                  <tr key={String(offerId)} data-testid={`my-offer-${offerId}`}>
                    <td>#{String(offerId)}</td>
                    <td>{state.types.find(([id]) => id === o.typeId)?.[1].name ?? `#${o.typeId}`}</td>
                    <td data-testid="price">{fmt(o.pricePerBlock)}</td>
                    <td>
                      {o.reserved} of {o.capacity} taken
                    </td>
                    <td>{o.minDuration} blocks</td>
                    <td>{o.noticeBlocks} blocks</td>
                    <td>{o.pricing}</td>
                    <td>{fmt(o.cancelFee)}</td>
                    <td data-testid="offer-state">{o.withdrawn ? 'withdrawn (reserved subscriptions go on)' : o.position !== null ? 'open for award' : 'not awardable now (full or provider paused)'}</td>
                    <td>
                      {!o.withdrawn && (
                        <>
                          <button data-testid="offer-edit" disabled={busy} onClick={() => edit(offerId, o)}>
                            Edit
                          </button>{' '}
                          <button data-testid="offer-withdraw" disabled={busy} onClick={() => void run(`Withdrawing offer #${offerId}`, async () => dinfra.withdrawOffer(await account.signer(), offerId))}>
                            Withdraw
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h4 data-testid="offer-form-title">{editing === null ? 'Publish an offer' : `Update offer #${editing} (subscriptions already reserved keep their terms)`}</h4>
          <div className="grid2">
            <label>
              Type{' '}
              <select data-testid="offer-type" value={typeId} disabled={editing !== null} onChange={(e) => setTypeId(e.target.value)}>
                <option value="">choose…</option>
                {state.types.map(([id, t]) => (
                  <option key={id} value={String(id)}>
                    {t.name} (#{id})
                  </option>
                ))}
              </select>
            </label>
            <label>
              Price per block <input data-testid="offer-price" value={price} onChange={(e) => setPrice(e.target.value)} placeholder={`in ${token.symbol}`} />
            </label>
            <label>
              Capacity <input data-testid="offer-capacity" size={6} value={capacity} onChange={(e) => setCapacity(e.target.value)} /> subscriptions at once
            </label>
            <label>
              Minimum duration <input data-testid="offer-min-duration" size={8} value={minDuration} onChange={(e) => setMinDuration(e.target.value)} /> blocks
            </label>
            <label>
              Notice <input data-testid="offer-notice" size={8} value={notice} onChange={(e) => setNotice(e.target.value)} /> blocks (before I may exit or reprice)
            </label>
            <label>
              Pricing{' '}
              <select data-testid="offer-pricing" value={pricing} onChange={(e) => setPricing(e.target.value as 'Fixed' | 'Dynamic')}>
                <option value="Fixed">Fixed (a new price needs the consumer's consent)</option>
                <option value="Dynamic">Dynamic (a new price applies after the notice)</option>
              </select>
            </label>
            <label>
              Cancel fee <input data-testid="offer-cancel-fee" value={cancelFee} onChange={(e) => setCancelFee(e.target.value)} placeholder={`in ${token.symbol}`} /> (kept if the consumer cancels before ready; at most 100 blocks of the price)
            </label>
          </div>
          <button
            data-testid="offer-dry-run"
            disabled={busy}
            onClick={() =>
              void dryRun(editing === null ? 'Publishing' : `Updating offer #${editing}`, offerCall, (value) =>
                editing === null ? `it would be offer #${String(value)} at ${price} ${token.symbol} per block.` : 'the new terms would apply to new subscriptions.',
              )
            }
          >
            Dry run
          </button>{' '}
          <button
            data-testid="offer-publish"
            disabled={busy}
            onClick={() => {
              let t: OfferTermsInput;
              try {
                t = terms();
                if (editing === null && typeId === '') throw new Error('choose a deployment type');
              } catch (e) {
                setError(inWords(e));
                return;
              }
              if (editing !== null) {
                const id = editing;
                void run(`Updating offer #${id}`, async () => dinfra.updateOffer(await account.signer(), id, t)).then(() => setEditing(null));
              } else {
                void run(
                  `Publishing an offer at ${fmt(BigInt(t.pricePerBlock))} per block`,
                  async () => dinfra.publishOffer(await account.signer(), Number(typeId), t),
                  (tx) => `It is offer #${String((tx as TxResult & { offerId: bigint }).offerId)}.`,
                );
              }
            }}
          >
            {editing === null ? 'Sign and publish' : `Sign and update #${editing}`}
          </button>
          {editing !== null && (
            <>
              {' '}
              <button onClick={() => setEditing(null)}>Stop editing</button>
            </>
          )}
        </div>
      )}
      {message && <div className="info" data-testid="prov-message">{message}</div>}
      {error && <div className="error" data-testid="prov-error">{error}</div>}
      {state && (
        <div className="card" data-testid="awarded">
          <h3>Subscriptions awarded to me</h3>
          {state.awarded.length === 0 ? (
            <p data-testid="no-awarded">None yet.</p>
          ) : (
            <>
              <p>
                <span data-testid="claim-total">{fmt(claimTotal)}</span> can be claimed now
                {claimIds.length === 0 ? (
                  // claim_many of none is refused by the contract (InvalidInput): say so instead of offering it.
                  <>
                    : <span data-testid="nothing-to-claim">nothing to claim (what the subscriptions earn from here can be claimed as blocks pass).</span>{' '}
                  </>
                ) : (
                  <>
                    {' '}from {claimIds.length} subscription{claimIds.length === 1 ? '' : 's'}
                    {claimable.length > MAX_CLAIM_BATCH ? ` (the first ${MAX_CLAIM_BATCH} of ${claimable.length}: one claim takes at most ${MAX_CLAIM_BATCH})` : ''}.{' '}
                  </>
                )}
                <button
                  data-testid="claim-all-dry-run"
                  disabled={busy || claimIds.length === 0}
                  onClick={() =>
                    void dryRun(
                      'Claiming all',
                      () => ({ contract: 'subscription', message: 'claim_many', args: [claimIds] }),
                      (value) => `it would pay you ${fmt(BigInt(value as bigint))}.`,
                    )
                  }
                >
                  Dry run
                </button>{' '}
                <button
                  data-testid="claim-all"
                  disabled={busy || claimIds.length === 0}
                  title={claimIds.length === 0 ? 'nothing to claim' : undefined}
                  // Claimed at the escrow, as the reactor claims (a third of the subscription contract's claim_many):
                  // the client checks the subscription contract's rules in a dry run first, so a refusal sends nothing.
                  onClick={() => void run(`Claiming ${claimIds.length} subscription${claimIds.length === 1 ? '' : 's'}`, async () => dinfra.claimMany(await account.signer(), claimIds), (tx) => `Paid ${fmt(tx.amount)}.`)}
                >
                  Claim all
                </button>
              </p>
              <table data-testid="awarded-table">
                <thead>
                  <tr>
                    <th>subscription</th>
                    <th>phase</th>
                    <th>consumer</th>
                    <th>offer</th>
                    <th>rate</th>
                    <th>ready</th>
                    <th>billing ends</th>
                    <th>earned</th>
                    <th>claimable now</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {state.awarded.map(({ id, details: { subscription: s, figures: f } }) => (
                    <tr key={String(id)} data-testid={`awarded-${id}`}>
                      <td>#{String(id)}</td>
                      <td data-testid="phase">
                        {s.phase}
                        {s.closed && <div className="small">{closeReasonText(s.closed)}</div>}
                      </td>
                      <td className="mono small">{s.consumer}</td>
                      <td>#{String(s.offerId)}</td>
                      <td>{fmt(s.ratePerBlock)} per block</td>
                      <td>{s.readyAt !== null ? formatBlock(s.readyAt, clock) : `not yet; mark it ready by ${formatBlock(s.readyDeadline, clock)}`}</td>
                      <td>
                        {s.end
                          ? `${formatBlock(s.end[0], clock)}: ${closeReasonText(s.end[1])}`
                          : f.depletionBlock !== null
                            ? `the money runs out at ${formatBlock(f.depletionBlock, clock)}`
                            : '—'}
                      </td>
                      <td>{fmt(f.accrued)}</td>
                      <td data-testid="withdrawable">{fmt(f.withdrawable)}</td>
                      <td>
                        {f.withdrawable > 0n && (
                          <button data-testid="claim" disabled={busy} onClick={() => void run(`Claiming #${id}`, async () => dinfra.claim(await account.signer(), id), (tx) => `Paid ${fmt(tx.amount)}.`)}>
                            Claim
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      )}
    </section>
  );
}
