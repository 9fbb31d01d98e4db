/**
 * CREATE TABLE PROPERTIES (§7.1). StarRocks rejects keys it does not know (`Unknown properties: {k=v}`),
 * so the emulator accepts only the documented table properties and validates the ones a sink uses.
 * The emulator models a cluster with ONE alive backend (id 10001) and FE `default_replication_num` = 3:
 * `replication_num` must be given and be 1, as on a real single-BE test cluster.
 * The returned record is in SHOW CREATE TABLE order with the defaults StarRocks 3.x prints.
 */
import type { CreateTableStatement } from './ast.js';
import { ddlError, unsupportedStatement } from './errors.js';

export const EMULATED_BACKEND_IDS = [10001];
const DEFAULT_REPLICATION_NUM = 3;

const BOOLEAN_PROPS = [
  'in_memory',
  'enable_persistent_index',
  'replicated_storage',
  'fast_schema_evolution',
  'enable_load_profile',
  'datacache.enable',
  'flat_json.enable',
];
const FREE_PROPS = [
  'storage_format',
  'storage_medium',
  'storage_cooldown_time',
  'storage_cooldown_ttl',
  'bloom_filter_columns',
  'bloom_filter_fpp',
  'colocate_with',
  'write_quorum',
  'persistent_index_type',
  'primary_index_cache_expire_sec',
  'labels.location',
  'base_compaction_forbidden_time_ranges',
  'bucket_size',
  'mutable_bucket_num',
  'storage_volume',
  'compaction_strategy',
];
const COMPRESSIONS = ['LZ4', 'LZ4_FRAME', 'ZSTD', 'ZLIB', 'SNAPPY', 'NO_COMPRESSION'];
/** Printed after the user's other properties, in this order, with these defaults. */
const TRAILING_DEFAULTS: readonly (readonly [string, string])[] = [
  ['in_memory', 'false'],
  ['enable_persistent_index', 'true'],
  ['replicated_storage', 'true'],
  ['fast_schema_evolution', 'true'],
  ['compression', 'LZ4'],
];

function replicationError(table: string | null): Error {
  const base =
    'Table replication num should be less than or equal to the number of available BE nodes. ' +
    'You can change this default by setting the replication_num table properties. ' +
    `Current alive backend is [${EMULATED_BACKEND_IDS.join(',')}]. `;
  return ddlError(table === null ? base : `${base}, table=${table}, default_replication_num=${DEFAULT_REPLICATION_NUM}`);
}

function normalizeCompression(v: string): string {
  const upper = v.toUpperCase();
  if (COMPRESSIONS.includes(upper)) return upper;
  const m = /^ZSTD\((\d+)\)$/.exec(upper);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 22) return `ZSTD(${m[1]})`;
  throw ddlError(`unknown compression type: ${v}`);
}

export function analyzeProperties(stmt: CreateTableStatement): Record<string, string> {
  const given = new Map<string, string>();
  for (const [k, v] of stmt.properties) given.set(k.toLowerCase(), v);
  const unknown = [...given.entries()].filter(
    ([k]) => k !== 'replication_num' && k !== 'compression' && !BOOLEAN_PROPS.includes(k) && !FREE_PROPS.includes(k) && !k.startsWith('dynamic_partition.'),
  );
  if (unknown.length > 0) throw ddlError(`Unknown properties: {${unknown.map(([k, v]) => `${k}=${v}`).join(', ')}}`);
  if ([...given.keys()].some((k) => k.startsWith('dynamic_partition.'))) throw unsupportedStatement('dynamic partitions');

  const rn = given.get('replication_num');
  if (rn === undefined) throw replicationError(stmt.table.name);
  if (!/^\s*[0-9]+\s*$/.test(rn) || Number(rn) < 1) throw ddlError(`Replication num should larger than 0. (suggested 3)`);
  if (Number(rn) > EMULATED_BACKEND_IDS.length) throw replicationError(null);
  for (const b of BOOLEAN_PROPS) {
    const v = given.get(b);
    if (v !== undefined && !['true', 'false'].includes(v.toLowerCase())) throw ddlError(`Property ${b} must be bool type(false/true)`);
  }

  const out: Record<string, string> = { replication_num: String(Number(rn)) };
  const trailing = new Set(TRAILING_DEFAULTS.map(([k]) => k));
  for (const [k, v] of stmt.properties) {
    const key = k.toLowerCase();
    if (key === 'replication_num' || trailing.has(key)) continue;
    out[key] = v;
  }
  for (const [k, d] of TRAILING_DEFAULTS) {
    const v = given.get(k);
    if (k === 'compression') out[k] = v === undefined ? d : normalizeCompression(v);
    else out[k] = v === undefined ? d : v.toLowerCase();
  }
  return out;
}
