/**
 * The type-torture table: one column per PostgreSQL type (and a few STRING/JSON targets for values a
 * typed column cannot hold), rows of edge values, and the documented normalisations that turn
 * PostgreSQL's text rendering of a value and the StarRocks stored value into comparable text.
 * Every normalisation here is a row of the type table in docs/starrocks.md.
 */
import { JsonNumber, JsonObject, jsonColumnText, parseJson, type JsonValue } from 'dbmazz-starrocks-emulator';

export const TYPES_DB = 'typesdb';

export const PG_PRELUDE = [
  `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy 😀')`,
  `CREATE DOMAIN posint AS integer CHECK (VALUE > 0)`,
  `CREATE DOMAIN email AS text`,
  `CREATE DOMAIN price AS numeric(10,2)`,
  `CREATE TYPE pair AS (a integer, b text)`,
];

type Norm = (text: string) => string | null;

export interface TypeColumn {
  readonly name: string;
  readonly pg: string;
  readonly sr: string;
  /** SQL for PostgreSQL's text of the value (default `col::text`). */
  readonly pgText?: string;
  /** Documented mapping of PostgreSQL's text to the text StarRocks must hold (default: the same). */
  readonly expect?: Norm;
  /** StarRocks stored value → text (default `storedText`). */
  readonly stored?: (v: unknown) => string | null;
}

// ------------------------------------------------------------------------------------------------
// Normalisations

const SPECIAL = new Set(['NaN', 'Infinity', '-Infinity']);

/** Canonical JSON: object keys sorted, number tokens kept byte-exact, strings re-escaped. */
export function canonicalJson(text: string): string {
  const out = (v: JsonValue): string => {
    if (v === null) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'string') return JSON.stringify(v);
    if (v instanceof JsonNumber) return v.raw;
    if (Array.isArray(v)) return `[${v.map(out).join(',')}]`;
    if (v instanceof JsonObject) {
      return `{${[...v.entries.keys()]
        .sort()
        .map((k) => `${JSON.stringify(k)}:${out(v.entries.get(k) ?? null)}`)
        .join(',')}}`;
    }
    return 'null';
  };
  return out(parseJson(text));
}

/**
 * A JSON value as a StarRocks JSON column holds it, canonical: StarRocks keeps integers that fit 64
 * bits and stores every other number as a double (`2.50` → `2.5`, docs/starrocks.md type table).
 */
export function starRocksJson(text: string): string {
  const stored = jsonColumnText(parseJson(text));
  if (stored === null) throw new Error(`StarRocks cannot store this JSON value: ${text}`);
  return canonicalJson(stored);
}

/** `1.500000000` and `1.5` are the same DECIMAL value: drop trailing fraction zeros. */
export function trimDecimal(text: string): string {
  if (!text.includes('.')) return text;
  const t = text.replace(/0+$/, '').replace(/\.$/, '');
  return t === '-0' ? '0' : t;
}

/** StarRocks prints 6 fraction digits, PostgreSQL as few as needed: compare without trailing zeros. */
export function trimFraction(text: string): string {
  const m = /^(.*\d\d:\d\d:\d\d)\.(\d+)$/.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) return text;
  const f = m[2].replace(/0+$/, '');
  return f === '' ? m[1] : `${m[1]}.${f}`;
}

/** DATE/DATETIME hold 0000-01-01 .. 9999-12-31: infinity, BC and 5-digit years are NULL. */
const outOfDateRange = (t: string): boolean => t === 'infinity' || t === '-infinity' || t.endsWith(' BC') || /^\d{5,}-/.test(t);
const asDate: Norm = (t) => (outOfDateRange(t) ? null : t);
const asDatetime: Norm = (t) => (outOfDateRange(t) ? null : trimFraction(t));
const asFloat8: Norm = (t) => (SPECIAL.has(t) ? null : String(Number(t)));
/** FLOAT is 32-bit: compare the float32 values. */
const asFloat4: Norm = (t) => (SPECIAL.has(t) ? null : String(Math.fround(Number(t))));
const asDecimal: Norm = (t) => (SPECIAL.has(t) ? null : trimDecimal(t));

/** Text of a stored emulator value (bytes as PostgreSQL's `\x` hex). */
export function storedText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/**
 * A stored ARRAY as JSON text of its element texts (nested arrays nested): numbers bare when `bare`,
 * other elements as JSON strings.
 */
