/**
 * `to_binary(str[, format])` exactly as StarRocks evaluates it (pure).
 *
 * Sources (StarRocks/starrocks):
 * - `be/src/exprs/binary_functions.h` `BinaryFormatState::to_binary_format`: the format name is
 *   lower-cased; `encode64` and `utf8` are recognised, ANY other name (`base64`, `hex`, `''`, typos)
 *   means hex. `binary_functions.cpp` `to_binary_prepare`: the format is read only when argument 2 is a
 *   non-NULL constant; otherwise (NULL, a column) the state keeps its default, hex.
 * - hex → `StringFunctions::unhex` (`be/src/exprs/string_functions.cpp`, `unhexImpl`): an empty or
 *   odd-length input, or any character outside 0-9a-fA-F, gives an EMPTY string (not NULL, no error).
 * - encode64 → `EncryptionFunctions::from_base64` (`be/src/exprs/encryption_functions.cpp`): an empty
 *   input gives NULL; otherwise `base64_decode2` (`be/src/exprs/base64.cpp`), a negative result gives NULL.
 * - utf8 → the input bytes unchanged.
 * A NULL input is NULL for every format (strict unary functions).
 * Docs `to_binary.md` say invalid encode64 input returns an empty binary; the source returns NULL
 * (and NULL for an empty string); the emulator follows the source.
 */

export type BinaryFormat = 'hex' | 'encode64' | 'utf8';

/** `BinaryFormatState::to_binary_format`; `null` = the format argument is not a non-NULL constant. */
export function binaryFormatOf(name: string | null): BinaryFormat {
  if (name === null) return 'hex';
  const lower = name.replace(/[A-Z]/g, (c) => c.toLowerCase()); // std::tolower: ASCII only
  if (lower === 'encode64') return 'encode64';
  if (lower === 'utf8') return 'utf8';
  return 'hex';
}

/** The value `to_binary` returns for a non-NULL input (`null` = SQL NULL). */
export function toBinary(input: Buffer, format: BinaryFormat): Buffer | null {
  switch (format) {
    case 'utf8':
      return Buffer.from(input);
    case 'encode64':
      return fromBase64(input);
    case 'hex':
      return unhex(input);
  }
}

function hexNibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** `unhexImpl`: empty for an empty/odd-length input or any non-hex character. */
export function unhex(s: Buffer): Buffer {
  if (s.length === 0 || s.length % 2 !== 0) return Buffer.alloc(0);
  const out = Buffer.alloc(s.length / 2);
  for (let i = 0; i < s.length; i += 2) {
    const hi = hexNibble(s[i] ?? 0);
    const lo = hexNibble(s[i + 1] ?? 0);
    if (hi < 0 || lo < 0) return Buffer.alloc(0);
    out[i / 2] = hi * 16 + lo;
  }
  return out;
}

/** `EncryptionFunctions::from_base64`: NULL for an empty input or when `base64_decode2` fails. */
export function fromBase64(s: Buffer): Buffer | null {
  if (s.length === 0) return null;
  return base64Decode2(s);
}

const PAD = 0x3d; // '='

/** `s_decoding_table` of base64.cpp: -1 = skipped separator (\t \n \r space), -2 = invalid. */
function decodeChar(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41; // A-Z
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26; // a-z
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52; // 0-9
  if (c === 0x2b) return 62; // +
  if (c === 0x2f) return 63; // /
  if (c === 0x09 || c === 0x0a || c === 0x0d || c === 0x20) return -1;
  return -2;
}

/**
 * A line-by-line port of `base64_decode2` (`be/src/exprs/base64.cpp`), quirks included:
 * - decoding stops at a NUL byte; a byte >= 0x80 (negative `char`) fails (-1 → NULL);
 * - `=` is skipped anywhere, except that a `=` at group position 1 that is neither last nor followed
 *   by another `=` fails; whitespace (\t \n \r space) is skipped; any other character fails;
 * - bits of an incomplete trailing group are dropped (no padding needed);
 * - after the loop, `ch` (the last byte, or the 6-bit value of the last digit) is compared with '=':
 *   when equal and the digit count is 1 mod 4 the result is EMPTY (return 0). A digit whose value is 61
 *   (the character '9') therefore counts as '=' here, as in the C code.
 */
function base64Decode2(data: Buffer): Buffer | null {
  const out: number[] = [];
  let ch = 0;
  let i = 0;
  let j = 0;
  let length = data.length;
  let pos = 0;
  while (length-- > 0) {
    const byte = data[pos++] ?? 0;
    ch = byte >= 0x80 ? byte - 0x100 : byte; // `int ch = *current` with a signed char
    if (ch === 0) break;
    if (ch < 0 || ch > 255) return null;
    if (ch === PAD) {
      if (length > 0 && data[pos] !== PAD && i % 4 === 1) return null;
      continue;
    }
    ch = decodeChar(ch);
    if (ch === -1) continue;
    if (ch === -2) return null;
    switch (i % 4) {
      case 0:
        out[j] = (ch << 2) & 0xff;
        break;
      case 1:
        out[j] = ((out[j] ?? 0) | (ch >> 4)) & 0xff;
        j++;
        out[j] = ((ch & 0x0f) << 4) & 0xff;
        break;
      case 2:
        out[j] = ((out[j] ?? 0) | (ch >> 2)) & 0xff;
        j++;
        out[j] = ((ch & 0x03) << 6) & 0xff;
        break;
      case 3:
        out[j] = ((out[j] ?? 0) | ch) & 0xff;
        j++;
        break;
    }
    i++;
  }
  if (ch === PAD && i % 4 === 1) return Buffer.alloc(0);
  return Buffer.from(out.slice(0, j));
}
