/**
 * The CDC audit columns every target table carries (names and types from the seed).
 * `dbmazz_cdc_version` is the change's LSN and the `merge_condition` column of every load
 * (docs/starrocks-protocol.md §6.4), so an older change never overwrites a newer row.
 */
export const OP_TYPE_COLUMN = 'dbmazz_op_type';
export const IS_DELETED_COLUMN = 'dbmazz_is_deleted';
export const SYNCED_AT_COLUMN = 'dbmazz_synced_at';
export const CDC_VERSION_COLUMN = 'dbmazz_cdc_version';

export interface AuditColumnDef {
  readonly name: string;
  readonly ddlType: string;
  readonly comment: string;
}

export const AUDIT_COLUMNS: readonly AuditColumnDef[] = [
  { name: OP_TYPE_COLUMN, ddlType: 'TINYINT', comment: '0=INSERT, 1=UPDATE, 2=DELETE' },
  { name: IS_DELETED_COLUMN, ddlType: 'BOOLEAN', comment: 'Soft delete flag' },
  { name: SYNCED_AT_COLUMN, ddlType: 'DATETIME', comment: 'Sync timestamp (UTC)' },
  { name: CDC_VERSION_COLUMN, ddlType: 'BIGINT', comment: 'Source LSN' },
];

export const AUDIT_COLUMN_NAMES: readonly string[] = AUDIT_COLUMNS.map((c) => c.name);

/** `dbmazz_op_type` values. */
export const OP_INSERT = 0;
export const OP_UPDATE = 1;
export const OP_DELETE = 2;
export type OpType = typeof OP_INSERT | typeof OP_UPDATE | typeof OP_DELETE;
