/**
 * Fake cameras from the real videos (../shared/data/videos): frames extracted at 10 fps into
 * .cache/e2e/frames/<video>/<video>_NNNN.jpg (an LFW-like layout, so the dataset script can align
 * them too), then played back as y4m in the order asked for. Other rates (the bench's 30 fps
 * camera) go to .cache/e2e/frames-<fps>fps/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { makeFakeCamera } from '../../scripts/make-fake-camera.ts';
import { extractFrames, frameFile } from '../../scripts/lib/video-frames.ts';
import { E2E_CACHE, fakeCamera, videoFile } from './paths.ts';

/** Frames per second of the extracted frames and of the cameras made from them. */
export const VIDEO_FPS = 10;
export const FRAMES_ROOT = resolve(E2E_CACHE, 'frames');

/** Where the frames extracted at `fps` go (10 fps: FRAMES_ROOT, as always). */
export const framesRoot = (fps: number) =>
  fps === VIDEO_FPS ? FRAMES_ROOT : resolve(E2E_CACHE, `frames-${fps}fps`);

/** The video's frames at `fps` (frame i, 0-based, is <video>_<i+1>.jpg); extracted once. */
export function extractVideoFrames(video: string, fps = VIDEO_FPS): string {
  const source = videoFile(video);
  if (!existsSync(source)) {
    throw new Error(`${source} not found; set FACEGATE_VIDEOS to the folder of the real videos`);
  }
  extractFrames(source, video, framesRoot(fps), fps);
  return resolve(framesRoot(fps), video);
}

export const frames = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * A y4m camera playing these frames of the video (extracted at `fps`) in this order at `fps`,
 * looped by Chromium.
 */
export function videoCamera(
  name: string,
  video: string,
  indices: readonly number[],
  fps = VIDEO_FPS,
): void {
  extractVideoFrames(video, fps);
  makeFakeCamera({
    entries: indices.map((i) => resolve(framesRoot(fps), frameFile(video, i))),
    out: fakeCamera(name),
    framesPerEntry: 1,
    fps,
  });
}

/** A face too small for the quality gate: the photo shrunk to `size` px in a 640x480 frame. */
export function tinyFaceCamera(name: string, photo: string, size: number): void {
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-loop', '1', '-i', photo],
    ...['-vf', `scale=${size}:${size},pad=640:480:(ow-iw)/2:(oh-ih)/2:color=gray,format=yuv420p`],
    ...['-r', '15', '-frames:v', '30', fakeCamera(name)],
  ]);
}

/**
 * A photo moved by hand in front of the camera: `photo` drifting sideways and up and down by a
 * few tens of pixels and tilting by a few degrees, at 10 fps for `seconds` (frames under
 * .cache/e2e/moved-<name>/).
 */
export function movedPhotoCamera(name: string, photo: string, seconds = 8): void {
  const dir = resolve(E2E_CACHE, `moved-${name}`);
  mkdirSync(dir, { recursive: true });
  const motion = [
    'pad=iw+120:ih+120:60:60:color=gray',
    "rotate='0.07*sin(2*PI*t*0.6)':c=gray",
    "crop=iw-120:ih-120:'60+40*sin(2*PI*t*0.45)':'60+25*sin(2*PI*t*0.7)'",
  ].join(',');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-loop', '1', '-i', photo, '-t', String(seconds)],
    ...['-vf', motion, '-r', String(VIDEO_FPS), resolve(dir, 'moved_%04d.jpg')],
  ]);
  const count = seconds * VIDEO_FPS;
  makeFakeCamera({
    entries: Array.from({ length: count }, (_, i) =>
      resolve(dir, `moved_${String(i + 1).padStart(4, '0')}.jpg`),
    ),
    out: fakeCamera(name),
    framesPerEntry: 1,
    fps: VIDEO_FPS,
  });
}
