/**
 * MAX_BUFFERED_BYTES against a stalled sink (issue 11): every Stream Load hangs, so nothing is ever
 * durable; the daemon keeps reading until buffered + in-flight changes reach the byte bound, then holds
 * the source back. The estimate the bound counts must match what the rows really hold in V8's heap
 * (one byte per ASCII character, plus the record's fixed cost), so the number of rows that fit under
 * the bound is what the heap can really hold, not half of it (the old estimate counted two bytes per
 * character) nor twice it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import type { DaemonProcess } from '../helpers/daemon.js';
import { e2eWorld } from './world.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, startStreaming } from './daemon-env.js';

const DB = 'membound';
const BOUND = 32 * 1024 * 1024;
const PAD = 2000;
const ROWS = 40_000; // ~80 MB of pad text: far more than the bound holds
/** A buffered insert of (bigint, 2000 ASCII chars): the record's fixed cost plus the string (record-size.ts). */
const HEAP_PER_ROW = PAD + 400;

async function metrics(port: number): Promise<{ events: number; bytes: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const gauge = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { events: gauge('dbmazz_pending_events'), bytes: gauge('dbmazz_pending_bytes') };
}

async function walsenderHeldBack(pg: PgHarness): Promise<boolean> {
  const r = await pg.query<{ behind: boolean | null }>(
    "SELECT (SELECT sent_lsn FROM pg_stat_replication WHERE application_name = 'dbmazz' LIMIT 1) < pg_current_wal_lsn() AS behind",
  );
  return r.rows[0]?.behind === true;
}

describe('end to end: MAX_BUFFERED_BYTES with a stalled sink', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let daemon: DaemonProcess | undefined;
  const world = e2eWorld(async (p, e) => {
    pg = p;
    em = e;
    await pg.query('CREATE TABLE t (id bigint PRIMARY KEY, pad text)');
    await em.sql(`CREATE DATABASE ${DB}`);
  });

  it('buffers up to the byte bound, no further, and the bound counts what the rows hold', async () => {
    daemon = await startStreaming(
      pg,
      daemonEnv(pg, em, DB, 't', {
        SINK_CREATE_TABLES: 'true',
        SINK_REPLICATION_NUM: '1',
        // The table starts empty; an initial snapshot's first write to StarRocks could still be in
        // flight when every load is made to hang below, and then the stream never starts.
        SNAPSHOT_MODE: 'never',
        MAX_BUFFERED_BYTES: String(BOUND),
        MAX_BUFFERED_EVENTS: '1000000',
        METRICS_PORT: '0',
        LOG_LEVEL: 'info',
      }),
    );
    world.daemons.push(daemon);
    const d = daemon;
    const port = Number(/127\.0\.0\.1:(\d+)\/metrics/.exec(await d.waitForLine(/Prometheus metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/))?.[1]);
    // Every load hangs from here on: only once setup wrote everything it writes to StarRocks (the slot
    // marker follows the slot's creation, while the slot already shows active).
    await d.waitForLine(/"msg":"Replicating"/);
    em.faults.inject({ kind: 'hang', probability: 1, db: DB });
    for (let i = 0; i < 20; i++) {
      const lo = i * (ROWS / 20) + 1;
      await pg.query(`INSERT INTO t SELECT g, rpad(g::text || ':', ${PAD}, 'x') FROM generate_series($1::bigint, $2::bigint) g`, [lo, lo + ROWS / 20 - 1]);
    }
    let last = { events: 0, bytes: 0 };
    await waitFor(async () => (last = await metrics(port)).bytes >= BOUND, {
      timeoutMs: 120_000,
      message: () => `pending bytes never reached the bound: ${JSON.stringify(last)}\n${d.output().slice(-3000)}`,
    });
    // The source is held back: PostgreSQL has WAL the daemon has not been sent.
    await waitFor(() => walsenderHeldBack(pg), { timeoutMs: 30_000, message: 'the walsender is not held back' });

    const held = await metrics(port);
    // It stopped at the bound: at most the one change that crossed it lies beyond.
    assert.ok(held.bytes < BOUND + 2 * HEAP_PER_ROW, `pending ${held.bytes} bytes, bound ${BOUND}`);
    assert.ok(held.events < ROWS, `everything was read (${held.events} events): nothing held the source back`);
    // The bound holds as many rows as the heap really fits under it (within 25 %).
    const heapHeld = held.events * HEAP_PER_ROW;
    assert.ok(
      heapHeld > BOUND * 0.8 && heapHeld < BOUND * 1.25,
      `${held.events} rows of ~${HEAP_PER_ROW} heap bytes (${heapHeld}) held under a ${BOUND}-byte bound`,
    );
    // Nothing reached StarRocks: the stall is real.
    assert.equal(em.rows(DB, 't').length, 0);
    em.faults.clear();
  });
});
