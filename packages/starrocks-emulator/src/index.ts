/** Public entry of the StarRocks emulator (test bed for the dbmazz StarRocks sink). */
export { startStarRocksEmulator } from './emulator.js';
export type { StarRocksEmulator, StarRocksEmulatorOptions, EmulatorFaults } from './emulator.js';
export { Catalog, CatalogError, Database, Table, defaultValueOf } from './catalog.js';
export type { ColumnDefault, ColumnDefinition, Distribution, EmulatorSettings, NewColumn, TableDefinition, TableState } from './catalog.js';
export type { StoredValue } from './values.js';
export type { ColumnType, KeysType } from './types.js';
export { formatColumnType, parseColumnType, validateColumnType } from './types.js';
export type { FaultKind, FaultSpec } from './faults.js';
export type { LoadLogEntry } from './load-engine.js';
export { runEmulatorCli } from './cli.js';
export { schemaChangesOf } from './schema-change.js';
export { JsonNumber, JsonObject, jsonColumnText, parseJson, stringifyJson } from './json-raw.js';
export type { JsonValue } from './json-raw.js';
