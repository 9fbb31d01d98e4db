/**
 * The source identity of a PostgreSQL database (Source.identity): the cluster's system identifier
 * (pg_control_system(), set by initdb; kept by physical replicas, so a promoted standby has the same)
 * plus the database name. LSNs are comparable exactly between changes of one system identifier.
 *
 * pg_control_system() is executable by PUBLIC by default; where EXECUTE was revoked the replication
 * connection's IDENTIFY_SYSTEM (allowed to any REPLICATION role) answers the same `systemid`.
 */
import pg from 'pg';
import type { SourceIdentity } from '../../core/index.js';
import { clientConfig, type PostgresConfig } from './config.js';
import { toSourceError } from './errors.js';

const INSUFFICIENT_PRIVILEGE = '42501';

export function postgresIdentity(systemId: string, database: string): SourceIdentity {
  return { id: `postgresql:${systemId}:${database}`, description: `PostgreSQL system ${systemId}, database ${database}` };
}

async function viaReplication(cfg: PostgresConfig): Promise<SourceIdentity> {
  const client = new pg.Client(clientConfig(cfg, 'replication'));
  client.on('error', () => undefined);
  try {
    await client.connect();
    const r = await client.query<{ systemid: string; dbname: string | null }>('IDENTIFY_SYSTEM');
    const row = r.rows[0];
    if (row === undefined || row.dbname === null) throw new Error('IDENTIFY_SYSTEM returned no system identifier and database');
    return postgresIdentity(String(row.systemid), row.dbname);
  } catch (e) {
    throw toSourceError(e, `identify the server of ${cfg.target} (IDENTIFY_SYSTEM)`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Reads the identity over the query connection `c`, falling back to IDENTIFY_SYSTEM. */
export async function readIdentity(c: pg.Client, cfg: PostgresConfig): Promise<SourceIdentity> {
  try {
    const r = await c.query<{ id: string; db: string }>('SELECT system_identifier::text AS id, current_database() AS db FROM pg_control_system()');
    const row = r.rows[0];
    if (row !== undefined) return postgresIdentity(row.id, row.db);
  } catch (e) {
    if ((e as { code?: unknown }).code !== INSUFFICIENT_PRIVILEGE) throw e;
  }
  return viaReplication(cfg);
}
