import { formatAmount, formatBlock, parseAmount, type Attribute, type ChainClock, type DeploymentType, type Offer } from '@dinfra/client';
import { useEffect, useMemo, useState } from 'react';
import { checkAddress, inWords, type Session } from '../session';

/** Who attested what, per provider: provider → attestor → the attributes
 * `attestation(provider, attestor)` returns (empty: nothing attested). */
type Attestations = Map<string, Map<string, Attribute[]>>;

/** For each provider, the registry's `attestation(provider, attestor)` of
 * each named attestor (the client has no wrapper: queried by message name). */
async function readAttestations(session: Session, providers: string[], attestors: string[]): Promise<Attestations> {
  const out: Attestations = new Map();
  for (const provider of providers) {
    const byAttestor = new Map<string, Attribute[]>();
    for (const attestor of attestors) {
      byAttestor.set(attestor, await session.dinfra.query<Attribute[]>('registry', 'attestation', [provider, attestor]));
    }
    out.set(provider, byAttestor);
  }
  return out;
}

interface ProviderInfo {
  name: string;
  endpoint: string;
  attributes: Attribute[];
  status: unknown;
}

interface MarketRow {
  typeId: number;
  typeName: string;
  offerId: bigint;
  offer: Offer;
  provider: ProviderInfo | null;
}

/** Reads every type (pages of 100) and the offers that can be awarded now. */
async function readMarket(session: Session): Promise<{ types: [number, DeploymentType][]; rows: MarketRow[] }> {
  const { dinfra } = session;
  const types: [number, DeploymentType][] = [];
  for (let cursor = 0; ; cursor += 100) {
    const [count, page] = await dinfra.query<[number, [number, DeploymentType][]]>('registry', 'types', [cursor, 100]);
    types.push(...page);
    if (cursor + 100 >= count || page.length === 0) break;
  }
  const rows: MarketRow[] = [];
  const providers = new Map<string, ProviderInfo | null>();
  for (const [typeId, type] of types) {
    for (let cursor = 0; ; cursor += 100) {
      const [total, page] = await dinfra.query<[number, [bigint, Offer][]]>('registry', 'offers_of_type', [typeId, cursor, 100]);
      for (const [offerId, offer] of page) {
        if (!providers.has(offer.provider)) {
          providers.set(offer.provider, await dinfra.query<ProviderInfo | null>('registry', 'provider', [offer.provider]));
        }
        rows.push({ typeId, typeName: type.name, offerId, offer, provider: providers.get(offer.provider) ?? null });
      }
      if (cursor + 100 >= total || page.length === 0) break;
    }
  }
  return { types, rows };
}

