/**
 * The demo's pure parts: flags, seed sizes, the workload's bookkeeping, the terminal rendering (live
 * block and plain lines, redraw in place), the export lines and the cleanup stack / Ctrl-C handling.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { exportLines, shellQuote, whereToLook } from 'dbmazz-demo/parts';
import { Cleanup, StopSignal, until } from 'dbmazz-demo/parts';
import { DEFAULT_OPTIONS, parseDemoArgs, parseDuration } from 'dbmazz-demo/parts';
import { linesOf } from 'dbmazz-demo/parts';
import { seedPlan } from 'dbmazz-demo/parts';
import { bar, liveLines, plainLine, Screen, type ViewModel } from 'dbmazz-demo/parts';
import { Workload } from 'dbmazz-demo/parts';
import { parseSnapshotLine, SnapshotBoard, Stage } from 'dbmazz-demo/parts';
import { rng } from '../../e2e/shop-fixture.js';

describe('demo flags', () => {
  it('parses every flag and refuses bad values', () => {
    assert.deepEqual(parseDemoArgs([]), { ok: true, options: DEFAULT_OPTIONS });
    const r = parseDemoArgs([
      '--rate',
      '1500',
      '--duration=2m',
      '--orders',
      '100',
      '--tx-size',
      '10',
      '--token',
      't0k',
      '--grpc-port',
      '0',
      '--metrics-port=0',
      '--plain',
      '--profile-bytes',
      '2500',
    ]);
    assert.ok(r.ok);
    assert.deepEqual(r.options, {
      ...DEFAULT_OPTIONS,
      rate: 1500,
      durationS: 120,
      orders: 100,
      txSize: 10,
      token: 't0k',
      grpcPort: 0,
      metricsPort: 0,
      plain: true,
      profileBytes: 2500,
    });
    assert.deepEqual(parseDemoArgs(['--help']), { ok: false, help: true, error: '' });
    for (const bad of [['--rate', '0'], ['--rate'], ['--duration', 'soon'], ['--orders', '5'], ['--token', 'a b'], ['--what']]) {
      const p = parseDemoArgs(bad);
      assert.equal(p.ok, false, bad.join(' '));
    }
    assert.equal(parseDuration('90'), 90);
    assert.equal(parseDuration('1.5m'), 90);
    assert.equal(parseDuration('1h'), 3600);
    assert.equal(parseDuration('0'), undefined);
  });
});

describe('demo workload', () => {
  it('sizes the seed like the SQL does', () => {
    const p = seedPlan(1500);
    assert.deepEqual(p, { customers: 150, orders: 1500, items: 3000, total: 4650 });
    assert.deepEqual([1, 2, 3].map(linesOf), [2, 3, 1]);
  });

  it('plans transactions of about the asked size, never reusing or resurrecting keys', () => {
    const w = new Workload({ customers: 50, orders: 500, items: 1000 }, rng(7));
    const deletedOrders = new Set<number>();
    const insertedOrders = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const p = w.plan(50);
      assert.ok(p.planned >= 50 && p.planned < 50 + 4, `planned ${p.planned}`);
      for (const o of p.newOrders) {
        assert.ok(o.id > 500 && !insertedOrders.has(o.id), `order id ${o.id} reused`);
        insertedOrders.add(o.id);
        assert.equal(p.newItems.filter((x) => x.orderId === o.id).length, linesOf(o.id));
      }
      for (const id of p.deleteOrders) {
        assert.ok(!deletedOrders.has(id), `order ${id} deleted twice`);
        deletedOrders.add(id);
      }
      for (const id of p.statusOrders) assert.ok(!deletedOrders.has(id) || p.deleteOrders.includes(id), `update of deleted order ${id}`);
    }
    assert.ok(deletedOrders.size > 0);
    w.record('orders', 'insert', 3);
    w.record('orders', 'delete', 2);
    w.record('orders', 'update', 5);
    assert.deepEqual(w.counts.orders, { rows: 501, deleted: 2, inserts: 503, updates: 5 });
    assert.equal(w.totalChanges, 503 + 2 + 5 + 1000 + 50);
  });
});

const VM: ViewModel = {
  phase: 'traffic',
  elapsedMs: 83_000,
  daemon: {
    stage: 'CDC',
    stageDetail: 'Replicating',
    errorDetail: '',
    runState: 'RUNNING',
    eventsPerSecond: 2987,
    totals: { events: 412345, batches: 120, rowsLoaded: 400000, loads: 120, retries: 0, commits: 900, truncates: 0, truncatesIgnored: 0 },
    lagBytes: 12_600,
    lagEvents: 211,
    rssBytes: 150 * 1024 * 1024,
    cpuMillicores: 420,
  } as ViewModel['daemon'],
  seed: { total: 1000, written: 500 },
  snapshot: [
    { name: 'orders', state: 'copying', copied: 25_000, total: 50_000, rowsPerSecond: 12_345.6, etaSeconds: 2.1 },
    { name: 'customers', state: 'done', copied: 5000, total: 5000, rowsPerSecond: 9000, etaSeconds: 0 },
    { name: 'order_items', state: 'waiting', copied: 0, total: 100_001, rowsPerSecond: undefined, etaSeconds: undefined },
  ],
  traffic: { rate: 3000, recentRate: 2994.4, changes: 90000, remainingS: 12.2 },
  tables: [{ name: 'orders', sourceRows: 61234, deleted: 1203, targetRows: 62430 }],
};

describe('demo terminal view', () => {
  it('renders the live block and the plain line', () => {
    const text = liveLines(VM).join('\n');
    assert.match(text, /dbmazz demo · traffic · 00:01:23/);
    assert.match(text, /stage CDC \(Replicating\) · RUNNING/);
    assert.match(text, /2,987 events\/s · 412,345 events · 120 batches/);
    assert.match(text, /lag 12\.3 KiB · 211 events pending · RSS 150 MiB · CPU 42 %/);
    assert.match(text, /seeding {5}\[█{15}░{15}\] {2}50% 500 \/ 1,000 rows written to PostgreSQL/);
    assert.match(text, /snapshot {4}orders {7}\[█{10}░{10}\] {2}50% 25,000 \/ 50,000 rows in StarRocks · copying · 12,346 rows\/s · ETA 3 s/);
    assert.match(text, /\n {12}customers {4}\[█{20}\] 100% 5,000 \/ 5,000 rows in StarRocks · done · 9,000 rows\/s/);
    assert.match(text, /\n {12}order_items {2}\[░{20}\] {3}0% 0 \/ 100,001 rows in StarRocks · waiting/);
    assert.match(text, /2,994 changes\/s \(target 3,000\) · 90,000 changes · 13 s left/);
    assert.match(text, /orders {6} +61,234 +1,203 +62,430 +7/);
    const line = plainLine(VM);
    assert.match(line, /^\[demo 00:01:23\] traffic \| stage=CDC state=RUNNING events\/s=2987 events=412345 batches=120/);
    assert.match(line, /orders=61234\+1203del→62430$/);
    assert.match(line, / \| seed=500\/1000 \| snapshot orders=copying:25000\/50000 customers=done:5000\/5000 order_items=waiting:0\/100001 \| /);
    assert.equal(bar(5, 0, 4), '[████] 100%');
  });

  it('redraws the live block in place on a terminal and writes plain lines otherwise', () => {
    const out: string[] = [];
    const tty = new Screen({ write: (t: string) => out.push(t), isTTY: true, columns: 200 }, true);
    tty.update(VM);
    const block = liveLines(VM).length;
    tty.log('a permanent line');
    assert.equal(out[0], '\x1b[?25l');
    assert.equal(out[2], `\x1b[${block}A\r\x1b[J`, 'the block is cleared before a line is printed');
    assert.equal(out[3], 'a permanent line\n');
    assert.ok(out[4]?.startsWith('── dbmazz demo'), 'then drawn again below it');
    tty.close();
    assert.equal(out.at(-1), '\x1b[?25h');

    const lines: string[] = [];
    const plain = new Screen({ write: (t: string) => lines.push(t) }, false, 60_000);
    plain.update(VM);
    plain.update(VM);
    plain.update(VM, true);
    plain.log('x');
    assert.equal(lines.length, 3, 'a plain line at most every plainEveryMs unless forced');
    assert.ok(lines.every((l) => !l.includes('\x1b')));
  });

  it('prints shell-safe export lines and the places to look', () => {
    assert.equal(shellQuote('postgres://u@h:1/db'), 'postgres://u@h:1/db');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.deepEqual(exportLines({ A: 'x y', B: '1' }), ["export A='x y'", 'export B=1']);
    const where = whereToLook({ grpcPort: 5, metricsPort: 6, mysqlPort: 7, pgUrl: 'postgres://p@h/d', token: 'tk', logFile: '/tmp/l' }).join('\n');
    assert.match(where, /grpcurl -plaintext -H 'authorization: Bearer tk' 127\.0\.0\.1:5 dbmazz\.CdcStatusService\/GetStatus/);
    assert.match(where, /http:\/\/127\.0\.0\.1:6\/dashboard/);
    assert.match(where, /mysql -h 127\.0\.0\.1 -P 7 -u root -e 'select count\(\*\) from demo\.orders'/);
  });
});

describe('demo cleanup and Ctrl-C', () => {
  it('runs every cleanup step once, last registered first, whatever fails', async () => {
    const c = new Cleanup();
    const ran: string[] = [];
    c.add('a', () => void ran.push('a'));
    c.add('b', () => {
      throw new Error('boom');
    });
    c.add('c', async () => void ran.push('c'));
    assert.deepEqual(await c.run(), ['b: boom']);
    assert.deepEqual(await c.run(), ['b: boom']);
    assert.deepEqual(ran, ['c', 'a']);
  });

  it('first signal asks to finish, the second aborts', async () => {
    const signals = new EventEmitter();
    let first = 0;
    const stop = new StopSignal(signals, () => first++);
    let aborted = false;
    void stop.aborted.then(() => (aborted = true));
    const waiting = until(() => false, { stop, everyMs: 10_000 });
    signals.emit('SIGINT');
    assert.equal(await waiting, 'stopped');
    assert.equal(first, 1);
    assert.equal(stop.requested, true);
    signals.emit('SIGTERM');
    await stop.aborted;
    assert.equal(aborted, true);
    stop.dispose();
    assert.equal(signals.listenerCount('SIGINT'), 0);
  });
});

describe('demo snapshot progress from the daemon log', () => {
  const line = (msg: string, extra: Record<string, unknown>): string => JSON.stringify({ level: 30, time: 1, component: 'snapshot', msg, ...extra });
  it('parses the snapshot lines and ignores every other line', () => {
    assert.deepEqual(
      parseSnapshotLine(
        line('snapshot progress', { table: 'public.orders', rowsCopied: 20000, rowsEstimated: 50000, chunks: 2, rowsPerSecond: 10000, etaSeconds: 3 }),
      ),
      {
        msg: 'snapshot progress',
        table: 'public.orders',
        rowsCopied: 20000,
        rowsEstimated: 50000,
        rowsPerSecond: 10000,
        etaSeconds: 3,
      },
    );
    assert.equal(parseSnapshotLine(line('snapshot planned', { tables: ['public.orders'] })), undefined);
    assert.equal(parseSnapshotLine(line('created slot', { table: 'public.orders' })), undefined);
    assert.equal(parseSnapshotLine('{"msg":"snapshot done", broken'), undefined);
    assert.equal(parseSnapshotLine('plain text about a "snapshot done"'), undefined);
    assert.equal(parseSnapshotLine(line('snapshot done', { table: 7 })), undefined);
  });

  it("keeps each table's latest state, by name without the schema", () => {
    const b = new SnapshotBoard();
    const tables = ['orders', 'customers'];
    assert.deepEqual(b.get('orders'), { state: 'waiting', rowsCopied: 0, rowsEstimated: -1, rowsPerSecond: undefined, etaSeconds: undefined });
    assert.equal(b.anyStarted(tables), false);
    b.line(line('snapshot started', { table: 'public.orders', reason: 'initial', rowsEstimated: 50000, resumedAfterRows: 0 }));
    assert.deepEqual(b.get('orders'), { state: 'copying', rowsCopied: 0, rowsEstimated: 50000, rowsPerSecond: undefined, etaSeconds: undefined });
    assert.equal(b.anyStarted(tables), true);
    b.line(line('snapshot progress', { table: 'public.orders', rowsCopied: 20000, rowsEstimated: 50000, rowsPerSecond: 10000, etaSeconds: 3 }));
    b.line('{"msg":"stream position","lsn":"0/1"}');
    assert.equal(b.get('orders').rowsCopied, 20000);
    assert.equal(b.allDone(tables), false);
    b.line(line('snapshot done', { table: 'public.orders', rowsCopied: 50000, rowsEstimated: 50000, rowsPerSecond: 12000 }));
    b.line(line('snapshot done', { table: 'public.customers', rowsCopied: 10, rowsEstimated: -1, rowsPerSecond: 100 }));
    assert.deepEqual(b.get('orders'), { state: 'done', rowsCopied: 50000, rowsEstimated: 50000, rowsPerSecond: 12000, etaSeconds: 0 });
    assert.equal(b.allDone(tables), true);
    assert.equal(b.allDone([...tables, 'order_items']), false);
  });
});

describe('demo phases', () => {
  /** A Stage over a plain screen and an empty emulator; `status` answers the daemon's status polls. */
  function stageWith(status: () => Promise<undefined>): { stage: Stage; out: string[] } {
    const out: string[] = [];
    const screen = new Screen({ write: (t: string) => out.push(t), isTTY: false }, false, 60_000);
    const em = { catalog: { getTable: () => undefined } } as unknown as ConstructorParameters<typeof Stage>[1];
    const stage = new Stage({ screen, started: Date.now(), stop: {} as StopSignal }, em);
    stage.daemon = { running: true, status, snapshot: { get: () => ({ state: 'done' }) } } as unknown as Stage['daemon'];
    stage.snapshot = { orders: { rows: 2, deleted: 0 }, order_items: { rows: 3, deleted: 0 }, customers: { rows: 1, deleted: 0 } };
    return { stage, out };
  }

  it('a phase over at once (a snapshot done while dbmazz was starting) still shows its line', async () => {
    // The status poll takes a while (an HTTP call); the demo clears the snapshot lines right after the phase.
    const { stage, out } = stageWith(() => new Promise((r) => setTimeout(() => r(undefined), 20)));
    await stage.run('snapshot', async () => undefined);
    stage.snapshot = undefined;
    await new Promise((r) => setTimeout(r, 50));
    assert.match(out.join(''), /\] snapshot .*\| snapshot orders=done:0\/2 order_items=done:0\/3 customers=done:0\/1 \|/);
  });

  it('also when a status poll of the previous phase is still in flight', async () => {
    let slow = false;
    let answer: () => void = () => undefined;
    const { stage, out } = stageWith(() => (slow ? new Promise((r) => (answer = () => r(undefined))) : Promise.resolve(undefined)));
    // A line was just printed (plain lines are then throttled): a poll's own update would not print.
    await stage.run('starting', async () => undefined);
    slow = true;
    const pending = stage.refresh();
    const phase = stage
      .run('snapshot', async () => undefined)
      .then(() => {
        stage.snapshot = undefined;
      });
    answer();
    await Promise.all([pending, phase]);
    assert.match(out.join(''), /\] snapshot .*\| snapshot orders=done:0\/2/);
  });
});
