/** An error the user can fix (a broken state directory, a bad inventory value): print its message, not a stack. */
export class PkiError extends Error {
  override name = 'PkiError';
}
