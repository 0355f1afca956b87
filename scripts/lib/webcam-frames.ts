/**
 * A real video made webcam-like for the cooperative camera (test/e2e/cooperative-camera.ts): its
 * frames at the footage's own rate (30 fps at most), each scaled to 400 px tall (640 px wide at
 * most, aspect kept) and centred on a mid-grey 640x480 frame, as JPEGs extracted once with ffmpeg
 * under .cache/coop/frames/. The small, tight crops of the datasets become a face of a webcam's
 * size with background around it; a portrait phone clip becomes a narrow picture in the middle.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const COOP_CACHE = resolve(ROOT, '.cache/coop');

export const WEBCAM = { width: 640, height: 480, pictureHeight: 400, maxFps: 30 } as const;

export interface WebcamFrames {
  /** Video name (file name without extension). */
  name: string;
  /** Folder of the frames: frame i (0-based) is `${dir}/${i + 1 padded to 5}.jpg`. */
  dir: string;
  count: number;
  fps: number;
}

export const webcamFrameName = (index: number) => `${String(index + 1).padStart(5, '0')}.jpg`;

/** The footage's frame rate (r_frame_rate), from ffprobe. */
export function videoFps(path: string): number {
  const out = execFileSync('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate'],
    ...['-of', 'csv=p=0', path],
  ])
    .toString()
    .trim();
  const [num, den] = out.split('/').map(Number);
  const fps = (num ?? NaN) / (den ?? 1);
  if (!(fps > 0)) throw new Error(`${path}: no frame rate (${out})`);
  return fps;
}

/** A short key for one extraction: the file's version and the framing. */
export function videoKey(path: string, extra: unknown = null): string {
  const s = statSync(path);
  return createHash('sha256')
    .update(JSON.stringify([path, s.size, s.mtimeMs, WEBCAM, extra]))
    .digest('hex')
    .slice(0, 12);
}

/** The video's webcam-like frames, extracted once (a half-written folder is made again). */
export function webcamFrames(path: string, name: string): WebcamFrames {
  const native = videoFps(path);
  const fps = Math.min(native, WEBCAM.maxFps);
  const dir = resolve(COOP_CACHE, 'frames', `${name}-${videoKey(path)}`);
  const count = () => readdirSync(dir).filter((f) => f.endsWith('.jpg')).length;
  if (!existsSync(dir)) {
    const tmp = `${dir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const { width: W, height: H, pictureHeight: P } = WEBCAM;
    const scale = `scale=w='trunc(min(${W},iw*${P}/ih)/2)*2':h='trunc(min(${P},ih*${W}/iw)/2)*2'`;
    const pad = `pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:color=0x808080`;
    const filters = [...(native > fps ? [`fps=${fps}`] : []), scale, pad];
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-i', path, '-vf', filters.join(','), '-q:v', '3'],
      ...['-start_number', '1', resolve(tmp, '%05d.jpg')],
    ]);
    renameSync(tmp, dir);
  }
  return { name, dir, count: count(), fps };
}
