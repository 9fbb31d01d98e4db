/**
 * A cheap estimate of the V8 heap a buffered change holds, for the MAX_BUFFERED_BYTES bound.
 *
 * The constants follow V8's 64-bit layout (Node 20: 8-byte pointers, no pointer compression) and were
 * calibrated against measured heap growth per buffered record (`heapUsed` after a full GC, see
 * test/unit/core/pipeline/record-size.test.ts and docs/performance.md): the record object, its buffer
 * item, its LSN and the cells array cost about 230 bytes before any value; a string
 * costs a 16-byte header plus one byte per character when every character is Latin-1 (V8 one-byte
 * strings), two otherwise; DecimalValue/JsonText are small objects around their text. Binary data
 * (Uint8Array) is mostly outside the JS heap but in the process's memory all the same, so it counts.
 * The shared TableSchema is not counted. It runs once per record: no allocation, one pass over strings.
 */
import type { ChangeRecord } from '../model/change-record.js';
import { JsonText, TemporalValue, type Cell } from '../model/value.js';

/**
 * The buffer item (and its slot), the record object (a plain literal, see
 * connectors/postgres/codec/to-change-record.ts), its own LSN BigInt and the empty cells array. The
 * commit LSN and commit time are shared by every record of a transaction.
 */
const RECORD_OVERHEAD = 232;
/** A further cells array (an update's `before`/`oldKey`): JSArray + FixedArray headers. */
const ARRAY_OVERHEAD = 48;
/** A pointer slot in an array. */
const SLOT = 8;
/** String header (map, hash, length) plus average allocation rounding. */
const STRING_OVERHEAD = 20;
/** A boxed double (any number that is not a small integer). */
const HEAP_NUMBER = 16;
/** A BigInt of up to 64 bits (int8 values, LSNs). */
const BIGINT = 32;
/** A DecimalValue / JsonText / SpecialNumber object (map, properties, elements, two fields). */
const TEXT_OBJECT = 40;
/**
 * A TemporalValue (three fields) whose text is usually a slice of the decoded text: V8 keeps the
 * whole source string alive behind a sliced string, measured at about twice the text.
 */
const TEMPORAL_OBJECT = 96;
/** Uint8Array object and its ArrayBuffer (the bytes themselves are added). */
const BYTES_OBJECT = 160;

const NOT_LATIN1 = /[^\u0000-\u00ff]/;

function stringBytes(text: string): number {
  const length = text.length;
  return STRING_OVERHEAD + (length > 0 && NOT_LATIN1.test(text) ? length * 2 : length);
}

/** Heap bytes of one value, without the array slot that holds it. */
function valueBytes(cell: Cell): number {
  if (cell === null) return 0;
  switch (typeof cell) {
    case 'string':
      return stringBytes(cell);
    case 'number':
      // Small integers (Smis) live in the slot; anything else is a HeapNumber.
      return (cell | 0) === cell ? 0 : HEAP_NUMBER;
    case 'boolean':
      return 0;
    case 'bigint':
      return BIGINT;
    case 'object':
      break;
    default:
      return 0;
  }
  if (cell instanceof Uint8Array) return BYTES_OBJECT + cell.byteLength;
  if (Array.isArray(cell)) return ARRAY_OVERHEAD + cellsBytes(cell as readonly Cell[]);
  // DecimalValue, SpecialNumber, JsonText, TemporalValue carry text; Unchanged is a shared singleton.
  // Only JSON text may hold characters beyond Latin-1: the others are ASCII by definition (digits,
  // signs, calendar text), so their length is their size.
  const text = (cell as { readonly text?: unknown }).text;
  if (typeof text !== 'string') return 0;
  if (cell instanceof TemporalValue) return TEMPORAL_OBJECT + STRING_OVERHEAD + text.length;
  return TEXT_OBJECT + (cell instanceof JsonText ? stringBytes(text) : STRING_OVERHEAD + text.length);
}

/** The estimate for one cell as it sits in a row: its array slot plus its value. */
export function estimateCellBytes(cell: Cell): number {
  return SLOT + valueBytes(cell);
}

function cellsBytes(cells: readonly Cell[]): number {
  let total = 0;
  for (let i = 0; i < cells.length; i++) total += SLOT + valueBytes(cells[i] as Cell);
  return total;
}

function extraArrayBytes(cells: readonly Cell[] | undefined): number {
  return cells === undefined ? 0 : ARRAY_OVERHEAD + cellsBytes(cells);
}

export function estimateRecordBytes(record: ChangeRecord): number {
  switch (record.op) {
    case 'insert':
      return RECORD_OVERHEAD + cellsBytes(record.after);
    case 'update':
      return RECORD_OVERHEAD + cellsBytes(record.after) + extraArrayBytes(record.before) + extraArrayBytes(record.oldKey);
    case 'delete':
      return RECORD_OVERHEAD + cellsBytes(record.before);
  }
}
