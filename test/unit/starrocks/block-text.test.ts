/**
 * Cells written straight from a block's text (stream-load/body.ts text writers, rows/block-rows.ts)
 * give exactly the bytes, the adjustments and the errors that writing the decoded values gives: a
 * PostgreSQL chunk (connectors/postgres/snapshot/chunk-rows.ts) with random integers (range edges),
 * decimals (scale and precision edges, NaN), ASCII text with every control character, non-ASCII text,
 * strings over the column's byte limit, booleans and NULLs, encoded both ways into target columns of
 * several kinds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockRecords, type RowBlock } from '../../../core/index.js';
import { ChunkRows } from '../../../connectors/postgres/snapshot/chunk-rows.js';
import { TypeRegistry } from '../../../connectors/postgres/codec/pg-types.js';
import { blockRows } from '../../../connectors/starrocks/rows/block-rows.js';
import { planBatch, type PlanTarget } from '../../../connectors/starrocks/rows/plan.js';
import type { ColumnMapping } from '../../../connectors/starrocks/rows/row-changes.js';
import { encodeBody, type EncodedBody } from '../../../connectors/starrocks/stream-load/body.js';
import { loadColumns, type LoadColumnSpec } from '../../../connectors/starrocks/stream-load/columns.js';
import type { KeySizeTarget } from '../../../connectors/starrocks/key-size.js';
import type { TargetColumn } from '../../../connectors/starrocks/type-map.js';
import { column, tableSchema } from './fixtures.js';
import { mulberry32 } from '../../helpers/random.js';

const reg = new TypeRegistry();
const S = tableSchema('t', [
  column('id', 'int8', true),
  column('small', 'int2'),
  column('big', 'int8'),
  column('amount', 'numeric'),
  column('name', 'text'),
  column('flag', 'boolean'),
  column('wide', 'int4'),
  column('note', 'text'),
  column('at', 'timestamptz'),
  column('day', 'date'),
  column('wall', 'timestamp'),
  column('doc', 'json'),
]);
const TYPES = [20, 21, 20, 1700, 25, 16, 23, 25, 1184, 1082, 1114, 3802].map((oid) => reg.lookup(oid));
const NAMES = S.columns.map((c) => c.name);
const AUDIT = { opType: 'dbmazz_op_type', isDeleted: 'dbmazz_is_deleted', syncedAt: 'dbmazz_synced_at', cdcVersion: 'dbmazz_cdc_version' };

/** Target columns: each source column into a kind that takes its text, or one that does not. */
const TARGETS: readonly (readonly LoadColumnSpec[])[] = [
  [
    { name: 'id', kind: 'integer', dataType: 'bigint' },
    { name: 'small', kind: 'integer', dataType: 'tinyint' },
    { name: 'big', kind: 'largeint', dataType: 'largeint' },
    { name: 'amount', kind: 'decimal', columnType: 'decimal(6,2)' },
    { name: 'name', kind: 'string', columnType: 'varchar(64)' },
    { name: 'flag', kind: 'boolean', dataType: 'boolean' },
    { name: 'wide', kind: 'integer', dataType: 'smallint' },
    { name: 'note', kind: 'string', columnType: 'varchar(65533)' },
    { name: 'at', kind: 'datetime', dataType: 'datetime' },
    { name: 'day', kind: 'date', dataType: 'date' },
    { name: 'wall', kind: 'datetime', dataType: 'datetime' },
    { name: 'doc', kind: 'json', dataType: 'json' },
  ],
  [
    { name: 'id', kind: 'integer', dataType: 'bigint' },
    { name: 'small', kind: 'string', columnType: 'varchar(10)' },
    { name: 'big', kind: 'decimal', columnType: 'decimal(27,9)' },
    { name: 'amount', kind: 'string', columnType: 'varchar(40)' },
    { name: 'name', kind: 'json', dataType: 'json' },
    { name: 'flag', kind: 'integer', dataType: 'tinyint' },
    { name: 'wide', kind: 'float', dataType: 'double' },
    { name: 'note', kind: 'string', columnType: 'varchar(65533)' },
    { name: 'at', kind: 'string', columnType: 'varchar(64)' },
    { name: 'day', kind: 'datetime', dataType: 'datetime' },
    { name: 'wall', kind: 'date', dataType: 'date' },
    { name: 'doc', kind: 'string', columnType: 'varchar(65533)' },
  ],
];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

function text(r: () => number): string {
  const n = Math.floor(r() * 16);
  let s = '';
  for (let i = 0; i < n; i++) {
    const k = r();
    s +=
      k < 0.15
        ? String.fromCharCode(Math.floor(r() * 32))
        : k < 0.2
          ? pick(r, ['"', '\\', '\u007f', 'é', '€', '😀'])
          : String.fromCharCode(32 + Math.floor(r() * 95));
  }
  return s;
}

