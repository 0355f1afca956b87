/**
 * npm run eval-enroll -- --videos DIR [--videos DIR2] --json FILE
 *
 * Enrollment and unlock as a new user goes through them, with a cooperative person in front of the
 * camera (test/e2e/cooperative-camera.ts: the person's own video, the stretch that plays chosen by
 * what the screen asks, after a human reaction time). Drives the built app (npm run build, then
 * vite preview) in Chromium. Per video:
 * - could_enroll: the footage has a stretch for every enrollment view (scripts/lib/stretch-finder.ts);
 * - enrolled, enroll_s: the real Enroll screen, from the moment it is ready for the first view
 *   to the name form (at most --enroll-cap s), then saved under the video's name;
 * - unlock: the real Unlock screen, 1:1 as that person: opened, seconds from the click to the open
 *   vault, at most --unlock-tries attempts (each ends by the app's own deadline); a head-turn
 *   request (verify-status data-challenge) is answered when the footage can (cannot_answer else);
 * - strangers: --strangers other videos put in front of the camera at the same person's unlock;
 *   an open vault is a stranger accepted.
 * Videos that could not enroll are still used as strangers.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './lib/chromium.ts';
import { readFlags } from './lib/cli.ts';
import { coopVideos, type CoopVideo } from './lib/coop-videos.ts';
import {
  coopLog,
  installCooperativeCamera,
  useVideo,
  type CoopEvent,
} from '../test/e2e/cooperative-camera.ts';
import { lockVault, openVault } from '../test/e2e/vault.ts';

const ROOT = resolve(import.meta.dirname, '..');
const USAGE =
  'npm run eval-enroll -- --videos DIR [--videos DIR2] --json FILE [--only a,b] [--strangers 2] ' +
  '[--enroll-cap 60] [--unlock-tries 2] [--port 4276] [--no-build]';

const flags = readFlags(USAGE, {
  videos: { type: 'string', multiple: true },
  json: { type: 'string' },
  only: { type: 'string' },
  strangers: { type: 'string', default: '2' },
  'enroll-cap': { type: 'string', default: '60' },
  'unlock-tries': { type: 'string', default: '2' },
  port: { type: 'string', default: process.env.FACEGATE_PORT ?? '4276' },
  'no-build': { type: 'boolean', default: false },
});
if (!flags.videos?.length || !flags.json) {
  console.error(`usage: ${USAGE}`);
  process.exit(2);
}
const STRANGERS = Number(flags.strangers);
const ENROLL_CAP_MS = Number(flags['enroll-cap']) * 1000;
const UNLOCK_TRIES = Number(flags['unlock-tries']);
const PORT = Number(flags.port);
const ORIGIN = `http://localhost:${PORT}`;

interface AttemptResult {
  opened: boolean;
  /** From the click to the open vault or the verdict, s. */
  seconds: number;
  status: string;
  reason: string;
  /** The requested turn at the end (verify-status data-turn: state, degrees, parallax). */
  turn?: string;
}

interface PersonResult {
  video: string;
  folder: string;
  could_enroll: boolean;
  missing_views: string[];
  enrolled: boolean;
  /** From the Enroll screen ready for the first view to the name form, s (null: not enrolled). */
  enroll_s: number | null;
  /** The engine's start on the Enroll screen (models, warm-up), s: not counted in enroll_s. */
  engine_s: number | null;
  /** The views taken (of 4) when the cap ended the enrollment. */
  views_taken: number;
  sample_poses: unknown;
  /** What the screen said while enrollment was stuck (time, view asked, guidance line), when it did not finish. */
  said?: string[];
  unlock: {
    opened: boolean;
    /** Seconds of the attempt that opened (or the last one). */
    seconds: number | null;
    attempts: AttemptResult[];
    /** Head-turn requests seen, and those the footage could not answer. */
    challenges: string[];
    cannot_answer: number;
  } | null;
  strangers: { video: string; opened: boolean; status: string }[];
  error?: string;
}

function startPreview(): Promise<ChildProcess> {
  // Its own process group, so the whole of it stops at the end (npx alone would leave vite).
  const child = spawn(
    resolve(ROOT, 'node_modules/.bin/vite'),
    ['preview', '--port', String(PORT), '--strictPort'],
    { cwd: ROOT, stdio: 'ignore', detached: true },
  );
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('vite preview did not start')), 60_000);
    const poll = async () => {
      try {
        const res = await fetch(ORIGIN);
        if (res.ok) {
          clearTimeout(timer);
          resolvePromise(child);
          return;
        }
      } catch {
        // not yet
      }
      setTimeout(() => void poll(), 300);
    };
    child.on('exit', (code) => reject(new Error(`vite preview exited (${code})`)));
    void poll();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function attr(page: Page, testId: string, name: string): Promise<string | null> {
  const el = page.getByTestId(testId);
  return (await el.count()) > 0 ? el.first().getAttribute(name) : null;
}

