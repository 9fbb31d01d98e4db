/**
 * A source table changed shape (the pipeline calls `Sink.schemaChanged` before any record with the new
 * shape is written): apply SCHEMA_EVOLUTION (schema-evolution.ts) to the StarRocks table.
 * - fail: stage error naming the change, when StarRocks would have to change (a column it lacks, a type
 *   it cannot hold); a dropped column, or a change StarRocks already fits (applied by the operator, or
 *   an older shape replayed after a restart), is only a warning.
 * - evolve: every check first (a type change StarRocks cannot apply fails before any DDL runs), then the
 *   added columns in one ADD COLUMN (prepareTable), then the widened types in one MODIFY COLUMN, each
 *   waited for until visible. Dropped columns are kept (warning).
 * - ignore: warnings only; prepareTable leaves the columns StarRocks lacks out of the loads.
 * Idempotent: every decision is made from information_schema, so a retried call (or a restart in the
 * middle) does only what is still missing.
 */
import type { ColumnSchema, TableSchema } from '../../../core/index.js';
import { CdcError, formatTableId } from '../../../core/index.js';
import { describeDiff, diffSchemas, failPolicyMessage, isEmptyDiff, sourceTypeText } from '../schema-evolution.js';
import { suggestStarRocksType } from '../type-map.js';
import { runSchemaChange } from './alter.js';
import type { Query } from './mysql.js';
import { mysqlError } from './mysql.js';
import { columnDetailsQuery, type ColumnDetail, type ColumnRetype, modifyColumnsStatement, parseColumnDetails } from './sql.js';
import { formatSrType, holds, parseSrType, sameSrType, typeChange } from './sr-types.js';
import { prepareTable, sourceColumnComment, targetNameOf, type TableSetupOptions, type TargetTable } from './table-setup.js';

async function readDetails(query: Query, db: string, table: string): Promise<ColumnDetail[]> {
  try {
    return parseColumnDetails(await query(columnDetailsQuery(db, table)));
  } catch (err) {
    throw mysqlError(err, `reading the column types of ${db}.${table}`);
  }
}

export async function evolveTable(query: Query, schema: TableSchema, previous: TableSchema | undefined, o: TableSetupOptions): Promise<TargetTable> {
  const policy = o.schemaEvolution ?? 'evolve';
  const name = targetNameOf(schema, o);
  const fq = `${o.db}.${name}`;
  const diff = diffSchemas(previous, schema);
  if (isEmptyDiff(diff)) return prepareTable(query, schema, o);
  const change = describeDiff(diff);
  if (policy === 'fail') {
    // Stop when StarRocks would have to change. A dropped column needs nothing from StarRocks, and an
    // older shape replayed after a restart (the slot rewinds) must not stop a table that already fits.
    const details = new Map((await readDetails(query, o.db, name)).map((d) => [d.name.toLowerCase(), d] as const));
    const fits = (c: ColumnSchema): boolean => {
      const d = details.get(c.name.toLowerCase());
      return d !== undefined && holds(parseSrType(d.typeText), parseSrType(suggestStarRocksType(c)));
    };
    if (diff.added.some((c) => !details.has(c.name.toLowerCase())) || diff.retyped.some((r) => !fits(r.after))) {
      throw new CdcError({ code: 'SINK_SCHEMA', ...failPolicyMessage(schema, diff, fq) });
    }
  }
  o.logger.info({ table: fq, source: formatTableId(schema.id), change, policy }, 'source table changed');
  if (diff.dropped.length > 0) {
    o.logger.warn(
      { table: fq, columns: diff.dropped.map((c) => c.name) },
      'columns dropped (or renamed) in the source are kept in StarRocks and no longer written: rows loaded from now on get NULL (or the column DEFAULT) there',
    );
  }
  if (policy === 'fail') {
    o.logger.warn({ table: fq, change }, 'SCHEMA_EVOLUTION=fail: the source table changed, but the StarRocks table already fits the new shape');
    return prepareTable(query, schema, o);
  }
  if (policy === 'ignore') {
    if (diff.retyped.length > 0) {
      o.logger.warn(
        { table: fq, columns: diff.retyped.map((r) => `${r.after.name} ${sourceTypeText(r.before)} → ${sourceTypeText(r.after)}`) },
        'SCHEMA_EVOLUTION=ignore: StarRocks keeps the old column types; values that do not fit them are rejected by the loads',
      );
    }
    return prepareTable(query, schema, o);
  }

  // evolve: decide every type change before changing anything.
  const retypes: ColumnRetype[] = [];
  if (diff.retyped.length > 0) {
    const details = new Map((await readDetails(query, o.db, name)).map((d) => [d.name.toLowerCase(), d] as const));
    for (const { before, after } of diff.retyped) {
      const current = details.get(after.name.toLowerCase());
      if (current === undefined) continue; // not in StarRocks: added with the new type below
      const desiredText = suggestStarRocksType(after);
      const desired = parseSrType(desiredText);
      const from = parseSrType(current.typeText);
      const decision = typeChange(from, desired, current.isKey || after.isKey);
      if (decision.action === 'none') {
        o.logger.info(
          { table: fq, column: current.name, starrocksType: current.typeText },
          'source column type changed; the StarRocks column already holds the new values',
        );
        continue;
      }
      if (decision.action === 'impossible') {
        throw new CdcError({
          code: 'SINK_SCHEMA',
          message:
            `Cannot apply a type change to ${fq}: column ${current.name} changed in ${formatTableId(schema.id)} from ${sourceTypeText(before)} to ${sourceTypeText(after)}, ` +
            `which needs StarRocks ${desiredText}, but the column is ${formatSrType(from)} and ${decision.reason}.`,
          hint:
            `Change the column back in the source, or recreate ${fq} with ${current.name} ${desiredText} and reload it, then restart dbmazz. ` +
            'SCHEMA_EVOLUTION=ignore keeps replicating with the old StarRocks type (values that do not fit it are rejected).',
        });
      }
      retypes.push({
        name: current.name,
        ddlType: desiredText,
        nullable: current.nullable,
        defaultText: current.defaultText,
        comment: current.comment || sourceColumnComment(after),
      });
    }
  }

  let target = await prepareTable(query, schema, o);
  if (retypes.length > 0) {
    o.logger.info({ table: fq, columns: retypes.map((r) => `${r.name} ${r.ddlType}`) }, 'widening column types in the target table');
    const wanted = new Map(retypes.map((r) => [r.name.toLowerCase(), parseSrType(r.ddlType)] as const));
    await runSchemaChange(query, o, {
      table: name,
      sql: modifyColumnsStatement(o.db, name, retypes),
      what: `changing the type of ${retypes.map((r) => `${r.name} to ${r.ddlType}`).join(', ')}`,
      visible: async () => {
        const now = await readDetails(query, o.db, name);
        return now.every((d) => {
          const w = wanted.get(d.name.toLowerCase());
          return w === undefined || sameSrType(parseSrType(d.typeText), w);
        });
      },
    });
    target = await prepareTable(query, schema, o);
  }
  o.logger.info({ table: fq, change }, 'target table matches the source table');
  return target;
}
