export type CameraProblem =
  'unsupported' | 'denied' | 'not_found' | 'in_use' | 'stopped' | 'unknown';

// Kept here, not in ui/text: CameraError's message is shown as is, and lib/state passes it on as
// the stopped attempt's reason and in the enrollment's notice.
export const CAMERA_MESSAGES: Record<CameraProblem, string> = {
  unsupported:
    'This browser cannot use a camera here. Open facegate in a recent Chrome, Edge or Firefox, over https or localhost.',
  denied:
    'Camera access was refused. Allow the camera for this site in the address bar (camera icon), then press Try again.',
  not_found: 'No camera was found. Connect a camera, then press Try again.',
  in_use: 'The camera is busy in another application or tab. Close it there, then press Try again.',
  stopped:
    'The camera stopped (unplugged, or taken by another app). Reconnect it and press Try again.',
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

/** Asks for the front camera at 640x480 (the size the detector and the benchmarks assume). */
export async function requestCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('unsupported');
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
    });
  } catch (error) {
    const problem = classify(error);
    throw new CameraError(problem, problem === 'unknown' ? String(error) : undefined);
  }
}

/**
 * Shows `stream` in `video` and resolves once the first frame is there; rejects (AbortError) when
 * `signal` aborts first, so a caller that gave up on this video is never left waiting for a frame.
 */
export async function attachCamera(
  video: HTMLVideoElement,
  stream: MediaStream,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  if (video.srcObject !== stream) video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  signal?.throwIfAborted();
  if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) return;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      video.removeEventListener('loadeddata', loaded);
      signal?.removeEventListener('abort', aborted);
    };
    const loaded = () => {
      done();
      resolve();
    };
    const aborted = () => {
      done();
      reject(
        signal?.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError'),
      );
    };
    video.addEventListener('loadeddata', loaded);
    signal?.addEventListener('abort', aborted);
  });
}

/** Starts the front camera in `video` (requestCamera, then attachCamera). */
export async function openCamera(video: HTMLVideoElement): Promise<MediaStream> {
  const stream = await requestCamera();
  await attachCamera(video, stream);
  return stream;
}

/** The stream still delivers: it has a video track and none has ended. */
export function isLive(stream: MediaStream | null): stream is MediaStream {
  const tracks = stream?.getVideoTracks() ?? [];
  return tracks.length > 0 && tracks.every((t) => t.readyState === 'live');
}

export function closeCamera(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
