/**
 * The emulator's FE MySQL-protocol port (docs/starrocks-protocol.md §7; StarRocks' `query_port`, 9030).
 *
 * Built on mysql2's server mode (`mysql2.createServer`): mysql2 accepts sockets, sends the handshake
 * with a mysql_native_password scramble and frames packets; `MysqlConnectionHandler` checks the
 * password (ERR 1045 `Access denied for user '<u>' (using password: YES|NO)` on mismatch) and runs every
 * command through `executeSql`. Text and binary (prepared statement) result sets are supported.
 * `close()` stops listening and destroys every open socket.
 */
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import mysql from 'mysql2';
import type { Catalog } from './catalog.js';
import { MysqlConnectionHandler, type WireConnection } from './sql/mysql-connection.js';

export interface MysqlServerOptions {
  readonly catalog: Catalog;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

export interface MysqlServerHandle {
  readonly port: number;
  close(): Promise<void>;
}

/** The parts of mysql2's (untyped) server object used here. */
interface Mysql2Server {
  readonly _server: NetServer;
  listen(port: number, host: string, cb: () => void): unknown;
}

export async function startMysqlServer(opts: MysqlServerOptions): Promise<MysqlServerHandle> {
  let nextConnectionId = 1;
  const sockets = new Set<Socket>();
  const server = mysql.createServer((conn: unknown) => {
    // A reply is several packets written one after another: with Nagle's algorithm on, the last ones
    // wait for the client's delayed ACK (~40 ms on Linux) and every statement took ~44 ms.
    (conn as WireConnection).stream.setNoDelay(true);
    const handler = new MysqlConnectionHandler(conn as WireConnection, opts, nextConnectionId++);
    try {
      handler.start();
    } catch {
      (conn as WireConnection).stream.destroy();
    }
  }) as unknown as Mysql2Server;
  const net = server._server;
  net.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    net.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      net.off('error', onError);
      net.on('error', () => undefined);
      resolve();
    });
  });
  const address = net.address() as AddressInfo;
  let closing: Promise<void> | null = null;
  return {
    port: address.port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        net.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}
