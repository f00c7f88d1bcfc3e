import { InputError } from '../util/errors.js';

/** A problem with the inputs of manifest rendering that the user can fix; the message is meant for them as is. */
export class ManifestError extends InputError {
  override name = 'ManifestError';
  constructor(message: string) {
    super(message);
    // A user-facing condition, not a bug: a stack trace would only be noise.
    this.stack = `${this.name}: ${message}`;
  }
}
