/** Source events as the records they stand for: `change` records, and the rows of `rows` blocks. */
import { blockRecords, type ChangeRecord, type SourceEvent } from '../../core/index.js';

export function recordsOf(events: readonly SourceEvent[]): ChangeRecord[] {
  return events.flatMap((e) => (e.kind === 'change' ? [e.record] : e.kind === 'rows' ? blockRecords(e.rows) : []));
}
