import { InputError } from '../util/errors.js';

/** An error the user can fix (a broken state directory, a bad inventory value): print its message, not a stack. */
export class PkiError extends InputError {
  override name = 'PkiError';
}