function storedArray(el: (v: unknown) => string | null, bare = false): (v: unknown) => string | null {
  const walk = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(walk).join(',')}]`;
    const t = v === null || v === undefined ? null : el(v);
    return t === null ? 'null' : bare ? t : JSON.stringify(t);
  };
  return (v) => (v === null || v === undefined ? null : walk(v));
}

/** PostgreSQL side of an array: a JSON array of element texts (1-D), each from the output function. */
const elementTexts = (col: string, expr = "format('%s', el_)"): string =>
  `CASE WHEN ${col} IS NULL THEN NULL ELSE array_to_json(ARRAY(SELECT CASE WHEN el_ IS NULL THEN NULL ELSE ${expr} END FROM unnest(${col}) AS el_))::text END`;

/** The output function's text (`::text` differs for some types: inet adds the prefix length, char(n) drops padding). */
const outputText = (col: string): string => `CASE WHEN ${col} IS NULL THEN NULL ELSE format('%s', ${col}) END`;

function mapElements(f: Norm): Norm {
  return (t) => JSON.stringify((JSON.parse(t) as (string | null)[]).map((e) => (e === null ? null : f(e))));
}

const identity = (v: unknown): string | null => storedText(v);
const num = (v: unknown): string | null => (v === null ? null : String(v));

// ------------------------------------------------------------------------------------------------
// Columns: PostgreSQL type → StarRocks type (docs/starrocks.md) → normalisation

export const COLUMNS: readonly TypeColumn[] = [
  { name: 'b', pg: 'boolean', sr: 'BOOLEAN' },
  { name: 'i2', pg: 'smallint', sr: 'SMALLINT' },
  { name: 'i4', pg: 'integer', sr: 'INT' },
  { name: 'i8', pg: 'bigint', sr: 'BIGINT' },
  { name: 'n12_4', pg: 'numeric(12,4)', sr: 'DECIMAL(12,4)' },
  { name: 'n_free', pg: 'numeric', sr: 'DECIMAL(38,9)', expect: asDecimal, stored: (v) => (v === null ? null : trimDecimal(String(v))) },
  { name: 'n38', pg: 'numeric(38,0)', sr: 'DECIMAL(38,0)' },
  { name: 'n_neg', pg: 'numeric(5,-2)', sr: 'DECIMAL(7,0)' },
  { name: 'n_s', pg: 'numeric', sr: 'STRING' },
  { name: 'f4', pg: 'real', sr: 'FLOAT', expect: asFloat4, stored: (v) => (typeof v === 'number' ? String(Math.fround(v)) : null) },
  { name: 'f8', pg: 'double precision', sr: 'DOUBLE', expect: asFloat8 },
  { name: 'm', pg: 'money', sr: 'DECIMAL(19,2)', pgText: 'm::numeric::text' },
  { name: 't', pg: 'text', sr: 'STRING' },
  { name: 'vc', pg: 'varchar(10)', sr: 'VARCHAR(40)' },
  { name: 'c', pg: 'char(5)', sr: 'VARCHAR(20)', pgText: outputText('c') },
  { name: 'ch', pg: '"char"', sr: 'STRING' },
  { name: 'nm', pg: 'name', sr: 'STRING' },
  { name: 'j', pg: 'json', sr: 'JSON', expect: starRocksJson, stored: (v) => (typeof v === 'string' ? canonicalJson(v) : null) },
  // A JSON `null` document is SQL NULL in StarRocks (§8.1: null → NULL).
  {
    name: 'jb',
    pg: 'jsonb',
    sr: 'JSON',
    expect: (t) => (t === 'null' ? null : starRocksJson(t)),
    stored: (v) => (typeof v === 'string' ? canonicalJson(v) : null),
  },
  { name: 'j_s', pg: 'jsonb', sr: 'STRING' },
  { name: 'u', pg: 'uuid', sr: 'VARCHAR(36)' },
  { name: 'by', pg: 'bytea', sr: 'VARBINARY' },
  { name: 'by_s', pg: 'bytea', sr: 'STRING' },
  { name: 'd', pg: 'date', sr: 'DATE', expect: asDate },
  { name: 'd_s', pg: 'date', sr: 'STRING' },
  { name: 'tm', pg: 'time', sr: 'STRING' },
  { name: 'ttz', pg: 'timetz', sr: 'STRING' },
  { name: 'ts', pg: 'timestamp', sr: 'DATETIME', expect: asDatetime, stored: (v) => (v === null ? null : trimFraction(String(v))) },
  {
    name: 'tstz',
    pg: 'timestamptz',
    sr: 'DATETIME',
    pgText: `(tstz AT TIME ZONE 'UTC')::text`,
    expect: asDatetime,
    stored: (v) => (v === null ? null : trimFraction(String(v))),
  },
  { name: 'tstz_s', pg: 'timestamptz', sr: 'STRING', pgText: `(tstz_s AT TIME ZONE 'UTC')::text` },
  { name: 'iv', pg: 'interval', sr: 'STRING' },
  { name: 'ip', pg: 'inet', sr: 'STRING', pgText: outputText('ip') },
  { name: 'net', pg: 'cidr', sr: 'STRING', pgText: outputText('net') },
  { name: 'mac', pg: 'macaddr', sr: 'STRING' },
  { name: 'mac8', pg: 'macaddr8', sr: 'STRING' },
  { name: 'bits', pg: 'bit(4)', sr: 'STRING' },
  { name: 'vbits', pg: 'varbit', sr: 'STRING' },
  { name: 'x', pg: 'xml', sr: 'STRING' },
  { name: 'tsv', pg: 'tsvector', sr: 'STRING' },
  { name: 'e', pg: 'mood', sr: 'STRING' },
  { name: 'dom', pg: 'posint', sr: 'INT' },
  { name: 'dom_t', pg: 'email', sr: 'STRING' },
  { name: 'dom_n', pg: 'price', sr: 'DECIMAL(38,9)', expect: asDecimal, stored: (v) => (v === null ? null : trimDecimal(String(v))) },
  { name: 'comp', pg: 'pair', sr: 'STRING' },
  { name: 'rng', pg: 'int4range', sr: 'STRING' },
  { name: 'arr_i', pg: 'integer[]', sr: 'ARRAY<INT>', pgText: 'array_to_json(arr_i)::text', stored: storedArray(num, true) },
  { name: 'arr_i8', pg: 'bigint[]', sr: 'ARRAY<BIGINT>', pgText: elementTexts('arr_i8'), stored: storedArray(num) },
  { name: 'arr_2d', pg: 'integer[][]', sr: 'ARRAY<ARRAY<INT>>', pgText: 'array_to_json(arr_2d)::text', stored: storedArray(num, true) },
  { name: 'arr_t', pg: 'text[]', sr: 'ARRAY<STRING>', pgText: elementTexts('arr_t'), stored: storedArray(identity) },
  {
    name: 'arr_n',
    pg: 'numeric[]',
    sr: 'ARRAY<DECIMAL(38,9)>',
    pgText: elementTexts('arr_n'),
    expect: mapElements(asDecimal),
    stored: storedArray((v) => trimDecimal(String(v))),
  },
  { name: 'arr_b', pg: 'boolean[]', sr: 'ARRAY<BOOLEAN>', pgText: elementTexts('arr_b', 'el_::text'), stored: storedArray(identity) },
  { name: 'arr_f', pg: 'double precision[]', sr: 'ARRAY<DOUBLE>', pgText: elementTexts('arr_f'), expect: mapElements(asFloat8), stored: storedArray(num) },
  {
    name: 'arr_ts',
    pg: 'timestamptz[]',
    sr: 'ARRAY<DATETIME>',
    pgText: elementTexts('arr_ts', `(el_ AT TIME ZONE 'UTC')::text`),
    expect: mapElements(asDatetime),
    stored: storedArray((v) => trimFraction(String(v))),
  },
  { name: 'arr_d', pg: 'date[]', sr: 'ARRAY<DATE>', pgText: elementTexts('arr_d'), expect: mapElements(asDate), stored: storedArray(identity) },
  { name: 'arr_u', pg: 'uuid[]', sr: 'ARRAY<STRING>', pgText: elementTexts('arr_u'), stored: storedArray(identity) },
  {
    name: 'arr_j',
    pg: 'jsonb[]',
    sr: 'ARRAY<JSON>',
    pgText: elementTexts('arr_j'),
    expect: mapElements(starRocksJson),
    stored: storedArray((v) => canonicalJson(String(v))),
  },
  { name: 'arr_e', pg: 'mood[]', sr: 'ARRAY<STRING>', pgText: elementTexts('arr_e'), stored: storedArray(identity) },
  { name: 'arr_by', pg: 'bytea[]', sr: 'ARRAY<STRING>', pgText: elementTexts('arr_by'), stored: storedArray(identity) },
  { name: 'arr_ip', pg: 'inet[]', sr: 'ARRAY<STRING>', pgText: elementTexts('arr_ip'), stored: storedArray(identity) },
  { name: 'arr_iv', pg: 'interval[]', sr: 'ARRAY<STRING>', pgText: elementTexts('arr_iv'), stored: storedArray(identity) },
  { name: 'arr_dom', pg: 'posint[]', sr: 'ARRAY<INT>', pgText: 'array_to_json(arr_dom)::text', stored: storedArray(num, true) },
  { name: 'arr_comp', pg: 'pair[]', sr: 'ARRAY<STRING>', pgText: elementTexts('arr_comp'), stored: storedArray(identity) },
  // Multi-dimensional values of any depth: a JSON column (nested arrays) or a STRING (JSON text).
  {
    name: 'arr_md',
    pg: 'integer[]',
    sr: 'JSON',
    pgText: 'array_to_json(arr_md)::text',
    expect: starRocksJson,
    stored: (v) => (typeof v === 'string' ? canonicalJson(v) : null),
  },
  {
    name: 'arr_md_s',
    pg: 'text[]',
    sr: 'STRING',
    pgText: 'array_to_json(arr_md_s)::text',
    expect: canonicalJson,
    stored: (v) => (typeof v === 'string' ? canonicalJson(v) : null),
  },
];

export type TypeRow = Readonly<Record<string, string | null>>;

const JSON_DOC = '{"b": 1, "a": [1, 2.50, {"c": null}], "big": 123456789012345678901234567890.123, "u": "\\u00fc \\ud83d\\ude00", "esc": "q\\"\\\\\\n"}';
const TEXT = 'hello, "world" \\ tab\t nl\n cr\r ü 日本 😀 \u0001';

/** Rows of PostgreSQL input text (NULL = SQL NULL); `id` is the key. */
export const ROWS: readonly TypeRow[] = [
  {
    id: '1',
    b: 't',
    i2: '12',
    i4: '123456',
    i8: '9007199254740993',
    n12_4: '1234.5678',
    n_free: '3.141592653',
    n38: '12345678901234567890123456789012345678',
    n_neg: '12345',
    n_s: '3.14159265358979323846264338327950288419716939937510',
    f4: '3.14',
    f8: '2.718281828459045',
    m: '1234.56',
    t: TEXT,
    vc: 'ünïcødé😀ab',
    c: 'ab',
    ch: 'x',
    nm: 'a_name',
    j: JSON_DOC,
    jb: JSON_DOC,
    j_s: '{"z": [1, {"y": "ü"}]}',
    u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    by: '\\x00ff10',
    by_s: '\\xdeadbeef',
    d: '2024-02-29',
    d_s: '2024-02-29',
    tm: '13:14:15.123456',
    ttz: '13:14:15.5+05:30',
    ts: '2024-02-29 23:59:59.123456',
    tstz: '2024-03-01 00:15:00.5+05:30',
    tstz_s: '2024-03-01 00:15:00.5+05:30',
    iv: '1 year 2 mons 3 days 04:05:06.789',
    ip: '192.168.0.1/24',
    net: '10.0.0.0/8',
    mac: '08:00:2b:01:02:03',
    mac8: '08:00:2b:01:02:03:04:05',
    bits: '1010',
    vbits: '10101',
    x: '<a>ü</a>',
    tsv: 'a fat cat sat',
    e: 'happy 😀',
    dom: '5',
    dom_t: 'x@example.com',
    dom_n: '12.5',
    comp: '(1,"a b")',
    rng: '[1,5)',
    arr_i: '{1,NULL,3}',
    arr_i8: '{9223372036854775807,NULL,-9223372036854775808}',
    arr_2d: '{{1,2},{3,NULL}}',
    arr_t: '{NULL,"NULL","a,b","q\\"uote","back\\\\slash",""," sp ","日本😀"}',
    arr_n: '{1.5,NULL,-2.25,0}',
    arr_b: '{t,NULL,f}',
    arr_f: '{1.5,NULL,-0.25}',
    arr_ts: '{"2024-01-01 00:00:00+05:30",NULL,"2024-06-01 12:00:00.123456+00"}',
    arr_d: '{2024-01-01,NULL,0001-01-01}',
    arr_u: '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}',
    arr_j: '{"{\\"a\\": 1}",NULL,"[1, \\"x\\"]"}',
    arr_e: '{sad,"happy 😀",NULL}',
    arr_by: '{"\\\\x00ff",NULL}',
    arr_ip: '{192.168.0.1,::1}',
    arr_iv: '{"1 day","-00:00:01"}',
    arr_dom: '{1,2}',
    arr_comp: '{"(1,\\"a b\\")","(2,)"}',
    arr_md: '{{{1,2}},{{3,NULL}}}',
    arr_md_s: '{{a,b},{c,NULL}}',
  },
  {
    id: '2',
    b: 'f',
    i2: '32767',
    i4: '2147483647',
    i8: '9223372036854775807',
    n12_4: '99999999.9999',
    n_free: '99999999999999999999999999999.999999999',
    n38: '99999999999999999999999999999999999999',
    n_neg: '9999900',
    n_s: '1e1000',
    f4: '3.4028235e+38',
    f8: '1.7976931348623157e+308',
    m: '92233720368547758.07',
    t: 'x'.repeat(60_000),
    vc: '😀😀😀😀😀😀😀😀😀😀',
    c: 'abcde',
    ch: '~',
    nm: 'n'.repeat(63),
    j: '[]',
    jb: '{}',
    j_s: '"just a string"',
    u: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    by: `\\x${'ff'.repeat(300)}`,
    by_s: '\\x',
    d: '9999-12-31',
    d_s: '9999-12-31',
    tm: '24:00:00',
    ttz: '23:59:59.999999-15:59',
    ts: '9999-12-31 23:59:59.999999',
    tstz: '9999-12-31 23:59:59.999999+00',
    tstz_s: '294276-12-31 23:59:59.999999+00',
    iv: '178000000 years',
    ip: '::ffff:1.2.3.4',
    net: '2001:db8::/32',
    mac: 'ff:ff:ff:ff:ff:ff',
    mac8: 'ff:ff:ff:ff:ff:ff:ff:ff',
    bits: '1111',
    vbits: '',
    x: '<r/>',
    tsv: '',
    e: 'ok',
    dom: '2147483647',
    dom_t: '',
    dom_n: '99999999.99',
    comp: '(,)',
    rng: 'empty',
    arr_i: '{2147483647,-2147483648}',
    arr_i8: '{}',
    arr_2d: '{{1,2,3},{4,5,6},{7,8,9}}',
    arr_t: '{}',
    arr_n: '{99999999999999999999999999999.999999999}',
    arr_b: '{}',
    arr_f: '{1.7976931348623157e+308,5e-324}',
    arr_ts: '{"9999-12-31 23:59:59.999999+00"}',
    arr_d: '{9999-12-31}',
    arr_u: '{}',
    arr_j: '{"{}"}',
    arr_e: '{}',
    arr_by: '{}',
    arr_ip: '{}',
    arr_iv: '{}',
    arr_dom: '{}',
    arr_comp: '{}',
    arr_md: '{1,2,3}',
    arr_md_s: '{}',
  },
  {
    id: '3',
    b: 't',
    i2: '-32768',
    i4: '-2147483648',
    i8: '-9223372036854775808',
    n12_4: '-99999999.9999',
    n_free: '-0.000000001',
    n38: '-99999999999999999999999999999999999999',
    n_neg: '-9999900',
    n_s: '-0.000000000000000000000000000000000000000001',
    f4: '1e-45',
    f8: '5e-324',
    m: '-92233720368547758.08',
    t: '',
    vc: '',
    c: '',
    ch: ' ',
    nm: '',
    j: '"s"',
    jb: 'null',
    j_s: '0',
    u: '00000000-0000-0000-0000-000000000000',
    by: '\\x',
    by_s: '\\x00',
    d: '0001-01-01',
    d_s: '0001-01-01',
    tm: '00:00:00',
    ttz: '00:00:00+15:59',
    ts: '0001-01-01 00:00:00',
    tstz: '0001-01-01 00:00:00+00',
    tstz_s: '0001-01-01 00:00:00+00',
    iv: '-178000000 years',
    ip: '0.0.0.0/0',
    net: '0.0.0.0/0',
    mac: '00:00:00:00:00:00',
    mac8: '00:00:00:00:00:00:00:00',
    bits: '0000',
    vbits: '0',
    x: '',
    tsv: 'z',
    e: 'sad',
    dom: '1',
    dom_t: 'ü',
    dom_n: '-99999999.99',
    comp: '(-1,"")',
    rng: '(,)',
    arr_i: '{}',
    arr_i8: '{NULL}',
    arr_2d: '{}',
    arr_t: '{""}',
    arr_n: '{-0.000000001}',
    arr_b: '{NULL}',
    arr_f: '{-0}',
    arr_ts: '{"0001-01-01 00:00:00+00"}',
    arr_d: '{0001-01-01}',
    arr_u: '{NULL}',
    arr_j: '{NULL}',
    arr_e: '{ok}',
    arr_by: '{"\\\\x"}',
    arr_ip: '{NULL}',
    arr_iv: '{NULL}',
    arr_dom: '{NULL}',
    arr_comp: '{NULL}',
    arr_md: '{}',
    arr_md_s: '{{{x}}}',
  },
  {
    // Values StarRocks cannot hold in a typed column (NULL there, counted and logged); STRING columns keep the text.
    id: '4',
    n_free: 'NaN',
    n_s: 'NaN',
    f4: 'Infinity',
    f8: '-Infinity',
    d: 'infinity',
    d_s: '-infinity',
    ts: '-infinity',
    tstz: 'infinity',
    tstz_s: 'infinity',
    dom_n: null,
    arr_f: '{NaN,Infinity,1}',
    arr_ts: '{infinity,"2000-01-01 00:00:00+00"}',
    arr_d: '{-infinity,NULL}',
    arr_n: '{NaN,1}',
  },
  {
    id: '5',
    n_free: 'Infinity',
    n_s: '-Infinity',
    f4: 'NaN',
    f8: '-0',
    d: '4713-01-01 BC',
    d_s: '0044-03-15 BC',
    ts: '10000-01-01 00:00:00',
    tstz: '0044-03-15 12:00:00+00 BC',
    tstz_s: '0044-03-15 12:00:00+02 BC',
    arr_ts: '{"0044-03-15 12:00:00+00 BC"}',
    arr_d: '{"0001-12-31 BC"}',
  },
  { id: '6' },
];

/** PostgreSQL table DDL. */
export function pgTable(name: string): string {
  return `CREATE TABLE public.${name} (id integer PRIMARY KEY, ${COLUMNS.map((c) => `${c.name} ${c.pg}`).join(', ')})`;
}

/** StarRocks table DDL, with the mapped types. */
export function srTable(name: string): string {
  return `CREATE TABLE ${name} (id INT NOT NULL, ${COLUMNS.map((c) => `\`${c.name}\` ${c.sr}`).join(', ')}) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")`;
}

