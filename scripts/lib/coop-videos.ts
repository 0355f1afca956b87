/**
 * Everything the cooperative camera needs for a folder of videos: webcam-like frames
 * (webcam-frames.ts), pose timelines (pose-timeline.ts) and each video's repertoire
 * (stretch-finder.ts).
 */
import { listVideos } from './video-frames.ts';
import { aliveAfter, poseTimelines } from './pose-timeline.ts';
import { findRepertoire, type PoseTimeline, type Repertoire } from './stretch-finder.ts';
import { webcamFrames, type WebcamFrames } from './webcam-frames.ts';

export interface CoopVideo {
  name: string;
  /** The folder the video came from. */
  folder: string;
  frames: WebcamFrames;
  timeline: PoseTimeline;
  repertoire: Repertoire;
}

/** The videos of these folders (only the names in `only`, when given). */
export async function coopVideos(
  folders: readonly string[],
  log: (line: string) => void = console.log,
  only: ReadonlySet<string> | null = null,
): Promise<CoopVideo[]> {
  const listed = folders.flatMap((folder) =>
    listVideos(folder)
      .filter((v) => only === null || only.has(v.name))
      .map((v) => ({ ...v, folder, frames: webcamFrames(v.path, v.name) })),
  );
  const names = new Set<string>();
  for (const v of listed) {
    if (names.has(v.name)) throw new Error(`two videos named ${v.name}`);
    names.add(v.name);
  }
  const timelines = await poseTimelines(
    listed.map((v) => v.frames),
    log,
  );
  const out: CoopVideo[] = [];
  for (const v of listed) {
    let timeline = timelines.get(v.name)!;
    let repertoire = findRepertoire(timeline);
    // Where the footage shows a sign of life, for the people who enroll (strangers need none).
    if (repertoire.couldEnroll) {
      timeline = { ...timeline, aliveAfter: await aliveAfter(v.frames, timeline, log) };
      repertoire = findRepertoire(timeline);
    }
    out.push({ name: v.name, folder: v.folder, frames: v.frames, timeline, repertoire });
  }
  return out;
}
