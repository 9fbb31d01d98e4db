/** Whether `v` is one of `values` (setting values such as SCHEMA_EVOLUTION or SINK_ON_SOURCE_CHANGE). */
export function isOneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (values as readonly string[]).includes(v);
}
