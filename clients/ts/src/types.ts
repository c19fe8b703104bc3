// The contracts' types as the client returns them (see `plain` in codec.ts:
// u32 → number, u64/u128 → bigint, accounts SS58, hashes 0x-hex).

export type Pricing = 'Fixed' | 'Dynamic';
export type Phase = 'Awarded' | 'Active' | 'Ending' | 'Closed';
export type CloseReason = 'ConsumerCancelled' | 'ProviderExited' | 'FundsExhausted' | 'ReadyTimeout' | 'Declined' | 'Reclaimed';
export type StreamStatus = 'Pending' | 'Streaming' | 'Exhausted' | 'Ended' | 'Closed';

export interface Attribute {
  key: string;
  value: string;
}

export interface Descriptor {
  /** blake2-256 of the descriptor document, 0x-hex. */
  hash: string;
  /** Where the provider fetches it (≤ 128 bytes). */
  uri: string;
}

/** What a consumer demands; every list may be empty. */
export interface Requirements {
  maxPricePerBlock: bigint;
  requiredAttributes: Attribute[];
  excludedAttributes: Attribute[];
  preferredProviders: string[];
  preferredOnly: boolean;
  excludedProviders: string[];
  trustedAttestors: string[];
  /** Blocks the consumer commits to: offers with a longer minimum are skipped. */
  minDuration: number;
  /** Only offers whose price changes need the consumer's consent (Fixed). */
  fixedPriceOnly: boolean;
  /** The highest rate a Dynamic offer may be repriced to (≥ maxPricePerBlock);
   * null: maxPricePerBlock bounds repricing too. */
  maxRate: bigint | null;
  /** Offers whose notice before leaving is longer are skipped; null: any. */
  maxNoticeBlocks: number | null;
  /** Dynamic offers whose notice before a new price is shorter are skipped. */
  minRepriceNotice: number;
  /** Offers charging more than this to cancel before ready are skipped. */
  maxCancelFee: bigint;
}

export interface OfferTerms {
  pricePerBlock: bigint;
  /** Concurrent deployments. */
  capacity: number;
  /** Shortest subscription accepted, in blocks. */
  minDuration: number;
  /** Blocks of notice before the provider leaves or reprices. */
  noticeBlocks: number;
  pricing: Pricing;
  /** What a consumer pays the provider for cancelling before ready (within
   * the ready deadline): at most 100 blocks of the price. */
  cancelFee: bigint;
}

/** A deployment type as the registry records it. */
export interface DeploymentType {
  name: string;
  /** blake2-256 of the JSON Schema its descriptors follow (`0x…`). */
  schemaHash: string;
  registeredBy: string;
}

export interface Offer extends OfferTerms {
  provider: string;
  typeId: number;
  reserved: number;
  /** Taken off the market by its provider (reserved subscriptions go on). */
  withdrawn: boolean;
  /** Position in its type's index while it can be awarded (not withdrawn,
   * provider active, capacity free); null otherwise. */
  position: number | null;
}

/** A provider's track record: how often, and how much was at stake. */
export interface Reputation {
  completed: number;
  exitedEarly: number;
  missedReady: number;
  completedValue: bigint;
  exitedValue: bigint;
  missedValue: bigint;
}

export type Outcome = 'Completed' | 'ExitedEarly' | 'MissedReady';

export interface PriceChange {
  rate: bigint;
  effectiveAt: number;
  needsConsent: boolean;
}

export interface Subscription {
  consumer: string;
  typeId: number;
  descriptor: Descriptor;
  requirements: Requirements;
  offerId: bigint;
  provider: string;
  streamId: bigint;
  ratePerBlock: bigint;
  pricing: Pricing;
  minDuration: number;
  noticeBlocks: number;
  /** The offer's fee for a consumer's cancel before ready. */
  cancelFee: bigint;
  /** The contract's consumer notice when it was created. */
  consumerNotice: number;
  /** The contract's ready timeout when it was created (a reaward's too). */
  readyTimeout: number;
  awardedAt: number;
  readyDeadline: number;
  readyAt: number | null;
  /** Billing stops at this block, for this reason. */
  end: [number, CloseReason] | null;
  priceChange: PriceChange | null;
  phase: Phase;
  closed: CloseReason | null;
}

/** A stream's live figures at the block the query ran at. */
export interface StreamFigures {
  payer: string;
  payee: string;
  status: StreamStatus;
  rate: bigint;
  /** The ready block billing started at. */
  start: number | null;
  end: number | null;
  /** First block at which the deposit is used up, if before the end. */
  depletionBlock: number | null;
  deposited: bigint;
  withdrawn: bigint;
  refunded: bigint;
  held: bigint;
  /** Earned by the provider so far: withdrawn + withdrawable. */
  accrued: bigint;
  withdrawable: bigint;
  refundable: bigint;
}

export interface Details {
  subscription: Subscription;
  figures: StreamFigures;
  /** How to reach the deployment, as its provider published it with
   * mark_ready (null before). */
  access: { uris: string[] } | null;
}

export interface SubscriptionPage {
  /** How many subscriptions the account has in all. */
  total: number;
  entries: { id: bigint; subscription: Subscription }[];
}

/** What closing (or reclaiming) a stream paid out. */
export interface ClosedStream {
  /** Paid to the payee at close (earned and not withdrawn, plus any cancel fee). */
  paid: bigint;
  /** Refunded to the payer. */
  refunded: bigint;
  /** Paid to the payee over the stream's whole life. */
  payeeTotal: bigint;
}

/** The subscription contract's admin-set parameters. */
export interface SubscriptionParameters {
  readyTimeout: number;
  /** Below every suite contract's governance delay (see `checkGovernance`). */
  consumerNotice: number;
}

/** The registry's admin-set parameters. */
export interface RegistryParameters {
  minBond: bigint;
  unbondingBlocks: number;
}

export interface Weights {
  price: number;
  capacity: number;
  reputation: number;
  preferred: number;
}

/** How the award contract picks among the offers that fit. */
export type Strategy = 'RoundRobin' | 'Random' | 'Capacity' | { Scored: Weights };

// ---- governance (contracts/src/governance.rs) ------------------------------

/** A link of one contract to another: the escrow's and the registry's
 * controller and the award's selector (`Controller`), the subscription
 * contract's award (`Award`). */
export type Link = 'Controller' | 'Award';

/** What an admin may change, only with notice: new code (a 0x code hash), a
 * link pointed at an account (null: at nothing), a new governance delay. */
export type Change = { Code: string } | { Link: [Link, string | null] } | { Delay: number };

/** A change waiting for its delay; anyone may apply it from block `eta` on. */
export interface ScheduledChange {
  id: number;
  change: Change;
  scheduledAt: number;
  eta: number;
}

/** Requirements as a caller may give them: only the price bound is needed;
 * the other fields default to "demand nothing" (but `maxCancelFee` 0: only
 * offers without a cancel fee). */
export type RequirementsInput = Partial<Omit<Requirements, 'maxPricePerBlock' | 'maxRate' | 'maxCancelFee'>> & {
  maxPricePerBlock: bigint | number;
  maxRate?: bigint | number | null;
  maxCancelFee?: bigint | number;
};

export type OfferTermsInput = Omit<OfferTerms, 'pricePerBlock' | 'pricing' | 'cancelFee'> & {
  pricePerBlock: bigint | number;
  pricing?: Pricing;
  /** Default 0. */
  cancelFee?: bigint | number;
};
