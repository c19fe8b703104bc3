import { CallFailed, checkDescriptor, createArgs, descriptorFor, formatAmount, parseAmount, type ChainClock, type DeploymentType, type RequirementsInput } from '@dinfra/client';
import { blake2AsHex } from '@polkadot/util-crypto';
import { useEffect, useMemo, useState } from 'react';
import { schemaByHash } from '../catalogue';
import { checkAddress, inWords, type Account, type Session } from '../session';

/** Entries separated by commas, spaces or new lines. */
const entries = (text: string) => text.split(/[\s,]+/).filter((t) => t !== '');

/** `key=value` entries, each part 1 to 32 bytes (the contract's bounds). */
function attributeList(text: string, what: string): { key: string; value: string }[] {
  const bytes = (t: string) => new TextEncoder().encode(t).length;
  return entries(text).map((entry) => {
    const eq = entry.indexOf('=');
    const key = eq === -1 ? '' : entry.slice(0, eq);
    const value = eq === -1 ? '' : entry.slice(eq + 1);
    if (!key || !value || bytes(key) > 32 || bytes(value) > 32) throw new Error(`${what}: "${entry}" is not key=value (each 1 to 32 bytes), e.g. region=eu-west`);
    return { key, value };
  });
}

/** Who would serve the subscription: the award's pick, the named offer, or why there is none. */
type Pick = { kind: 'award' | 'named'; offerId: bigint; provider: string; price: bigint } | { kind: 'refused' | 'unknown'; text: string };

/** Subscribe: a type, the award's choice (requirements) or a named offer, a
 * descriptor, a deposit as an amount or as blocks of the price bound; a dry
 * run says what would happen (or the contract's refusal in words) before
 * anything is signed. */
