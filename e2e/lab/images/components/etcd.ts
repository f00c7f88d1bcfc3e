/**
 * The apiserver's etcd client: etcd's v3 JSON gateway (POST /v3/kv/...) over HTTPS with the
 * --etcd-certfile/--etcd-keyfile client certificate, servers verified against --etcd-cafile.
 * Keys and values travel base64-encoded, as the gateway's JSON mapping of the gRPC API requires.
 */
import { httpsCall, type HttpsTarget } from './runtime.js';
import type { KeyPair } from './pki.js';

export interface KeyValue {
  key: string;
  value: string;
  modRevision: string;
  createRevision: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString();

/** The key just past every key with this prefix (etcd's range_end for a prefix scan). */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      bytes[i] = bytes[i]! + 1;
      return bytes.subarray(0, i + 1).toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64');
}

export class EtcdClient {
  private current = 0;

  constructor(
    private readonly servers: string[],
    private readonly ca: Buffer,
    private readonly keyPair: KeyPair | undefined,
  ) {}

  private target(server: string): HttpsTarget {
    return { server, ca: this.ca, keyPair: this.keyPair };
  }

  /** Tries each server in turn (starting with the last one that answered); throws the last error. */
  private async call(path: string, body: unknown, timeoutMs = 3_000): Promise<Record<string, unknown>> {
    let lastError: Error = new Error('no etcd servers configured');
    for (let n = 0; n < this.servers.length; n++) {
      const index = (this.current + n) % this.servers.length;
      const server = this.servers[index]!;
      if (!server.startsWith('https://')) {
        lastError = new Error(`etcd server ${server}: the lab's apiserver talks to etcd over https only`);
        continue;
      }
      try {
        const answer = await httpsCall(this.target(server), 'POST', path, body, timeoutMs);
        if (answer.status !== 200) throw new Error(`etcd ${server}${path}: HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
        this.current = index;
        return JSON.parse(answer.body) as Record<string, unknown>;
      } catch (error) {
        lastError = error as Error;
      }
    }
    throw lastError;
  }

  /** The apiserver's etcd health check: a read of the key "health" must succeed. */
  async health(timeoutMs = 2_000): Promise<void> {
    await this.call('/v3/kv/range', { key: b64('health') }, timeoutMs);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const answer = await this.call('/v3/kv/range', { key: b64(key) });
    return toKeyValues(answer)[0];
  }

  async list(prefix: string): Promise<KeyValue[]> {
    const answer = await this.call('/v3/kv/range', { key: b64(prefix), range_end: prefixEnd(prefix) });
    return toKeyValues(answer);
  }

  /** Writes the key; returns the new revision. */
  async put(key: string, value: string): Promise<string> {
    const answer = await this.call('/v3/kv/put', { key: b64(key), value: b64(value) });
    return String((answer.header as Record<string, unknown> | undefined)?.revision ?? '0');
  }

  /**
   * Creates the key only if it does not exist (a transaction on create_revision == 0, as the apiserver's
   * GuaranteedUpdate does); returns false when it already existed.
   */
  async create(key: string, value: string): Promise<boolean> {
    const answer = await this.call('/v3/kv/txn', {
      compare: [{ key: b64(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
      success: [{ request_put: { key: b64(key), value: b64(value) } }],
    });
    return answer.succeeded === true;
  }

  async delete(key: string): Promise<number> {
    const answer = await this.call('/v3/kv/deleterange', { key: b64(key) });
    return Number(answer.deleted ?? 0);
  }
}

function toKeyValues(answer: Record<string, unknown>): KeyValue[] {
  const kvs = (answer.kvs as Record<string, string>[] | undefined) ?? [];
  return kvs.map((kv) => ({
    key: unb64(kv.key),
    value: unb64(kv.value),
    modRevision: String(kv.mod_revision ?? '0'),
    createRevision: String(kv.create_revision ?? '0'),
  }));
}
