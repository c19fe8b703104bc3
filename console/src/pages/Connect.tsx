import { checkDeployment, CONTRACT_NAMES, formatBlock, type ChainClock, type ContractName, type Deployment } from '@dinfra/client';
import { useState } from 'react';
import { deploymentFromAddresses, inWords, openSession, type Session } from '../session';

const DEFAULT_URL = 'ws://127.0.0.1:9944';

export function ConnectPage({ session, clock, onConnected }: { session: Session | null; clock: ChainClock | null; onConnected: (s: Session) => void }) {
  const [url, setUrl] = useState(session?.url ?? DEFAULT_URL);
  const [mode, setMode] = useState<'json' | 'addresses'>('json');
  const [json, setJson] = useState('');
  const [addresses, setAddresses] = useState<Record<ContractName, string>>({ registry: '', award: '', escrow: '', subscription: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const upload = async (file: File | undefined) => {
    if (file) setJson(await file.text());
  };

  const connect = async () => {
    setError('');
    if (!/^wss?:\/\/[^\s]+$/.test(url.trim())) {
      setError('The endpoint must be a ws:// or wss:// URL');
      return;
    }
    let deployment: Deployment;
    setBusy(true);
    try {
      if (mode === 'json') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(json);
        } catch (e) {
          throw new Error(`The deployments json does not parse: ${(e as Error).message}`);
        }
        deployment = checkDeployment(parsed, 'deployments json');
      } else {
        deployment = await deploymentFromAddresses(url.trim(), addresses);
      }
      onConnected(await openSession(url.trim(), deployment));
    } catch (e) {
      setError(inWords(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h2>Connect</h2>
      <label>
        Node endpoint <input data-testid="url" value={url} onChange={(e) => setUrl(e.target.value)} size={40} />
      </label>
      <div className="tabs">
        <label>
          <input type="radio" data-testid="mode-json" checked={mode === 'json'} onChange={() => setMode('json')} /> deployments json
        </label>
        <label>
          <input type="radio" data-testid="mode-addresses" checked={mode === 'addresses'} onChange={() => setMode('addresses')} /> the four addresses
        </label>
      </div>
      {mode === 'json' ? (
        <div>
          <p>Paste deploy/deployments/&lt;name&gt;.json, or choose the file:</p>
          <input type="file" accept=".json,application/json" data-testid="deployment-file" onChange={(e) => void upload(e.target.files?.[0])} />
          <textarea data-testid="deployment-json" rows={8} cols={80} value={json} onChange={(e) => setJson(e.target.value)} placeholder='{"name": "local", "contracts": {…}}' />
        </div>
      ) : (
        <div className="grid2">
          {CONTRACT_NAMES.map((name) => (
            <label key={name}>
              {name}{' '}
              <input data-testid={`address-${name}`} size={50} value={addresses[name]} onChange={(e) => setAddresses({ ...addresses, [name]: e.target.value })} />
            </label>
          ))}
        </div>
      )}
      <button data-testid="connect" disabled={busy} onClick={() => void connect()}>
        {busy ? 'Connecting…' : 'Connect'}
      </button>
      {error && (
        <div className="error" data-testid="connect-error">
          {error}
        </div>
      )}
      {session && (
        <div className="card" data-testid="connected">
          <h3>Connected</h3>
          <p>
            Chain <b>{session.chain}</b> ({session.chainType}
            {session.isDev ? ', dev accounts available' : ''}) at {session.url}
            <br />
            Best block: <b data-testid="connected-block">{clock ? formatBlock(clock.block, clock) : '…'}</b>
            <br />
            Token: {session.token.symbol}, {session.token.decimals} decimals{session.token.declared ? '' : ' (the chain declares none: amounts are in its smallest unit)'}
            <br />
            Deployment “{session.deployment.name}”; governance delays:{' '}
            {CONTRACT_NAMES.map((n) => `${n} ${session.dinfra.governance.contracts[n].delay ?? '?'}`).join(', ')} blocks
          </p>
          <table>
            <thead>
              <tr>
                <th>contract</th>
                <th>address</th>
                <th>code hash on chain</th>
                <th>checked</th>
              </tr>
            </thead>
            <tbody>
              {session.codes.map((c) => (
                <tr key={c.name} data-testid={`code-${c.name}`}>
                  <td>{c.name}</td>
                  <td className="mono">{c.address}</td>
                  <td className="mono">{c.onChain}</td>
                  <td>{c.ok ? '✓ matches the client’s metadata' : `✗ metadata says ${c.expected}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
