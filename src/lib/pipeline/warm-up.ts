import type { FaceDetectorHandle } from '../vision/detector';
import { MESH_INPUT, type FaceLandmarkerHandle } from '../vision/landmarker';

/**
 * One run of the detector and the landmark model on a blank image before the first frame: their
 * first run pays wasm start-up and (on a GPU) shader compilation, which would otherwise land on
 * the first frame of the first unlock.
 */
export async function warmUp(
  detector: FaceDetectorHandle,
  landmarker: FaceLandmarkerHandle,
): Promise<void> {
  const blank = new OffscreenCanvas(MESH_INPUT, MESH_INPUT);
  const ctx = blank.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#808080';
  ctx.fillRect(0, 0, MESH_INPUT, MESH_INPUT);
  detector.detect(blank, MESH_INPUT, MESH_INPUT);
  await landmarker.estimate(blank, { a: 1, b: 0, tx: 0, ty: 0 });
}
