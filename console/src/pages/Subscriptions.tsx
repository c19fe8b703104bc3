import { formatAmount, formatBlock, parseAmount, topUpUntil, type ChainClock, type Details, type TxResult } from '@dinfra/client';
import { useEffect, useState } from 'react';
import { closeReasonText, inWords, type Account, type Session } from '../session';

interface Row {
  id: bigint;
  details: Details;
}

async function readSubscriptions(session: Session, consumer: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (let cursor = 0; ; cursor += 100) {
    const page = await session.dinfra.subscriptionsOfConsumer(consumer, cursor, 100);
    for (const { id } of page.entries) {
      const details = await session.dinfra.details(id);
      if (details) rows.push({ id, details });
    }
    if (cursor + 100 >= page.total || page.entries.length === 0) break;
  }
  return rows.reverse();
}

export function SubscriptionsPage({ session, clock, account }: { session: Session; clock: ChainClock; account: Account | null }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState('');
  const [warnHours, setWarnHours] = useState('24');
  const [warnBlocks, setWarnBlocks] = useState('10');
  // Without a regular block time (an instant-seal dev chain) hours cannot be
  // estimated: the warning is in blocks instead.
  const timed = clock.msPerBlock !== null;
  const warn: Warn = timed ? { unit: 'hours', below: Number(warnHours) } : { unit: 'blocks', below: Number(warnBlocks) };

  useEffect(() => {
    if (!account) return;
    let gone = false;
    readSubscriptions(session, account.address)
      .then((r) => !gone && (setRows(r), setError('')))
      .catch((e) => !gone && setError(inWords(e)));
    return () => {
      gone = true;
    };
  }, [session, clock.block, account?.address]);

  if (!account) return <p>Choose an account (a wallet extension's, or a dev account on a dev chain) to see its subscriptions.</p>;
  return (
    <section>
      <h2>My subscriptions</h2>
      <p>
        Consumer <span className="mono">{account.address}</span> ({account.name}).{' '}
        {timed ? (
          <label>
            Warn when fewer than <input data-testid="warn-hours" size={4} value={warnHours} onChange={(e) => setWarnHours(e.target.value)} /> hours are left.
          </label>
        ) : (
          <label data-testid="warn-blocks-label">
            Warn when fewer than <input data-testid="warn-blocks" size={6} value={warnBlocks} onChange={(e) => setWarnBlocks(e.target.value)} /> blocks are left (this chain has no regular
            block time, so hours left cannot be estimated).
          </label>
        )}
      </p>
      {error && <div className="error">{error}</div>}
      {rows === null && !error && <p>Reading the subscription contract…</p>}
      {rows?.length === 0 && <p data-testid="no-subscriptions">This account has no subscriptions.</p>}
      {rows?.map((r) => <SubscriptionCard key={String(r.id)} session={session} clock={clock} account={account} row={r} warn={warn} />)}
    </section>
  );
}

/** When to warn: fewer than `below` hours (a chain with a block time) or
 * blocks (one without) before billing stops. */
interface Warn {
  unit: 'hours' | 'blocks';
  below: number;
}

function SubscriptionCard({ session, clock, account, row, warn }: { session: Session; clock: ChainClock; account: Account; row: Row; warn: Warn }) {
  const { token, dinfra } = session;
  const { id, details } = row;
  const s = details.subscription;
  const f = details.figures;
  const [amount, setAmount] = useState('');
  const [until, setUntil] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const fmt = (v: bigint) => formatAmount(v, token);

  const left = f.deposited - f.refunded - f.accrued;
  // The bar is of everything deposited: used, refunded (once closed) and left.
  const usedPct = f.deposited > 0n ? Number((f.accrued * 10000n) / f.deposited) / 100 : 0;

  // What ends billing: a scheduled end, or else the deposit running out.
  const stop: { block: number; label: string } | null = s.end
    ? { block: s.end[0], label: `Billing ${clock.block >= s.end[0] ? 'ended' : 'ends'} (${closeReasonText(s.end[1])})` }
    : f.depletionBlock !== null
      ? { block: f.depletionBlock, label: 'Money runs out' }
      : null;
  // Billing has stopped (the end block or the depletion block is reached):
  // anyone may settle, which closes it and moves the money.
  const ended = s.phase !== 'Closed' && stop !== null && clock.block >= stop.block;
  const blocksLeft = stop ? stop.block - clock.block : null;
  const remaining = blocksLeft === null ? null : warn.unit === 'hours' ? (clock.msPerBlock === null ? null : (blocksLeft * clock.msPerBlock) / 3_600_000) : blocksLeft;
  const low = !ended && s.phase !== 'Closed' && remaining !== null && Number.isFinite(warn.below) && remaining < warn.below;

  const run = async (what: string, call: () => Promise<TxResult>) => {
    setBusy(true);
    setError('');
    setMessage(`${what}: signing and sending…`);
    try {
      const tx = await call();
      setMessage(`${what}: in block ${tx.blockNumber} (fee ${fmt(tx.fee)}).`);
    } catch (e) {
      setMessage('');
      setError(inWords(e));
    } finally {
      setBusy(false);
    }
  };

  const topUp = () => {
    let value: bigint;
    try {
      if (until.trim() !== '') {
        const target = Date.parse(until.trim().replace(' ', 'T') + (/[zZ]|UTC|[+-]\d\d:?\d\d$/.test(until) ? '' : 'Z'));
        if (Number.isNaN(target)) throw new RangeError(`"${until}" is not a date (write e.g. 2026-12-31 14:00, UTC)`);
        if (!stop) throw new RangeError('this subscription has no end or depletion block to extend');
        value = topUpUntil(target, clock, stop.block, s.ratePerBlock).amount;
        if (value === 0n) throw new RangeError(`the money already lasts until then (${formatBlock(stop.block, clock)})`);
      } else {
        value = parseAmount(amount, token);
        if (value === 0n) throw new RangeError('a top-up must be more than 0');
      }
    } catch (e) {
      setError((e as Error).message);
      return;
    }
    void run(`Top-up of ${fmt(value)}`, async () => dinfra.topUp(await account.signer(), id, value));
  };

  return (
    <div className="card" data-testid={`subscription-${id}`}>
      <h3>
        Subscription #{String(id)} — <span data-testid="phase">{s.phase}</span>
        {s.closed && <span data-testid="closed-reason"> ({closeReasonText(s.closed)})</span>}
      </h3>
      {ended && (
        <div className="info" data-testid="billing-ended">
          Billing stopped at {formatBlock(stop!.block, clock)}; settling closes it, pays the provider what it earned and refunds you the rest (anyone may settle).
        </div>
      )}
      {low && (
        <div className="warning" data-testid="low-funds">
          Fewer than {warn.below} {warn.unit} left ({blocksLeft} blocks to {formatBlock(stop!.block, clock)}): top up or expect the deployment to stop.
        </div>
      )}
      <table className="facts">
        <tbody>
          <tr>
            <th>provider</th>
            <td className="mono">{s.provider}</td>
          </tr>
          <tr>
            <th>offer</th>
            <td>
              #{String(s.offerId)}, {s.pricing} pricing
            </td>
          </tr>
          <tr>
            <th>rate</th>
            <td data-testid="rate">{fmt(s.ratePerBlock)} per block</td>
          </tr>
          {s.priceChange && (
            <tr>
              <th>proposed rate</th>
              <td>
                {fmt(s.priceChange.rate)} per block from {formatBlock(s.priceChange.effectiveAt, clock)}
                {s.priceChange.needsConsent && s.phase !== 'Closed' && (
                  <>
                    {' '}
                    <button disabled={busy} onClick={() => void run('Accepting the price', async () => dinfra.acceptPrice(await account.signer(), id, s.priceChange!.rate))}>
                      Accept
                    </button>
                    <button disabled={busy} onClick={() => void run('Rejecting the price', async () => dinfra.rejectPrice(await account.signer(), id))}>
                      Reject
                    </button>
                  </>
                )}
              </td>
            </tr>
          )}
          <tr>
            <th>ready</th>
            <td data-testid="ready">{s.readyAt !== null ? formatBlock(s.readyAt, clock) : `not yet; the provider's deadline is ${formatBlock(s.readyDeadline, clock)}`}</td>
          </tr>
          <tr>
            <th>{stop ? stop.label : 'end'}</th>
            <td data-testid="end">{stop ? formatBlock(stop.block, clock) : 'billing starts when the provider marks it ready'}</td>
          </tr>
          <tr>
            <th>money</th>
            <td>
              <div className="bar" title={`${usedPct}% used`}>
                <div className="used" style={{ width: `${usedPct}%` }} />
              </div>
              <span data-testid="used">{fmt(f.accrued)} used</span>, <span data-testid="left">{fmt(left)} left</span> of {fmt(f.deposited)} deposited
              {f.refunded > 0n ? `, ${fmt(f.refunded)} refunded` : ''}
            </td>
          </tr>
          <tr>
            <th>withdrawable by the provider</th>
            <td data-testid="withdrawable">{fmt(f.withdrawable)}</td>
          </tr>
          <tr>
            <th>refundable to you</th>
            <td data-testid="refundable">{fmt(f.refundable)}</td>
          </tr>
          <tr>
            <th>access</th>
            <td data-testid="access">
              {details.access && details.access.uris.length > 0
                ? details.access.uris.map((u) => (
                    <div key={u} className="mono">
                      {u}
                    </div>
                  ))
                : 'not published yet'}
            </td>
          </tr>
          {s.closed && (
            <>
              <tr>
                <th>closed</th>
                <td data-testid="closed-why">{closeReasonText(s.closed)}</td>
              </tr>
              <tr>
                <th>refunded to you</th>
                <td data-testid="refunded">{fmt(f.refunded)}</td>
              </tr>
            </>
          )}
        </tbody>
      </table>
      {s.phase !== 'Closed' && (
        <div className="actions">
          <label>
            Top up <input data-testid="topup-amount" size={12} value={amount} onChange={(e) => setAmount(e.target.value)} placeholder={`amount in ${token.symbol}`} />
          </label>{' '}
          {clock.msPerBlock !== null && (
            <label>
              or until <input data-testid="topup-until" size={18} value={until} onChange={(e) => setUntil(e.target.value)} placeholder="2026-12-31 14:00 (UTC)" />
            </label>
          )}{' '}
          <button data-testid="topup" disabled={busy} onClick={topUp}>
            Top up
          </button>{' '}
          {ended && (
            <>
              <button data-testid="settle" disabled={busy} onClick={() => void run('Settle', async () => dinfra.settle(await account.signer(), id))}>
                Settle (close it: pay the provider, refund the rest)
              </button>{' '}
            </>
          )}
          <button data-testid="cancel" disabled={busy} onClick={() => void run('Cancel', async () => dinfra.cancel(await account.signer(), id))}>
            Cancel
          </button>
        </div>
      )}
      {message && <div className="info" data-testid="tx-message">{message}</div>}
      {error && (
        <div className="error" data-testid="tx-error">
          {error}
        </div>
      )}
    </div>
  );
}
