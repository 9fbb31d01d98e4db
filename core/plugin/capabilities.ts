export interface SourceCapabilities {
  /** Emits `update` records whose cells may be `UNCHANGED`. */
  readonly unchangedColumns: boolean;
  /** Emits key-change updates with `oldKey`. */
  readonly keyChanges: boolean;
  /** Emits transaction boundaries (`commit` events) so positions can be confirmed per transaction. */
  readonly transactions: boolean;
}

export interface SinkCapabilities {
  /** Can write rows where some columns are `UNCHANGED` without overwriting them. */
  readonly partialUpdate: boolean;
  /** Writes deletes as soft deletes (the row stays, flagged). */
  readonly softDelete: boolean;
  /** Loads are transactional and idempotent per batch (a replayed batch is not applied twice). */
  readonly idempotentBatches: boolean;
  /**
   * Takes snapshot rows as blocks (`TableBatch.rows`, core/model/row-block.ts) instead of one record per
   * row. Optional; without it the runtime hands the sink records. Such a sink may get two block batches
   * of one table at once (Sink: the loads of consecutive chunks overlap).
   */
  readonly rowBlocks?: boolean;
}