/** One face attempt at the Unlock screen (locked) as `name`; ends with the app's verdict. */
async function attempt(page: Page, name: string, challenges: Set<string>): Promise<AttemptResult> {
  await page.getByTestId('verify-target').selectOption({ label: name });
  const startButton = page.getByTestId('unlock-start');
  await startButton.click({ timeout: 30_000 });
  const started = Date.now();
  // Wait for this attempt (not the last one's verdict) to be looking.
  let seenLooking = false;
  const limit = started + 60_000;
  while (Date.now() < limit) {
    // One read of the screen (an element may go between two separate reads).
    // A string, not a function: tsx would name the inner arrow with a helper the page lacks.
    const seen = await page.evaluate<{
      open: boolean;
      status: string | null;
      challenge: string | null;
      reason: string | null;
      turn: string | null;
    }>(`(() => {
      const el = (id) => document.querySelector('[data-testid="' + id + '"]');
      const status = el('verify-status');
      const ended = el('attempt-ended');
      return {
        open: el('vault-open') !== null,
        status: status ? status.getAttribute('data-status') : null,
        challenge: status ? status.getAttribute('data-challenge') : null,
        reason: ended ? ended.getAttribute('data-reason') : null,
        turn: status ? status.getAttribute('data-turn') : null,
      };
    })()`);
    if (seen.open) {
      return { opened: true, seconds: (Date.now() - started) / 1000, status: 'open', reason: '' };
    }
    if (seen.challenge) challenges.add(seen.challenge);
    if (seen.status === 'looking' || seen.status === 'accepted') seenLooking = true;
    if (seenLooking && (seen.status === 'rejected' || seen.status === 'timed_out')) {
      return {
        opened: false,
        seconds: (Date.now() - started) / 1000,
        status: seen.status,
        reason: seen.reason ?? '',
        turn: seen.turn ?? '',
      };
    }
    await sleep(100);
  }
  return {
    opened: false,
    seconds: (Date.now() - started) / 1000,
    status: 'no_verdict',
    reason: '',
  };
}