/** `INSERT` of a row from its input texts (every value cast from text to the column type). */
export function insertStatement(table: string, row: TypeRow): { sql: string; params: (string | null)[] } {
  const cols = ['id', ...COLUMNS.map((c) => c.name)];
  const types = ['integer', ...COLUMNS.map((c) => c.pg)];
  return {
    sql: `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${types.map((t, i) => `$${i + 1}::${t}`).join(', ')})`,
    params: cols.map((c) => row[c] ?? null),
  };
}

/** `UPDATE` of every column of `id` to the values of `row`. */
export function updateStatement(table: string, id: string, row: TypeRow): { sql: string; params: (string | null)[] } {
  return {
    sql: `UPDATE ${table} SET ${COLUMNS.map((c, i) => `${c.name} = $${i + 2}::${c.pg}`).join(', ')} WHERE id = $1`,
    params: [id, ...COLUMNS.map((c) => row[c.name] ?? null)],
  };
}

/** The PostgreSQL side of the comparison: id → column → expected StarRocks text. */
export function pgTextQuery(table: string): string {
  return `SELECT id::text AS id, ${COLUMNS.map((c) => `${c.pgText ?? `${c.name}::text`} AS "${c.name}"`).join(', ')} FROM ${table} ORDER BY id`;
}

export function expectedRow(pgRow: Readonly<Record<string, unknown>>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of COLUMNS) {
    const t = pgRow[c.name];
    out[c.name] = typeof t === 'string' ? (c.expect ?? ((x: string) => x))(t) : null;
  }
  return out;
}

export function storedRow(srRow: Readonly<Record<string, unknown>>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of COLUMNS) out[c.name] = (c.stored ?? storedText)(srRow[c.name] ?? null);
  return out;
}
