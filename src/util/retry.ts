/**
 * Bounded retries with exponential back-off, for what can succeed on a second try (a pull, a connection
 * refused while a host boots). Only errors marked retryable (a BootstrapError with `retryable` set) are tried
 * again; anything else, a bug included, ends it at once. A caller that knows better for its own errors (say a
 * registry's 5xx in a tool's output) passes a `retryable` predicate, which then decides, except that an error
 * marked `retryable = false` (authentication, host keys) is never tried again.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isRetryable } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, at least 1. */
  attempts: number;
  /** Wait before the second attempt; doubled each time, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
  /** Which errors to try again after. Default: those marked retryable (isRetryable). */
  retryable?: (error: unknown) => boolean;
}

export function notRetryable(error: unknown): boolean {
  return !!error && typeof error === 'object' && (error as { retryable?: boolean }).retryable === false;
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let wait = options.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const canRetry = !notRetryable(error) && (options.retryable ?? isRetryable)(error);
      if (!canRetry || attempt >= options.attempts || options.signal?.aborted) throw error;
      options.onRetry?.(error, attempt, wait);
      await delay(wait, undefined, { signal: options.signal });
      wait = Math.min(wait * 2, options.maxDelayMs ?? Infinity);
    }
  }
}
