/**
 * A cheap estimate of the memory a buffered change holds, for the MAX_BUFFERED_BYTES bound. It is not
 * exact (V8 object overhead is guessed); it only has to grow with the data and never throw.
 */
import type { ChangeRecord } from '../model/change-record.js';
import type { Cell } from '../model/value.js';

/** Per-record overhead: the record object, its arrays, LSNs. */
const RECORD_OVERHEAD = 96;
/** Per-cell overhead: an array slot plus a boxed value. */
const CELL_OVERHEAD = 8;

export function estimateCellBytes(cell: Cell): number {
  if (cell === null) return CELL_OVERHEAD;
  switch (typeof cell) {
    case 'string':
      return CELL_OVERHEAD + cell.length * 2;
    case 'number':
    case 'boolean':
      return CELL_OVERHEAD;
    case 'bigint':
      return CELL_OVERHEAD + 16;
    case 'object':
      break;
    default:
      return CELL_OVERHEAD;
  }
  if (cell instanceof Uint8Array) return CELL_OVERHEAD + 32 + cell.byteLength;
  if (Array.isArray(cell)) {
    let total = CELL_OVERHEAD + 16;
    for (const element of cell as readonly Cell[]) total += estimateCellBytes(element);
    return total;
  }
  // DecimalValue, SpecialNumber, JsonText, TemporalValue carry text; Unchanged carries nothing.
  const text = (cell as { readonly text?: unknown }).text;
  return CELL_OVERHEAD + 16 + (typeof text === 'string' ? text.length * 2 : 0);
}

function cellsBytes(cells: readonly Cell[] | undefined): number {
  if (cells === undefined) return 0;
  let total = 0;
  for (const cell of cells) total += estimateCellBytes(cell);
  return total;
}

export function estimateRecordBytes(record: ChangeRecord): number {
  switch (record.op) {
    case 'insert':
      return RECORD_OVERHEAD + cellsBytes(record.after);
    case 'update':
      return RECORD_OVERHEAD + cellsBytes(record.after) + cellsBytes(record.before) + cellsBytes(record.oldKey);
    case 'delete':
      return RECORD_OVERHEAD + cellsBytes(record.before);
  }
}
