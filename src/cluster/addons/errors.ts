import { InputError } from '../../util/errors.js';

/** An inventory value the addons cannot be built from (a service subnet with no tenth address, no control plane). */
export class AddonError extends InputError {
  override name = 'AddonError';
}
