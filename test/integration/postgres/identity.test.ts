/** PostgresSource.identity(): system identifier + database, also for a least-privilege replication role. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { createSource } from './helpers.js';

describe('PostgreSQL source identity', () => {
  let pg: PgHarness;
  let sysid = '';

  before(async () => {
    pg = await startPostgres();
    sysid = (await pg.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()')).rows[0]?.id ?? '';
    assert.match(sysid, /^\d+$/);
  });
  after(async () => {
    await pg?.close();
  });

  const identityOf = async (url: string): Promise<{ id: string; description: string }> => {
    const src = createSource(pg, { slot: 'ident', tables: ['t'], url });
    try {
      return await src.identity();
    } finally {
      await src.close();
    }
  };

  it('is the system identifier and the database; another database of the cluster is another identity', async () => {
    assert.deepEqual(await identityOf(pg.url), {
      id: `postgresql:${sysid}:${pg.database}`,
      description: `PostgreSQL system ${sysid}, database ${pg.database}`,
    });
    const other = await pg.createDatabase('other_db');
    assert.equal((await identityOf(other)).id, `postgresql:${sysid}:other_db`);
  });

  it('a replication role that may not run pg_control_system() gets the same identity through IDENTIFY_SYSTEM', async () => {
    await pg.query('CREATE ROLE repl_only LOGIN REPLICATION');
    await pg.query('REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC');
    try {
      const url = `postgres://repl_only@${pg.host}:${pg.port}/${pg.database}`;
      const c = await pg.connect();
      try {
        await c.query('SET ROLE repl_only');
        await assert.rejects(c.query('SELECT * FROM pg_control_system()'), /permission denied/);
      } finally {
        await c.end();
      }
      assert.equal((await identityOf(url)).id, `postgresql:${sysid}:${pg.database}`);
    } finally {
      await pg.query('GRANT EXECUTE ON FUNCTION pg_control_system() TO PUBLIC');
    }
  });
});
