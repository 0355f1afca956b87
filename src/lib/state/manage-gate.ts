import type { Notices } from './notices.svelte';
import { VaultLockedError } from './vault.svelte';

/**
 * Management (enrolling, renaming, deleting, export, import, settings) needs the vault open;
 * says so in the banner and returns false when it is not.
 */
export function mayManage(vault: { readonly isOpen: boolean }, notices: Notices): boolean {
  if (vault.isOpen) return true;
  notices.show(new VaultLockedError().message);
  return false;
}
