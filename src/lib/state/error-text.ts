/** What an error says, for a notice or a form: thrown values are not always Errors. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
