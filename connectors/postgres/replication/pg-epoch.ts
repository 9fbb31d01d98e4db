/**
 * The PostgreSQL epoch (2000-01-01 00:00:00 UTC) in microseconds since the Unix epoch: the one place this
 * constant lives (docs/stack-traps.md §4.7). Protocol timestamps are int64 µs since the PostgreSQL epoch.
 */
export const PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000n;

export function pgMicrosToUnixMicros(pg: bigint): bigint {
  return pg + PG_EPOCH_OFFSET_MICROS;
}

export function unixMicrosToPgMicros(unix: bigint): bigint {
  return unix - PG_EPOCH_OFFSET_MICROS;
}
