/**
 * SHOW CREATE TABLE text in the shape StarRocks 3.x prints (§7.4; FE tests and real outputs):
 *
 *   CREATE TABLE `t` (
 *     `id` bigint(20) NOT NULL COMMENT "",
 *     `v` varchar(65533) NULL DEFAULT "x" COMMENT ""
 *   ) ENGINE=OLAP
 *   PRIMARY KEY(`id`)
 *   COMMENT "table comment"
 *   DISTRIBUTED BY HASH(`id`) BUCKETS 1
 *   ORDER BY(`v`)
 *   PROPERTIES (
 *   "replication_num" = "1",
 *   ...
 *   "compression" = "LZ4"
 *   );
 *
 * `ENGINE=OLAP ` and `BUCKETS n ` end with a space; COMMENT / BUCKETS / ORDER BY lines appear only when
 * the table has them.
 */
import type { ColumnDefinition, Table } from '../catalog.js';
import { formatColumnType } from '../types.js';

const KEYS_LINE: Readonly<Record<string, string>> = {
  PRIMARY_KEYS: 'PRIMARY KEY',
  DUPLICATE_KEYS: 'DUPLICATE KEY',
  UNIQUE_KEYS: 'UNIQUE KEY',
  AGG_KEYS: 'AGGREGATE KEY',
};

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function ident(s: string): string {
  return `\`${s.replace(/`/g, '``')}\``;
}

function columnLine(t: Table, c: ColumnDefinition): string {
  const parts = [ident(c.name), formatColumnType(c.type, 'show-create')];
  if (t.keysType === 'AGG_KEYS' && !c.isKey && c.aggregation) parts.push(c.aggregation);
  parts.push(c.nullable ? 'NULL' : 'NOT NULL');
  if (c.default.kind === 'value') parts.push(`DEFAULT ${quote(c.default.text)}`);
  else if (c.default.kind === 'current_timestamp') parts.push('DEFAULT CURRENT_TIMESTAMP');
  parts.push(`COMMENT ${quote(c.comment)}`);
  return `  ${parts.join(' ')}`;
}

export function showCreateTableText(t: Table): string {
  const lines: string[] = [];
  lines.push(`CREATE TABLE ${ident(t.name)} (`);
  lines.push(t.columns.map((c) => columnLine(t, c)).join(',\n'));
  lines.push(') ENGINE=OLAP ');
  lines.push(`${KEYS_LINE[t.keysType] ?? 'DUPLICATE KEY'}(${t.keyColumns.map(ident).join(', ')})`);
  if (t.comment !== '') lines.push(`COMMENT ${quote(t.comment)}`);
  const d = t.distribution;
  const declared = (n: string): string => ident(t.findColumn(n)?.name ?? n);
  const buckets = d.buckets !== undefined ? ` BUCKETS ${d.buckets} ` : '';
  lines.push(d.random ? `DISTRIBUTED BY RANDOM${buckets}` : `DISTRIBUTED BY HASH(${d.columns.map(declared).join(', ')})${buckets}`);
  if (t.orderBy.length > 0) lines.push(`ORDER BY(${t.orderBy.map(declared).join(', ')})`);
  lines.push('PROPERTIES (');
  lines.push(
    Object.entries(t.properties)
      .map(([k, v]) => `${quote(k)} = ${quote(v)}`)
      .join(',\n'),
  );
  lines.push(');');
  return lines.join('\n');
}
