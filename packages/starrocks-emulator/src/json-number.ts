/**
 * How StarRocks writes a number held in a JSON column (pure). A JSON Stream Load value for a JSON column
 * is parsed by simdjson and built into VelocyPack (`SimdJsonConverter`, be/src/util/json_converter.cpp):
 * a number token without `.`/`e`/`E` that fits int64 is stored as an int64, one that fits only uint64
 * as a uint64, a bigger one (simdjson `big_integer`) is "unsupported json number" — the value fails;
 * any token with a fraction or an exponent is stored as a double (`get_double`). Reading the column
 * gives VelocyPack's JSON text (`JsonValue::to_string`, be/src/util/json.cpp → velocypack `Dumper`):
 * integers in decimal, doubles through `fpconv_dtoa` (velocypack src/fpconv.cpp). So `2.50` comes back
 * as `2.5`, `1.0` as `1`, `1e2` as `100`, `123456789012345678901234567890.123` as
 * `1.2345678901234568e+29`, `-0` as `0` and `-0.0` as `-0`.
 */

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** The column text of a JSON number token; null when StarRocks rejects it (out of 64-bit range, ±inf). */
export function jsonColumnNumber(raw: string): string | null {
  let fraction = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x2e || c === 0x65 || c === 0x45) {
      fraction = true;
      break;
    }
  }
  if (!fraction) {
    if (raw === '-0') return '0';
    // A JSON integer has no leading zero or plus sign: up to 18 digits it is its own int64 text.
    if (raw.length <= 18) return raw;
    const n = BigInt(raw);
    return n < INT64_MIN || n > UINT64_MAX ? null : n.toString();
  }
  const x = Number(raw);
  return Number.isFinite(x) ? fpconvDtoa(x) : null;
}

/**
 * `fpconv_dtoa`: the digits of the double (here the shortest round-trip digits, which Grisu2 also
 * produces for all but rare doubles — [UNCONFIRMED] for those), written by `emit_digits`: a plain
 * integer when the decimal exponent is small, a plain decimal for 1e-7 < |x| < 1e… , else `d.ddde±X`.
 */
export function fpconvDtoa(x: number): string {
  const neg = x < 0 || Object.is(x, -0);
  if (x === 0) return neg ? '-0' : '0';
  const [mantissa = '0', e = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const n = digits.length;
  const k = Number(e) - (n - 1); // value = digits × 10^k
  return (neg ? '-' : '') + emitDigits(digits, k, neg);
}

function emitDigits(digits: string, k: number, neg: boolean): string {
  let n = digits.length;
  let exp = Math.abs(k + n - 1);
  if (k >= 0 && exp < n + 7) return digits + '0'.repeat(k);
  if (k < 0 && (k > -7 || exp < 4)) {
    const offset = n - Math.abs(k);
    return offset <= 0 ? `0.${'0'.repeat(-offset)}${digits}` : `${digits.slice(0, offset)}.${digits.slice(offset)}`;
  }
  n = Math.min(n, 18 - (neg ? 1 : 0));
  let out = `${digits[0] ?? '0'}${n > 1 ? `.${digits.slice(1, n)}` : ''}e${k + n - 1 < 0 ? '-' : '+'}`;
  let cent = 0;
  if (exp > 99) {
    cent = Math.floor(exp / 100);
    out += String(cent);
    exp -= cent * 100;
  }
  if (exp > 9) {
    const dec = Math.floor(exp / 10);
    out += String(dec);
    exp -= dec * 10;
  } else if (cent !== 0) out += '0';
  return out + String(exp % 10);
}

/**
 * A string as VelocyPack's `Dumper::dumpString` writes it: `"` and `\` escaped, \b \t \n \f \r by name,
 * other control characters as `\u00XX` with upper-case hex, everything else (`/`, non-ASCII) as is.
 */
export function jsonColumnString(s: string): string {
  const json = JSON.stringify(s);
  // JSON.stringify differs only in the hex case of \u00XX escapes (and lone surrogates, which a
  // JSON column never holds: such a string fails to load).
  if (!/[\u0000-\u0007\u000b\u000e-\u001f]/.test(s)) return json;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const named = NAMED[c];
    if (named !== undefined) out += `\\${named}`;
    else if (c < 0x20) out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += s[i] ?? '';
  }
  return `${out}"`;
}

const NAMED: Readonly<Record<number, string>> = { 8: 'b', 9: 't', 10: 'n', 12: 'f', 13: 'r', 0x22: '"', 0x5c: '\\' };
