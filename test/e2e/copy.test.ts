/**
 * COPY end to end (issue 9 item 1). PostgreSQL writes one WAL record per heap page for COPY, so every
 * row of a page carries the same LSN. Batches cut inside a page (by FLUSH_SIZE, the flush timer, a
 * drain or a crash) used to get the same Stream Load label: the second answered "Label Already Exists",
 * was skipped as loaded and its transaction confirmed — rows lost. Every batch below is cut inside
 * pages, into several tables at once, at several FLUSH_SIZEs, across SIGTERM, SIGKILL and restarts;
 * StarRocks must end equal to PostgreSQL with no label and no change applied twice.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import type { DaemonProcess } from '../helpers/daemon.js';
import { e2eWorld } from './world.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, restartStreaming, slotActive } from './daemon-env.js';
import { assertAppliedOnce, phaseStart } from './replay-check.js';
import { startDaemon } from '../integration/grpc/harness.js';

const DB = 'copydb';
const TABLES = ['narrow', 'wide', 'other.narrow_too'];
const target = (t: string): string => t.split('.').pop() ?? t;

describe('end to end: COPY (many rows, one LSN per page) at any flush cut', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const { daemons } = e2eWorld(async (p, e) => {
    pg = p;
    em = e;
    await pg.query('CREATE SCHEMA other');
    await pg.query('CREATE TABLE narrow (id bigint PRIMARY KEY, v text)');
    await pg.query('CREATE TABLE wide (id bigint PRIMARY KEY, v text, pad text, n numeric(20,4))');
    await pg.query('CREATE TABLE other.narrow_too (id bigint PRIMARY KEY, v text)');
    await em.sql(`CREATE DATABASE ${DB}`);
  });

  const envWith = (extra: Record<string, string>): Record<string, string> =>
    daemonEnv(pg, em, DB, TABLES.join(','), { SINK_CREATE_TABLES: 'true', SINK_REPLICATION_NUM: '1', ...extra });
  const start = async (extra: Record<string, string>): Promise<DaemonProcess> => {
    const d = await restartStreaming(pg, envWith(extra));
    daemons.push(d);
    return d;
  };

  /** COPY `count` rows from `first` into each table, all in one transaction. */
  const copyAll = async (first: number, count: number, tag: string): Promise<void> => {
    const last = first + count - 1;
    await pg.query(`BEGIN;
      COPY narrow FROM PROGRAM 'seq ${first} ${last} | sed s/$/,${tag}/' (FORMAT csv);
      COPY wide FROM PROGRAM 'seq ${first} ${last} | sed s/$/,${tag},padding-padding-padding,12.5/' (FORMAT csv);
      COPY other.narrow_too FROM PROGRAM 'seq ${first} ${last} | sed s/$/,${tag}/' (FORMAT csv);
      COMMIT`);
  };

  const pgState = async (table: string): Promise<Map<string, string>> => {
    const r = await pg.query<{ id: string; v: string }>(`SELECT id::text AS id, v FROM ${table}`);
    return new Map(r.rows.map((row) => [row.id, row.v]));
  };
  const srState = (table: string): Map<string, string> => {
    const out = new Map<string, string>();
    for (const row of em.rows(DB, target(table))) {
      if (row['dbmazz_is_deleted'] === true) continue;
      out.set(String(row['id']), String(row['v']));
    }
    return out;
  };
  const diff = async (): Promise<string> => {
    const problems: string[] = [];
    for (const t of TABLES) {
      const p = await pgState(t);
      const s = srState(t);
      let missing = 0;
      let wrong = 0;
      for (const [id, v] of p) {
        const got = s.get(id);
        if (got === undefined) missing++;
        else if (got !== v) wrong++;
      }
      if (missing > 0 || wrong > 0 || s.size !== p.size)
        problems.push(`${t}: PostgreSQL ${p.size} rows, StarRocks ${s.size}; ${missing} missing, ${wrong} wrong`);
    }
    return problems.join('\n');
  };
  const converge = async (what: string, d: DaemonProcess): Promise<void> => {
    let last = '';
    await waitFor(
      async () => {
        last = await diff();
        return last === '';
      },
      { timeoutMs: 90_000, intervalMs: 250, message: () => `${what}: StarRocks never equalled PostgreSQL:\n${last}\n${d.output().slice(-3000)}` },
    );
  };
  const successes = (): { label: string }[] =>
    em
      .loads()
      .filter((l) => l.db === DB && l.status === 'Success')
      .map((l) => ({ label: l.label }));
  const loadsOf = (table: string): number => em.loads().filter((l) => l.db === DB && l.table === target(table) && l.status === 'Success').length;

  it('FLUSH_SIZE=50: 1000 rows per table, cut inside pages, all arrive', async () => {
    const d = await start({ FLUSH_SIZE: '50', FLUSH_INTERVAL_MS: '60000' });
    await copyAll(1, 1000, 'a');
    await converge('FLUSH_SIZE=50', d);
    // 1000 rows of (bigint, 'a') fill ~5 pages: 50-row batches mostly begin and end inside a page.
    assert.ok(loadsOf('narrow') >= 20, `${loadsOf('narrow')} loads`);
    d.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.output().slice(-3000));
  });

  it('FLUSH_SIZE=7 and 333, and timer flushes (FLUSH_INTERVAL_MS=5) that cut anywhere', async () => {
    for (const [i, env] of [
      { FLUSH_SIZE: '7', FLUSH_INTERVAL_MS: '60000' },
      { FLUSH_SIZE: '333', FLUSH_INTERVAL_MS: '60000' },
      { FLUSH_SIZE: '100000', FLUSH_INTERVAL_MS: '5' },
    ].entries()) {
      const d = await start(env);
      await copyAll(10_000 * (i + 1), 2000, `b${i}`);
      // Updates of COPYed rows by other transactions, to check their order against the COPY.
      await pg.query(`UPDATE narrow SET v = 'u${i}' WHERE id % 97 = 0`);
      await converge(`FLUSH_SIZE=${env.FLUSH_SIZE} FLUSH_INTERVAL_MS=${env.FLUSH_INTERVAL_MS}`, d);
      d.kill('SIGTERM');
      assert.equal((await d.exited).code, 0, d.output().slice(-3000));
    }
  });

  it('Pause and Resume in the middle of a COPY flush whatever is buffered at that moment', async () => {
    // Neither FLUSH_SIZE nor the timer cuts: every flush is one a Pause forced, at an arbitrary row.
    await waitFor(async () => !(await slotActive(pg)), { timeoutMs: 20_000, message: 'slot still active' });
    const g = await startDaemon(envWith({ FLUSH_SIZE: '100000', FLUSH_INTERVAL_MS: '3600000' }));
    try {
      await waitFor(() => slotActive(pg), { timeoutMs: 30_000, message: () => `not streaming\n${g.process.output().slice(-2000)}` });
      const before = successes().length;
      const copying = copyAll(300_000, 20_000, 'p');
      // Pause and resume all along: the pauses that fall while the COPY is being received cut it
      // wherever the stream happens to be; the last ones flush the rest.
      let cycling = true;
      const cycles = (async () => {
        while (cycling) {
          await g.client.pause();
          await new Promise((r) => setTimeout(r, 20));
          await g.client.resume();
          await new Promise((r) => setTimeout(r, 40));
        }
      })();
      try {
        await copying;
        await converge('Pause/Resume', g.process);
      } finally {
        cycling = false;
        await cycles;
      }
      // At least one pause fell while COPY rows were buffered: a flush cut at an arbitrary row.
      const cuts = g.process.lines.filter(
        (l) => l.includes('"Pausing replication"') && Number((JSON.parse(l) as { pendingEvents?: number }).pendingEvents) > 0,
      );
      assert.ok(cuts.length > 0 && successes().length > before, 'no pause fell in the middle of the COPY');
      g.process.kill('SIGTERM');
      assert.equal(await g.exit(), 0, g.process.output().slice(-3000));
    } finally {
      await g.close();
    }
  });

  it('SIGTERM (drain) and SIGKILL in the middle of a large COPY, then restarts', async () => {
    const before = successes().length;
    const a = await start({ FLUSH_SIZE: '61', FLUSH_INTERVAL_MS: '60000' });
    let copyError: unknown;
    const copying = copyAll(100_000, 10_000, 'c').catch((err: unknown) => {
      copyError = err;
    });
    await waitFor(() => successes().length >= before + 20, {
      timeoutMs: 60_000,
      message: () => `no loads before SIGTERM (COPY: ${String(copyError)})\n${a.output().slice(-2000)}`,
    });
    a.kill('SIGTERM');
    assert.equal((await a.exited).code, 0, a.output().slice(-3000));
    await copying;
    assert.equal(copyError, undefined);

    // The drain may take the whole COPY (PostgreSQL sends the rest of the transaction before it ends
    // the stream): the next COPY is the one cut by SIGKILL.
    const b = await start({ FLUSH_SIZE: '43', FLUSH_INTERVAL_MS: '60000' });
    const mid = successes().length;
    const copying2 = copyAll(200_000, 10_000, 'd');
    await waitFor(() => successes().length >= mid + 10, { timeoutMs: 60_000, message: () => `no loads before SIGKILL\n${b.output().slice(-2000)}` });
    b.kill('SIGKILL');
    await b.exited;
    await copying2;

    await waitFor(async () => !(await slotActive(pg)), { timeoutMs: 20_000, message: 'slot still active' });
    const phase = await phaseStart(pg, em, 'after SIGKILL');
    const c = await start({ FLUSH_SIZE: '500', FLUSH_INTERVAL_MS: '200' });
    await converge('after SIGTERM + SIGKILL + restart', c);

    // No label applied twice; the restart re-applied only the unconfirmed COPY transaction (ties at its
    // commit version), and the tables equal PostgreSQL (converge).
    assertAppliedOnce(em, DB, [phase]);
  });
});
