/** The error type for input `check` cannot use: the command prints its message and exits 2. */
export class InputError extends Error {}
