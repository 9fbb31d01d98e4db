/** SQL identifier and literal quoting for StarRocks (MySQL dialect), docs/starrocks-protocol.md §7.2. */

/** Backtick-quotes an identifier (a backtick inside is doubled), so reserved words like `order` work. */
export function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A single-quoted string literal with MySQL escapes. */
export function quoteString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\0/g, '\\0')}'`;
}
