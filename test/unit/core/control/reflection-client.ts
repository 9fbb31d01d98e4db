/**
 * A client that knows nothing of dbmazz's .proto: it asks the server's reflection service
 * (grpc.reflection.v1, what `grpcurl list` / `describe` use) for the services and their file
 * descriptors, and builds its stubs from them.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const require = createRequire(import.meta.url);
const REFLECTION_PROTO = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');

interface ReflectionResponse {
  readonly list_services_response?: { readonly service: readonly { readonly name: string }[] };
  readonly file_descriptor_response?: { readonly file_descriptor_proto: readonly Buffer[] };
  readonly error_response?: { readonly error_code: number; readonly error_message: string };
}

type ReflectionStream = grpc.ClientDuplexStream<Record<string, string>, ReflectionResponse>;
type ReflectionClientCtor = new (
  address: string,
  creds: grpc.ChannelCredentials,
) => grpc.Client & {
  ServerReflectionInfo(metadata?: grpc.Metadata): ReflectionStream;
};

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** FileDescriptorSet { repeated FileDescriptorProto file = 1; } from serialized FileDescriptorProtos. */
export function descriptorSet(files: readonly Buffer[]): Buffer {
  return Buffer.concat(files.flatMap((f) => [Buffer.from([0x0a]), varint(f.length), f]));
}

export class ReflectionClient {
  readonly #client: InstanceType<ReflectionClientCtor>;

  constructor(
    address: string,
    private readonly metadata: grpc.Metadata = new grpc.Metadata(),
  ) {
    const def = protoLoader.loadSync(REFLECTION_PROTO, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { reflection: { v1: { ServerReflection: ReflectionClientCtor } } } };
    this.#client = new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
  }

  #ask(request: Record<string, string>): Promise<ReflectionResponse> {
    return new Promise((resolve, reject) => {
      const stream = this.#client.ServerReflectionInfo(this.metadata);
      stream.on('data', (r: ReflectionResponse) => {
        resolve(r);
        stream.end();
      });
      stream.on('error', reject);
      stream.write(request);
    });
  }

  /** `grpcurl list`. */
  async listServices(): Promise<string[]> {
    const r = await this.#ask({ list_services: '' });
    if (r.error_response) throw new Error(r.error_response.error_message);
    return (r.list_services_response?.service ?? []).map((s) => s.name).sort();
  }

  /** The descriptors of the file defining `symbol` (and its dependencies), as a package definition. */
  async packageFor(symbol: string): Promise<protoLoader.PackageDefinition> {
    const r = await this.#ask({ file_containing_symbol: symbol });
    if (r.error_response) throw new Error(r.error_response.error_message);
    const files = r.file_descriptor_response?.file_descriptor_proto ?? [];
    return protoLoader.loadFileDescriptorSetFromBuffer(descriptorSet(files), { longs: String, enums: String, defaults: true });
  }

  close(): void {
    this.#client.close();
  }
}
