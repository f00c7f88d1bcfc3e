/**
 * Bounded retries with exponential back-off, for what can succeed on a second try (a pull, a connection
 * refused while a host boots). Errors marked `retryable = false` (authentication, host keys) end it at once.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface RetryOptions {
  /** Attempts in all, at least 1. */
  attempts: number;
  /** Wait before the second attempt; doubled each time, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
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
      const canRetry = !notRetryable(error) && (options.retryable?.(error) ?? true);
      if (!canRetry || attempt >= options.attempts || options.signal?.aborted) throw error;
      options.onRetry?.(error, attempt, wait);
      await delay(wait, undefined, { signal: options.signal });
      wait = Math.min(wait * 2, options.maxDelayMs ?? Infinity);
    }
  }
}
