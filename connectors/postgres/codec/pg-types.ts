/**
 * PostgreSQL type metadata by OID: the built-in types we decode with fidelity, plus whatever the catalog
 * tells us about user types (domains resolve to their base type, arrays to their element, enums and
 * unknown types to text). Pure: catalog rows come in, nothing is queried here.
 */
import type { ColumnSchema, ValueFamily } from '../../../core/index.js';
import { pgTypeFacts } from './type-facts.js';

export interface PgTypeInfo {
  readonly oid: number;
  /** `typname` as PostgreSQL spells it: `int8`, `_text`, or the enum/domain name. */
  readonly name: string;
  /** Family of the base type (a domain takes its base type's family). */
  readonly family: ValueFamily;
  /** For arrays: the element type (already resolved through domains). */
  readonly element?: PgTypeInfo;
  /** Array element delimiter (`typdelim` of the element type; `,` for all but box). */
  readonly delimiter: string;
}

/** Built-in scalar types: OID → [name, family]. */
const SCALARS: ReadonlyArray<readonly [number, string, ValueFamily]> = [
  [16, 'bool', 'boolean'],
  [17, 'bytea', 'bytea'],
  [18, 'char', 'text'],
  [19, 'name', 'text'],
  [20, 'int8', 'int8'],
  [21, 'int2', 'int2'],
  [23, 'int4', 'int4'],
  [25, 'text', 'text'],
  [114, 'json', 'json'],
  [700, 'float4', 'float4'],
  [701, 'float8', 'float8'],
  [790, 'money', 'money'],
  [1042, 'bpchar', 'text'],
  [1043, 'varchar', 'text'],
  [1082, 'date', 'date'],
  [1083, 'time', 'time'],
  [1114, 'timestamp', 'timestamp'],
  [1184, 'timestamptz', 'timestamptz'],
  [1186, 'interval', 'interval'],
  [1266, 'timetz', 'timetz'],
  [1700, 'numeric', 'numeric'],
  [2950, 'uuid', 'uuid'],
  [3802, 'jsonb', 'json'],
  // Types without a StarRocks counterpart travel as PostgreSQL's text output (docs/starrocks.md).
  [142, 'xml', 'text'],
  [650, 'cidr', 'text'],
  [774, 'macaddr8', 'text'],
  [829, 'macaddr', 'text'],
  [869, 'inet', 'text'],
  [1560, 'bit', 'text'],
  [1562, 'varbit', 'text'],
];

/** Built-in array types: OID → [name, element OID]. */
const ARRAYS: ReadonlyArray<readonly [number, string, number]> = [
  [1000, '_bool', 16],
  [1001, '_bytea', 17],
  [1002, '_char', 18],
  [1003, '_name', 19],
  [1016, '_int8', 20],
  [1005, '_int2', 21],
  [1007, '_int4', 23],
  [1009, '_text', 25],
  [199, '_json', 114],
  [1021, '_float4', 700],
  [1022, '_float8', 701],
  [791, '_money', 790],
  [1014, '_bpchar', 1042],
  [1015, '_varchar', 1043],
  [1182, '_date', 1082],
  [1183, '_time', 1083],
  [1115, '_timestamp', 1114],
  [1185, '_timestamptz', 1184],
  [1187, '_interval', 1186],
  [1270, '_timetz', 1266],
  [1231, '_numeric', 1700],
  [2951, '_uuid', 2950],
  [3807, '_jsonb', 3802],
  [143, '_xml', 142],
  [651, '_cidr', 650],
  [775, '_macaddr8', 774],
  [1040, '_macaddr', 829],
  [1041, '_inet', 869],
  [1561, '_bit', 1560],
  [1563, '_varbit', 1562],
];

/** One row of `pg_type` as the catalog query returns it. */
export interface PgTypeRow {
  readonly oid: number;
  readonly typname: string;
  /** b base, c composite, d domain, e enum, p pseudo, r range, m multirange. */
  readonly typtype: string;
  readonly typbasetype: number;
  readonly typelem: number;
  readonly typdelim: string;
  readonly typcategory: string;
}

/** Type metadata by OID, seeded with the built-ins. */
export class TypeRegistry {
  private readonly byOid = new Map<number, PgTypeInfo>();

  constructor() {
    for (const [oid, name, family] of SCALARS) this.byOid.set(oid, { oid, name, family, delimiter: ',' });
    for (const [oid, name, elem] of ARRAYS) {
      const element = this.byOid.get(elem);
      if (element) this.byOid.set(oid, { oid, name, family: 'array', element, delimiter: ',' });
    }
  }

  get(oid: number): PgTypeInfo | undefined {
    return this.byOid.get(oid);
  }

  /** The type, or an `other` placeholder (decoded as text) when the OID is not known. */
  lookup(oid: number): PgTypeInfo {
    return this.byOid.get(oid) ?? { oid, name: `oid:${oid}`, family: 'other', delimiter: ',' };
  }

  /** OIDs of `oids` that are not known yet (what to ask the catalog about). */
  missing(oids: Iterable<number>): number[] {
    const out = new Set<number>();
    for (const oid of oids) if (oid !== 0 && !this.byOid.has(oid)) out.add(oid);
    return [...out];
  }

  /**
   * Adds catalog rows. Rows may refer to each other (a domain over a domain, an array of a domain);
   * references that are neither in `rows` nor already known resolve to `other`. Returns the OIDs
   * that rows referenced but did not include (ask the catalog again for those).
   */
  addRows(rows: readonly PgTypeRow[]): number[] {
    const pending = new Map(rows.map((r) => [r.oid, r]));
    const unresolved = new Set<number>();
    const resolving = new Set<number>();
    const resolve = (oid: number): PgTypeInfo => {
      const known = this.byOid.get(oid);
      if (known) return known;
      const row = pending.get(oid);
      if (!row || resolving.has(oid)) {
        if (!row) unresolved.add(oid);
        return { oid, name: `oid:${oid}`, family: 'other', delimiter: ',' };
      }
      resolving.add(oid);
      const info = this.fromRow(row, resolve);
      resolving.delete(oid);
      this.byOid.set(oid, info);
      return info;
    };
    for (const row of rows) resolve(row.oid);
    return [...unresolved];
  }

  private fromRow(row: PgTypeRow, resolve: (oid: number) => PgTypeInfo): PgTypeInfo {
    const base = { oid: row.oid, name: row.typname, delimiter: row.typdelim || ',' };
    if (row.typtype === 'd' && row.typbasetype !== 0) {
      const b = resolve(row.typbasetype);
      // A domain behaves as its base type; it keeps its own name for the schema.
      return b.element ? { ...base, family: b.family, element: b.element, delimiter: b.delimiter } : { ...base, family: b.family };
    }
    if (row.typcategory === 'A' && row.typelem !== 0) {
      const element = resolve(row.typelem);
      return { ...base, family: 'array', element, delimiter: element.delimiter };
    }
    if (row.typtype === 'e') return { ...base, family: 'text' };
    return { ...base, family: 'other' };
  }
}

/** The ColumnSchema for a column: one mapping shared by setup (pg_attribute) and Relation messages. */
export function columnSchema(name: string, type: PgTypeInfo, typeModifier: number, isKey: boolean): ColumnSchema {
  const facts = pgTypeFacts(type.name, type.family, typeModifier, type.element?.family);
  const col: ColumnSchema = { name, typeName: type.name, typeOid: type.oid, typeModifier, isKey, family: type.family };
  return type.element ? { ...col, elementFamily: type.element.family, ...facts } : { ...col, ...facts };
}
