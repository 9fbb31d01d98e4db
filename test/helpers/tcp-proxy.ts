/**
 * A TCP proxy whose "network" can be cut: `cut()` stops moving bytes both ways (nothing is closed,
 * nothing reaches either side, new connections are held), as when a host loses its network; `heal()`
 * moves everything that waited, closes included, as when the network comes back.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  #cut = false;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>();
  readonly #held: Socket[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const ref: { proxy?: TcpProxy } = {};
    const server = createServer((client) => ref.proxy?.accept(client));
    const port = await new Promise<number>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const a = server.address();
        resolve(typeof a === 'object' && a !== null ? a.port : 0);
      });
    });
    ref.proxy = new TcpProxy(server, port, targetHost, targetPort);
    return ref.proxy;
  }

  get isCut(): boolean {
    return this.#cut;
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.#cut) {
      client.pause();
      this.#held.push(client);
      return;
    }
    this.pipe(client);
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    upstream.on('error', () => undefined);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const forget = (): void => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', forget);
    upstream.on('close', forget);
  }

  /** The network is gone: no byte and no close moves until `heal`. */
  cut(): void {
    this.#cut = true;
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  heal(): void {
    if (!this.#cut) return;
    this.#cut = false;
    for (const { client, upstream } of this.#pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    for (const c of this.#held.splice(0)) {
      c.resume();
      this.pipe(c);
    }
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    for (const c of this.#held.splice(0)) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
