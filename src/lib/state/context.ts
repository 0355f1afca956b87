/**
 * How screens reach the state owners: through Svelte context, set once by App.svelte.
 *
 * Context rather than module singletons: the owners take each other in their constructors, so a
 * test builds a fresh, separate set (no module state shared between tests), and nothing is made
 * on import (the router reads the address, the camera and engine touch browser APIs). Each
 * screen asks only for the owners it uses, by name, with its type.
 */
import { createContext } from 'svelte';
import type { Owners } from './owners';

const [getOwners, setOwners] = createContext<Owners>();

/** Called once, while App.svelte initialises; every component below it can use the getters. */
export function provideOwners(owners: Owners): void {
  setOwners(owners);
}

export const useNotices = () => getOwners().notices;
export const useRouter = () => getOwners().router;
export const useVault = () => getOwners().vault;
export const useVaultAccess = () => getOwners().access;
export const useVaultLock = () => getOwners().lock;
export const useSettings = () => getOwners().settings;
export const useCamera = () => getOwners().camera;
export const useFinetune = () => getOwners().finetune;
export const usePeople = () => getOwners().people;
export const useFace = () => getOwners().face;
