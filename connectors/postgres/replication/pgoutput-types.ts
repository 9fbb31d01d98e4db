/**
 * pgoutput protocol version 1 messages (PostgreSQL docs, "Logical Replication Message Formats"),
 * as a `tag`-discriminated union. LSNs are bigint; times are µs since the Unix epoch.
 */
import type { Lsn, Unchanged } from '../../../core/index.js';

/** One column of a tuple: 'n' → null, 'u' → UNCHANGED (unchanged TOAST), 't' → text, 'b' → bytes. */
export type TupleCell = null | Unchanged | string | Uint8Array;
/**
 * The cells of one tuple, a fresh array per decoded message that belongs to it: the transaction
 * assembler decodes the values into it in place (one array per tuple instead of two).
 */
export type TupleData = TupleCell[];

export interface BeginMessage {
  readonly tag: 'begin';
  /** LSN of the transaction's commit record (Commit's `commitLsn`). */
  readonly finalLsn: Lsn;
  readonly commitTimeMicros: bigint;
  readonly xid: number;
}

export interface CommitMessage {
  readonly tag: 'commit';
  readonly flags: number;
  /** LSN of the commit record. */
  readonly commitLsn: Lsn;
  /** End of the commit record: the position to confirm once the transaction is durable. */
  readonly endLsn: Lsn;
  readonly commitTimeMicros: bigint;
}

export interface OriginMessage {
  readonly tag: 'origin';
  readonly originLsn: Lsn;
  readonly name: string;
}

export type ReplicaIdentity = 'default' | 'nothing' | 'full' | 'index';

export interface RelationColumn {
  /** Part of the replica identity (flag bit 1). */
  readonly isKey: boolean;
  readonly name: string;
  readonly typeOid: number;
  readonly typeModifier: number;
}

export interface RelationMessage {
  readonly tag: 'relation';
  readonly relationOid: number;
  /** Schema name ('pg_catalog' when the protocol sends an empty string). */
  readonly namespace: string;
  readonly name: string;
  readonly replicaIdentity: ReplicaIdentity;
  readonly columns: readonly RelationColumn[];
}

export interface TypeMessage {
  readonly tag: 'type';
  readonly typeOid: number;
  readonly namespace: string;
  readonly name: string;
}

export interface InsertMessage {
  readonly tag: 'insert';
  readonly relationOid: number;
  readonly newTuple: TupleData;
}

export interface UpdateMessage {
  readonly tag: 'update';
  readonly relationOid: number;
  /** 'K': old key columns only (key changed); 'O': the whole old row (REPLICA IDENTITY FULL). */
  readonly oldKind?: 'K' | 'O';
  readonly oldTuple?: TupleData;
  readonly newTuple: TupleData;
}

export interface DeleteMessage {
  readonly tag: 'delete';
  readonly relationOid: number;
  readonly oldKind: 'K' | 'O';
  readonly oldTuple: TupleData;
}

export interface TruncateMessage {
  readonly tag: 'truncate';
  readonly cascade: boolean;
  readonly restartIdentity: boolean;
  readonly relationOids: readonly number[];
}

export interface LogicalMessage {
  readonly tag: 'message';
  readonly transactional: boolean;
  readonly lsn: Lsn;
  readonly prefix: string;
  readonly content: Uint8Array;
}

export type PgoutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalMessage;