export function SubscribePage({ session, clock, account }: { session: Session; clock: ChainClock; account: Account | null }) {
  const { dinfra, token } = session;
  const [types, setTypes] = useState<[number, DeploymentType][]>([]);
  const [typeId, setTypeId] = useState('');
  const [offerId, setOfferId] = useState('');
  const [maxPrice, setMaxPrice] = useState('');
  const [minDuration, setMinDuration] = useState('0');
  const [preferred, setPreferred] = useState('');
  const [preferredOnly, setPreferredOnly] = useState(false);
  const [required, setRequired] = useState('');
  const [excluded, setExcluded] = useState('');
  const [hash, setHash] = useState('');
  /** The attached descriptor document: a file's bytes as read, or the pasted text's UTF-8. */
  const [doc, setDoc] = useState<{ bytes: Uint8Array; source: string } | null>(null);
  const [pasted, setPasted] = useState('');
  const [attestors, setAttestors] = useState('');
  const [uri, setUri] = useState('');
  const [deposit, setDeposit] = useState('');
  const [blocks, setBlocks] = useState('');
  const [outcome, setOutcome] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  /** What the last dry run says would serve the subscription. */
  const [pick, setPick] = useState<Pick | null>(null);

  useEffect(() => {
    dinfra
      .query<[number, [number, DeploymentType][]]>('registry', 'types', [0, 100])
      .then(([, page]) => setTypes(page))
      .catch((e) => setError(inWords(e)));
  }, [session]);

  const type = types.find(([id]) => String(id) === typeId)?.[1] ?? null;
  /** The catalogue schema whose blake2-256 is the chosen type's schema_hash (matched by hash, not by name). */
  const schema = type ? schemaByHash(type.schemaHash) : null;
  const docHash = useMemo(() => (doc ? blake2AsHex(doc.bytes) : ''), [doc]);
  const check = useMemo(() => (doc && schema ? checkDescriptor(schema.text, doc.bytes) : null), [doc, schema]);
  const violationsText = (c: NonNullable<typeof check>) => c.violations.map((v) => `at ${v.pointer || '/'}: ${v.message}`).join('; ');

  const attachFile = async (file: File | undefined) => {
    setError('');
    setPasted('');
    if (!file) return setDoc(null);
    try {
      setDoc({ bytes: new Uint8Array(await file.arrayBuffer()), source: file.name });
    } catch (e) {
      setDoc(null);
      setError(`the descriptor file could not be read: ${inWords(e)}`);
    }
  };
  const paste = (text: string) => {
    setPasted(text);
    setDoc(text === '' ? null : { bytes: new TextEncoder().encode(text), source: 'pasted text' });
  };

  /** `create`'s descriptor: the attached document's hash once it passes its
   * type's catalogue schema (or when the catalogue has none), else the hash
   * typed in. */
  const descriptor = (): { hash: string; uri: string } => {
    if (!doc) return { hash: hash.trim(), uri: uri.trim() };
    if (check) {
      if (!check.valid) throw new Error(`the descriptor (${doc.source}) does not follow the type's schema (the catalogue's ${schema!.name}); nothing was sent: ${violationsText(check)}`);
      return descriptorFor(check, uri.trim());
    }
    return { hash: docHash, uri: uri.trim() };
  };

  /** The call's arguments and deposit, or a message saying what is wrong. */
  const build = (): { args: unknown[]; value: bigint; input: Parameters<typeof dinfra.create>[1] } => {
    if (!account) throw new Error('choose an account first');
    if (typeId === '') throw new Error('choose a deployment type');
    const price = parseAmount(maxPrice, token);
    if (price === 0n) throw new Error('the maximum price per block must be more than 0');
    if (!/^\d+$/.test(minDuration.trim())) throw new Error('the minimum duration is a whole number of blocks');
    if (offerId.trim() !== '' && !/^\d+$/.test(offerId.trim())) throw new Error('an offer id is a whole number');
    let value: bigint;
    if (blocks.trim() !== '') {
      if (!/^\d+$/.test(blocks.trim()) || Number(blocks) === 0) throw new Error('a duration is a whole number of blocks, more than 0');
      value = price * BigInt(blocks.trim());
    } else {
      value = parseAmount(deposit, token);
    }
    if (value === 0n) throw new Error('the deposit must be more than 0');
    const preferredProviders = entries(preferred).map((a, i) => checkAddress(dinfra.api, a, `Preferred provider ${i + 1}`));
    if (preferredOnly && preferredProviders.length === 0) throw new Error('"only these providers" needs at least one preferred provider');
    const trustedAttestors = entries(attestors).map((a, i) => checkAddress(dinfra.api, a, `Trusted attestor ${i + 1}`));
    const requirements: RequirementsInput = {
      maxPricePerBlock: price,
      minDuration: Number(minDuration),
      preferredProviders,
      preferredOnly,
      trustedAttestors,
      requiredAttributes: attributeList(required, 'Required attributes'),
      excludedAttributes: attributeList(excluded, 'Excluded attributes'),
    };
    const input = { typeId: Number(typeId), descriptor: descriptor(), requirements, deposit: value, offerId: offerId.trim() === '' ? null : BigInt(offerId.trim()) };
    return { args: createArgs(input), value, input };
  };

  /** Who would serve it and at what price, before signing. With no offer
   * named: a dry run of exactly what `create` asks (`awardPreview` of the
   * client): the registry's own `Registry::award` when the subscription
   * contract's award link names the registry, the award contract's
   * `Award::select` when it names one — with the subscription contract as
   * origin (a dry run takes any origin without a signature, and both answer
   * only that contract) and the arguments `create` passes: the same
   * requirements, type and the id the create would get. With an offer
   * named: that offer's provider and price from the registry. */
  const preview = async (input: ReturnType<typeof build>['input'], args: unknown[], id: bigint): Promise<Pick> => {
    if (input.offerId !== null && input.offerId !== undefined) {
      const named = await dinfra.offer(input.offerId);
      if (!named) return { kind: 'refused', text: `There is no offer #${input.offerId} in the registry.` };
      return { kind: 'named', offerId: BigInt(input.offerId), provider: named.provider, price: named.pricePerBlock };
    }
    try {
      const decision = await dinfra.awardPreview(args[2], args[0] as number, id);
      return { kind: 'award', offerId: decision.offerId, provider: decision.provider, price: decision.pricePerBlock };
    } catch (e) {
      // The round-robin cursor of a type is stored on its first award: that
      // storage deposit falls on the origin, and a contract has no free
      // balance to pay it in a dry run (the real create charges the consumer).
      if (e instanceof CallFailed && /StorageDeposit/.test(e.reason)) {
        return { kind: 'unknown', text: `The award's choice cannot be shown before this type's first award: dry-running it as the subscription contract needs a storage deposit that contract cannot pay (${e.reason}); signing charges it to you.` };
      }
      return { kind: 'refused', text: `The award would pick no offer: ${inWords(e)}` };
    }
  };

  const dryRun = async () => {
    setError('');
    setOutcome('');
    setPick(null);
    setBusy(true);
    try {
      const { args, value, input } = build();
      let id: bigint;
      try {
        const result = await dinfra.dryRun('subscription', 'Subscription::create', args, account!.address, value);
        id = BigInt(result.value as bigint);
        setOutcome(`The dry run succeeds: it would be subscription #${id} with a deposit of ${formatAmount(value, token)} (at block ${clock.block}).`);
      } catch (e) {
        setError(inWords(e));
        // Refused: still say what the award (or the named offer) would give; the id create would take is the count.
        id = await dinfra.subscriptionCount();
      }
      setPick(await preview(input, args, id));
    } catch (e) {
      setError(inWords(e));
    } finally {
      setBusy(false);
    }
  };

  const subscribe = async () => {
    setError('');
    setOutcome('');
    setPick(null);
    setBusy(true);
    try {
      const { input } = build();
      const created = await dinfra.create(await account!.signer(), input);
      setOutcome(
        `Subscription #${created.id} created in block ${created.blockNumber}: offer #${created.offerId} of ${created.provider}, ${formatAmount(created.ratePerBlock, token)} per block; the provider must be ready by block ${created.readyDeadline}.`,
      );
    } catch (e) {
      setError(inWords(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h2>Subscribe</h2>
      <div className="grid2">
        <label>
          Type{' '}
          <select data-testid="sub-type" value={typeId} onChange={(e) => setTypeId(e.target.value)}>
            <option value="">choose…</option>
            {types.map(([id, t]) => (
              <option key={id} value={String(id)}>
                {t.name} (#{id})
              </option>
            ))}
          </select>
        </label>
        <label>
          Offer id <input data-testid="sub-offer" size={6} value={offerId} onChange={(e) => setOfferId(e.target.value)} placeholder="empty: the award chooses" />
        </label>
        <label>
          Max price per block <input data-testid="sub-max-price" value={maxPrice} onChange={(e) => setMaxPrice(e.target.value)} placeholder={`in ${token.symbol}`} />
        </label>
        <label>
          Minimum duration I commit to <input data-testid="sub-min-duration" size={8} value={minDuration} onChange={(e) => setMinDuration(e.target.value)} /> blocks
        </label>
        <label>
          Preferred providers <input data-testid="sub-preferred" size={50} value={preferred} onChange={(e) => setPreferred(e.target.value)} placeholder="addresses, separated by commas" />{' '}
          <input type="checkbox" data-testid="sub-preferred-only" checked={preferredOnly} onChange={(e) => setPreferredOnly(e.target.checked)} /> only these
        </label>
        <label>
          Required attributes <input data-testid="sub-required" size={30} value={required} onChange={(e) => setRequired(e.target.value)} placeholder="region=eu-west, …" />
        </label>
        <label>
          Excluded attributes <input data-testid="sub-excluded" size={30} value={excluded} onChange={(e) => setExcluded(e.target.value)} placeholder="network=aws, …" />
        </label>
        <label>
          Trusted attestors <input data-testid="sub-attestors" size={50} value={attestors} onChange={(e) => setAttestors(e.target.value)} placeholder="addresses: required attributes must be attested by one of them" />
        </label>
        <div>
          Descriptor document <input type="file" data-testid="sub-descriptor-file" accept=".json,.yaml,.yml,application/json" onChange={(e) => void attachFile(e.target.files?.[0])} /> or paste it:
          <br />
          <textarea data-testid="sub-descriptor-text" rows={4} cols={70} value={pasted} onChange={(e) => paste(e.target.value)} placeholder='{"chain": …}' />
          {type && (
            <div className="small" data-testid="sub-schema">
              {schema
                ? `checked against the catalogue's ${schema.name} schema (its blake2-256 is this type's schema_hash ${type.schemaHash})`
                : "no schema in the catalogue for this type; the provider's agent will check it"}
            </div>
          )}
          {doc && (
            <div data-testid="sub-descriptor-check" className={check && !check.valid ? 'error' : 'info'}>
              {doc.source}, {doc.bytes.length} bytes: blake2-256 <span className="mono" data-testid="sub-descriptor-hash">{docHash}</span>
              {' — '}
              {!type
                ? 'choose a type to check it against its schema'
                : !check
                  ? 'not checked here (no catalogue schema for this type)'
                  : check.valid
                    ? `valid for the catalogue's ${schema!.name} schema`
                    : `refused: it does not follow the catalogue's ${schema!.name} schema: ${violationsText(check)}`}
            </div>
          )}
        </div>
        <label>
          Descriptor hash (blake2-256){' '}
          <input data-testid="sub-hash" size={70} value={doc ? docHash : hash} disabled={doc !== null} onChange={(e) => setHash(e.target.value)} placeholder="0x…, or attach the document" />
        </label>
        <label>
          Descriptor URI <input data-testid="sub-uri" size={50} value={uri} onChange={(e) => setUri(e.target.value)} placeholder="ipfs://…" />
        </label>
        <label>
          Deposit <input data-testid="sub-deposit" value={deposit} onChange={(e) => setDeposit(e.target.value)} placeholder={`in ${token.symbol}`} /> or for{' '}
          <input data-testid="sub-blocks" size={8} value={blocks} onChange={(e) => setBlocks(e.target.value)} /> blocks at the max price
        </label>
      </div>
      <button data-testid="sub-dry-run" disabled={busy} onClick={() => void dryRun()}>
        Dry run
      </button>{' '}
      <button data-testid="sub-create" disabled={busy} onClick={() => void subscribe()}>
        Sign and subscribe
      </button>
      {outcome && <div className="info" data-testid="sub-outcome">{outcome}</div>}
      {pick && (
        <div className={pick.kind === 'award' || pick.kind === 'named' ? 'info' : 'error'} data-testid="sub-pick" data-kind={pick.kind}>
          {'text' in pick ? (
            pick.text
          ) : (
            <>
              {pick.kind === 'award' ? 'The award would pick offer' : 'The offer you name,'} #<span data-testid="pick-offer">{String(pick.offerId)}</span> of{' '}
              <span className="mono" data-testid="pick-provider">{pick.provider}</span> at <span data-testid="pick-price">{formatAmount(pick.price, token)}</span> per block
              {pick.kind === 'award' ? " (the award's choice, dry-run as the subscription contract asks for it)." : " (the registry's terms)."}
            </>
          )}
        </div>
      )}
      {error && <div className="error" data-testid="sub-error">{error}</div>}
    </section>
  );
}
