/**
 * Checks the stream-position rule of change records (pure): `(lsn, ordinal)` identifies a change, so
 * changes sharing an LSN must arrive one after another with increasing ordinals (ChangeRecord.ordinal).
 * A source that breaks it would make two different batches look alike to a sink (same Stream Load
 * label: the second one skipped as already loaded), so the pipeline stops instead.
 */
import { CdcError } from '../errors/errors.js';
import type { ChangeRecord } from '../model/change-record.js';
import { formatLsn, type Lsn } from '../model/lsn.js';
import { formatTableId } from '../model/table.js';

export class PositionCheck {
  private lastLsn: Lsn = -1n;
  private lastOrdinal = -1;

  /** Undefined when `record` may follow the previous one, else the error to stop with. */
  check(record: ChangeRecord): CdcError | undefined {
    const { lsn, ordinal } = record;
    if (!Number.isSafeInteger(ordinal) || ordinal < 0) {
      return protocolError(record, `has no valid ordinal (${String(ordinal)})`);
    }
    if (lsn === this.lastLsn && ordinal <= this.lastOrdinal) {
      return protocolError(record, `repeats position ${formatLsn(lsn)}#${ordinal} (previous change: #${this.lastOrdinal})`);
    }
    this.lastLsn = lsn;
    this.lastOrdinal = ordinal;
    return undefined;
  }
}

function protocolError(record: ChangeRecord, what: string): CdcError {
  return new CdcError({
    code: 'SOURCE_PROTOCOL',
    message: `A change of ${formatTableId(record.schema.id)} ${what}.`,
    hint: 'The source connector must give changes that share an LSN increasing ordinals (0, 1, 2, ...); see ChangeRecord.ordinal. Report this to the connector author.',
  });
}
