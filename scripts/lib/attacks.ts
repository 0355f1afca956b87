/**
 * Presentation attacks made from still pictures (ISO/IEC 30107-3 "presentation attack
 * instruments"): for one photo, the frames a camera would see when it is shown still, moved by hand,
 * turned to fake a head turn, shown on a screen, or cut with a second photo of the same person.
 * Pure: it returns each frame's output->source homography and effects; the batch page draws them.
 */
import { estimateSimilarity, type Point } from '../../src/lib/math/align.ts';
import {
  invertHomography,
  multiplyHomography,
  planeViewHomography,
  similarityHomography,
  type Homography,
} from '../../src/lib/math/homography.ts';
import type { PresentedFrameSpec, ScreenEffects } from '../../src/tools/batch-protocol.ts';

export const ATTACK_TYPES = ['still', 'moved', 'swung', 'screen', 'cut', 'slideshow'] as const;
export type AttackType = (typeof ATTACK_TYPES)[number];

/** A picture to attack with and its five alignment points (from the front end, source pixels). */
export interface AttackSource {
  url: string;
  keypoints: readonly Point[];
}

export interface AttackOptions {
  /** Camera frame size. */
  width: number;
  height: number;
  fps: number;
  seconds: number;
  /** Distance between the eye centres in the camera frame at rest, pixels. */
  eyeDistance: number;
}

export const DEFAULT_ATTACK_OPTIONS: AttackOptions = {
  width: 640,
  height: 480,
  fps: 10,
  seconds: 6,
  eyeDistance: 70,
};

/** A webcam's focal length in pixels for a 640-px-wide frame (~60 degrees across). */
const FOCAL = 560;
/** Grey levels of sensor noise on every frame. */
const NOISE = 3;

const rad = (deg: number) => (deg * Math.PI) / 180;

/** A smooth random wobble in [-1, 1]: two sines at random rates and phases. */
function wobble(random: () => number, minHz: number, maxHz: number): (t: number) => number {
  const f1 = minHz + (maxHz - minHz) * random();
  const f2 = minHz + (maxHz - minHz) * random();
  const p1 = 2 * Math.PI * random();
  const p2 = 2 * Math.PI * random();
  return (t) =>
    0.7 * Math.sin(2 * Math.PI * f1 * t + p1) + 0.3 * Math.sin(2 * Math.PI * f2 * t + p2);
}

function uniform(random: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * random();
}

function eyeCentre(keypoints: readonly Point[]): { centre: Point; distance: number } {
  const [l, r] = keypoints as [Point, Point];
  return {
    centre: [(l[0] + r[0]) / 2, (l[1] + r[1]) / 2],
    distance: Math.hypot(r[0] - l[0], r[1] - l[1]),
  };
}

/** Source pixels -> picture coordinates centred on the face, scaled to `eyeDistance` between eyes. */
function pictureFrame(source: AttackSource, eyeDistance: number): Homography {
  const { centre, distance } = eyeCentre(source.keypoints);
  const s = eyeDistance / Math.max(1, distance);
  // The pivot sits a little below the eyes, near the middle of the face.
  const pivot: Point = [centre[0], centre[1] + 0.4 * distance];
  return similarityHomography({ a: s, b: 0, tx: -s * pivot[0], ty: -s * pivot[1] });
}

interface Pose {
  dx: number;
  dy: number;
  scale: number;
  rollDeg: number;
  yawDeg: number;
  pitchDeg: number;
}

const REST: Pose = { dx: 0, dy: 0, scale: 1, rollDeg: 0, yawDeg: 0, pitchDeg: 0 };

/** Picture coordinates -> camera pixels for a picture held in `pose`. */
function viewOf(pose: Pose, options: AttackOptions): Homography {
  const inPlane = similarityHomography({
    a: pose.scale * Math.cos(rad(pose.rollDeg)),
    b: pose.scale * Math.sin(rad(pose.rollDeg)),
    tx: 0,
    ty: 0,
  });
  const view = planeViewHomography({
    yawDeg: pose.yawDeg,
    pitchDeg: pose.pitchDeg,
    focal: FOCAL,
    distance: FOCAL,
    cx: options.width / 2 + pose.dx,
    cy: options.height / 2 + pose.dy,
  });
  return multiplyHomography(view, inPlane);
}

