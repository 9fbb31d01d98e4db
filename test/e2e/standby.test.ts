/**
 * Hot standby (docs/operations.md, "Hot standby"): two daemons with the same configuration on one
 * slot, each reaching PostgreSQL through its own TCP proxy (so its network can be cut), under a
 * continuous mixed workload (inserts, updates, deletes, key changes). The active one is killed again
 * and again: SIGKILL in the middle of the initial snapshot, SIGTERM, a network loss, a freeze
 * (SIGSTOP) with a load held in flight (the zombie's load lands after the takeover), SIGKILL. At the end StarRocks equals
 * PostgreSQL, no label and no confirmed change is applied twice, the two never claimed to stream at
 * once (both daemons' /readyz sampled every 100 ms), only one holds the slot (PostgreSQL allows no
 * more), and every takeover took less than 10 s (figures printed).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait.js';
import { e2eWorld } from './world.js';
import { daemonEnv } from './daemon-env.js';
import { assertAppliedOnce, type Phase } from './replay-check.js';

const DB = 'standbydb';
const KEYS = 300;
const PRELOAD = 30_000;

interface Instance {
  readonly name: 'a' | 'b';
  readonly d: DaemonProcess;
  readonly metricsPort: number;
}

const lsnOf = (text: string): bigint => {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi ?? '0'}`) << 32n) | BigInt(`0x${lo ?? '0'}`);
};

/** The value of an unlabelled gauge in Prometheus text, or undefined. */
const gauge = (text: string, name: string): number | undefined => {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
};

