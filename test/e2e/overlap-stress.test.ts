/**
 * Two flushes in flight, under the worst mix we can make (docs/architecture.md, "Overlapping
 * flushes"). Tiny batches (FLUSH_SIZE 7, a 5 ms timer, MAX_BUFFERED_EVENTS 21) so that nearly every
 * transaction is cut across flushes; loads of one table randomly slowed by the emulator (`slow`
 * fault), so a later flush often finishes before an earlier one; long transactions interleaved with
 * short ones on the same keys; flushes of one table only between flushes of both; key changes, deletes, TOASTed values changed and left unchanged; a
 * COPY; two tables of the same name in two schemas; a SIGKILL and a restart in the middle.
 * StarRocks must end equal to PostgreSQL, column by column, with no label applied twice and no
 * change re-applied below what the killed daemon had confirmed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import type { DaemonProcess } from '../helpers/daemon.js';
import { e2eWorld } from './world.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, restartStreaming } from './daemon-env.js';
import { assertAppliedOnce, phaseStart, type Phase } from './replay-check.js';
import { mulberry32 } from '../helpers/random.js';

const DB = 'overlapdb';
const TABLES: readonly { readonly source: string; readonly target: string; readonly columns: readonly string[] }[] = [
  { source: 'public.acct', target: 'public_acct', columns: ['id', 'v', 'n', 'big'] },
  { source: 'other.acct', target: 'other_acct', columns: ['id', 'v'] },
];

/** Deterministic randomness, so a failure can be replayed. */
const random = mulberry32;

/** A value PostgreSQL stores out of line (TOAST): ~3 KB that does not compress. */
const toasted = (r: () => number): string =>
  Array.from({ length: 120 }, () => Math.floor(r() * 1e12).toString(36))
    .join('')
    .padEnd(3000, 'x');

