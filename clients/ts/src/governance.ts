// Governance with notice, as a client sees it: every contract of the suite
// has a governance delay and a list of scheduled changes (code, a link, a
// shorter delay) that anyone may apply once due. A consumer's way out of a
// change it does not like is to cancel with the consumer notice, which only
// works if that notice is at most half of every delay (so there is time to
// react): `checkGovernance` says whether a deployment keeps that promise.

import { show, toHash32, toUint, validateAddress, type Plain } from './codec.js';
import { CONTRACT_NAMES, type ContractName } from './deployment.js';
import type { Change, Link, ScheduledChange, SubscriptionParameters } from './types.js';

/** What each contract of a deployment says about its governance, and the
 * subscription contract's parameters, at one block. */
export interface GovernanceReport {
  /** The block the report was read at. */
  block: number;
  contracts: Record<ContractName, { delay: number; pending: ScheduledChange[] }>;
  parameters: SubscriptionParameters;
}

/** Raised by `Dinfra.connect` for a deployment that breaks the promise. */
export class GovernanceRefused extends Error {
  constructor(
    readonly problems: string[],
    readonly report: GovernanceReport,
  ) {
    super(`the deployment's governance does not protect consumers: ${problems.join('; ')}`);
    this.name = 'GovernanceRefused';
  }
}

/** Whether a way out that takes `notice` blocks fits a governance delay:
 * at most half of it (the contracts' `notice_fits_delay`), so that whoever
 * asks to leave within `notice` blocks of a change being scheduled is out
 * before it can apply. */
export function noticeFitsDelay(notice: number, delay: number): boolean {
  return 2 * notice <= delay;
}

/** What is wrong with a deployment's governance, or nothing: the
 * subscription contract's consumer notice must be at most half the
 * governance delay of every contract of the suite, so that a consumer who
 * cancels when a change is scheduled is out before it can apply. (On chain
 * the subscription contract keeps its own delay so, and the escrow its delay
 * against every stream's notice; the registry's and the award's delays are
 * only checked here.) */
export function checkGovernance(report: GovernanceReport): string[] {
  const notice = report.parameters.consumerNotice;
  const problems: string[] = [];
  for (const name of CONTRACT_NAMES) {
    const { delay } = report.contracts[name];
    if (!noticeFitsDelay(notice, delay)) {
      problems.push(`the consumer notice (${notice} blocks) is more than half the ${name} contract's governance delay (${delay} blocks)`);
    }
  }
  return problems;
}

/** Whether any contract has a change pending. */
export function anyPending(report: GovernanceReport): boolean {
  return CONTRACT_NAMES.some((name) => report.contracts[name].pending.length > 0);
}

/** `Link(Controller, Some(5F…))`, `Code(0x…)`, `Delay(14400)`. */
export function formatChange(change: Change): string {
  if ('Code' in change) return `Code(${change.Code})`;
  if ('Delay' in change) return `Delay(${change.Delay})`;
  const [link, to] = change.Link;
  return `Link(${link}, ${to === null ? 'None' : `Some(${to})`})`;
}

/** One line per contract: its delay and its pending changes, with when each
 * becomes due. */
export function formatGovernance(report: GovernanceReport): string[] {
  const lines = CONTRACT_NAMES.map((name) => {
    const { delay, pending } = report.contracts[name];
    const changes = pending.map((c) => {
      const due = c.eta <= report.block ? 'due now' : `due at block ${c.eta}, in ${c.eta - report.block} blocks`;
      return `#${c.id} ${formatChange(c.change)} (${due})`;
    });
    return `${name}: governance delay ${delay} blocks; ${changes.length ? `pending: ${changes.join(', ')}` : 'no change pending'}`;
  });
  lines.push(`subscription parameters: ready timeout ${report.parameters.readyTimeout}, consumer notice ${report.parameters.consumerNotice} blocks`);
  return lines;
}

const LINKS: readonly Link[] = ['Controller', 'Award'];

/** A change checked and put in the form the contracts' `Change` encodes from. */
export function encodeChange(change: Change): Record<string, unknown> {
  if (typeof change !== 'object' || change === null) throw new TypeError(`a change must be { Code }, { Link } or { Delay }, got ${String(change)}`);
  const keys = Object.keys(change);
  if (keys.length !== 1) throw new TypeError(`a change has exactly one of Code, Link, Delay; got ${keys.join(', ') || 'none'}`);
  if ('Code' in change) return { Code: toHash32(change.Code, 'code hash') };
  if ('Delay' in change) return { Delay: Number(toUint(change.Delay, 32, 'governance delay')) };
  if ('Link' in change) {
    if (!Array.isArray(change.Link) || change.Link.length !== 2) throw new TypeError('Link takes [link, account or null]');
    const [link, to] = change.Link;
    if (!LINKS.includes(link)) throw new TypeError(`link must be Controller or Award, got ${String(link)}`);
    return { Link: [link, to === null ? null : validateAddress(to, 'linked account')] };
  }
  throw new TypeError(`a change must be { Code }, { Link } or { Delay }, got ${keys[0]}`);
}

/** A `ScheduledChange` as `plain` decodes it, typed. */
export function scheduledChange(value: Plain): ScheduledChange {
  const v = value as { id: number; change: Record<string, Plain>; scheduledAt: number; eta: number };
  const [variant, inner] = Object.entries(v.change)[0] ?? [];
  let change: Change;
  if (variant === 'Code') change = { Code: inner as string };
  else if (variant === 'Delay') change = { Delay: inner as number };
  else if (variant === 'Link') {
    const [link, to] = inner as [Link, string | null];
    change = { Link: [link, to] };
  } else throw new Error(`unknown change ${show(value)}`);
  return { id: v.id, change, scheduledAt: v.scheduledAt, eta: v.eta };
}
