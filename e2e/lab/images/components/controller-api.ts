/**
 * The controllers' API client: JSON requests with the controller-manager's --kubeconfig credentials, answers
 * decoded, failures as ApiError carrying the Status message, reason and code (as client-go's StatusError).
 */
import type { ClientCredentials } from './kubeconfig.js';
import { httpsCall } from './runtime.js';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Obj = Record<string, any>;

export interface Api {
  get<T = Obj>(path: string): Promise<T>;
  list<T = Obj>(path: string): Promise<T[]>;
  create<T = Obj>(path: string, body: unknown): Promise<T>;
  update<T = Obj>(path: string, body: unknown): Promise<T>;
  delete(path: string, body?: unknown): Promise<void>;
}

/** An Api over HTTPS with the given credentials. */
export function httpsApi(credentials: ClientCredentials, timeoutMs = 10_000): Api {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const answer = await httpsCall(credentials, method, path, body, timeoutMs);
    let parsed: Obj = {};
    try {
      parsed = answer.body ? (JSON.parse(answer.body) as Obj) : {};
    } catch {
      parsed = {};
    }
    if (answer.status >= 200 && answer.status < 300) return parsed as T;
    throw new ApiError(answer.status, typeof parsed.reason === 'string' ? parsed.reason : `HTTP ${answer.status}`, typeof parsed.message === 'string' ? parsed.message : `HTTP ${answer.status}`);
  };
  return {
    get: (path) => call('GET', path),
    list: async <T>(path: string) => ((await call<{ items?: T[] }>('GET', path)).items ?? []) as T[],
    create: (path, body) => call('POST', path, body),
    update: (path, body) => call('PUT', path, body),
    delete: async (path, body) => {
      await call('DELETE', path, body);
    },
  };
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409;