export function MarketPage({ session, clock }: { session: Session; clock: ChainClock }) {
  const [market, setMarket] = useState<{ types: [number, DeploymentType][]; rows: MarketRow[] } | null>(null);
  const [error, setError] = useState('');
  const [typeFilter, setTypeFilter] = useState('all');
  const [maxPrice, setMaxPrice] = useState('');
  const [attribute, setAttribute] = useState('');
  const [attestedBy, setAttestedBy] = useState('');
  const [attestations, setAttestations] = useState<Attestations>(new Map());
  const { token } = session;

  useEffect(() => {
    let gone = false;
    readMarket(session)
      .then((m) => !gone && (setMarket(m), setError('')))
      .catch((e) => !gone && setError(inWords(e)));
    return () => {
      gone = true;
    };
  }, [session, clock.block]);

  // The named attestors, each checked by the chain's codec (a malformed one is said, and none is queried).
  let attestors: string[] = [];
  let attestorError = '';
  try {
    attestors = attestedBy
      .split(/[\s,]+/)
      .filter((t) => t !== '')
      .map((a, i) => checkAddress(session.dinfra.api, a, `Attestor ${i + 1}`));
  } catch (e) {
    attestorError = (e as Error).message;
  }
  const attestorKey = attestors.join(',');
  const providerKey = market ? [...new Set(market.rows.map((r) => r.offer.provider))].join(',') : '';

  useEffect(() => {
    let gone = false;
    if (attestorKey === '' || providerKey === '') {
      setAttestations(new Map());
      return;
    }
    readAttestations(session, providerKey.split(','), attestorKey.split(','))
      .then((a) => !gone && setAttestations(a))
      .catch((e) => !gone && setError(inWords(e)));
    return () => {
      gone = true;
    };
  }, [session, providerKey, attestorKey, clock.block]);

  /** The named attestors who attested `provider`'s `a`. */
  const attestedOf = (provider: string, a: Attribute) =>
    attestors.filter((who) => (attestations.get(provider)?.get(who) ?? []).some((b) => b.key === a.key && b.value === a.value));

  let priceBound: bigint | null = null;
  let priceError = '';
  if (maxPrice.trim() !== '') {
    try {
      priceBound = parseAmount(maxPrice, token);
    } catch (e) {
      priceError = (e as Error).message;
    }
  }

  const shown = useMemo(() => {
    if (!market) return [];
    const [key, value] = attribute.split('=').map((s) => s.trim());
    return market.rows.filter(
      (r) =>
        (typeFilter === 'all' || String(r.typeId) === typeFilter) &&
        (priceBound === null || r.offer.pricePerBlock <= priceBound) &&
        // With attestors named, an attribute counts only when one of them attested it.
        (!key ||
          (r.provider?.attributes ?? []).some(
            (a) => a.key === key && (value === undefined || value === '' || a.value === value) && (attestors.length === 0 || attestedOf(r.offer.provider, a).length > 0),
          )),
    );
  }, [market, typeFilter, priceBound, attribute, attestorKey, attestations]);

  return (
    <section>
      <h2>Market</h2>
      <div className="filters">
        <label>
          Type{' '}
          <select data-testid="type-filter" value={typeFilter} onChange={(e) => setTypeFilter(e.target.value)}>
            <option value="all">all types</option>
            {market?.types.map(([id, t]) => (
              <option key={id} value={String(id)}>
                {t.name} (#{id})
              </option>
            ))}
          </select>
        </label>
        <label>
          Max price per block{' '}
          <input data-testid="max-price" value={maxPrice} onChange={(e) => setMaxPrice(e.target.value)} placeholder={`e.g. 0.01 ${token.symbol}`} />
        </label>
        <label>
          Attribute <input data-testid="attribute-filter" value={attribute} onChange={(e) => setAttribute(e.target.value)} placeholder="region=eu-west" />
        </label>
        <label>
          Attested by{' '}
          <input data-testid="attested-by" size={50} value={attestedBy} onChange={(e) => setAttestedBy(e.target.value)} placeholder="attestor addresses, separated by commas" />
        </label>
        {attestorError && <div className="error" data-testid="attested-error">{attestorError}</div>}
        {priceError && <div className="error" data-testid="price-error">{priceError}</div>}
      </div>
      {error && <div className="error">{error}</div>}
      {!market && !error && <p>Reading the registry…</p>}
      {market && (
        <>
          <p>
            {market.types.length} deployment types, {market.rows.length} offers open for award; {shown.length} shown.
          </p>
          <table data-testid="offers">
            <thead>
              <tr>
                <th>offer</th>
                <th>type</th>
                <th>provider</th>
                <th>price per block</th>
                <th>capacity</th>
                <th>min duration</th>
                <th>notice</th>
                <th>pricing</th>
                <th>cancel fee</th>
                <th>provider attributes</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={String(r.offerId)} data-testid={`offer-${r.offerId}`}>
                  <td>#{String(r.offerId)}</td>
                  <td>{r.typeName}</td>
                  <td>
                    {r.provider?.name ?? '?'}
                    <div className="mono small">{r.offer.provider}</div>
                  </td>
                  <td data-testid="price">{formatAmount(r.offer.pricePerBlock, token)}</td>
                  <td>
                    {r.offer.reserved} of {r.offer.capacity} taken
                  </td>
                  <td>{r.offer.minDuration} blocks</td>
                  <td>{r.offer.noticeBlocks} blocks</td>
                  <td>{r.offer.pricing === 'Fixed' ? 'Fixed (changes need your consent)' : 'Dynamic (repriced after notice)'}</td>
                  <td>{formatAmount(r.offer.cancelFee, token)}</td>
                  <td data-testid="attributes">
                    {attestors.length === 0 ? (
                      <>
                        {(r.provider?.attributes ?? []).map((a) => `${a.key}=${a.value}`).join(', ') || '—'}
                        <div className="small">self-declared</div>
                      </>
                    ) : (
                      <>
                        {(r.provider?.attributes ?? []).length === 0 && '—'}
                        {(r.provider?.attributes ?? []).map((a) => {
                          const by = attestedOf(r.offer.provider, a);
                          return (
                            <div key={`${a.key}=${a.value}`} data-testid={`attr-${a.key}`}>
                              {a.key}={a.value}{' '}
                              <span className="small" data-testid="attested">
                                {by.length > 0 ? `attested by ${by.join(', ')}` : 'self-declared'}
                              </span>
                            </div>
                          );
                        })}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small">As of {formatBlock(clock.block, clock)}.</p>
        </>
      )}
    </section>
  );
}
