#!/usr/bin/env node
// npm run build: dist/ afresh — tsc's ESM JavaScript and declarations of
// src/ (tsconfig.build.json), then the contracts' metadata copied from
// artifacts/ (scripts/metadata.mjs) with its committed declaration.

import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const run = (file, args) => execFileSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit' });

rmSync(dist, { recursive: true, force: true });
// src/ too, so the sources tsx runs in the repository use the same metadata.
run(join(root, 'scripts', 'metadata.mjs'), [join(root, 'src'), dist]);
run(join(root, 'node_modules', 'typescript', 'bin', 'tsc'), ['-p', 'tsconfig.build.json']);
copyFileSync(join(root, 'src', 'metadata.generated.d.ts'), join(dist, 'metadata.generated.d.ts'));
