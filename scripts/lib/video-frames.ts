/**
 * Frames of a real video at a fixed rate, extracted once with ffmpeg into
 * <root>/<video>/<video>_NNNN.jpg (an LFW-like layout, so the dataset scripts can read them too).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';

export const VIDEO_EXTENSIONS = /\.(mp4|webm|mov|mkv|avi)$/i;

/**
 * Video files of a folder, sorted, as { name (file name without extension), path }; a path to one
 * video file is that video alone (a folder may hold a genuine clip beside an attack).
 */
export function listVideos(folder: string): { name: string; path: string }[] {
  if (statSync(folder).isFile()) {
    return VIDEO_EXTENSIONS.test(folder)
      ? [{ name: basename(folder, extname(folder)), path: resolve(folder) }]
      : [];
  }
  return readdirSync(folder)
    .filter((f) => VIDEO_EXTENSIONS.test(f))
    .sort()
    .map((f) => ({ name: basename(f, extname(f)), path: resolve(folder, f) }));
}

/** Relative path (video/video_NNNN.jpg) of a 0-based frame index. */
export const frameFile = (video: string, index: number) =>
  `${video}/${video}_${String(index + 1).padStart(4, '0')}.jpg`;

/**
 * The video's frames at `fps` under `root` (frame i, 0-based, is frameFile(name, i)); extracted
 * once. Returns how many frames there are.
 */
export function extractFrames(source: string, name: string, root: string, fps: number): number {
  const dir = resolve(root, name);
  const count = () => readdirSync(dir).filter((f) => f.endsWith('.jpg')).length;
  if (existsSync(dir) && count() > 0) return count();
  if (!existsSync(source)) throw new Error(`${source} not found`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-i', source, '-vf', `fps=${fps}`, '-q:v', '2'],
    resolve(dir, `${name}_%04d.jpg`),
  ]);
  return count();
}
