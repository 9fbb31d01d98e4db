/**
 * PostgreSQL type names and typmods turned into the normalised type facts of a ColumnSchema (pure).
 * The only place that decodes a typmod: sinks read `length`, `precision`, `scale`, `withTimeZone` and
 * `typeText` (core/model/table.ts), never PostgreSQL's encoding.
 */
import type { ColumnSchema, ValueFamily } from '../../../core/index.js';

/** The facts a PostgreSQL column contributes to its ColumnSchema. */
export type PgTypeFacts = Pick<ColumnSchema, 'length' | 'precision' | 'scale' | 'withTimeZone' | 'typeText'>;

/** The typmod a varchar/bpchar/numeric carries is the declared value plus VARHDRSZ. */
const VARHDRSZ = 4;

/**
 * Facts of a column of type `typeName` (`pg_type.typname`, `_x` for arrays; a domain's own name) of
 * `family` (a domain takes its base type's) with typmod `typmod`.
 * - varchar(n), bpchar(n): `length` n (characters).
 * - numeric(p,s): `precision` p, `scale` s; typmod = ((p << 16) | (s & 0x7ff)) + 4, the scale an 11-bit
 *   signed number since PostgreSQL 15 (negative scales and s > p). Unconstrained numeric: neither.
 * - money (and domains over it): `precision` 19, `scale` 2 (a 64-bit count of cents).
 * - time(n), timestamp(n) (and with time zone): `precision` n; `withTimeZone` for timetz and timestamptz.
 * - arrays: the facts of the element type itself (money's 19,2, a time zone), not the declared typmod
 *   (the seed maps `numeric(10,2)[]` to ARRAY<DECIMAL(38,9)>).
 */
export function pgTypeFacts(typeName: string, family: ValueFamily, typmod: number, elementFamily?: ValueFamily): PgTypeFacts {
  const text = { typeText: pgTypeText(typeName, typmod) };
  if (family === 'array') return elementFamily === undefined ? text : { ...text, ...intrinsicFacts(elementFamily) };
  const intrinsic = { ...text, ...intrinsicFacts(family) };
  switch (typeName) {
    case 'varchar':
    case 'bpchar':
      return typmod > VARHDRSZ ? { ...intrinsic, length: typmod - VARHDRSZ } : intrinsic;
    case 'numeric': {
      if (typmod < VARHDRSZ) return intrinsic;
      const v = typmod - VARHDRSZ;
      return { ...intrinsic, precision: (v >> 16) & 0xffff, scale: signedScale(v) };
    }
    case 'time':
    case 'timetz':
    case 'timestamp':
    case 'timestamptz':
      return typmod >= 0 ? { ...intrinsic, precision: typmod } : intrinsic;
    default:
      return intrinsic;
  }
}

/** Facts a family implies whatever the declaration. */
function intrinsicFacts(family: ValueFamily): PgTypeFacts {
  switch (family) {
    case 'money':
      return { precision: 19, scale: 2 };
    case 'timetz':
    case 'timestamptz':
      return { withTimeZone: true };
    default:
      return {};
  }
}

/** The numeric scale held in the low 11 bits of `typmod − 4`, signed. */
function signedScale(v: number): number {
  return ((v & 0x7ff) ^ 0x400) - 0x400;
}

/** PostgreSQL-style type text: `int4`, `varchar(20)`, `numeric(12,2)`, `text[]`. */
export function pgTypeText(typeName: string, m: number): string {
  const array = typeName.startsWith('_');
  const name = array ? typeName.slice(1) : typeName;
  let mod = '';
  if (m >= 0) {
    if (name === 'varchar' || name === 'bpchar') mod = m >= VARHDRSZ ? `(${m - VARHDRSZ})` : '';
    else if (name === 'numeric') mod = m >= VARHDRSZ ? `(${((m - VARHDRSZ) >> 16) & 0xffff},${signedScale(m - VARHDRSZ)})` : '';
    else if (/^(timestamp|timestamptz|time|timetz|interval|bit|varbit)$/.test(name)) mod = `(${m})`;
  }
  return `${name}${mod}${array ? '[]' : ''}`;
}