async function enrollAndUnlock(
  browser: Browser,
  all: readonly CoopVideo[],
  person: CoopVideo,
  strangers: readonly CoopVideo[],
): Promise<PersonResult> {
  const r = person.repertoire;
  const result: PersonResult = {
    video: person.name,
    folder: person.folder,
    could_enroll: r.couldEnroll,
    missing_views: Object.entries(r.views)
      .filter(([, p]) => p === null)
      .map(([id]) => id),
    enrolled: false,
    enroll_s: null,
    engine_s: null,
    views_taken: 0,
    sample_poses: null,
    unlock: null,
    strangers: [],
  };
  if (!r.couldEnroll) return result;
  const context = await browser.newContext({ baseURL: ORIGIN, serviceWorkers: 'block' });
  try {
    await installCooperativeCamera(context, all, person.name);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[${person.name} page] ${e.message}`));
    await openVault(page);
    const opened = Date.now();
    await page.goto('/#/enroll');
    const guide = page.locator('[data-testid="enroll-capturing"]:not(.waiting)');
    await guide.waitFor({ timeout: 120_000 });
    const ready = Date.now();
    result.engine_s = (ready - opened) / 1000;
    const form = page.getByTestId('enroll-name-form');
    // What the screen said, each time it changed (view asked, guidance line): why it got stuck.
    const said: string[] = [];
    let lastSaid: string | null = null;
    while ((await form.count()) === 0 && Date.now() - ready < ENROLL_CAP_MS) {
      const step = await attr(page, 'enroll-capturing', 'data-step-id');
      // Read at once, not waited for: the line goes when the last view is taken.
      const line = (await page.getByTestId('enroll-guidance').allTextContents())[0] ?? '';
      const what = `${step}: ${line.trim()}`;
      if (what !== lastSaid) said.push(`${((Date.now() - ready) / 1000).toFixed(1)}s ${what}`);
      lastSaid = what;
      await sleep(100);
    }
    if ((await form.count()) === 0) {
      result.said = said;
      const poses = (await attr(page, 'enroll-capturing', 'data-sample-poses')) ?? '[]';
      result.sample_poses = JSON.parse(poses) as unknown;
      result.views_taken = (result.sample_poses as unknown[]).length;
      const log = await coopLog(page);
      console.log(
        `${person.name}: not enrolled in ${ENROLL_CAP_MS / 1000} s, poses ${poses}, camera ${JSON.stringify(log.slice(-6))}`,
      );
      return result;
    }
    result.enroll_s = (Date.now() - ready) / 1000;
    result.enrolled = true;
    result.views_taken = 4;
    result.sample_poses = JSON.parse(
      (await form.getAttribute('data-sample-poses')) ?? '[]',
    ) as unknown;
    await page.getByTestId('enroll-name').fill(person.name);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('enroll-done').waitFor({ timeout: 60_000 });

    // The same person at the unlock.
    await lockVault(page);
    const before = (await coopLog(page)).length;
    const challenges = new Set<string>();
    const attempts: AttemptResult[] = [];
    for (let k = 0; k < UNLOCK_TRIES; k++) {
      const a = await attempt(page, person.name, challenges);
      attempts.push(a);
      if (a.opened) break;
    }
    const log: CoopEvent[] = (await coopLog(page)).slice(before);
    const last = attempts[attempts.length - 1]!;
    result.unlock = {
      opened: last.opened,
      seconds: last.seconds,
      attempts,
      challenges: [...challenges],
      cannot_answer: log.filter((e) => e.cannot && e.want.startsWith('challenge-')).length,
    };
    if (last.opened) await lockVault(page);

    // Strangers at this person's unlock.
    for (const stranger of strangers) {
      await useVideo(page, stranger.name);
      const a = await attempt(page, person.name, new Set());
      result.strangers.push({ video: stranger.name, opened: a.opened, status: a.status });
      if (a.opened) await lockVault(page);
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
  } finally {
    await context.close();
  }
  return result;
}

const median = (v: number[]): number | null => {
  if (v.length === 0) return null;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (v: number | null, d = 1) => (v === null ? null : Math.round(v * 10 ** d) / 10 ** d);

async function main(): Promise<void> {
  const started = Date.now();
  const videos = await coopVideos(flags.videos!);
  const only = flags.only ? new Set(flags.only.split(',')) : null;
  if (!flags['no-build']) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const preview = await startPreview();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const people: PersonResult[] = [];
  try {
    for (const [i, person] of videos.entries()) {
      if (only && !only.has(person.name)) continue;
      // The next videos in the list (other people; a stranger may not be able to enroll).
      const strangers = Array.from(
        { length: Math.min(STRANGERS, videos.length - 1) },
        (_, k) => videos[(i + 1 + k) % videos.length]!,
      );
      const t = Date.now();
      const result = await enrollAndUnlock(browser, videos, person, strangers);
      people.push(result);
      console.log(
        `${person.name}: could ${result.could_enroll} enrolled ${result.enrolled} ` +
          `${result.enroll_s ?? '-'} s (engine ${result.engine_s ?? '-'} s), unlock ` +
          `${result.unlock ? `${result.unlock.opened} ${result.unlock.seconds} s ${result.unlock.attempts.map((a) => a.status + (a.reason ? `/${a.reason}` : '')).join(',')}` : '-'}` +
          `, strangers ${result.strangers.map((s) => `${s.video}:${s.opened ? 'OPENED' : s.status}`).join(' ')}` +
          `${result.error ? `, error ${result.error}` : ''} [${Math.round((Date.now() - t) / 1000)} s]`,
      );
    }
  } finally {
    await browser.close();
    if (preview.pid !== undefined) process.kill(-preview.pid);
  }
  const could = people.filter((p) => p.could_enroll);
  const enrolled = people.filter((p) => p.enrolled);
  const unlocks = enrolled.filter((p) => p.unlock);
  const strangerAttempts = people.flatMap((p) => p.strangers);
  const summary = {
    videos: people.length,
    could_enroll: could.length,
    enrolled: enrolled.length,
    enrolled_over_could: round(could.length ? enrolled.length / could.length : null, 3),
    median_enroll_s: round(median(enrolled.map((p) => p.enroll_s!))),
    max_enroll_s: round(enrolled.length ? Math.max(...enrolled.map((p) => p.enroll_s!)) : null),
    median_engine_s: round(
      median(people.filter((p) => p.engine_s !== null).map((p) => p.engine_s!)),
    ),
    genuine_unlocks: unlocks.filter((p) => p.unlock!.opened).length,
    genuine_unlock_rate: round(
      unlocks.length ? unlocks.filter((p) => p.unlock!.opened).length / unlocks.length : null,
      3,
    ),
    genuine_first_try: unlocks.filter((p) => p.unlock!.attempts[0]?.opened).length,
    median_unlock_s: round(
      median(unlocks.filter((p) => p.unlock!.opened).map((p) => p.unlock!.seconds!)),
    ),
    challenges_seen: unlocks.filter((p) => p.unlock!.challenges.length > 0).length,
    cannot_answer: unlocks.reduce((n, p) => n + p.unlock!.cannot_answer, 0),
    stranger_attempts: strangerAttempts.length,
    stranger_accepts: strangerAttempts.filter((s) => s.opened).length,
  };
  const report = {
    command: `npm run eval-enroll -- ${process.argv.slice(2).join(' ')}`,
    date: new Date().toISOString(),
    camera:
      'cooperative: each video scaled to 400 px tall (640 wide at most), centred on a grey 640x480 frame, ' +
      'its own fps (30 at most); reaction 500 ms',
    limits: {
      enroll_cap_s: ENROLL_CAP_MS / 1000,
      unlock_tries: UNLOCK_TRIES,
      strangers: STRANGERS,
    },
    seconds: Math.round((Date.now() - started) / 1000),
    summary,
    people,
  };
  mkdirSync(dirname(resolve(flags.json!)), { recursive: true });
  writeFileSync(resolve(flags.json!), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(summary, null, 2));
}

await main();
process.exit(0);