/** How the hand holds the picture over time, per attack type. */
function motion(type: AttackType, random: () => number): (t: number) => Pose {
  const rest: Pose = {
    ...REST,
    dx: uniform(random, -60, 60),
    dy: uniform(random, -30, 30),
    scale: uniform(random, 0.8, 1.3),
    rollDeg: uniform(random, -10, 10),
  };
  // A hand is never perfectly still: ~1 px, a few degrees of a tenth.
  const tremorX = wobble(random, 2, 6);
  const tremorY = wobble(random, 2, 6);
  const tremor = (t: number, amount: number): Pose => ({
    ...rest,
    dx: rest.dx + amount * tremorX(t),
    dy: rest.dy + amount * tremorY(t),
  });
  switch (type) {
    case 'still':
      return () => rest;
    case 'moved': {
      const ax = uniform(random, 20, 90);
      const ay = uniform(random, 10, 50);
      const as = uniform(random, 0.05, 0.25);
      const ar = uniform(random, 5, 25);
      const [mx, my, ms, mr] = [0, 1, 2, 3].map(() => wobble(random, 0.15, 0.8)) as [
        (t: number) => number,
        (t: number) => number,
        (t: number) => number,
        (t: number) => number,
      ];
      return (t) => ({
        ...tremor(t, 1.5),
        dx: rest.dx + ax * mx(t) + 1.5 * tremorX(t),
        dy: rest.dy + ay * my(t) + 1.5 * tremorY(t),
        scale: rest.scale * (1 + as * ms(t)),
        rollDeg: rest.rollDeg + ar * mr(t),
      });
    }
    case 'swung': {
      // Up to +-35 degrees about the vertical axis, the horizontal one, or both.
      const axes = Math.floor(random() * 3);
      const yawMax = axes === 1 ? 0 : uniform(random, 15, 35);
      const pitchMax = axes === 0 ? 0 : uniform(random, 15, 35);
      const my = wobble(random, 0.2, 0.7);
      const mp = wobble(random, 0.2, 0.7);
      return (t) => ({
        ...tremor(t, 1.5),
        yawDeg: yawMax * my(t),
        pitchDeg: pitchMax * mp(t),
      });
    }
    case 'screen': {
      // A phone or tablet held up: mild motion and turn.
      const mx = wobble(random, 0.15, 0.6);
      const my = wobble(random, 0.15, 0.6);
      const yawMax = uniform(random, 0, 15);
      return (t) => ({
        ...tremor(t, 1),
        dx: rest.dx + 15 * mx(t),
        yawDeg: yawMax * my(t),
      });
    }
    case 'cut':
    case 'slideshow': {
      const mx = wobble(random, 0.15, 0.6);
      return (t) => ({ ...tremor(t, 1.5), dx: rest.dx + 15 * mx(t) });
    }
  }
}

/** Gamma, moire and glare of a screen; each attempt gets at least one, drifting over time. */
function screenEffects(random: () => number, options: AttackOptions): (t: number) => ScreenEffects {
  const pick = Math.floor(random() * 7) + 1; // a non-empty subset of the three
  const gamma =
    pick & 1
      ? random() < 0.5
        ? uniform(random, 0.55, 0.8)
        : uniform(random, 1.4, 2.2)
      : undefined;
  const moireOn = (pick & 2) !== 0;
  const freq = uniform(random, 0.2, 0.45);
  const angle = uniform(random, 0, Math.PI);
  const depth = uniform(random, 0.15, 0.4);
  const drift = uniform(random, 1, 6);
  const glareOn = (pick & 4) !== 0;
  const radius = uniform(random, 30, 110);
  const strength = uniform(random, 0.3, 0.8);
  const gx = wobble(random, 0.1, 0.4);
  const gy = wobble(random, 0.1, 0.4);
  return (t) => ({
    ...(gamma === undefined ? {} : { gamma }),
    ...(moireOn
      ? {
          moire: {
            fx: freq * Math.cos(angle),
            fy: freq * Math.sin(angle),
            phase: drift * t,
            depth,
          },
        }
      : {}),
    ...(glareOn
      ? {
          glare: {
            x: options.width / 2 + 80 * gx(t),
            y: options.height / 2 + 60 * gy(t),
            radius,
            strength,
          },
        }
      : {}),
  });
}

/**
 * The frames of one attack. `sources[0]` is the photo; `cut` also needs `sources[1]`, another photo
 * of the same person, which replaces the first after 1.5-3.5 s, laid over it so the eyes and mouth
 * land where the first photo's were (the best an attacker can line them up). `slideshow` shows the
 * two in turn, laid over each other the same way, switching 0.5-2 times a second (a monitor
 * flicking between a straight and a turned photo, or a closed and an open mouth).
 */
export function attackFrames(
  type: AttackType,
  sources: readonly AttackSource[],
  random: () => number,
  options: AttackOptions = DEFAULT_ATTACK_OPTIONS,
): PresentedFrameSpec[] {
  const first = sources[0];
  if (!first) throw new RangeError('an attack needs a photo');
  const second = sources[1];
  const paired = type === 'cut' || type === 'slideshow';
  if (paired && !second) throw new RangeError(`a ${type} attack needs a second photo`);
  const pose = motion(type, random);
  const effects = type === 'screen' ? screenEffects(random, options) : null;
  const toPicture = pictureFrame(first, options.eyeDistance);
  // The second photo in the first one's picture coordinates, matched on all five points.
  const secondToPicture = second
    ? multiplyHomography(
        toPicture,
        similarityHomography(estimateSimilarity(second.keypoints, first.keypoints)),
      )
    : null;
  const cutAt = uniform(random, 1.5, 3.5);
  const switchHz = uniform(random, 0.5, 2);
  const n = Math.round(options.seconds * options.fps);
  const frames: PresentedFrameSpec[] = [];
  for (let i = 0; i < n; i++) {
    const t = i / options.fps;
    const useSecond =
      secondToPicture !== null &&
      ((type === 'cut' && t >= cutAt) ||
        (type === 'slideshow' && Math.floor(t * switchHz) % 2 === 1));
    const sourceToImage = multiplyHomography(
      viewOf(pose(t), options),
      useSecond ? secondToPicture : toPicture,
    );
    frames.push({
      source: useSecond ? 1 : 0,
      toSource: [...invertHomography(sourceToImage)],
      ...(effects ? { effects: effects(t) } : {}),
      noise: NOISE,
    });
  }
  return frames;
}
