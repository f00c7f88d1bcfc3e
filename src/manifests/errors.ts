import { InputError } from '../util/errors.js';

/**
 * A static Pod manifest that cannot be made or used: rendering's inputs do not allow it, or one read back from a
 * host is not what kubeadm writes. The user can fix it; the message is meant for them as is.
 */
export class ManifestError extends InputError {
  override name = 'ManifestError';
  constructor(message: string) {
    super(message);
    // A user-facing condition, not a bug: a stack trace would only be noise.
    this.stack = `${this.name}: ${message}`;
  }
}
