import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// @dinfra/client is linked from ../clients/ts (file:), whose own
// node_modules hold another copy of @polkadot/*: resolve every @polkadot
// package from the console's node_modules so the page runs one copy (two
// copies of @polkadot/util warn on the console and break instanceof checks).
const POLKADOT = [
  '@polkadot/api',
  '@polkadot/api-contract',
  '@polkadot/api-augment',
  '@polkadot/api-base',
  '@polkadot/api-derive',
  '@polkadot/keyring',
  '@polkadot/rpc-augment',
  '@polkadot/rpc-core',
  '@polkadot/rpc-provider',
  '@polkadot/types',
  '@polkadot/types-augment',
  '@polkadot/types-codec',
  '@polkadot/types-create',
  '@polkadot/types-known',
  '@polkadot/util',
  '@polkadot/util-crypto',
  '@polkadot/wasm-crypto',
  '@polkadot/x-global',
  '@polkadot/x-bigint',
  '@polkadot/x-fetch',
  '@polkadot/x-randomvalues',
  '@polkadot/x-textdecoder',
  '@polkadot/x-textencoder',
  '@polkadot/x-ws',
  '@polkadot/networks',
];

export default defineConfig({
  plugins: [react()],
  base: './',
  resolve: { dedupe: POLKADOT },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096, sourcemap: false },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
