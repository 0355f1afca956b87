/**
 * `npm run screenshots`: docs/screenshots/ from the built app, driven like the e2e suite (its
 * fake cameras and import files come from the same global setup). Not part of `npm test`.
 */
import { resolve } from 'node:path';
import { defineConfig } from '@playwright/test';
import base from '../../playwright.config.ts';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: 'screens.shots.ts',
  globalSetup: '../../test/e2e/global-setup.ts',
  timeout: 600_000,
  // The preview serves the repository's dist/, not this folder.
  webServer: base.webServer && { ...base.webServer, cwd: resolve(import.meta.dirname, '../..') },
});
