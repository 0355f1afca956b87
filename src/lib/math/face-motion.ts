import { applySimilarity, estimateSimilarity, similarityScale } from './align';
import { meshAlignmentPoints, MESH, type FaceMesh } from './face-mesh';
import type { DetectedFace } from './face-select';

/**
 * Between two detector runs the camera follows the face by its mesh alone (as MediaPipe's face
 * landmarker does): the last detections are carried along by the motion of the tracked mesh, so
 * the box, keypoints and face count the quality gate reads stay the detector's kind.
 */
export function meshMotion(previous: FaceMesh, current: FaceMesh) {
  return estimateSimilarity(
    meshAlignmentPoints(previous.points),
    meshAlignmentPoints(current.points),
  );
}

/** `face` moved by the similarity `motion` (box centre and keypoints mapped, size scaled). */
export function moveFace(face: DetectedFace, motion: ReturnType<typeof meshMotion>): DetectedFace {
  const k = similarityScale(motion);
  const { x, y, width, height } = face.box;
  const [cx, cy] = applySimilarity(motion, [x + width / 2, y + height / 2]);
  return {
    score: face.score,
    box: {
      x: cx - (width * k) / 2,
      y: cy - (height * k) / 2,
      width: width * k,
      height: height * k,
    },
    keypoints: face.keypoints.map((p) => applySimilarity(motion, p)),
  };
}

/** Whether `face`'s box holds the mesh's nose tip: the mesh is that detection's face. */
export function meshInBox(face: DetectedFace, mesh: FaceMesh): boolean {
  const nose = mesh.points[MESH.noseTip];
  if (!nose) return false;
  const { x, y, width, height } = face.box;
  return nose[0] >= x && nose[0] <= x + width && nose[1] >= y && nose[1] <= y + height;
}

/** The detection the mesh belongs to: the one whose box holds its nose tip. */
export function faceOfMesh(faces: readonly DetectedFace[], mesh: FaceMesh): DetectedFace | null {
  return faces.find((face) => meshInBox(face, mesh)) ?? null;
}
