/** AST of the statements the emulator understands (produced by parser.ts, run by executor.ts). */
import type { ColumnDefault } from '../catalog.js';
import type { ColumnType, KeysType } from '../types.js';

export interface QualifiedName {
  readonly db: string | null;
  readonly name: string;
}

export type Literal =
  | { readonly type: 'null' }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'number'; readonly text: string }
  | { readonly type: 'string'; readonly value: string };

export type BinaryOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '<=>' | 'AND' | 'OR' | '+' | '-' | '*' | '/' | '%';

export type Expr =
  | { readonly kind: 'literal'; readonly value: Literal }
  | { readonly kind: 'column'; readonly name: string; readonly qualifier: string | null }
  | { readonly kind: 'variable'; readonly system: boolean; readonly scope: string | null; readonly name: string }
  | { readonly kind: 'func'; readonly name: string; readonly args: readonly Expr[]; readonly star: boolean; readonly distinct: boolean }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly expr: Expr }
  | { readonly kind: 'neg'; readonly expr: Expr }
  | { readonly kind: 'isNull'; readonly expr: Expr; readonly not: boolean }
  | { readonly kind: 'in'; readonly expr: Expr; readonly list: readonly Expr[]; readonly not: boolean }
  | { readonly kind: 'like'; readonly expr: Expr; readonly pattern: Expr; readonly not: boolean }
  | { readonly kind: 'between'; readonly expr: Expr; readonly low: Expr; readonly high: Expr; readonly not: boolean };

export type SelectItem =
  | { readonly kind: 'star'; readonly qualifier: string | null }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly alias: string | null; readonly text: string };

export interface OrderItem {
  readonly expr: Expr;
  readonly desc: boolean;
  readonly nullsFirst: boolean | null;
}

export interface Limit {
  readonly count: number;
  readonly offset: number;
}

export interface SelectStatement {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from: QualifiedName | null;
  readonly alias: string | null;
  readonly where: Expr | null;
  readonly orderBy: readonly OrderItem[];
  readonly limit: Limit | null;
}

export interface ColumnDefAst {
  readonly name: string;
  readonly type: ColumnType;
  /** null when neither NULL nor NOT NULL was written. */
  readonly nullable: boolean | null;
  readonly default: ColumnDefault;
  readonly comment: string;
  readonly aggregation: string | null;
  readonly autoIncrement: boolean;
}

export type DistributionAst =
  | { readonly kind: 'hash'; readonly columns: readonly string[]; readonly buckets: number | null }
  | { readonly kind: 'random'; readonly buckets: number | null };

export interface CreateTableStatement {
  readonly kind: 'createTable';
  readonly table: QualifiedName;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDefAst[];
  readonly engine: string | null;
  readonly keysType: KeysType | null;
  readonly keyColumns: readonly string[];
  readonly comment: string | null;
  readonly distribution: DistributionAst | null;
  readonly orderBy: readonly string[] | null;
  readonly properties: readonly (readonly [string, string])[];
}

export interface AddColumnAst {
  readonly column: ColumnDefAst;
  readonly first: boolean;
  readonly after: string | null;
}

/** `MODIFY COLUMN columnDesc [FIRST | AFTER c]`: the column's full new definition. */
export interface ModifyColumnAst {
  readonly column: ColumnDefAst;
  readonly first: boolean;
  readonly after: string | null;
}

export interface ShowAlterStatement {
  readonly kind: 'showAlterColumn';
  readonly db: string | null;
  readonly where: Expr | null;
  readonly orderBy: readonly OrderItem[];
  readonly limit: Limit | null;
}

export type Statement =
  | SelectStatement
  | CreateTableStatement
  | ShowAlterStatement
  | { readonly kind: 'showDatabases'; readonly like: string | null }
  | { readonly kind: 'showTables'; readonly db: string | null; readonly full: boolean; readonly like: string | null }
  | { readonly kind: 'showVariables'; readonly like: string | null }
  | { readonly kind: 'showWarnings' }
  | { readonly kind: 'showCreateTable'; readonly table: QualifiedName }
  | { readonly kind: 'showColumns'; readonly table: QualifiedName; readonly full: boolean }
  | { readonly kind: 'desc'; readonly table: QualifiedName; readonly all: boolean }
  | { readonly kind: 'use'; readonly db: string }
  | { readonly kind: 'set' }
  | { readonly kind: 'noop' }
  | { readonly kind: 'createDatabase'; readonly name: string; readonly ifNotExists: boolean }
  | { readonly kind: 'dropDatabase'; readonly name: string; readonly ifExists: boolean }
  | { readonly kind: 'dropTable'; readonly table: QualifiedName; readonly ifExists: boolean }
  | { readonly kind: 'truncate'; readonly table: QualifiedName }
  | { readonly kind: 'alterAddColumns'; readonly table: QualifiedName; readonly columns: readonly AddColumnAst[] }
  | { readonly kind: 'alterModifyColumns'; readonly table: QualifiedName; readonly columns: readonly ModifyColumnAst[] };
