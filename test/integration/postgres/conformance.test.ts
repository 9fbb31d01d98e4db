/**
 * The conformance kit (dbmazz/testing) against the PostgreSQL source and a real PostgreSQL: a new
 * table, slot and publication per check, changes made with SQL.
 */
import { after, before } from 'node:test';
import { postgresSource } from '../../../connectors/postgres/index.js';
import { sourceConformance, type ConformanceChange } from '../../../core/testing/index.js';
import { freePort, inTransaction, startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';

let pg: PgHarness;
let targets = 0;
// Nothing listens on this port: the connection check must fail with a typed error.
const closedPort = await freePort();

before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.close();
});

function statement(table: string, c: ConformanceChange): [string, unknown[]] {
  switch (c.op) {
    case 'insert':
      return [`INSERT INTO ${table} (id, note) VALUES ($1, $2)`, [String(c.id), c.note]];
    case 'update':
      return [`UPDATE ${table} SET note = $2 WHERE id = $1`, [String(c.id), c.note]];
    case 'delete':
      return [`DELETE FROM ${table} WHERE id = $1`, [String(c.id)]];
  }
}

sourceConformance({
  manifest: postgresSource,
  // The snapshot settings are shared by every source that copies tables (SNAPSHOT_*).
  settingPrefixes: ['SOURCE_', 'SNAPSHOT_'],
  unreachable: { SOURCE_URL: `postgres://kit:kit-pw@127.0.0.1:${closedPort}/postgres`, SOURCE_CONNECT_TIMEOUT_MS: '2000', SNAPSHOT_MODE: 'never' },
  async target() {
    const name = `kit_${++targets}`;
    await pg.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, note text)`);
    return {
      env: {
        SOURCE_URL: pg.url,
        SOURCE_SLOT_NAME: name,
        SOURCE_PUBLICATION_NAME: `${name}_pub`,
        SOURCE_STATUS_INTERVAL_MS: '1000',
        SNAPSHOT_MODE: 'never',
      },
      table: { schema: 'public', name },
      pipelineId: name,
      apply: (changes) =>
        inTransaction(pg, async (client) => {
          for (const c of changes) await client.query(...statement(name, c));
        }),
      truncate: async () => void (await pg.query(`TRUNCATE ${name}`)),
      addColumn: async (column) => void (await pg.query(`ALTER TABLE ${name} ADD COLUMN ${column} text`)),
      async dispose() {
        // The slot may still be marked active for a moment after the source closed.
        for (let i = 0; i < 50; i++) {
          try {
            await pg.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [name]);
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        await pg.query(`DROP PUBLICATION IF EXISTS ${name}_pub`);
        await pg.query(`DROP TABLE ${name}`);
      },
    };
  },
});
