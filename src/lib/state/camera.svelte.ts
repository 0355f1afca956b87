import { CameraError, closeCamera, openCamera, CAMERA_MESSAGES } from '../vision/camera';
import { createFaceDetector, type FaceDetectorHandle } from '../vision/detector';
import { analyzeFrame, type FrameAnalysis } from '../vision/frame-analysis';
import { createFaceLandmarker, type FaceLandmarkerHandle } from '../vision/landmarker';
import { RollingStats } from '../math/rolling-stats';

export type CameraStatus = 'idle' | 'loading' | 'running' | 'error';

/** Owns the camera, the detector and the per-frame loop; screens only read its fields. */
export class CameraSession {
  status = $state<CameraStatus>('idle');
  error = $state<string | null>(null);
  analysis = $state.raw<FrameAnalysis | null>(null);
  fps = $state(0);
  detectMs = $state(0);
  landmarkMs = $state(0);
  alignMs = $state(0);
  frameSize = $state({ width: 0, height: 0 });

  private stream: MediaStream | null = null;
  private detector: FaceDetectorHandle | null = null;
  private landmarker: FaceLandmarkerHandle | null = null;
  private video: HTMLVideoElement | null = null;
  private running = false;
  private readonly stats = new RollingStats(30);
  // Not reactive state: listeners are plumbing, never rendered.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly listeners = new Set<
    (analysis: FrameAnalysis, video: HTMLVideoElement) => void
  >();

  async start(video: HTMLVideoElement): Promise<void> {
    if (this.status === 'loading' || this.status === 'running') return;
    this.video = video;
    this.status = 'loading';
    this.error = null;
    try {
      this.detector ??= await createFaceDetector(import.meta.env.BASE_URL);
      this.landmarker ??= await createFaceLandmarker(import.meta.env.BASE_URL);
      this.stream = await openCamera(video);
    } catch (error) {
      this.status = 'error';
      this.error = error instanceof Error ? error.message : CAMERA_MESSAGES.unknown;
      if (!(error instanceof CameraError)) console.error(error);
      return;
    }
    this.status = 'running';
    this.running = true;
    this.scheduleNext();
  }

  stop(): void {
    this.running = false;
    closeCamera(this.stream);
    this.stream = null;
    if (this.video) this.video.srcObject = null;
    // A stopped camera shows nothing rather than its last, stale face.
    this.analysis = null;
    if (this.status === 'running') this.status = 'idle';
  }

  /** Later stages (enrollment, verification) subscribe to analysed frames. */
  onFrame(listener: (analysis: FrameAnalysis, video: HTMLVideoElement) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private scheduleNext(): void {
    const video = this.video;
    if (!this.running || !video) return;
    if ('requestVideoFrameCallback' in video) {
      video.requestVideoFrameCallback(() => void this.tick());
    } else {
      requestAnimationFrame(() => void this.tick());
    }
  }

  private async tick(): Promise<void> {
    const video = this.video;
    const detector = this.detector;
    const landmarker = this.landmarker;
    if (!this.running || !video || !detector || !landmarker) return;
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (width > 0 && height > 0) {
      try {
        // The next frame is asked for only after this one is done: frames that arrive meanwhile
        // are dropped, never queued.
        const analysis = await analyzeFrame(detector, landmarker, video, width, height, {
          previousMesh: this.analysis?.mesh ?? null,
        });
        if (!this.running) return;
        this.stats.frame(performance.now(), analysis.timings);
        this.analysis = analysis;
        this.frameSize = { width, height };
        this.fps = this.stats.fps();
        this.detectMs = this.stats.median('detectMs');
        this.landmarkMs = this.stats.median('landmarkMs');
        this.alignMs = this.stats.median('alignMs');
        for (const listener of this.listeners) listener(analysis, video);
      } catch (error) {
        console.error(error);
        this.error = `Face processing failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    this.scheduleNext();
  }
}