describe('end to end: overlapping flushes under interleaved transactions, slow loads and a crash', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const { daemons } = e2eWorld(async (p, e) => {
    pg = p;
    em = e;
    await pg.query('CREATE SCHEMA other');
    await pg.query('CREATE TABLE public.acct (id bigint PRIMARY KEY, v text NOT NULL, n numeric(20,4), big text)');
    await pg.query('ALTER TABLE public.acct ALTER COLUMN big SET STORAGE EXTERNAL');
    await pg.query('CREATE TABLE other.acct (id int PRIMARY KEY, v text NOT NULL)');
    await em.sql(`CREATE DATABASE ${DB}`);
  });

  const start = async (): Promise<DaemonProcess> => {
    const d = await restartStreaming(
      pg,
      daemonEnv(pg, em, DB, TABLES.map((t) => t.source).join(','), {
        SINK_CREATE_TABLES: 'true',
        SINK_REPLICATION_NUM: '1',
        SINK_TABLE_NAME: '{schema}_{table}',
        SNAPSHOT_MODE: 'never',
        FLUSH_SIZE: '7',
        FLUSH_INTERVAL_MS: '5',
        MAX_BUFFERED_EVENTS: '21',
      }),
    );
    daemons.push(d);
    return d;
  };

  const pgRows = async (t: (typeof TABLES)[number]): Promise<Map<string, string>> => {
    const cols = t.columns.map((c) => `coalesce(${c}::text, '<null>')`).join(` || '|' || `);
    const r = await pg.query<{ id: string; row: string }>(`SELECT id::text AS id, ${cols} AS row FROM ${t.source}`);
    return new Map(r.rows.map((x) => [x.id, x.row]));
  };
  const srRows = (t: (typeof TABLES)[number]): Map<string, string> => {
    const out = new Map<string, string>();
    for (const row of em.rows(DB, t.target)) {
      if (row['dbmazz_is_deleted'] === true) continue;
      out.set(String(row['id']), t.columns.map((c) => (row[c] === null || row[c] === undefined ? '<null>' : String(row[c]))).join('|'));
    }
    return out;
  };
  const diff = async (): Promise<string> => {
    const problems: string[] = [];
    for (const t of TABLES) {
      const p = await pgRows(t);
      const s = srRows(t);
      const missing = [...p.keys()].filter((id) => !s.has(id));
      const extra = [...s.keys()].filter((id) => !p.has(id));
      const wrong = [...p]
        .filter(([id, row]) => s.has(id) && s.get(id) !== row)
        .map(([id, row]) => `${id}: PostgreSQL ${row.slice(0, 60)} StarRocks ${(s.get(id) ?? '').slice(0, 60)}`);
      if (missing.length + extra.length + wrong.length > 0) {
        problems.push(
          `${t.source}: ${p.size} rows in PostgreSQL, ${s.size} in StarRocks; missing ${missing.slice(0, 5).join(',')}; extra ${extra.slice(0, 5).join(',')}; wrong ${wrong.slice(0, 3).join('; ')}`,
        );
      }
    }
    return problems.join('\n');
  };

  /** Runs `fn` in a transaction on `c`; a conflict between the workload's own sessions rolls it back. */
  const txn = async (c: pg.Client, fn: () => Promise<void>): Promise<void> => {
    await c.query('BEGIN');
    try {
      await fn();
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK');
      const code = (e as { code?: string }).code;
      // unique violation (a key change onto a key another session inserted), deadlock, serialization
      if (code !== '23505' && code !== '40P01' && code !== '40001') throw e;
    }
  };

  /** Short transactions: 1–4 random statements each, on keys 1..keys of both tables. */
  const shortWriter = async (seed: number, count: number, keys: number): Promise<void> => {
    const r = random(seed);
    const c = await pg.connect();
    try {
      await c.query("SET lock_timeout = '2s'");
      for (let i = 0; i < count; i++) {
        await txn(c, async () => {
          // A row no later change touches: a lost change stays visible.
          if (i % 3 === 0) await c.query('INSERT INTO public.acct VALUES ($1, $2, NULL, NULL)', [1_000_000 + seed * 10_000 + i, `log${seed}-${i}`]);
          const statements = 1 + Math.floor(r() * 4);
          for (let s = 0; s < statements; s++) {
            const id = 1 + Math.floor(r() * keys);
            const x = r();
            if (x < 0.3)
              await c.query('INSERT INTO public.acct VALUES ($1, $2, $3, NULL) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, n = EXCLUDED.n', [
                id,
                `s${seed}-${i}`,
                (r() * 1e6).toFixed(4),
              ]);
            else if (x < 0.5) await c.query('UPDATE public.acct SET v = $2, n = n + 1 WHERE id = $1', [id, `u${seed}-${i}`]);
            else if (x < 0.6) await c.query('UPDATE public.acct SET big = $2 WHERE id = $1', [id, toasted(r)]);
            else if (x < 0.68) await c.query('DELETE FROM public.acct WHERE id = $1', [id]);
            else if (x < 0.74) await c.query('UPDATE public.acct SET id = $2 WHERE id = $1', [id, keys + 1 + Math.floor(r() * keys)]);
            else if (x < 0.9) await c.query('INSERT INTO other.acct VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v', [id, `o${seed}-${i}`]);
            else await c.query('DELETE FROM other.acct WHERE id = $1', [id]);
          }
        });
      }
    } finally {
      await c.end();
    }
  };

  /** Transactions of 7–10 changes to other.acct only: whole flushes without public.acct. */
  const otherWriter = async (seed: number, count: number, keys: number): Promise<void> => {
    const r = random(seed);
    const c = await pg.connect();
    try {
      await c.query("SET lock_timeout = '2s'");
      for (let i = 0; i < count; i++) {
        await txn(c, async () => {
          await c.query('INSERT INTO other.acct VALUES ($1, $2)', [1_000_000 + seed * 10_000 + i, `log${seed}-${i}`]);
          const statements = 7 + Math.floor(r() * 4);
          for (let s = 0; s < statements; s++) {
            const id = 1 + Math.floor(r() * keys);
            if (r() < 0.85) await c.query('INSERT INTO other.acct VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v', [id, `w${seed}-${i}-${s}`]);
            else await c.query('DELETE FROM other.acct WHERE id = $1', [id]);
          }
        });
      }
    } finally {
      await c.end();
    }
  };

  /** Long transactions: many statements over `ms`, committed after short ones on the same keys. */
  const longWriter = async (seed: number, rounds: number, keys: number): Promise<void> => {
    const r = random(seed);
    const c = await pg.connect();
    try {
      await c.query("SET lock_timeout = '2s'");
      for (let round = 0; round < rounds; round++) {
        await txn(c, async () => {
          for (let s = 0; s < 25; s++) {
            const id = 1 + Math.floor(r() * keys);
            if (s % 3 === 0)
              await c.query('INSERT INTO other.acct VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v', [id + 5000, `L${round}-${s}`]);
            else
              await c.query('INSERT INTO public.acct VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v', [
                id + 5000,
                `L${round}-${s}`,
                s,
                s % 2 === 0 ? toasted(r) : null,
              ]);
            await new Promise((res) => setTimeout(res, 10));
          }
        });
      }
    } finally {
      await c.end();
    }
  };

  it('StarRocks ends equal to PostgreSQL; no label and no confirmed change applied twice', async () => {
    // Loads of public_acct answer late at random: flushes of other_acct (and later public_acct
    // ones) finish before them.
    em.faults.inject({ kind: 'slow', table: 'public_acct', probability: 0.3, delayMs: 40 });
    const phases: Phase[] = [await phaseStart(pg, em, 'first run')];
    let d = await start();
    const keys = 60;
    const workload = (seed: number): Promise<unknown> =>
      Promise.all([shortWriter(seed, 120, keys), shortWriter(seed + 1, 120, keys), otherWriter(seed + 3, 60, keys), longWriter(seed + 2, 4, keys)]);

    await workload(1);
    await pg.query(`COPY public.acct FROM PROGRAM 'seq 20001 20400 | sed s/$/,c,1.5,/' (FORMAT csv)`);
    // A crash with loads in flight (some slowed), then a restart under the same workload.
    // The next load of public_acct hangs for 2 s (applied at the end unless the daemon is gone):
    // other_acct's later flushes finish meanwhile, and the kill lands with loads in flight.
    const held = em.faults.inject({ kind: 'slow', table: 'public_acct', times: 1, delayMs: 2000 });
    const running = workload(10);
    await waitFor(() => em.faults.list().every((f) => f.id !== held), { timeoutMs: 30_000, message: 'public_acct was never loaded' });
    await new Promise((res) => setTimeout(res, 500));
    d.kill('SIGKILL');
    await d.exited;
    phases.push(await phaseStart(pg, em, 'after SIGKILL'));
    d = await start();
    await running;
    await workload(20);

    let last = '';
    await waitFor(
      async () => {
        last = await diff();
        return last === '';
      },
      { timeoutMs: 120_000, intervalMs: 300, message: () => `StarRocks never equalled PostgreSQL:\n${last}\n${d.output().slice(-3000)}` },
    );
    assertAppliedOnce(em, DB, phases);
    const slowed = em.loads().filter((l) => l.db === DB && l.fault === 'slow').length;
    const loads = em.loads().filter((l) => l.db === DB && l.status === 'Success').length;
    // The test exercised what it is about: many loads, some slowed while others finished.
    assert.ok(loads > 200 && slowed > 20, `${loads} loads, ${slowed} slowed`);
    d.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.output().slice(-3000));
  });
});
