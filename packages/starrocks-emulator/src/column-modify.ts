/**
 * ALTER TABLE … MODIFY COLUMN rules (pure), after StarRocks' `SchemaChangeTypeCompatibility` and
 * `Column.checkSchemaChangeAllowed` (FE):
 * - integers widen to larger integers, LARGEINT, DOUBLE and VARCHAR; INT also to DATE;
 * - FLOAT → DOUBLE / VARCHAR; DOUBLE / LARGEINT / DECIMAL → VARCHAR; CHAR → CHAR / VARCHAR;
 * - VARCHAR → integers, FLOAT, DOUBLE, DATE, JSON, DECIMAL; JSON → VARCHAR;
 * - DECIMAL → DECIMAL when neither the scale nor the integer part shrinks;
 * - DATE ↔ DATETIME; a type to itself (e.g. a longer VARCHAR; never a shorter one).
 * Everything else (BOOLEAN, VARBINARY, complex types to another type) is refused with
 * `Can not change <from> to <to>`. The values of existing rows are converted when the job finishes
 * (`convertForModify`); a value that does not convert cancels the job.
 */
import { convertText } from './convert.js';
import { type ColumnType, formatColumnType, isIntegerKind } from './types.js';
import { type StoredValue, storedToText } from './values.js';

const INTEGER_ORDER = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT'];

function scalarTarget(from: ColumnType, to: ColumnType): boolean {
  const f = from.kind;
  const t = to.kind;
  if (isIntegerKind(f)) {
    if (f === 'LARGEINT') return t === 'VARCHAR';
    if (isIntegerKind(t)) return INTEGER_ORDER.indexOf(t) > INTEGER_ORDER.indexOf(f);
    return t === 'DOUBLE' || t === 'VARCHAR' || (f === 'INT' && t === 'DATE');
  }
  switch (f) {
    case 'FLOAT':
      return t === 'DOUBLE' || t === 'VARCHAR';
    case 'DOUBLE':
      return t === 'VARCHAR';
    case 'CHAR':
      return t === 'CHAR' || t === 'VARCHAR';
    case 'VARCHAR':
      return isIntegerKind(t) || t === 'FLOAT' || t === 'DOUBLE' || t === 'DATE' || t === 'JSON' || t === 'DECIMAL' || t === 'VARCHAR';
    case 'JSON':
      return t === 'VARCHAR';
    case 'DECIMAL':
      if (t === 'VARCHAR') return to.kind === 'VARCHAR' && from.kind === 'DECIMAL' && to.length >= from.precision + 2;
      if (t === 'DECIMAL' && from.kind === 'DECIMAL' && to.kind === 'DECIMAL') {
        return from.scale <= to.scale && from.precision - from.scale <= to.precision - to.scale;
      }
      return false;
    case 'DATE':
      return t === 'DATETIME';
    case 'DATETIME':
      return t === 'DATE';
    default:
      return false;
  }
}

/** The type part of the checks; returns the error message, or null when the change is allowed. */
export function modifyTypeError(from: ColumnType, to: ColumnType): string | null {
  const same = formatColumnType(from, 'sql') === formatColumnType(to, 'sql');
  const stringToString = (from.kind === 'VARCHAR' || from.kind === 'CHAR') && (to.kind === 'VARCHAR' || to.kind === 'CHAR');
  if (!same && !scalarTarget(from, to)) return `Can not change ${formatColumnType(from, 'sql')} to ${formatColumnType(to, 'sql')}`;
  if (stringToString && 'length' in from && 'length' in to && from.length > to.length) return 'Cannot shorten string length';
  return null;
}

/** The value an existing row holds after the change; throws when it does not convert. */
export function convertForModify(column: string, from: ColumnType, to: ColumnType, v: StoredValue): StoredValue {
  if (v === null) return null;
  if (to.kind === 'DOUBLE' && typeof v === 'bigint') return Number(v);
  if (to.kind === 'DOUBLE' && typeof v === 'number') return v;
  const text = storedToText(from, v);
  if (text === null) return null;
  const r = convertText(column, to, text);
  if (!r.ok) throw new Error(`Failed to convert value '${text}' of column ${column} to ${formatColumnType(to, 'sql')}: ${r.error}`);
  return r.value;
}
