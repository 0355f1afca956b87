import { expect, test } from './fixtures.ts';
import { fakeCamera } from './paths.ts';
import { importPeople } from './people.ts';
import { lockVault } from './vault.ts';

test.setTimeout(300_000);

/**
 * A slow phone: the page's CPU throttled 6x through the DevTools protocol. Whatever the speed,
 * the attempt must end (opened, refused, or stopped with its reason) within its deadline.
 */
test('a face attempt on a CPU throttled 6x ends within its deadline', async ({ openApp }) => {
  const page = await openApp(fakeCamera('d9-verify'), '/#/people');
  await importPeople(page, 'bob', 1);
  await lockVault(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
  await page.getByTestId('verify-target').selectOption({ label: 'Bob' });
  const status = page.getByTestId('verify-status');
  const open = page.getByTestId('vault-open');
  for (let attempt = 0; attempt < 2; attempt++) {
    const started = Date.now();
    await page.getByTestId(attempt === 0 ? 'unlock-start' : 'try-again').click();
    // The click starts the attempt after a lockout check: wait for it, not the last one's verdict.
    await expect(status).toHaveAttribute('data-status', 'looking');
    await expect(status).toHaveAttribute('data-deadline-ms', /^[1-9][0-9]*$/);
    const deadline = Number(await status.getAttribute('data-deadline-ms'));
    const outcome = await expect
      .poll(
        async () =>
          (await open.count()) > 0 ? 'open' : ((await status.getAttribute('data-status')) ?? ''),
        // The page's deadline, plus the polling's own slack on a throttled page.
        { timeout: deadline + 5_000 },
      )
      .toMatch(/open|rejected|timed_out/)
      .then(async () =>
        (await open.count()) > 0 ? 'open' : await status.getAttribute('data-status'),
      );
    // A stop always says why.
    const reason =
      outcome === 'timed_out'
        ? await page.getByTestId('attempt-ended').getAttribute('data-reason')
        : null;
    console.log(
      `throttled attempt ${attempt + 1}: ${outcome} ${reason ?? ''} after ${Date.now() - started} ms (deadline ${deadline} ms)`,
    );
    if (outcome === 'timed_out') expect(reason).toBeTruthy();
    if (outcome === 'open') break;
  }
});
