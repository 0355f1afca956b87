/**
 * The cooperative camera: a person simulated from their own real video, who does what the screen
 * asks after a human reaction time. The page's getUserMedia is replaced (an init script,
 * cooperative-camera.page.js) by a canvas.captureStream of the video's webcam-like frames
 * (scripts/lib/webcam-frames.ts: the footage's own rate up to 30 fps, scaled to 400 px tall and
 * centred on a mid-grey 640x480 frame), served to the page by a Playwright route under /__coop/.
 * What plays is chosen from the video's repertoire (scripts/lib/stretch-finder.ts, found on a pose
 * timeline measured by the app's own front end): on Enroll the view the screen asks for
 * (data-step-id of enroll-capturing); on Unlock, while verify-status carries data-challenge="left"
 * or "right", a stretch that turns that way by 15° or more and back; near-frontal footage
 * otherwise (at the unlock as filmed, without the enrollment's lead-in to a sign of life). Footage without the asked-for stretch plays on facing the camera, and the log says
 * so (`cannot`).
 */
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { launchProfile } from './fixtures.ts';
import type { CoopVideo } from '../../scripts/lib/coop-videos.ts';
import { playbackFor, type Playback, type Want } from '../../scripts/lib/stretch-finder.ts';
import { COOP_CACHE, WEBCAM } from '../../scripts/lib/webcam-frames.ts';

export type { CoopVideo };
export { coopVideos } from '../../scripts/lib/coop-videos.ts';

/** A person reacts to a new request after this long (ms). */
export const REACTION_MS = 500;
/** A view asked for this long without the screen moving on is done again from its start (ms). */
export const RETRY_MS = 8000;

const PAGE_SCRIPT = readFileSync(
  resolve(import.meta.dirname, 'cooperative-camera.page.js'),
  'utf8',
);
const FRAMES_ROOT = resolve(COOP_CACHE, 'frames');
const WANTS: Want[] = [
  'frontal',
  'facing',
  'alive',
  'straight',
  'left',
  'right',
  'nod',
  'challenge-left',
  'challenge-right',
];

/** One change of what the camera plays, as logged in the page. */
export interface CoopEvent {
  /** performance.now() of the page, ms. */
  t: number;
  video: string;
  want: Want;
  /** The footage had no stretch for it: it played frontal footage instead. */
  cannot: boolean;
}

/**
 * Installs the camera in every page of `context` (before any page script runs), starting with
 * `start` in front of it; `videos` are the people that may be put in front of it (useVideo).
 */
export async function installCooperativeCamera(
  context: BrowserContext,
  videos: readonly CoopVideo[],
  start: string,
  reactionMs = REACTION_MS,
): Promise<void> {
  const base = FRAMES_ROOT + sep;
  await context.route('**/__coop/**', async (route) => {
    const rel = decodeURIComponent(
      new URL(route.request().url()).pathname.replace(/^\/__coop\//, ''),
    );
    const file = resolve(base, rel);
    if (!file.startsWith(base)) return route.fulfill({ status: 403 });
    try {
      return await route.fulfill({
        body: readFileSync(file),
        contentType: 'image/jpeg',
        headers: { 'Cross-Origin-Resource-Policy': 'same-origin' },
      });
    } catch {
      return route.fulfill({ status: 404 });
    }
  });
  const config = {
    width: WEBCAM.width,
    height: WEBCAM.height,
    fps: Math.max(...videos.map((v) => v.frames.fps)),
    reactionMs,
    retryMs: RETRY_MS,
    start,
    videos: Object.fromEntries(
      videos.map((v) => [
        v.name,
        {
          url: `/__coop/${v.frames.dir.slice(base.length).split(sep).join('/')}`,
          fps: v.frames.fps,
          playbacks: Object.fromEntries(
            WANTS.map((w): [Want, Pick<Playback, 'frames' | 'loop'> | null] => {
              const p = playbackFor(v.repertoire, w);
              if ((w === 'frontal' || w === 'facing') && !p) {
                // Never near-frontal: the whole video, over and over.
                const all = Array.from({ length: v.frames.count }, (_, i) => i);
                return [w, { frames: [], loop: all }];
              }
              return [w, p && { frames: p.frames, loop: p.loop }];
            }),
          ),
        },
      ]),
    ),
  };
  if (!config.videos[start])
    throw new Error(`cooperative camera: ${start} is not among the videos`);
  await context.addInitScript({
    content: `window.__coopConfig = ${JSON.stringify(config)};\n${PAGE_SCRIPT}`,
  });
}

/** Puts another person (one of the installed videos) in front of the page's camera. */
export async function useVideo(page: Page, video: string): Promise<void> {
  await page.evaluate((v) => {
    (window as unknown as { __coop: { use(v: string): void } }).__coop.use(v);
  }, video);
}

/** What the camera has played so far in this page. */
export async function coopLog(page: Page): Promise<CoopEvent[]> {
  return page.evaluate(
    () => (window as unknown as { __coop?: { log(): CoopEvent[] } }).__coop?.log() ?? [],
  );
}

/**
 * A Chromium with a persistent profile (fixtures.ts launchProfile) whose camera is the cooperative
 * person of `video`.
 */
export async function launchCoopProfile(
  profile: string,
  video: CoopVideo,
  origin: string,
): Promise<{ context: BrowserContext; check: () => void }> {
  const launched = await launchProfile(profile, 'none', origin);
  await installCooperativeCamera(launched.context, [video], video.name);
  return launched;
}
