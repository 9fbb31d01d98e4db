import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CdcError } from '../../../core/index.js';
import { columnsHeader, loadColumns } from '../../../connectors/starrocks/stream-load/columns.js';
import {
  columnsWithAudit,
  headerCanSetAudit,
  headerText,
  streamLoadHeaders,
  streamLoadPath,
  timeoutSeconds,
} from '../../../connectors/starrocks/stream-load/request.js';

const AUDIT = ['dbmazz_op_type', 'dbmazz_is_deleted', 'dbmazz_synced_at', 'dbmazz_cdc_version'];

describe('streamLoadHeaders', () => {
  it('sends the JSON and idempotency headers for a full load', () => {
    const columns = columnsWithAudit(
      columnsHeader(
        loadColumns([
          { name: 'id', kind: 'integer' },
          { name: 'order', kind: 'string' },
        ]),
      ),
      AUDIT,
    );
    const h = streamLoadHeaders({ label: 'dbmazz-s-t-1-2-0', columns, partial: false, maxFilterRatio: 0, timeoutMs: 120_000 });
    assert.deepEqual(h, {
      label: 'dbmazz-s-t-1-2-0',
      format: 'json',
      strip_outer_array: 'true',
      ignore_json_size: 'true',
      columns: '`id`,`order`,`dbmazz_op_type`,`dbmazz_is_deleted`,`dbmazz_synced_at`,`dbmazz_cdc_version`',
      merge_condition: 'dbmazz_cdc_version',
      max_filter_ratio: '0',
      timeout: '120',
    });
  });

  it('sets the audit columns of every row by constant mappings when the load gives them (a snapshot block)', () => {
    const c = { opType: 0, deleted: false, syncedAt: '2024-05-06 07:08:09.123000', version: 9223372036854775807n };
    assert.equal(
      columnsWithAudit('`id`', AUDIT, c),
      "`id`,`dbmazz_op_type`=0,`dbmazz_is_deleted`=false,`dbmazz_synced_at`='2024-05-06 07:08:09.123000',`dbmazz_cdc_version`=9223372036854775807",
    );
    assert.equal(columnsWithAudit('', AUDIT, { ...c, deleted: true, opType: 2, version: 5n }).split(',')[1], '`dbmazz_is_deleted`=true');
    assert.equal(headerCanSetAudit(c), true);
    // Beyond BIGINT, negative, or a sync time that is not a plain DATETIME text: the rows carry them.
    for (const bad of [
      { ...c, version: 2n ** 63n },
      { ...c, version: -1n },
      { ...c, syncedAt: "2024-05-06' OR 1" },
      { ...c, syncedAt: '2024-05-06T07:08:09Z' },
    ]) {
      assert.equal(headerCanSetAudit(bad), false);
      assert.throws(() => columnsWithAudit('`id`', AUDIT, bad), /cannot be set by the columns header/);
    }
  });

  it('adds partial_update in row mode for partial loads', () => {
    const h = streamLoadHeaders({
      label: 'l',
      columns: '`id`',
      partial: true,
      maxFilterRatio: 0.25,
      timeoutMs: 1500,
      mergeConditionColumn: 'DBMAZZ_CDC_VERSION',
    });
    assert.equal(h['partial_update'], 'true');
    assert.equal(h['partial_update_mode'], 'row');
    assert.equal(h['max_filter_ratio'], '0.25');
    assert.equal(h['timeout'], '2');
    assert.equal(h['merge_condition'], 'DBMAZZ_CDC_VERSION');
  });

  it('clamps the timeout to 1..259200 seconds', () => {
    assert.equal(timeoutSeconds(1), 1);
    assert.equal(timeoutSeconds(600_000), 600);
    assert.equal(timeoutSeconds(10 ** 12), 259200);
  });

  it('backtick-quotes names (doubling backticks)', () => {
    assert.equal(
      columnsHeader(
        loadColumns([
          { name: 'we`ird', kind: 'string' },
          { name: 'select', kind: 'integer' },
        ]),
      ),
      '`we``ird`,`select`',
    );
  });

  it('accepts header text up to U+00FF and refuses the rest with a clear error', () => {
    assert.equal(headerText('`prénom`'), '`prénom`');
    assert.throws(
      () => streamLoadHeaders({ label: 'l', columns: '`名前`', partial: false, maxFilterRatio: 0, timeoutMs: 1000 }),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_SCHEMA' && /cannot be sent in a Stream Load header/.test(e.message),
    );
  });

  it('builds the path with encoded segments', () => {
    assert.equal(streamLoadPath('db', 'order'), '/api/db/order/_stream_load');
    assert.equal(streamLoadPath('my db', 'a/b'), '/api/my%20db/a%2Fb/_stream_load');
  });
});
