// The command line's arguments: which command, its positionals and flags,
// each flag checked against the command's list — an unknown flag, a
// missing value or a flag given twice is refused before anything connects.
// No chain here: amounts, blocks and dates are read in commands.ts, where
// the chain's token and clock are known.

/** Bad input: the message says what was wrong; nothing was sent. Exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A flag a command takes: with a value or not, once or repeatable. */
export interface FlagSpec {
  value: boolean;
  repeat?: boolean;
  help: string;
}

export interface CommandSpec {
  /** `ID` and the like, in order; every one required. */
  positionals: string[];
  summary: string;
  flags: Record<string, FlagSpec>;
}

/** Flags every command takes. */
export const COMMON_FLAGS: Record<string, FlagSpec> = {
  url: { value: true, help: 'the node (default $DINFRA_URL, else ws://127.0.0.1:9944)' },
  deployment: { value: true, help: 'the deployments json deploy/deploy.sh wrote (default $DINFRA_DEPLOYMENT)' },
  suri: { value: true, help: 'the signing account: a secret URI (//Alice, a mnemonic, with derivation paths)' },
  'key-file': { value: true, help: 'a file holding the secret URI or mnemonic (instead of --suri)' },
  json: { value: false, help: 'print one JSON object: stable keys, amounts as strings in the smallest unit' },
  help: { value: false, help: 'this help' },
};

export const COMMANDS: Record<string, CommandSpec> = {
  market: {
    positionals: [],
    summary: 'deployment types and the offers that can be awarded now',
    flags: { type: { value: true, help: 'only this deployment type (its id or name)' } },
  },
  subscribe: {
    positionals: [],
    summary: 'subscribe to an offer, or to the one the award picks; dry-run first, then sent',
    flags: {
      type: { value: true, help: 'deployment type (id or name), required' },
      offer: { value: true, help: 'this offer id (else the award picks among the offers that fit)' },
      'max-price': { value: true, help: 'highest price per block, in the token (default with --offer: its price)' },
      require: { value: true, repeat: true, help: 'key=value attribute the provider must have (repeatable)' },
      exclude: { value: true, repeat: true, help: 'key=value attribute the provider must not have (repeatable)' },
      prefer: { value: true, repeat: true, help: 'a provider address to prefer (repeatable)' },
      'min-duration': { value: true, help: "blocks you commit to: offers with a longer minimum are skipped (default: --for-blocks, else the offer's minimum, else 0)" },
      descriptor: { value: true, help: 'the descriptor: a file (published as file://…) or an http(s)/ipfs URI' },
      'descriptor-uri': { value: true, help: 'where the provider fetches the --descriptor file (default file://<absolute path>)' },
      'descriptor-hash': { value: true, help: 'blake2-256 of the descriptor at an ipfs:// URI (0x + 64 hex digits)' },
      schema: { value: true, help: "the type's JSON Schema file to check the descriptor against (default types/<name>/schema.json when found)" },
      deposit: { value: true, help: 'amount put into escrow, in the token' },
      'for-blocks': { value: true, help: 'deposit for this many blocks at the price (the offer\'s, else --max-price)' },
      'dry-run': { value: false, help: 'stop after the dry run' },
    },
  },
  status: {
    positionals: ['ID'],
    summary: 'a subscription: phase, rate, when it ends or runs out, money used and left, access',
    flags: {},
  },
  'top-up': {
    positionals: ['ID'],
    summary: 'add money to a subscription: an amount, or what lasts until a date',
    flags: {
      amount: { value: true, help: 'amount to add, in the token' },
      until: { value: true, help: 'ISO-8601 date (UTC unless it says otherwise) the money must last until' },
    },
  },
  cancel: {
    positionals: ['ID'],
    summary: 'cancel a subscription (shows when billing ends)',
    flags: {},
  },
  watch: {
    positionals: ['ID'],
    summary: 'follow new blocks; warn when the funds run low; exit 0 when it closes',
    flags: {
      'warn-hours': { value: true, help: 'warn when fewer than this many hours (estimated) of funds are left' },
      'warn-blocks': { value: true, help: 'warn when fewer than this many blocks of funds are left (a chain with no block time)' },
      hook: { value: true, help: 'command run by sh when the funds run low (status in DINFRA_* env vars); without it, exit 3' },
    },
  },
};

