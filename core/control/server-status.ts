/**
 * The source's server status (SourceServerStatus) as core reads it: the one place that asks the live
 * source, bounds the wait and maps the deprecated `slotStatus()` of older connectors onto the generic
 * shape. Metrics and the control API read this, never a source's own fields.
 */
import type { SlotStatus, Source, SourceServerStatus } from '../plugin/source.js';

/** How long a status query may take before the caller gets undefined (a scrape must not hang). */
export const SERVER_STATUS_TIMEOUT_MS = 2000;

/** A PostgreSQL-shaped SlotStatus (deprecated API) as the generic status. */
export function fromSlotStatus(s: SlotStatus): SourceServerStatus {
  return {
    name: s.slotName,
    exists: s.exists,
    active: s.active,
    retention: s.walStatus,
    safeBytes: s.safeWalSizeBytes,
    retainedBytes: s.retainedWalBytes,
    confirmedPosition: s.confirmedFlushLsn,
  };
}

/** Resolves with the status, or undefined when the source has none or does not answer within `timeoutMs`. Rejects when the query fails. */
export async function readServerStatus(source: Source | undefined, timeoutMs = SERVER_STATUS_TIMEOUT_MS): Promise<SourceServerStatus | undefined> {
  if (source === undefined) return undefined;
  const generic = source.serverStatus?.bind(source);
  const legacy = source.slotStatus?.bind(source);
  const read = generic ?? (legacy === undefined ? undefined : async () => fromSlotStatus(await legacy()));
  if (read === undefined) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([read(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
