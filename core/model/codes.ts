/**
 * Text read by character code: a string's UTF-16 units or a byte array's bytes. Checks of ASCII shapes
 * (a decimal, a date, a timestamp) are written once over either, with no closure per call: the hot
 * paths call them once per cell.
 */
export type CodeSource = string | Uint8Array;

/** The code at `i` (callers stay within the text). */
export function codeAt(src: CodeSource, i: number): number {
  return typeof src === 'string' ? src.charCodeAt(i) : (src[i] as number);
}
