/** The error for a configuration ssh would refuse, located as ssh locates it ("file:line: message"). */
import { InputError } from '../../util/errors.js';

export class SshConfigError extends InputError {
  override name = 'SshConfigError';
}
