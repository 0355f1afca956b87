export type CameraProblem = 'unsupported' | 'denied' | 'not_found' | 'in_use' | 'unknown';

export const CAMERA_MESSAGES: Record<CameraProblem, string> = {
  unsupported:
    'This browser cannot use a camera here. Open facegate in a recent Chrome, Edge or Firefox, over https or localhost.',
  denied:
    'Camera access was refused. Allow the camera for this site in the address bar (camera icon), then press Try again.',
  not_found: 'No camera was found. Connect a camera, then press Try again.',
  in_use: 'The camera is busy in another application or tab. Close it there, then press Try again.',
  unknown: 'The camera could not be started.',
};

export class CameraError extends Error {
  override name = 'CameraError';
  constructor(
    readonly problem: CameraProblem,
    detail?: string,
  ) {
    super(detail ? `${CAMERA_MESSAGES[problem]} (${detail})` : CAMERA_MESSAGES[problem]);
  }
}

function classify(error: unknown): CameraProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return 'not_found';
    case 'NotReadableError':
    case 'AbortError':
    case 'TrackStartError':
      return 'in_use';
    default:
      return 'unknown';
  }
}

/** Starts the front camera at 640x480 (the size the detector and the benchmarks assume). */
export async function openCamera(video: HTMLVideoElement): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('unsupported');
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
    });
  } catch (error) {
    const problem = classify(error);
    throw new CameraError(problem, problem === 'unknown' ? String(error) : undefined);
  }
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
    await new Promise<void>((resolve) =>
      video.addEventListener('loadeddata', () => resolve(), { once: true }),
    );
  }
  return stream;
}

export function closeCamera(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