describe('end to end: hot standby, two daemons on one slot, the active one killed again and again', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const { daemons } = e2eWorld(async (p, e) => {
    pg = p;
    em = e;
    await pg.query('CREATE TABLE public.acct (id bigint PRIMARY KEY, v text NOT NULL, n int NOT NULL)');
    await pg.query(`INSERT INTO public.acct SELECT 100000 + g, 'pre' || g, g FROM generate_series(1, ${PRELOAD}) g`);
    await em.sql(`CREATE DATABASE ${DB}`);
  });

  it('exactly one streams; a standby takes over within 10 s; StarRocks ends equal to PostgreSQL, nothing applied twice', async () => {
    const proxies = { a: await TcpProxy.start('127.0.0.1', pg.port), b: await TcpProxy.start('127.0.0.1', pg.port) };
    const urlVia = (name: 'a' | 'b'): string => {
      const u = new URL(pg.url);
      u.hostname = '127.0.0.1';
      u.port = String(proxies[name].port);
      u.searchParams.set('application_name', `dbmazz_${name}`);
      return u.toString();
    };
    const start = async (name: 'a' | 'b'): Promise<Instance> => {
      const d = spawnDaemon(
        daemonEnv(pg, em, DB, 'public.acct', {
          SOURCE_URL: urlVia(name),
          SINK_CREATE_TABLES: 'true',
          SINK_REPLICATION_NUM: '1',
          SNAPSHOT_CHUNK_ROWS: '1000',
          SETUP_MAX_ATTEMPTS: '0',
          METRICS_PORT: '0',
          SOURCE_CONNECT_TIMEOUT_MS: '3000',
        }),
      );
      daemons.push(d);
      const line = await d.waitForLine(/Prometheus metrics on/, 20_000);
      return { name, d, metricsPort: (JSON.parse(line) as { port: number }).port };
    };
    const holder = async (): Promise<string> => {
      const r = await pg.query<{ app: string | null }>(
        `SELECT a.application_name AS app FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid WHERE s.slot_name = 'dbmazz_slot'`,
      );
      return r.rows[0]?.app ?? '';
    };
    const metricsOf = async (i: Instance): Promise<string> => {
      const res = await fetch(`http://127.0.0.1:${i.metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) });
      return res.text();
    };
    const probe = async (i: Instance, path: string): Promise<number> =>
      (await fetch(`http://127.0.0.1:${i.metricsPort}${path}`, { signal: AbortSignal.timeout(2000) })).status;
    const isStandby = async (i: Instance): Promise<boolean> => gauge(await metricsOf(i), 'dbmazz_standby') === 1;

    // -- Never two streaming at once: both daemons' /readyz, sampled every 100 ms. --
    const live = new Set<Instance>();
    const overlaps: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const streaming: string[] = [];
        await Promise.all(
          [...live].map(async (i) => {
            try {
              // /readyz reads the daemon's own state only (no query to PostgreSQL, which a daemon cut
              // from its network could not answer): 200 = "I am the active instance, replicating".
              if ((await probe(i, '/readyz')) === 200) streaming.push(i.name);
            } catch {
              // a killed daemon answers nothing
            }
          }),
        );
        if (streaming.length > 1) overlaps.push(`${new Date().toISOString()}: ${streaming.join(' and ')} both streaming`);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    // -- A continuous mixed workload. --
    let writing = true;
    const writer = async (seed: number): Promise<number> => {
      const c: pg.Client = await pg.connect();
      let n = 0;
      let x = seed;
      const rnd = (): number => {
        x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
        return x / 0x7fffffff;
      };
      try {
        while (writing) {
          const id = 1 + Math.floor(rnd() * KEYS);
          const op = rnd();
          try {
            await c.query('BEGIN');
            if (op < 0.35)
              await c.query('INSERT INTO public.acct VALUES ($1, $2, 0) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, n = acct.n + 1', [id, `w${seed}-${n}`]);
            else if (op < 0.65) await c.query('UPDATE public.acct SET v = $2, n = n + 1 WHERE id = $1', [id, `u${seed}-${n}`]);
            else if (op < 0.8) await c.query('DELETE FROM public.acct WHERE id = $1', [id]);
            else await c.query('UPDATE public.acct SET id = $2 WHERE id = $1', [id, 1 + Math.floor(rnd() * KEYS)]);
            if (op > 0.5) await c.query('INSERT INTO public.acct VALUES ($1, $2, 0)', [10_000_000 + seed * 100_000 + n, 'log']);
            await c.query('COMMIT');
          } catch {
            await c.query('ROLLBACK').catch(() => undefined);
          }
          n++;
          await new Promise((r) => setTimeout(r, 4));
        }
      } finally {
        await c.end();
      }
      return n;
    };

    try {
      await scenario();
    } finally {
      writing = false;
      sampling = false;
      await sampler;
      await Promise.all([proxies.a.close(), proxies.b.close()]);
    }

    async function scenario(): Promise<void> {
      const phases: Phase[] = [{ name: 'a first', from: 0, floor: 0n }];
      const takeovers: { kind: string; ms: number }[] = [];
      // The snapshot's first loads answer late, so the kill lands in its middle.
      em.faults.inject({ kind: 'slow', db: DB, table: 'acct', times: 8, delayMs: 400 });
      let a = await start('a');
      live.add(a);
      await waitFor(async () => (await holder()) === 'dbmazz_a', { message: () => a.d.output().slice(-3000) });
      let b = await start('b');
      live.add(b);
      await waitFor(() => isStandby(b), { message: () => b.d.output().slice(-3000) });
      // A standby: not ready, alive, and it says why (health and GetStatus read the same state).
      assert.equal(await probe(b, '/readyz'), 503);
      assert.equal(await probe(b, '/livez'), 200);
      assert.equal(await probe(b, '/healthz'), 503);
      const writers = [writer(1), writer(2)];

      /** The active one fails (`fail`); the other must hold the slot within 10 s. */
      const takeover = async (kind: string, active: Instance, standby: Instance, fail: () => Promise<void>): Promise<void> => {
        const from = em.loads().length;
        const t0 = Date.now();
        await fail();
        const target = `dbmazz_${standby.name}`;
        await waitFor(async () => (await holder()) === target, {
          timeoutMs: 30_000,
          intervalMs: 20,
          message: () => `${kind}: no takeover\n${standby.d.output().slice(-3000)}`,
        });
        takeovers.push({ kind, ms: Date.now() - t0 });
        const started = await standby.d.waitForLine(/"msg":"replication started"/, 10_000);
        phases.push({ name: `${standby.name} after ${kind} of ${active.name}`, from, floor: lsnOf((JSON.parse(started) as { lsn: string }).lsn) });
      };

      // 1. SIGKILL in the middle of the initial snapshot: b resumes it after a's last durable chunk.
      await waitFor(() => em.rows(DB, 'acct').length >= 2000, { timeoutMs: 30_000, intervalMs: 20, message: () => a.d.output().slice(-3000) });
      await takeover('SIGKILL mid-snapshot', a, b, async () => {
        a.d.kill('SIGKILL');
        await a.d.exited;
        live.delete(a);
      });
      const resumed = JSON.parse(await b.d.waitForLine(/"msg":"snapshot started"/, 10_000)) as { resumedAfterRows: number };
      assert.ok(resumed.resumedAfterRows > 0 && resumed.resumedAfterRows < PRELOAD, `the snapshot resumed after ${resumed.resumedAfterRows} rows`);
      a = await start('a');
      live.add(a);
      await waitFor(() => isStandby(a), { message: () => a.d.output().slice(-3000) });
      await b.d.waitForLine(/"msg":"snapshot done"/, 60_000);

      // 2. SIGTERM: b drains and exits 0; a takes over.
      await new Promise((r) => setTimeout(r, 1000));
      await takeover('SIGTERM', b, a, async () => {
        b.d.kill('SIGTERM');
        assert.equal((await b.d.exited).code, 0, b.d.output().slice(-3000));
        live.delete(b);
      });
      b = await start('b');
      live.add(b);
      await waitFor(() => isStandby(b), { message: () => b.d.output().slice(-3000) });

      // 3. a loses its network: b sees a's status updates stop, terminates a's walsender (the server
      //    would keep it until wal_sender_timeout) and takes over; a steps down once its network is back.
      await new Promise((r) => setTimeout(r, 1000));
      await takeover('network loss', a, b, async () => proxies.a.cut());
      assert.match(b.d.output(), /terminated it to take over/);
      proxies.a.heal();
      await waitFor(() => isStandby(a), { timeoutMs: 30_000, message: () => a.d.output().slice(-3000) });

      // 4. b freezes (SIGSTOP: a stalled process or VM) with a load held in StarRocks: a takes over,
      //    and the zombie's load lands after a has loaded; b, thawed, finds its stream gone and stands by.
      await new Promise((r) => setTimeout(r, 1000));
      const held = em.faults.inject({ kind: 'slow', db: DB, table: 'acct', times: 1, delayMs: 9000 });
      await waitFor(() => em.faults.list().every((f) => f.id !== held), { timeoutMs: 10_000, message: 'no load was held' });
      // The fault is taken when the request arrives: b must have sent the whole body before it freezes.
      await waitFor(() => em.faults.holding() > 0, { timeoutMs: 10_000, message: "the held load's body never arrived" });
      await takeover('SIGSTOP', b, a, async () => {
        live.delete(b);
        b.d.kill('SIGSTOP');
      });
      const phaseFrom = phases.at(-1)?.from ?? 0;
      await waitFor(
        () =>
          em
            .loads()
            .slice(phaseFrom)
            .some((l) => l.db === DB && l.fault === 'slow'),
        { timeoutMs: 20_000, message: "the zombie's held load never landed" },
      );
      const zombieAt = em.loads().findIndex((l, i) => i >= phaseFrom && l.db === DB && l.fault === 'slow');
      const zombie = em.loads()[zombieAt];
      assert.equal(zombie?.status, 'Success', "the zombie's load was applied (after the takeover)");
      assert.ok(
        em
          .loads()
          .slice(phaseFrom, zombieAt)
          .some((l) => l.db === DB && l.status === 'Success'),
        'a loaded before the zombie load landed',
      );
      b.d.kill('SIGCONT');
      // A thawed zombie needs one turn of its event loop to see its stream is gone; it is sampled again once it says so.
      await waitFor(async () => (await probe(b, '/readyz')) === 503, { timeoutMs: 10_000, message: () => b.d.output().slice(-3000) });
      live.add(b);
      await waitFor(() => isStandby(b), { timeoutMs: 30_000, message: () => b.d.output().slice(-3000) });

      // 5. SIGKILL: b takes over.
      await new Promise((r) => setTimeout(r, 1000));
      await takeover('SIGKILL', a, b, async () => {
        a.d.kill('SIGKILL');
        await a.d.exited;
        live.delete(a);
      });

      writing = false;
      const written = await Promise.all(writers);
      let last = '';
      await waitFor(
        async () => {
          last = await diff(pg, em);
          return last === '';
        },
        { timeoutMs: 60_000, intervalMs: 300, message: () => `StarRocks never equalled PostgreSQL:\n${last}\n${b.d.output().slice(-3000)}` },
      );
      assertAppliedOnce(em, DB, phases);
      assert.deepEqual(overlaps, [], 'two daemons streamed at once');
      for (const t of takeovers) assert.ok(t.ms < 10_000, `${t.kind}: takeover took ${t.ms} ms`);
      console.log(
        `takeovers: ${takeovers.map((t) => `${t.kind} ${t.ms} ms`).join(', ')}; transactions ${written.join(' + ')}; zombie load ${zombie?.label ?? '?'} ${zombie?.status ?? '?'}, ${zombie?.conditionTies ?? 0} ties`,
      );

      // A standby stops at once and cleanly on SIGTERM; so does the active one (it drains).
      a = await start('a');
      await waitFor(() => isStandby(a), { message: () => a.d.output().slice(-3000) });
      a.d.kill('SIGTERM');
      assert.equal((await a.d.exited).code, 0, a.d.output().slice(-3000));
      assert.match(a.d.output(), /stopped while standby/);
      b.d.kill('SIGTERM');
      assert.equal((await b.d.exited).code, 0, b.d.output().slice(-3000));
    }
  });
});

async function diff(pg: PgHarness, em: StarRocksEmulator): Promise<string> {
  const r = await pg.query<{ id: string; row: string }>(`SELECT id::text AS id, v || '|' || n AS row FROM public.acct`);
  const p = new Map(r.rows.map((x) => [x.id, x.row]));
  const s = new Map<string, string>();
  for (const row of em.rows(DB, 'acct')) {
    if (row['dbmazz_is_deleted'] === true) continue;
    s.set(String(row['id']), `${String(row['v'])}|${String(row['n'])}`);
  }
  const missing = [...p.keys()].filter((id) => !s.has(id));
  const extra = [...s.keys()].filter((id) => !p.has(id));
  const wrong = [...p].filter(([id, row]) => s.has(id) && s.get(id) !== row);
  if (missing.length + extra.length + wrong.length === 0) return '';
  return `${p.size} rows in PostgreSQL, ${s.size} in StarRocks; missing ${missing.slice(0, 5).join(',')}; extra ${extra.slice(0, 5).join(',')}; wrong ${wrong
    .slice(0, 3)
    .map(([id, v]) => `${id}: ${v} vs ${s.get(id) ?? ''}`)
    .join('; ')}`;
}
