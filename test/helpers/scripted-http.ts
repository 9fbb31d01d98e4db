/**
 * Scripted HTTP servers on 127.0.0.1 (port 0) playing FE and BE for client tests; `closeAll` (in the
 * test file's `after`) closes every one of them with its open connections.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What `closeAll` needs of a server (a node:http Server, or a hand-made one over node:net). */
export interface ClosableServer {
  closeAllConnections(): void;
  close(cb: () => void): void;
}

export interface ScriptedServer {
  readonly url: string;
  readonly port: number;
  /** Stops listening now (so connecting is refused); `closeAll` then leaves it alone. */
  close(): Promise<void>;
}

export interface ScriptedServers {
  /** A server whose `checkContinue` and `request` both go to `handler` (no automatic 100 Continue). */
  serve(handler: Handler): Promise<ScriptedServer>;
  /** Adds a server made elsewhere to those `closeAll` closes. */
  track(server: ClosableServer): void;
  closeAll(): Promise<void>;
}

export function scriptedServers(): ScriptedServers {
  const servers: ClosableServer[] = [];
  return {
    async serve(handler) {
      const s = createServer(handler);
      s.on('checkContinue', handler);
      servers.push(s);
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
      const port = (s.address() as AddressInfo).port;
      return {
        url: `http://127.0.0.1:${port}`,
        port,
        async close() {
          const i = servers.indexOf(s);
          if (i >= 0) servers.splice(i, 1);
          await new Promise<void>((resolve) => s.close(() => resolve()));
        },
      };
    },
    track(server) {
      servers.push(server);
    },
    async closeAll() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
