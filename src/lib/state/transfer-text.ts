/**
 * What the user reads when a backup cannot be imported or made. One place for the words, so a
 * plain and an encrypted file over a limit are refused alike, and an error nobody wrote for the
 * user (a RangeError, a DOMException) never shows its internal message.
 */

import { StoreError } from '../store/db';
import { ExportError, ImportError } from '../store/export-format';
import { IMPORT_MAX_BYTES } from '../store/export-seal';

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Said for any file over IMPORT_MAX_BYTES, whatever it holds: it is refused unread. */
export function fileTooLarge(bytes: number): string {
  return `Nothing was imported: the file is ${mb(bytes)} MB, more than a facegate backup can be (${IMPORT_MAX_BYTES / 1024 / 1024} MB).`;
}

/** The notice for a failed import; everything it read was dropped and nothing was written. */
export function importFailure(e: unknown): string {
  // Written for the user: what is wrong with the file, a name clash, a full disk.
  if (e instanceof ImportError || e instanceof StoreError)
    return `Nothing was imported: ${e.message}`;
  return 'Nothing was imported: the file could not be read.';
}

/** The export would be a file the import refuses: better no file than one that cannot come back. */
export function exportTooLarge(bytes: number): ExportError {
  return new ExportError(
    `The backup would be ${mb(bytes)} MB, more than facegate can import (${IMPORT_MAX_BYTES / 1024 / 1024} MB); nothing was exported.`,
  );
}

/** The notice for a failed export. */
export function exportFailure(e: unknown): string {
  if (e instanceof ExportError || e instanceof StoreError) return e.message;
  return 'Nothing was exported: the backup could not be made.';
}
