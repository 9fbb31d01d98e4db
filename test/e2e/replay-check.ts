/**
 * What "nothing applied twice" means under commit versions (docs/starrocks.md). `dbmazz_cdc_version`
 * is a transaction's commit position, so a row meeting a stored row at its own version (a
 * merge-condition tie) is legitimate: a transaction split over loads, or a transaction PostgreSQL
 * resent after a crash, re-applied in order. What must never happen:
 * - a label applied twice (a load counted twice, or another batch skipped under it);
 * - a tie at a version that a (re)started daemon cannot legitimately write again: below the slot's
 *   confirmed position when it started (PostgreSQL never resends those transactions). A confirmed
 *   transaction's commit LSN is below its end, which is what the daemon confirms; but the next
 *   transaction's commit record may start exactly at that end (its changes came earlier,
 *   interleaved), and PostgreSQL resends it (it decodes from the commit record at the confirmed
 *   position on), so a tie AT the position is legitimate. Even a clean stop may leave a transaction
 *   written in part and unconfirmed, so ties above it are expected.
 * Tests also compare the final tables with PostgreSQL (a change applied out of order shows there).
 */
import assert from 'node:assert/strict';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';

/** One daemon's run: its loads are `em.loads()` from index `from` on (until the next phase). */
export interface Phase {
  readonly name: string;
  readonly from: number;
  /** The slot's confirmed position when it started: a tie below it re-applied a confirmed transaction. */
  readonly floor: bigint;
}

function lsnOf(text: string | null | undefined): bigint {
  if (!text) return 0n;
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi ?? '0'}`) << 32n) | BigInt(`0x${lo ?? '0'}`);
}

/** Call right before starting a daemon (the previous one has released the slot). */
export async function phaseStart(pg: PgHarness, em: StarRocksEmulator, name: string, slot = 'dbmazz_slot'): Promise<Phase> {
  const r = await pg.query<{ lsn: string | null }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return { name, from: em.loads().length, floor: lsnOf(r.rows[0]?.lsn) };
}

/** No label applied twice; within each phase every tie is above its floor. */
export function assertAppliedOnce(em: StarRocksEmulator, db: string, phases: readonly Phase[] = []): void {
  const all = em.loads();
  const ok = all.filter((l) => l.db === db && l.status === 'Success');
  const labels = ok.map((l) => l.label);
  assert.equal(new Set(labels).size, labels.length, 'a label was applied twice');
  phases.forEach((p, i) => {
    const end = phases[i + 1]?.from ?? all.length;
    for (const l of all.slice(p.from, end)) {
      if (l.db !== db || l.status !== 'Success') continue;
      for (const v of l.conditionTieValues ?? []) {
        assert.ok(BigInt(v) >= p.floor, `${p.name}: load ${l.label} re-applied a change at version ${v}, below ${p.floor} (confirmed before it started)`);
      }
    }
  });
}
