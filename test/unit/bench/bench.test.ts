import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, parseBenchArgs } from '../../../bench/args.js';
import { fixed, markdownTable, mib, rate, times } from '../../../bench/format.js';
import { eventsPerSecond, parseProcStatTicks, parseProcStatusBytes, percentile, ratio } from '../../../bench/stats.js';
import { backlogSql, probeId, transactionSql } from '../../../bench/workload.js';
import { shortUrl, summarizeProfile, type CpuProfile } from '../../../bench/cpu-profile.js';
import { COPY_SQL, CREATE_SNAPSHOT_TABLE, snapshotSeedSql, SNAPSHOT_TABLE } from '../../../bench/snapshot-workload.js';

describe('bench: percentile', () => {
  it('is the nearest rank, on unsorted input, without changing it', () => {
    const v = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(percentile(v, 50), 5);
    assert.equal(percentile(v, 99), 10);
    assert.equal(percentile(v, 90), 9);
    assert.equal(percentile(v, 0), 1);
    assert.equal(percentile(v, 100), 10);
    assert.deepEqual(v, [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
  });
  it('is undefined for no values and rejects p outside 0..100', () => {
    assert.equal(percentile([], 50), undefined);
    assert.throws(() => percentile([1], 101), RangeError);
    assert.throws(() => percentile([1], Number.NaN), RangeError);
  });
});

describe('bench: /proc parsing', () => {
  it('sums utime and stime of /proc/<pid>/stat, even when the command name has spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 12345 0 0 0 731 96 0 0 20 0 11 0 987654 1234567890 30000 18446744073709551615';
    assert.equal(parseProcStatTicks(stat), 731 + 96);
    assert.throws(() => parseProcStatTicks('garbage'), /not a \/proc/);
  });
  it('reads kB fields of /proc/<pid>/status as bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
    assert.equal(parseProcStatusBytes(status, 'VmHWM'), 204800 * 1024);
    assert.equal(parseProcStatusBytes(status, 'VmRSS'), 102400 * 1024);
    assert.equal(parseProcStatusBytes(status, 'VmSwap'), undefined);
  });
  it('reads this process’s own /proc entry (Linux)', async () => {
    const { sampleProcess } = await import('../../../bench/proc.js');
    const s = sampleProcess(process.pid);
    assert.ok(s.peakRssBytes >= s.rssBytes && s.rssBytes > 0, JSON.stringify(s));
    assert.ok(s.cpuSeconds > 0);
  });
});

describe('bench: rates, ratios and the table', () => {
  it('computes events/s and ratios, undefined where they make no sense', () => {
    assert.equal(eventsPerSecond(50_000, 2), 25_000);
    assert.equal(eventsPerSecond(1, 0), undefined);
    assert.equal(ratio(3, 1.5), 2);
    assert.equal(ratio(3, 0), undefined);
    assert.equal(ratio(undefined, 1), undefined);
  });
  it('formats a Markdown table with aligned columns and empty cells', () => {
    const t = markdownTable(
      ['measure', 'events/s', 'CPU'],
      [
        ['(a) floor', rate(729_000), undefined],
        ['(b) x', rate(950), fixed(5.14, 1)],
      ],
    );
    assert.equal(
      t,
      ['| measure   | events/s | CPU |', '|-----------|----------|-----|', '| (a) floor | 729.0k   |     |', '| (b) x     | 950      | 5.1 |'].join('\n'),
    );
    assert.equal(mib(444 * 1048576), '444.0 MiB');
    assert.equal(times(7.25), '7.25×');
    assert.equal(fixed(Number.POSITIVE_INFINITY, 1), undefined);
  });
});

describe('bench: flags', () => {
  it('has a quick default and reads every flag', () => {
    assert.deepEqual(parseBenchArgs([]), DEFAULT_OPTIONS);
    const o = parseBenchArgs(['--changes', '300000', '--rates=1000,5000,20000', '--duration', '20', '--flush-interval', '500', '--out', 'x.json']);
    assert.equal(typeof o, 'object');
    if (typeof o === 'string') return;
    assert.equal(o.changes, 300_000);
    assert.deepEqual(o.rates, [1000, 5000, 20000]);
    assert.equal(o.duration, 20);
    assert.equal(o.flushIntervalMs, 500);
    assert.equal(o.out, 'x.json');
    const h = parseBenchArgs(['--help']);
    assert.ok(typeof h === 'object' && h.help);
  });
  it('lists every problem at once', () => {
    const e = parseBenchArgs(['--changes', '150', '--rates', '1000,x', '--bogus']);
    assert.equal(typeof e, 'string');
    assert.match(String(e), /multiple of 100/);
    assert.match(String(e), /--rates needs an integer/);
    assert.match(String(e), /unknown option --bogus/);
  });
  it('reads the snapshot flags (f) and refuses bad ones', () => {
    assert.equal(DEFAULT_OPTIONS.snapshotRows, 200_000);
    assert.deepEqual(DEFAULT_OPTIONS.snapshotModes, ['initial', 'initial_only']);
    const o = parseBenchArgs([
      '--snapshot-rows',
      '1000000',
      '--snapshot-modes=initial_only',
      '--snapshot-only',
      '--snapshot-chunk-rows',
      '50000',
      '--snapshot-parallelism',
      '4',
      '--cpu-prof',
      '/tmp/p',
      '--snapshot-runs',
      '3',
      '--daemon-node-options',
      '--max-semi-space-size=16',
    ]);
    assert.ok(typeof o === 'object', String(o));
    assert.equal(o.snapshotRows, 1_000_000);
    assert.deepEqual(o.snapshotModes, ['initial_only']);
    assert.equal(o.snapshotOnly, true);
    assert.equal(o.snapshotChunkRows, 50_000);
    assert.equal(o.snapshotParallelism, 4);
    assert.equal(o.cpuProfDir, '/tmp/p');
    assert.equal(o.snapshotRuns, 3);
    assert.equal(o.daemonNodeOptions, '--max-semi-space-size=16');
    assert.equal(DEFAULT_OPTIONS.snapshotRuns, 1);
    assert.equal(DEFAULT_OPTIONS.daemonNodeOptions, undefined);
    assert.match(String(parseBenchArgs(['--snapshot-runs', '0'])), /--snapshot-runs needs an integer of at least 1/);
    const skip = parseBenchArgs(['--snapshot-rows', '0']);
    assert.ok(typeof skip === 'object' && skip.snapshotRows === 0);
    const e = parseBenchArgs(['--snapshot-modes', 'initial,later', '--snapshot-chunk-rows', '0', '--cpu-prof']);
    assert.equal(typeof e, 'string');
    assert.match(String(e), /--snapshot-modes takes initial and\/or initial_only.*\(got later\)/);
    assert.match(String(e), /--snapshot-chunk-rows needs an integer of at least 1/);
    assert.match(String(e), /--cpu-prof needs a directory/);
    assert.match(String(parseBenchArgs(['--snapshot-only', '--snapshot-rows', '0'])), /measures nothing/);
  });
});

