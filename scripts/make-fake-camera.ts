/**
 * Turns photos into a .y4m video for Chromium's fake camera (--use-file-for-fake-video-capture).
 *
 *   npm run make-fake-camera -- --out face.y4m [--frames 30] [--fps 15] photo.jpg [a.jpg+b.jpg] [blank] [dark:0.25:photo.jpg] ...
 *
 * Each entry is held for --frames frames at 640x480. `a.jpg+b.jpg` puts photos side by side in one
 * frame (two people); `blank` is an empty grey frame; `dark:0.25:photo.jpg` is the photo with its
 * light scaled by 0.25 (a dim room). Needs ffmpeg (Debian package `ffmpeg`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { numberFlag, readFlagsAndWords, UsageError } from './lib/cli.ts';

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;

export interface FakeCameraOptions {
  entries: string[];
  out: string;
  framesPerEntry?: number;
  fps?: number;
}

function ffmpegFrame(args: string[]): Buffer {
  const expected = (FRAME_WIDTH * FRAME_HEIGHT * 3) / 2;
  let frame: Buffer;
  try {
    frame = execFileSync(
      'ffmpeg',
      ['-v', 'error', ...args, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'],
      { maxBuffer: expected * 2 },
    );
  } catch (error) {
    throw new Error(
      `ffmpeg failed (is the Debian package ffmpeg installed?): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (frame.length !== expected) {
    throw new Error(`ffmpeg returned ${frame.length} bytes for a frame, expected ${expected}`);
  }
  return frame;
}

/** `dark:0.25:a.jpg` is the entry `a.jpg` with every colour channel scaled by 0.25 (a dim room). */
const DARK = /^dark:(\d*\.?\d+):(.+)$/;

/** One 640x480 yuv420p frame for an entry of the list. */
export function renderEntry(entry: string): Buffer {
  const W = FRAME_WIDTH;
  const H = FRAME_HEIGHT;
  if (entry === 'blank') {
    return ffmpegFrame(['-f', 'lavfi', '-i', `color=c=0x808080:s=${W}x${H}`]);
  }
  const dark = DARK.exec(entry);
  const gain = dark ? Number(dark[1]) : 1;
  if (!(gain > 0 && gain <= 1)) throw new Error(`${entry}: the dark gain must be in (0, 1]`);
  const photos = (dark?.[2] ?? entry).split('+').map((p) => resolve(p));
  const cellW = Math.floor(W / photos.length);
  const inputs = photos.flatMap((p) => ['-i', p]);
  const scaled = photos
    .map(
      (_, i) =>
        `[${i}:v]scale=${cellW}:${H}:force_original_aspect_ratio=decrease,pad=${cellW}:${H}:(ow-iw)/2:(oh-ih)/2,setsar=1[c${i}]`,
    )
    .join(';');
  const cells = photos.map((_, i) => `[c${i}]`).join('');
  const joined =
    photos.length === 1 ? `${cells}null[row]` : `${cells}hstack=inputs=${photos.length}[row]`;
  // Darkened in RGB (before the conversion to YUV) as less light would: colour fades with it.
  const dim = gain === 1 ? '' : `,format=rgb24,colorchannelmixer=rr=${gain}:gg=${gain}:bb=${gain}`;
  const filter = `${scaled};${joined};[row]pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2${dim},format=yuv420p[out]`;
  return ffmpegFrame([...inputs, '-filter_complex', filter, '-map', '[out]']);
}

export function makeFakeCamera({ entries, out, framesPerEntry = 30, fps = 15 }: FakeCameraOptions) {
  if (entries.length === 0)
    throw new Error('make-fake-camera: give at least one photo (or "blank")');
  const frames = entries.map(renderEntry);
  mkdirSync(dirname(resolve(out)), { recursive: true });
  const fd = openSync(out, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${FRAME_WIDTH} H${FRAME_HEIGHT} F${fps}:1 Ip A1:1 C420jpeg\n`);
    for (const frame of frames) {
      for (let i = 0; i < framesPerEntry; i++) {
        writeSync(fd, 'FRAME\n');
        writeSync(fd, frame);
      }
    }
  } finally {
    closeSync(fd);
  }
  return { out: resolve(out), frames: frames.length * framesPerEntry };
}

function fakeCameraArgs(): FakeCameraOptions {
  const usage = 'make-fake-camera --out file.y4m [--frames N] [--fps F] photo...';
  const { flags, words } = readFlagsAndWords(usage, {
    out: { type: 'string', default: '' },
    frames: { type: 'string', default: '30' },
    fps: { type: 'string', default: '15' },
  });
  if (!flags.out) throw new UsageError(`usage: ${usage}`);
  const framesPerEntry = numberFlag(flags.frames, 'frames');
  const fps = numberFlag(flags.fps, 'fps');
  if (!(framesPerEntry >= 1) || !(fps >= 1)) throw new Error('--frames and --fps must be >= 1');
  return { entries: words, out: flags.out, framesPerEntry, fps };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const result = makeFakeCamera(fakeCameraArgs());
    console.log(`wrote ${result.out} (${result.frames} frames)`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
