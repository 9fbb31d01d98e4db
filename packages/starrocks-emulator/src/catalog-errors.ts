/** Errors of the emulator catalog, with the MySQL errno the SQL side reports. */

export type CatalogErrorCode =
  'DB_EXISTS' | 'DB_NOT_FOUND' | 'TABLE_EXISTS' | 'TABLE_NOT_FOUND' | 'DUPLICATE_COLUMN' | 'INVALID_DEFINITION' | 'INVALID_DEFAULT';

const ERRNO: Readonly<Record<CatalogErrorCode, number>> = {
  DB_EXISTS: 1007,
  DB_NOT_FOUND: 1049,
  TABLE_EXISTS: 1050,
  TABLE_NOT_FOUND: 1051,
  DUPLICATE_COLUMN: 1060,
  INVALID_DEFINITION: 1064,
  INVALID_DEFAULT: 1067,
};

export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  readonly errno: number;
  constructor(
    readonly code: CatalogErrorCode,
    message: string,
  ) {
    super(message);
    this.errno = ERRNO[code];
  }
}
