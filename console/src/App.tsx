import { formatBlock, type ChainClock } from '@dinfra/client';
import { useEffect, useState } from 'react';
import { ConnectPage } from './pages/Connect';
import { MarketPage } from './pages/Market';
import { ProviderPage } from './pages/Provider';
import { SubscribePage } from './pages/Subscribe';
import { SubscriptionsPage } from './pages/Subscriptions';
import { clockAt, devAccounts, extensionAccounts, inWords, type Account, type Session } from './session';

type Page = 'connect' | 'market' | 'subscribe' | 'subscriptions' | 'provider';
const TITLES: Record<Page, string> = { connect: 'Connect', market: 'Market', subscribe: 'Subscribe', subscriptions: 'My subscriptions', provider: 'Provider' };

export function App() {
  const [page, setPage] = useState<Page>('connect');
  const [session, setSession] = useState<Session | null>(null);
  const [clock, setClock] = useState<ChainClock | null>(null);
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [selected, setSelected] = useState<string>('');
  const [walletError, setWalletError] = useState('');

  // Live: every new head moves the clock; the pages reload on it.
  useEffect(() => {
    if (!session) return;
    let stop: (() => void) | undefined;
    let gone = false;
    void session.dinfra.api.rpc.chain
      .subscribeNewHeads((header) => {
        void clockAt(session, header).then((c) => {
          if (!gone) setClock((prev) => (prev && prev.block > c.block ? prev : c));
        });
      })
      .then((unsubscribe) => {
        if (gone) unsubscribe();
        else stop = unsubscribe;
      });
    return () => {
      gone = true;
      stop?.();
    };
  }, [session]);

  // Dev accounts only on a dev chain.
  useEffect(() => {
    setAccounts((prev) => prev.filter((a) => a.source === 'extension'));
    if (!session?.isDev) return;
    void devAccounts().then((dev) => setAccounts((prev) => [...prev.filter((a) => a.source === 'extension'), ...dev]));
  }, [session]);

  useEffect(() => {
    if (!selected && accounts.length > 0) setSelected(accounts[0]!.address);
    if (selected && !accounts.some((a) => a.address === selected)) setSelected(accounts[0]?.address ?? '');
  }, [accounts, selected]);

  const connectWallet = async () => {
    setWalletError('');
    try {
      const found = await extensionAccounts();
      setAccounts((prev) => [...found, ...prev.filter((a) => a.source === 'dev')]);
    } catch (error) {
      setWalletError(inWords(error));
    }
  };

  const onConnected = async (next: Session) => {
    if (session && session !== next) await session.dinfra.disconnect().catch(() => undefined);
    setClock(null);
    setSession(next);
    setPage('market');
  };

  const account = accounts.find((a) => a.address === selected) ?? null;

  return (
    <div className="app">
      <header>
        <h1>DINFRA console</h1>
        <nav>
          {(Object.keys(TITLES) as Page[]).map((p) => (
            <button key={p} data-testid={`nav-${p}`} className={page === p ? 'active' : ''} disabled={p !== 'connect' && !session} onClick={() => setPage(p)}>
              {TITLES[p]}
            </button>
          ))}
        </nav>
        <div className="status" data-testid="status">
          {session ? (
            <>
              <span data-testid="chain-name">{session.chain}</span> · block <span data-testid="best-block">{clock?.block ?? '…'}</span>
              {clock && clock.msPerBlock === null ? ' · no regular block time' : ''}
            </>
          ) : (
            'not connected'
          )}
        </div>
        <div className="account">
          <select data-testid="account" value={selected} onChange={(e) => setSelected(e.target.value)}>
            {accounts.length === 0 && <option value="">no account</option>}
            {accounts.map((a) => (
              <option key={a.address} value={a.address}>
                {a.name} {a.address.slice(0, 8)}…
              </option>
            ))}
          </select>
          <button onClick={() => void connectWallet()}>Wallet extension</button>
          {walletError && <div className="error">{walletError}</div>}
        </div>
      </header>
      <main>
        {/* Kept mounted so the endpoint and the pasted json survive a visit to another page. */}
        <div hidden={page !== 'connect'}>
          <ConnectPage session={session} clock={clock} onConnected={(s) => void onConnected(s)} />
        </div>
        {page === 'market' && session && clock && <MarketPage session={session} clock={clock} />}
        {page === 'subscribe' && session && clock && <SubscribePage session={session} clock={clock} account={account} />}
        {page === 'subscriptions' && session && clock && <SubscriptionsPage session={session} clock={clock} account={account} />}
        {page === 'provider' && session && clock && <ProviderPage session={session} clock={clock} account={account} />}
        {page !== 'connect' && session && !clock && <p>Waiting for the chain's best block…</p>}
      </main>
      <footer data-testid="footer">
        {session && clock
          ? clock.msPerBlock === null
            ? `This chain has no regular block time (it makes a block when there is something to include), so blocks are shown as blocks, without dates; the best block is ${clock.block}.`
            : `Dates are estimates from the chain's block time; now is ${formatBlock(clock.block, clock)}.`
          : ''}
      </footer>
    </div>
  );
}
