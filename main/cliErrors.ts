/** A fault in what the user typed: the CLI prints its message on one line and exits with 2. */
export class UsageError extends Error {}
