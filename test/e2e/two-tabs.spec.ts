import { expect, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { importPeople } from './people.ts';
import { openVault } from './vault.ts';

test.setTimeout(180_000);

/** Two tabs on one database: what one changes, the other shows without a reload. */
test('a person deleted or a setting changed in one tab shows in the other', async ({ openApp }) => {
  const first = await openApp(fakeCamera('one-face'), '/#/people');
  await importPeople(first, 'bob-carol', 2);

  // The second tab has its own copy of the key only after the passphrase is typed there.
  const second = await first.context().newPage();
  await second.goto('/#/people');
  await expect(second.getByTestId('manage-locked')).toBeVisible({ timeout: 30_000 });
  await openVault(second);
  await second.goto('/#/people');
  await expect(second.getByTestId('person')).toHaveCount(2);

  second.once('dialog', (d) => void d.accept());
  await second
    .locator('[data-testid=person][data-name=Bob]')
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(second.getByTestId('person')).toHaveCount(1);
  await expect(first.getByTestId('person')).toHaveCount(1);
  await expect(first.locator('[data-testid=person][data-name=Carol]')).toHaveCount(1);

  await first.goto('/#/settings');
  await second.goto('/#/settings');
  await expect(second.getByTestId('keep-crops')).toBeChecked();
  await first.getByTestId('keep-crops').uncheck();
  await expect(second.getByTestId('keep-crops')).not.toBeChecked();

  // A rename in one tab shows in the other.
  await first.goto('/#/people');
  await second.goto('/#/people');
  const carol = first.locator('[data-testid=person][data-name=Carol]');
  await carol.getByRole('button', { name: 'Rename' }).click();
  await first.getByRole('textbox', { name: 'New name' }).fill('Caroline');
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(second.locator('[data-testid=person][data-name=Caroline]')).toHaveCount(1);
});
