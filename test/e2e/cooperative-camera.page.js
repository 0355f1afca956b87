// The cooperative camera's page side, added by cooperative-camera.ts as an init script after
// `window.__coopConfig = {...}`. navigator.mediaDevices.getUserMedia gives a canvas stream of a
// real person's webcam-like frames (640x480, served under /__coop/), and a controller picks what
// the person does from what the screen asks: on Enroll the view of `data-step-id`; on Unlock a
// head turn while `data-challenge` asks for one; near-frontal footage otherwise. Each change is
// answered after a human reaction time. Plain JS: it runs in the page as written.
(() => {
  const cfg = window.__coopConfig;
  if (!cfg || window.__coop) return;
  const W = cfg.width;
  const H = cfg.height;
  const state = {
    video: cfg.start,
    /** What the screen asks now, and what the person is doing. */
    target: 'frontal',
    switchAt: null,
    seq: null,
    /** Every change of what is played: { t (ms, performance.now), video, want, cannot }. */
    log: [],
    frame: -1,
    drawn: 0,
    choosing: false,
    alive: false,
    looking: false,
    /** The request's renewals count (verify-status data-challenge-renewals) while one is asked. */
    renewals: undefined,
    fresh: false,
    lastTick: null,
    waitingSince: null,
  };
  /** The longest the playback waits for one frame to be decoded (ms). */
  const MAX_WAIT_MS = 300;
  let canvas = null;
  let ctx = null;
  let timer = null;
  const blobs = new Map();
  const bitmaps = new Map();

  const url = (video, i) => `${cfg.videos[video].url}/${String(i + 1).padStart(5, '0')}.jpg`;
  const blob = (u) => {
    let b = blobs.get(u);
    if (!b) {
      b = fetch(u).then((r) => {
        if (!r.ok) throw new Error(`${u}: ${r.status}`);
        return r.blob();
      });
      blobs.set(u, b);
    }
    return b;
  };

  const readWant = () => {
    const enroll = document.querySelector('[data-testid="enroll-capturing"]');
    if (enroll) {
      // The enrollment waits for its engine: the person faces the camera until asked for a view.
      if (enroll.classList.contains('waiting')) return 'frontal';
      // Asked for a sign of life: the person blinks and moves as filmed, until the screen has it.
      const guidance = document.querySelector('[data-testid="enroll-guidance"]');
      const say = guidance ? guidance.getAttribute('data-say') : null;
      const asked = say === 'liveness_ask' || say === 'not_live';
      state.alive = enroll.getAttribute('data-live') === 'no' && (state.alive || asked);
      if (state.alive) return 'alive';
      return enroll.getAttribute('data-step-id') || 'frontal';
    }
    const status = document.querySelector('[data-testid="verify-status"]');
    if (!status) return 'frontal';
    const challenge = status.getAttribute('data-challenge');
    if (challenge === 'left' || challenge === 'right') {
      // Asked again after a turn too flat to count: the person turns again, as asked.
      const renewals = status.getAttribute('data-challenge-renewals');
      if (state.renewals !== undefined && renewals !== state.renewals) state.fresh = true;
      state.renewals = renewals;
      return `challenge-${challenge}`;
    }
    state.renewals = undefined;
    const looking = status.getAttribute('data-status') === 'looking';
    // A new attempt: the person looks at the camera afresh, as filmed facing it.
    if (looking && !state.looking) state.fresh = true;
    state.looking = looking;
    return 'facing';
  };

  const start = (want, now, chosen) => {
    const playbacks = cfg.videos[state.video].playbacks;
    let playing = want;
    let playback = chosen !== undefined ? chosen : playbacks[want] || null;
    const cannot = playback === null;
    if (cannot) {
      // The footage has no such stretch: the person plays on as if facing the camera.
      playing = want.startsWith('challenge-') ? 'facing' : 'frontal';
      playback = playbacks[playing];
    }
    state.seq = { want: playing, asked: want, playback, start: now };
    state.log.push({ t: Math.round(now), video: state.video, want, cannot });
  };

  /** The straight sample's pose the enrollment recorded (the turns are measured from it). */
  const straightPose = () => {
    const enroll = document.querySelector('[data-testid="enroll-capturing"]');
    try {
      const poses = JSON.parse((enroll && enroll.getAttribute('data-sample-poses')) || '[]');
      return poses[0] || null;
    } catch {
      return null;
    }
  };

  /**
   * Starts what `want` asks; a view measured from the straight sample is found for the pose the
   * app recorded (by the script, window.__coopChoose), meanwhile the last stretch plays on.
   */
  const begin = (want, now) => {
    const straight = straightPose();
    if (!['left', 'right', 'nod'].includes(want) || !straight || !window.__coopChoose) {
      start(want, now);
      return;
    }
    state.choosing = true;
    const video = state.video;
    window
      .__coopChoose(video, want, straight)
      .then((playback) => {
        if (state.video === video && state.target === want)
          start(want, performance.now(), playback);
      })
      .catch((error) => console.error(`cooperative camera: ${error}`))
      .finally(() => {
        state.choosing = false;
      });
  };

  /** The frame `seq` shows at time `t`, or null once it has played out (no loop). No effects. */
  const peek = (seq, t) => {
    const fps = cfg.videos[state.video].fps;
    const { frames, loop } = seq.playback;
    let k = Math.max(0, Math.floor(((t - seq.start) * fps) / 1000));
    if (k < frames.length) return frames[k];
    if (!loop) return null;
    if (loop.length === 0) return frames[frames.length - 1];
    k -= frames.length;
    return loop[k % loop.length];
  };

  const frameAt = (now) => {
    const i = peek(state.seq, now);
    if (i !== null) return i;
    // A head turn answered: facing the camera again.
    start(state.seq.want.startsWith('challenge-') ? 'facing' : 'frontal', now);
    return frameAt(now);
  };

  /** Fetches and decodes one frame of the video playing, once. */
  const decode = (i) => {
    const key = `${state.video}/${i}`;
    if (bitmaps.has(key)) return;
    bitmaps.set(key, null);
    blob(url(state.video, i))
      .then((b) => createImageBitmap(b))
      .then((bmp) => {
        bitmaps.set(key, bmp);
        // Only a few decoded frames are kept (the oldest go first, never the one on show).
        if (bitmaps.size > 90) {
          for (const [k, old] of bitmaps) {
            if (k === state.shown || k === key) continue;
            if (old) old.close();
            bitmaps.delete(k);
            if (bitmaps.size <= 60) break;
          }
        }
      })
      .catch((error) => console.error(`cooperative camera: ${error}`));
  };

  const tick = () => {
    const now = performance.now();
    const want = readWant();
    if (want !== state.target || state.fresh) {
      state.fresh = false;
      state.target = want;
      state.switchAt = now + cfg.reactionMs;
    }
    if (state.switchAt !== null && now >= state.switchAt && !state.choosing) {
      state.switchAt = null;
      begin(state.target, now);
    }
    // A head turn still asked for after the answer and 2 s facing the camera: turn again.
    if (
      state.target.startsWith('challenge-') &&
      state.switchAt === null &&
      state.seq.asked === 'facing' &&
      now - state.seq.start > 2000
    ) {
      start(state.target, now);
    }
    // A view asked for this long without the screen moving on: the person does it again.
    if (
      state.switchAt === null &&
      state.seq.asked === state.target &&
      !state.target.startsWith('challenge-') &&
      state.target !== 'frontal' &&
      state.target !== 'facing' &&
      state.target !== 'alive' &&
      !state.choosing &&
      now - state.seq.start > cfg.retryMs
    ) {
      begin(state.target, now);
    }
    const i = frameAt(now);
    const key = `${state.video}/${i}`;
    if (i !== state.frame) {
      state.frame = i;
      state.waitingSince = null;
      // Decode ahead: the next frames of what is playing, fetched further ahead.
      const fps = cfg.videos[state.video].fps;
      decode(i);
      for (let d = 1; d <= 8; d++) {
        const next = peek(state.seq, now + (d * 1000) / fps);
        if (next === null) break;
        if (d <= 4) decode(next);
        else void blob(url(state.video, next)).catch(() => {});
      }
    }
    // Redrawn every tick, so the stream never stalls while a frame is held.
    const bmp = bitmaps.get(key);
    if (bmp) {
      ctx.drawImage(bmp, 0, 0, W, H);
      state.drawn++;
      state.shown = key;
    } else {
      if (state.shown) {
        const last = bitmaps.get(state.shown);
        if (last) ctx.drawImage(last, 0, 0, W, H);
      }
      // Not decoded yet: the playback waits for it a little rather than skip it (a person's
      // movement has every in-between pose; frames skipped on a busy machine make a turn jump).
      state.waitingSince ??= now;
      if (state.lastTick !== null && now - state.waitingSince < MAX_WAIT_MS) {
        state.seq.start = now - Math.max(0, state.lastTick - state.seq.start);
      }
    }
    state.lastTick = now;
  };

  const ensure = () => {
    if (canvas) return;
    canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    ctx = canvas.getContext('2d');
    ctx.fillStyle = '#808080';
    ctx.fillRect(0, 0, W, H);
    start('frontal', performance.now());
    timer = setInterval(tick, Math.round(1000 / cfg.fps));
  };

  const media = navigator.mediaDevices;
  if (media) {
    media.getUserMedia = async (constraints) => {
      if (!constraints || !constraints.video)
        throw new DOMException('no video asked', 'NotFoundError');
      ensure();
      return canvas.captureStream(cfg.fps);
    };
  }

  window.__coop = {
    /** Another person in front of the camera (a stranger at the unlock), facing it. */
    use(video) {
      if (!cfg.videos[video]) throw new Error(`cooperative camera: no video ${video}`);
      state.video = video;
      state.frame = -1;
      const want = readWant();
      if (canvas)
        start(want === 'frontal' || want === 'facing' ? want : state.target, performance.now());
    },
    log: () => state.log.slice(),
    status: () => ({
      video: state.video,
      target: state.target,
      drawn: state.drawn,
      frame: state.frame,
    }),
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
})();
