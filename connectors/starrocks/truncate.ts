/**
 * TRUNCATE_POLICY=apply for StarRocks: a source TRUNCATE becomes `TRUNCATE TABLE` of the target
 * table over the MySQL protocol (synchronous). The pipeline calls it after every earlier load has
 * landed and before any later one (it is a barrier in the flush plan).
 *
 * Replays. After a crash PostgreSQL resends everything after the slot's confirmed position, which may
 * include a TRUNCATE that was already applied, followed by loads that were also already applied. Every
 * row in the target carries its transaction's commit position (`dbmazz_cdc_version`). A TRUNCATE at
 * change position L waited for every transaction that wrote the table before it (its ACCESS EXCLUSIVE
 * lock), so the rows it removes have versions below L, and every row written after it (by the rest of
 * its own transaction, committing above L, or by later ones) has a version above L. A stored version
 * above L therefore means "this TRUNCATE was applied and later rows were written after it", or (harmless
 * here) rows of its own transaction from before it whose TRUNCATE had not been applied yet. Re-applying
 * it is still right (the replay writes those later rows again), but their loads would reuse the labels
 * StarRocks already knows and be skipped as `Label Already Exists`. So, for such a table, loads whose
 * smallest version is up to the highest version that was stored get labels with a per-run suffix (an
 * unneeded new label only writes rows again); the replay guard and `merge_condition` keep those
 * re-writes exact.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectorContext, Lsn, TableId } from '../../core/index.js';
import { CdcError, formatLsn, formatTableId, tableKey } from '../../core/index.js';
import { quoteIdent } from './identifiers.js';
import type { Query } from './setup/mysql.js';
import { mysqlError } from './setup/mysql.js';
import { maxVersion } from './source-identity.js';

export interface TruncateTarget {
  readonly db: string;
  readonly name: string;
  /** Target spelling of `dbmazz_cdc_version`. */
  readonly versionColumn: string;
}

export class TargetTruncator {
  /** Differs per run, so labels of a second replay differ from the first one's. */
  private readonly runTag = randomBytes(4).toString('hex');
  /** Table key → highest version stored when a replayed TRUNCATE was applied again. */
  private readonly relabelUpTo = new Map<string, bigint>();

  constructor(private readonly logger: ConnectorContext['logger']) {}

  /** Truncates each table in turn; `targetOf` gives the prepared target of a source table. */
  async apply(query: Query, tables: readonly TableId[], lsn: Lsn, targetOf: (id: TableId) => TruncateTarget | undefined): Promise<void> {
    for (const id of tables) {
      const target = targetOf(id);
      if (target === undefined) {
        throw new CdcError({
          code: 'SINK_SCHEMA',
          message: `TRUNCATE of ${formatTableId(id)}: the StarRocks sink has no target table for it (it was not set up).`,
          hint: 'Add the table to TABLES and restart, or set TRUNCATE_POLICY=ignore.',
        });
      }
      await this.truncateOne(query, tableKey(id), target, lsn);
    }
  }

  /** The pipeline id to put into the labels of a load of `key` whose smallest version (commit position) is `minVersion`. */
  labelPipelineId(key: string, pipelineId: string, minVersion: bigint): string {
    const upTo = this.relabelUpTo.get(key);
    return upTo !== undefined && minVersion <= upTo ? `${pipelineId}_r${this.runTag}` : pipelineId;
  }

  private async truncateOne(query: Query, key: string, t: TruncateTarget, lsn: Lsn): Promise<void> {
    const fq = `${quoteIdent(t.db)}.${quoteIdent(t.name)}`;
    const label = `${t.db}.${t.name}`;
    const stored = await maxVersion(query, t.db, t.name, t.versionColumn);
    try {
      await query(`TRUNCATE TABLE ${fq}`);
    } catch (err) {
      throw mysqlError(err, `truncating ${label}`);
    }
    if (stored !== undefined && stored > lsn) {
      const previous = this.relabelUpTo.get(key);
      this.relabelUpTo.set(key, previous !== undefined && previous > stored ? previous : stored);
      this.logger.info(
        { table: label, lsn: formatLsn(lsn), storedUpTo: formatLsn(stored) },
        'replayed TRUNCATE applied again; the rows written after it are written again under new labels',
      );
    }
  }
}
