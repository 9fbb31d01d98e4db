/**
 * Key edge cases end to end (real CLI, harness PostgreSQL, StarRocks emulator): composite keys, text
 * keys with unicode, keys at StarRocks' 128-byte limit and a clear error beyond it, a key change in a
 * transaction that inserts the old key again, a table keyed by REPLICA IDENTITY USING INDEX, and the
 * setup error for a table without a key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inTransaction, startPostgres, type PgHarness, pgRows, srRows, type ColumnCheck } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { exitOf, killDaemons, spawnDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, SR_PASSWORD, startStreaming } from './daemon-env.js';

const DB = 'key_cases';
const PROPS = 'PROPERTIES ("replication_num" = "1")';

interface Spec {
  readonly table: string;
  readonly key: readonly string[];
  readonly cols: readonly ColumnCheck[];
}

const SPECS: readonly Spec[] = [
  { table: 'comp', key: ['a', 'b', 'c'], cols: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'v' }] },
  { table: 'uni', key: ['k'], cols: [{ name: 'k' }, { name: 'v' }] },
  { table: 'lim', key: ['k'], cols: [{ name: 'k' }, { name: 'v' }] },
  { table: 'limc', key: ['id', 'k'], cols: [{ name: 'id' }, { name: 'k' }, { name: 'v' }] },
  { table: 'kc', key: ['id'], cols: [{ name: 'id' }, { name: 'v' }] },
  { table: 'ri', key: ['code', 'n'], cols: [{ name: 'code' }, { name: 'n' }, { name: 'v' }] },
];

/** Keys whose bytes differ although some render alike: StarRocks must keep each one, byte-exact. */
const UNICODE_KEYS = [
  '🎉',
  'e\u0301', // e + combining acute
  '\u00e9', // precomposed é
  'a\u0308\u0301', // two combining marks
  '👩\u200d👩\u200d👧', // ZWJ family
  '🇫🇷', // regional indicators
  '\u2126', // OHM SIGN
  '\u03a9', // GREEK CAPITAL OMEGA
  '日本語のキー',
  'zero\u200bwidth',
];