/** A row of PostgreSQL text cells; `edgy`: one of its cells beyond the targets' limits (it fails the load). */
function cells(r: () => number, i: number, edgyRow: boolean): (string | null)[] {
  const bad = edgyRow ? pick(r, [1, 3, 4, 6, 11]) : -1;
  const edgyCell = (n: number): boolean => n === bad;
  const nul = (): boolean => r() < 0.1;
  return [
    String(i),
    nul() ? null : pick(r, edgyCell(1) ? ['128', '-129', '32767'] : ['0', '-1', '127', '-128', String(Math.floor(r() * 200) - 100)]),
    nul() ? null : pick(r, ['0', '-9223372036854775808', '9223372036854775807', '123456789012345', '1234567890123456', String(Math.floor(r() * 1e6))]),
    nul()
      ? null
      : pick(
          r,
          edgyCell(3)
            ? ['12345.6', '-99999']
            : ['0', '-0.50', '1234.56', '9999.99', '0.125', 'NaN', '-1234.5678', `${Math.floor(r() * 9999)}.${Math.floor(r() * 99)}`],
        ),
    nul() ? null : edgyCell(4) ? `${text(r)}${'x'.repeat(70)}` : text(r),
    nul() ? null : pick(r, ['t', 'f']),
    nul() ? null : pick(r, edgyCell(6) ? ['32768', '-32769'] : ['32767', '-32768', '5', String(Math.floor(r() * 6e4) - 3e4)]),
    nul() ? null : text(r).repeat(Math.floor(r() * 3) + 1),
    nul()
      ? null
      : pick(r, [
          '2024-02-29 23:59:59.123456+00',
          '2023-02-29 10:00:00+00',
          '2024-01-01 00:00:00+00',
          '1999-12-31 23:59:59.5+00',
          '0044-03-15 12:00:00+00 BC',
          'infinity',
          '2024-01-01 10:00:00+05:30',
          '12345-01-01 00:00:00+00',
        ]),
    nul() ? null : pick(r, ['2024-02-29', '0001-01-01', '9999-12-31', 'infinity', '-infinity', '0044-03-15 BC', '12345-01-01']),
    nul() ? null : pick(r, ['2024-02-29 23:59:59.123456', '2024-01-01 00:00:00', '0044-03-15 12:00:00 BC', 'infinity', '10000-01-01 00:00:00']),
    nul()
      ? null
      : pick(r, [
          '{}',
          '{"a": 1, "b": [true, null]}',
          '[1, 2, 3]',
          '"text"',
          '123',
          '{"n": 1.5e300, "s": "ü"}',
          '{"long": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}',
          edgyCell(11) ? pick(r, ['{"big": -9223372036854775809}', '{"big": 123456789012345678901234567890}']) : '{"k": -12}',
        ]),
  ];
}

function target(): PlanTarget {
  const mapping: ColumnMapping = { targetNames: NAMES, sourceKeyTargetNames: ['id'] };
  return { tableLabel: 'db.t', columnOrder: NAMES, keyColumns: ['id'], fullColumns: new Set(NAMES), mappingFor: () => mapping };
}

const KEYS: KeySizeTarget = { table: 'db.t', source: 'public.t', keyColumns: [{ name: 'id', kind: 'integer', dataType: 'bigint' } as unknown as TargetColumn] };

/** The body, or the error's message. */
function attempt(f: () => EncodedBody): string {
  try {
    const e = f();
    return `${e.body.toString('utf8')}|${e.rows}|${e.nullified}|${e.rounded}`;
  } catch (err) {
    return `error: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function blockOf(seed: number, n: number): RowBlock {
  const r = mulberry32(seed);
  const rows = new ChunkRows(TYPES, [0]);
  for (let i = 0; i < n; i++) rows.cells(cells(r, i, seed % 4 === 0));
  return rows.block({ schema: S, version: 77n, commitTimeMicros: 1n, snapshotRead: 'r' });
}

describe('block cells written from their text', () => {
  it('the same bytes, adjustments and errors as the decoded values, row by row and whole blocks', () => {
    let textRows = 0;
    let errors = 0;
    for (const spec of TARGETS) {
      const cols = loadColumns(spec);
      for (let seed = 1; seed <= 150; seed++) {
        const block = blockOf(seed, 1 + (seed % 7));
        assert.ok(block.texts !== undefined);
        const b = blockRows(block, target(), KEYS);
        assert.ok(b !== undefined);
        const plan = planBatch(blockRecords(block), target(), undefined).loads[0];
        assert.ok(plan !== undefined);
        assert.deepEqual(b.columns, plan.columns);
        const viaText = attempt(() => encodeBody(cols, b.rows, AUDIT, '2026-12-07 00:00:00.000000', 'db.t'));
        const viaValues = attempt(() => encodeBody(cols, plan.rows, AUDIT, '2026-12-07 00:00:00.000000', 'db.t'));
        assert.equal(viaText, viaValues, `seed ${seed}, targets ${spec.map((c) => c.kind).join(',')}`);
        if (viaText.startsWith('error')) errors++;
        else textRows += block.length;
      }
    }
    assert.ok(textRows > 500 && errors > 10, `both outcomes covered (${textRows} rows written, ${errors} errors)`);
  });
});
