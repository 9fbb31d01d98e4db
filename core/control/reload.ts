/**
 * Pure: a ReloadConfigRequest → the changes it asks for, or the problems that make it impossible.
 * 0 / empty means "unchanged" (the seed's contract). Limits: FLUSH_SIZE cannot exceed
 * MAX_BUFFERED_EVENTS (a flush by size could never happen), and the interval is at most one day.
 */
import { parseTables } from '../config/tables.js';
import type { TableId } from '../model/table.js';
import type { ReloadConfigRequest__Output } from './gen/dbmazz/ReloadConfigRequest.js';

export const MAX_FLUSH_INTERVAL_MS = 86_400_000;

export interface ReloadPlan {
  readonly flushSize: number | undefined;
  readonly flushIntervalMs: number | undefined;
  /** The complete new table list, or undefined when unchanged. */
  readonly tables: readonly TableId[] | undefined;
}

export type ParsedReload = { readonly ok: true; readonly plan: ReloadPlan } | { readonly ok: false; readonly problems: readonly string[] };

export interface ReloadLimits {
  readonly maxBufferedEvents: number;
}

/** uint64 arrives as a decimal string (longs: String); 0 = unchanged. */
function uint(text: string, name: string, max: number, limit: string, problems: string[]): number | undefined {
  if (!/^\d+$/.test(text)) {
    problems.push(`${name} must be a non-negative integer (got '${text}')`);
    return undefined;
  }
  const value = BigInt(text);
  if (value === 0n) return undefined;
  if (value > BigInt(max)) {
    problems.push(`${name} ${text} is above ${max} (${limit})`);
    return undefined;
  }
  return Number(value);
}

export function parseReload(req: ReloadConfigRequest__Output, limits: ReloadLimits): ParsedReload {
  const problems: string[] = [];
  const flushSize = uint(String(req.flushSize), 'flush_size', limits.maxBufferedEvents, 'MAX_BUFFERED_EVENTS: a larger flush could never fill', problems);
  const flushIntervalMs = uint(String(req.flushIntervalMs), 'flush_interval_ms', MAX_FLUSH_INTERVAL_MS, 'one day', problems);
  let tables: readonly TableId[] | undefined;
  const entries = req.tables.map((t) => t.trim());
  if (entries.length > 0) {
    const parsed = parseTables(entries, 'tables');
    problems.push(...parsed.problems);
    tables = parsed.tables;
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, plan: { flushSize, flushIntervalMs, tables } };
}

export function isEmptyPlan(plan: ReloadPlan): boolean {
  return plan.flushSize === undefined && plan.flushIntervalMs === undefined && plan.tables === undefined;
}
