// The contracts' types as the client returns them (see `plain` in codec.ts:
// u32 → number, u64/u128 → bigint, accounts SS58, hashes 0x-hex).

export type Pricing = 'Fixed' | 'Dynamic';
export type Phase = 'Awarded' | 'Active' | 'Ending' | 'Closed';
export type CloseReason = 'ConsumerCancelled' | 'ProviderExited' | 'FundsExhausted' | 'ReadyTimeout' | 'Admin';
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
  minDuration: number;
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
}

export interface Offer extends OfferTerms {
  provider: string;
  typeId: number;
  reserved: number;
  /** Position in its type's index while live; null once withdrawn. */
  position: number | null;
}

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
}

export interface SubscriptionPage {
  /** How many subscriptions the account has in all. */
  total: number;
  entries: { id: bigint; subscription: Subscription }[];
}

/** Requirements as a caller may give them: only the price bound is needed. */
export type RequirementsInput = Partial<Omit<Requirements, 'maxPricePerBlock'>> & {
  maxPricePerBlock: bigint | number;
};

export type OfferTermsInput = Omit<OfferTerms, 'pricePerBlock' | 'pricing'> & {
  pricePerBlock: bigint | number;
  pricing?: Pricing;
};