export interface Parsed {
  command: string;
  positionals: string[];
  /** Flag name (no dashes) → its values ('' for a flag without a value). */
  flags: Map<string, string[]>;
}

/** Reads `argv` (without node and the script). `{ command: 'help' }` for
 * no command or `--help` alone. */
export function parseArgs(argv: string[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    return { command: 'help', positionals: rest.filter((a) => !a.startsWith('-')), flags: new Map() };
  }
  if (first.startsWith('-')) throw new UsageError(`the first argument is a command (${Object.keys(COMMANDS).join(', ')}), not ${first}`);
  const spec = COMMANDS[first];
  if (!spec) throw new UsageError(`unknown command "${first}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
  const allowed: Record<string, FlagSpec> = { ...COMMON_FLAGS, ...spec.flags };
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--') {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      flags.set('help', ['']);
      continue;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && !/^-\d/.test(arg)) throw new UsageError(`unknown flag ${arg} for dinfra ${first} (dinfra ${first} --help lists its flags)`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const flag = allowed[name];
    if (!flag) throw new UsageError(`unknown flag --${name} for dinfra ${first} (dinfra ${first} --help lists its flags)`);
    let value = '';
    if (flag.value) {
      if (eq !== -1) {
        value = arg.slice(eq + 1);
      } else {
        const next = rest[i + 1];
        if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${name} needs a value`);
        value = next;
        i++;
      }
      if (value === '') throw new UsageError(`--${name} needs a value`);
    } else if (eq !== -1) {
      throw new UsageError(`--${name} takes no value`);
    }
    const seen = flags.get(name);
    if (seen && !flag.repeat) throw new UsageError(`--${name} is given twice`);
    flags.set(name, [...(seen ?? []), value]);
  }
  if (flags.has('help')) return { command: first, positionals, flags };
  if (positionals.length !== spec.positionals.length) {
    const want = spec.positionals.length ? spec.positionals.join(' ') : 'no argument besides flags';
    throw new UsageError(`dinfra ${first} takes ${want}, got ${positionals.length ? positionals.map((p) => JSON.stringify(p)).join(' ') : 'none'}`);
  }
  return { command: first, positionals, flags };
}

/** The one value of a flag, or undefined. */
export function flag(parsed: Parsed, name: string): string | undefined {
  return parsed.flags.get(name)?.[0];
}

export function has(parsed: Parsed, name: string): boolean {
  return parsed.flags.has(name);
}

/** `dinfra --help` or `dinfra CMD --help`. */
export function usage(command?: string): string {
  const spec = command ? COMMANDS[command] : undefined;
  const lines: string[] = [];
  const flagLines = (flags: Record<string, FlagSpec>) =>
    Object.entries(flags).map(([name, f]) => `  --${name}${f.value ? ' X' : ''}`.padEnd(24) + f.help);
  if (!spec) {
    lines.push('dinfra — the DINFRA suite from the command line', '', 'usage: dinfra COMMAND [ARGS] [FLAGS]', '', 'commands:');
    for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${`${name} ${c.positionals.join(' ')}`.padEnd(22)}${c.summary}`);
    lines.push('', 'flags of every command:', ...flagLines(COMMON_FLAGS), '', 'dinfra COMMAND --help lists its flags. Exit status: 0 done, 1 refused or failed, 2 bad input (nothing sent), 3 watch: funds low.');
    return lines.join('\n');
  }
  lines.push(`usage: dinfra ${command} ${spec.positionals.join(' ')} [FLAGS]`.replace(/ +/g, ' '), '', spec.summary, '');
  if (Object.keys(spec.flags).length) lines.push('flags:', ...flagLines(spec.flags), '');
  lines.push('flags of every command:', ...flagLines(COMMON_FLAGS));
  return lines.join('\n');
}