describe('end to end: keys', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let daemon: DaemonProcess | undefined;
  const others: DaemonProcess[] = [];

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
    await pg.query('CREATE TABLE comp (a int NOT NULL, b text NOT NULL, c date NOT NULL, v text, PRIMARY KEY (a, b, c))');
    await pg.query('CREATE TABLE uni (k text PRIMARY KEY, v int)');
    await pg.query('CREATE TABLE lim (k varchar(200) PRIMARY KEY, v int)');
    await pg.query('CREATE TABLE limc (id bigint NOT NULL, k text NOT NULL, v int, PRIMARY KEY (id, k))');
    await pg.query('CREATE TABLE kc (id int PRIMARY KEY, v text)');
    await pg.query('CREATE TABLE ri (code text NOT NULL, n int NOT NULL, v text)');
    await pg.query('CREATE UNIQUE INDEX ri_code_n ON ri (code, n)');
    await pg.query('ALTER TABLE ri REPLICA IDENTITY USING INDEX ri_code_n');
    await pg.query('CREATE TABLE nk (a int NOT NULL, b text)');
    await pg.query('CREATE UNIQUE INDEX nk_a ON nk (a)');
    await em.sql(`CREATE DATABASE ${DB}`);
    const ddl = [
      `CREATE TABLE comp (a INT NOT NULL, b STRING NOT NULL, c DATE NOT NULL, v STRING) PRIMARY KEY (a, b, c) DISTRIBUTED BY HASH(a) ${PROPS}`,
      `CREATE TABLE uni (k STRING NOT NULL, v INT) PRIMARY KEY (k) DISTRIBUTED BY HASH(k) ${PROPS}`,
      `CREATE TABLE lim (k VARCHAR(1000) NOT NULL, v INT) PRIMARY KEY (k) DISTRIBUTED BY HASH(k) ${PROPS}`,
      `CREATE TABLE limc (id BIGINT NOT NULL, k STRING NOT NULL, v INT) PRIMARY KEY (id, k) DISTRIBUTED BY HASH(id) ${PROPS}`,
      `CREATE TABLE kc (id INT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) ${PROPS}`,
      `CREATE TABLE ri (code STRING NOT NULL, n INT NOT NULL, v STRING) PRIMARY KEY (code, n) DISTRIBUTED BY HASH(code) ${PROPS}`,
      `CREATE TABLE nk (a INT NOT NULL, b STRING) PRIMARY KEY (a) DISTRIBUTED BY HASH(a) ${PROPS}`,
    ];
    for (const s of ddl) await em.sql(s, DB);
  });
  after(async () => {
    await killDaemons(daemon, ...others);
    await em?.close();
    await pg?.close();
  });

  const tables = SPECS.map((s) => s.table).join(',');

  /** Live rows on both sides as sorted JSON lines; deleted source rows must be soft-deleted targets. */
  const diff = async (): Promise<string> => {
    const out: string[] = [];
    for (const s of SPECS) {
      const source = (await pgRows(pg, s.table, s.key, s.cols)).map((r) => JSON.stringify(r)).sort();
      const target = srRows(em.rows(DB, s.table), s.cols)
        .filter((r) => !r.deleted)
        .map((r) => JSON.stringify(r.row))
        .sort();
      if (JSON.stringify(source) !== JSON.stringify(target)) out.push(`${s.table}:\n  pg ${source.join(' ')}\n  sr ${target.join(' ')}`);
    }
    return out.join('\n');
  };

  const converge = async (d: DaemonProcess): Promise<void> => {
    let last = '';
    await waitFor(
      async () => {
        last = await diff();
        return last === '';
      },
      { timeoutMs: 60_000, intervalMs: 250, message: () => `tables never converged:\n${last}\n--- daemon ---\n${d.output().slice(-3000)}` },
    );
  };

  const tx = async (statements: readonly string[]): Promise<void> => {
    await inTransaction(pg, async (c) => {
      for (const s of statements) await c.query(s);
    });
  };

  it('a table without a primary key or identity index: a setup error naming it and both fixes, nothing created', async () => {
    const d = spawnDaemon(daemonEnv(pg, em, DB, 'nk', { SOURCE_SLOT_NAME: 'nk_slot', SOURCE_PUBLICATION_NAME: 'nk_pub' }));
    others.push(d);
    const exit = await d.exited;
    assert.notEqual(exit.code, 0, d.output());
    const out = d.output();
    assert.match(out, /Table 'nk' has no primary key and no REPLICA IDENTITY USING INDEX/);
    assert.match(out, /ALTER TABLE \\?"public\\?"\.\\?"nk\\?" ADD PRIMARY KEY/);
    assert.match(out, /ALTER TABLE \\?"public\\?"\.\\?"nk\\?" REPLICA IDENTITY USING INDEX \\?"nk_a\\?"/);
    assert.match(out, /Unique indexes that qualify: nk_a \(a\)/);
    const slots = await pg.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'nk_slot'");
    assert.equal(slots.rowCount, 0);
    const pubs = await pg.query("SELECT 1 FROM pg_publication WHERE pubname = 'nk_pub'");
    assert.equal(pubs.rowCount, 0);
  });

  it('composite, unicode, 128-byte, key-changing and identity-index keys replicate exactly', async () => {
    daemon = await startStreaming(pg, daemonEnv(pg, em, DB, tables));

    // Composite key (int, text, date): inserts, a value update, a key-part change, a delete.
    await tx([
      "INSERT INTO comp VALUES (1, 'x', '2024-01-01', 'a'), (1, 'y', '2024-01-01', 'b'), (2, 'x', '2024-02-29', 'c')",
      "UPDATE comp SET v = 'a2' WHERE a = 1 AND b = 'x'",
    ]);
    await tx(["UPDATE comp SET b = 'z' WHERE a = 1 AND b = 'y'", 'DELETE FROM comp WHERE a = 2']);

    // Unicode text keys: each distinct byte sequence is its own row.
    await tx(UNICODE_KEYS.map((k, i) => `INSERT INTO uni VALUES (${pgText(k)}, ${i})`));
    await tx([
      `UPDATE uni SET v = 100 WHERE k = ${pgText('🎉')}`,
      `UPDATE uni SET k = ${pgText('e\u0301!')} WHERE k = ${pgText('e\u0301')}`,
      `DELETE FROM uni WHERE k = ${pgText('\u00e9')}`,
    ]);

    // Keys of exactly 128 encoded bytes (one string column; bigint + string).
    await tx([
      `INSERT INTO lim VALUES (${pgText('é'.repeat(64))}, 1), (${pgText('🎉'.repeat(32))}, 2), (${pgText('a'.repeat(128))}, 3), ('short', 4)`,
      `INSERT INTO limc VALUES (1, ${pgText('k'.repeat(120))}, 1), (2, ${pgText('🎉'.repeat(30))}, 2)`,
    ]);
    await tx([`UPDATE lim SET v = 20 WHERE k = ${pgText('🎉'.repeat(32))}`, `DELETE FROM lim WHERE k = ${pgText('a'.repeat(128))}`]);

    // Key change and re-insert of the old key in one transaction; and a chain of them.
    await tx(["INSERT INTO kc VALUES (1, 'a'), (10, 'x')"]);
    await converge(daemon);
    await tx(['UPDATE kc SET id = 2 WHERE id = 1', "INSERT INTO kc VALUES (1, 'b')"]);
    await tx(['UPDATE kc SET id = 11 WHERE id = 10', 'UPDATE kc SET id = 12 WHERE id = 11', "INSERT INTO kc VALUES (10, 'y'), (11, 'z')"]);

    // REPLICA IDENTITY USING INDEX, no primary key: insert, value update, key update, delete.
    await tx(["INSERT INTO ri VALUES ('a', 1, 'x'), ('b', 2, 'y'), ('c', 3, 'z')"]);
    await tx(["UPDATE ri SET v = 'x2' WHERE code = 'a'", "UPDATE ri SET n = 20 WHERE code = 'b'", "DELETE FROM ri WHERE code = 'c'"]);

    await converge(daemon);

    const kc = srRows(em.rows(DB, 'kc'), [{ name: 'id' }, { name: 'v' }]);
    const liveKc = kc
      .filter((r) => !r.deleted)
      .map((r) => `${r.row['id']}=${r.row['v']}`)
      .sort();
    assert.deepEqual(liveKc, ['1=b', '10=y', '11=z', '12=x', '2=a'].sort(), 'both keys live with their values');
    assert.equal(kc.length, 5, 'no ghost rows');

    const uni = srRows(em.rows(DB, 'uni'), [{ name: 'k' }, { name: 'v' }]);
    const bytes = (s: string | null): string => Buffer.from(s ?? '', 'utf8').toString('hex');
    const stored = new Map(uni.map((r) => [bytes(r.row['k'] ?? null), r]));
    for (const k of UNICODE_KEYS.filter((k) => k !== 'e\u0301' && k !== '\u00e9')) assert.ok(stored.get(bytes(k))?.deleted === false, `key ${k} is live`);
    assert.equal(stored.get(bytes('e\u0301'))?.deleted, true, 'the old key of the key change is soft-deleted');
    assert.equal(stored.get(bytes('\u00e9'))?.deleted, true, 'the precomposed é was deleted, the decomposed one was not touched');
    assert.equal(stored.get(bytes('e\u0301!'))?.deleted, false);

    const ri = srRows(em.rows(DB, 'ri'), [{ name: 'code' }, { name: 'n' }, { name: 'v' }]);
    assert.deepEqual(
      ri
        .filter((r) => r.deleted)
        .map((r) => `${r.row['code']}/${r.row['n']}`)
        .sort(),
      ['b/2', 'c/3'],
    );

    daemon.kill('SIGTERM');
    assert.equal((await daemon.exited).code, 0, daemon.output().slice(-3000));
  });

  it('a key beyond 128 encoded bytes stops replication with an error naming table, key and size; nothing is confirmed past it', async () => {
    const slot = async (): Promise<string> =>
      (await pg.query<{ lsn: string }>("SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = 'dbmazz_slot'")).rows[0]?.lsn ?? '';
    const before = await slot();
    const failedLoads = em.loads().filter((l) => l.db === DB && l.status !== 'Success').length;
    await pg.query(`INSERT INTO lim VALUES (${pgText(`${'é'.repeat(64)}a`)}, 9)`);
    const d = spawnDaemon(daemonEnv(pg, em, DB, tables, { SINK_RETRY_MAX_ATTEMPTS: '2' }));
    others.push(d);
    assert.equal(await exitOf(d), 1, d.output().slice(-3000));
    const out = d.output();
    assert.match(out, /The primary key of key_cases\.lim would be 129 bytes as StarRocks encodes it, 1 beyond its 128-byte limit/);
    assert.match(out, /\(k\) = \('é{40}…' \(129 bytes\)\), a change of public\.lim at [0-9A-F]+\/[0-9A-F]+/u);
    assert.match(out, /primary_key_limit_size/);
    assert.equal(await slot(), before, 'the slot did not move');
    assert.equal(em.loads().filter((l) => l.db === DB && l.status !== 'Success').length, failedLoads, 'the row never reached StarRocks');
    assert.ok(!em.rows(DB, 'lim').some((r) => r['v'] === 9n));
  });
});

/** A PostgreSQL string literal (E'' with escapes for everything outside printable ASCII). */
function pgText(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === "'" || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return `E'${out}'`;
}
