import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PLUGIN_API_VERSION } from '../../../core/index.js';
import { readStarRocksConfig, starrocksSink } from '../../../connectors/starrocks/index.js';

describe('starrocksSink manifest', () => {
  it('declares type, capabilities and the seed settings with aliases', () => {
    assert.equal(starrocksSink.type, 'starrocks');
    assert.equal(starrocksSink.kind, 'sink');
    assert.equal(starrocksSink.apiVersion, PLUGIN_API_VERSION);
    assert.deepEqual(starrocksSink.capabilities, { partialUpdate: true, softDelete: true, idempotentBatches: true, rowBlocks: true });
    const byEnv = new Map(starrocksSink.settings.map((s) => [s.env, s]));
    assert.deepEqual(byEnv.get('SINK_URL')?.aliases, ['STARROCKS_URL']);
    assert.equal(byEnv.get('SINK_URL')?.required, true);
    assert.equal(byEnv.get('SINK_URL')?.url, true);
    assert.equal(byEnv.get('SINK_PORT')?.default, 9030);
    assert.deepEqual(byEnv.get('SINK_DATABASE')?.aliases, ['STARROCKS_DB']);
    assert.equal(byEnv.get('SINK_USER')?.default, 'root');
    assert.deepEqual(byEnv.get('SINK_PASSWORD')?.aliases, ['STARROCKS_PASS']);
    assert.equal(byEnv.get('SINK_PASSWORD')?.secret, true);
    assert.equal(byEnv.get('SINK_MAX_FILTER_RATIO')?.default, 0);
    assert.equal(byEnv.get('SINK_LABEL_PREFIX')?.default, 'dbmazz');
    for (const s of starrocksSink.settings) assert.ok(s.description.length > 10, s.env);
  });

  it('fills defaults and takes the MySQL host from SINK_URL', () => {
    const c = readStarRocksConfig({ SINK_URL: 'http://fe.example:8030', SINK_DATABASE: 'cdc' });
    assert.equal(c.mysqlHost, 'fe.example');
    assert.equal(c.mysqlPort, 9030);
    assert.equal(c.user, 'root');
    assert.equal(c.password, '');
    assert.equal(c.labelPrefix, 'dbmazz');
    assert.equal(c.maxFilterRatio, 0);
    const d = readStarRocksConfig({ SINK_URL: 'http://[::1]:8030', SINK_DATABASE: 'cdc', SINK_MYSQL_HOST: 'mysql.example' });
    assert.equal(d.mysqlHost, 'mysql.example');
    assert.equal(readStarRocksConfig({ SINK_URL: 'http://[::1]:8030', SINK_DATABASE: 'cdc' }).mysqlHost, '::1');
    assert.throws(() => readStarRocksConfig({ SINK_URL: 'ftp://x', SINK_DATABASE: 'cdc' }), /http/);
  });
});