describe('bench: workload SQL', () => {
  it('writes 70 inserts, 20 updates and 10 deletes of the previous transaction, and the probe is an insert never touched later', () => {
    const sql = transactionSql(3);
    assert.match(sql, /generate_series\(\(\(3\) \+ 1\) \* 70 \+ 1, \(\(3\) \+ 1\) \* 70 \+ 70\)/);
    assert.match(sql, /UPDATE .* WHERE id BETWEEN \(3\) \* 70 \+ 21 AND \(3\) \* 70 \+ 40/);
    assert.match(sql, /DELETE .* WHERE id BETWEEN \(3\) \* 70 \+ 41 AND \(3\) \* 70 \+ 50/);
    assert.equal(probeId(3), 4n * 70n + 70n);
    assert.match(backlogSql(0, 500), /FOR t IN 0\.\.499 LOOP[\s\S]*COMMIT;/);
  });
});

describe('bench: snapshot table SQL (f)', () => {
  it('fills ids 1..rows in batches, one row in 20 with an out-of-line body of 2,000-3,000 bytes', () => {
    const batches = snapshotSeedSql(250_001, 100_000);
    assert.equal(batches.length, 3);
    assert.match(batches[0] ?? '', /generate_series\(1, 100000\)/);
    assert.match(batches[2] ?? '', /generate_series\(200001, 250001\)/);
    assert.match(batches[0] ?? '', /WHEN g % 20 = 0 THEN substr\(.*, 1, 2000 \+ \(g % 1001\)::int\)/);
    assert.match(CREATE_SNAPSHOT_TABLE.join(';'), /bigint PRIMARY KEY[\s\S]*numeric[\s\S]*timestamptz[\s\S]*jsonb[\s\S]*boolean[\s\S]*SET STORAGE EXTERNAL/);
    assert.equal(COPY_SQL, `COPY (SELECT * FROM public.${SNAPSHOT_TABLE}) TO STDOUT`);
  });
});

describe('bench: CPU profile summary', () => {
  const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber });
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 2_000_000,
    nodes: [
      { id: 1, callFrame: frame('(root)', '', -1) },
      { id: 2, callFrame: frame('planBatch', 'file:///w/dist/connectors/starrocks/rows/plan.js', 9) },
      { id: 3, callFrame: frame('', 'file:///w/dist/connectors/starrocks/rows/plan.js', 40) },
      { id: 4, callFrame: frame('(garbage collector)', '', -1) },
      { id: 5, callFrame: frame('parse', 'file:///w/node_modules/pg-protocol/dist/parser.js', 0) },
    ],
    samples: [2, 2, 2, 3, 4, 4, 5, 2],
  };
  it('adds self samples per function and per file, largest first, as shares of the duration', () => {
    const s = summarizeProfile(profile, 3);
    assert.equal(s.samples, 8);
    assert.equal(s.durationMs, 2000);
    assert.deepEqual(
      s.functions.map((f) => [f.name, f.share]),
      [
        ['planBatch connectors/starrocks/rows/plan.js:10', 0.5],
        ['(garbage collector)', 0.25],
        ['(anonymous) connectors/starrocks/rows/plan.js:41', 0.125],
      ],
    );
    assert.deepEqual(
      s.files.map((f) => [f.name, f.ms]),
      [
        ['connectors/starrocks/rows/plan.js', 1250],
        ['(garbage collector)', 500],
        ['node_modules/pg-protocol/dist/parser.js', 250],
      ],
    );
  });
  it('falls back to hit counts and shortens URLs', () => {
    const s = summarizeProfile({ startTime: 0, endTime: 1000, nodes: [{ id: 1, callFrame: frame('f', 'node:internal/x', 0), hitCount: 3 }] });
    assert.equal(s.functions[0]?.name, 'f node:internal/x:1');
    assert.equal(shortUrl('file:///a/b/dist/bench/run.js'), 'bench/run.js');
    assert.equal(shortUrl(''), '');
    assert.equal(summarizeProfile({ startTime: 0, endTime: 1, nodes: [] }).samples, 0);
  });
});
