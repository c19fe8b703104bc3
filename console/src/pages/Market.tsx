import { formatAmount, formatBlock, parseAmount, type Attribute, type ChainClock, type DeploymentType, type Offer } from '@dinfra/client';
import { useEffect, useMemo, useState } from 'react';
import { inWords, type Session } from '../session';

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
        (!key || (r.provider?.attributes ?? []).some((a) => a.key === key && (value === undefined || value === '' || a.value === value))),
    );
  }, [market, typeFilter, priceBound, attribute]);

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
                  <td>
                    {(r.provider?.attributes ?? []).map((a) => `${a.key}=${a.value}`).join(', ') || '—'}
                    <div className="small">self-declared</div>
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
