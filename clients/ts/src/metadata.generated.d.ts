// The declaration of metadata.generated.js, which scripts/metadata.mjs
// writes from artifacts/dinfra_<name>.json (`npm run metadata`; `npm run
// build` and test.sh run it): the metadata itself is never committed.

/** Each contract's ink! 5 metadata (the `.json` of its build; no Wasm). */
export declare const metadata: {
  readonly registry: Readonly<Record<string, unknown>>;
  readonly award: Readonly<Record<string, unknown>>;
  readonly escrow: Readonly<Record<string, unknown>>;
  readonly subscription: Readonly<Record<string, unknown>>;
  /** pool/: a pool beside a suite (`Pool`). */
  readonly pool: Readonly<Record<string, unknown>>;
};
