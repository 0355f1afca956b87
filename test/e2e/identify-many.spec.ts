import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, launchProfile, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { enrollHere, importPeople } from './people.ts';
import { armVault } from './vault.ts';

test.setTimeout(480_000);

/**
 * Ten people: Alice (the d3 video) through the guided UI, nine by importing real embeddings (Bob
 * from the d9 video, eight LFW people). Identify (1:N) with a stranger on camera (the d12 video,
 * never enrolled) never opens the vault.
 */
test('identify among ten people refuses a stranger', async ({ baseURL }) => {
  const origin = new URL(baseURL ?? 'http://localhost').origin;
  const profile = mkdtempSync(join(tmpdir(), 'facegate-many-'));
  const checks: (() => void)[] = [];

  const first = await launchProfile(profile, fakeCamera('d3-enroll'), origin);
  checks.push(first.check);
  try {
    const page = first.context.pages()[0] ?? (await first.context.newPage());
    await page.goto('/#/people');
    await importPeople(page, 'nine', 9);
    await enrollHere(page, 'Alice');
    await page.goto('/#/people');
    await expect(page.getByTestId('person')).toHaveCount(10);
  } finally {
    await first.context.close();
  }

  const second = await launchProfile(profile, fakeCamera('d12-stranger'), origin);
  checks.push(second.check);
  try {
    const page = second.context.pages()[0] ?? (await second.context.newPage());
    await armVault(page);
    const target = page.getByTestId('verify-target');
    await expect(target.locator('option')).toHaveCount(11, { timeout: 60_000 });
    // Left at its first option: anyone enrolled (identify).
    await expect(target.locator('option:checked')).toHaveText(/Anyone/);
    for (let attempt = 0; attempt < 2; attempt++) {
      await page.getByTestId(attempt === 0 ? 'unlock-start' : 'try-again').click();
      await expect(page.getByTestId('verify-status')).toHaveAttribute(
        'data-status',
        /rejected|timed_out/,
        { timeout: 90_000 },
      );
      console.log(
        `stranger attempt ${attempt + 1}: ${await page.getByTestId('verify-status').getAttribute('data-status')}`,
      );
      await expect(page.getByTestId('vault-open')).toHaveCount(0);
      await expect(page.getByText(/Welcome,/)).toHaveCount(0);
    }
  } finally {
    await second.context.close();
  }
  for (const check of checks) check();
});
