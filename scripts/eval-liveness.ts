/**
 * Liveness, measured as ISO/IEC 30107-3 does: APCER (attacks wrongly accepted as live) per attack
 * type, BPCER (live people wrongly refused), with the attempt counts each rests on.
 *
 *   npm run eval-liveness -- [--videos ../shared/data/videos] [--videos DIR2 ...]
 *     [--attack-videos DIR] [--mode challenge|passive] [--photos ../shared/data/lfw]
 *     [--people 175] [--video-photos 3] [--seconds 6] [--fps 10] [--step 1] [--seed 1]
 *     [--limit N] [--types still,moved,swung,screen,cut,slideshow] [--json docs/eval-liveness.json]
 *
 * Genuine attempts: every --videos video (mp4, webm, mov, mkv, avi; one live person each; the flag
 * repeats or takes a comma list) is cut into windows of --seconds, one starting every --step
 * seconds (a shorter video is one attempt). Recorded attacks: every window of every
 * --attack-videos video (a face on a phone or a monitor held to a camera) is an attack, `replay`.
 *
 * --mode challenge (the app's): the screen asks for a head turn to a side drawn at random per
 * attempt (src/lib/decisions/head-turn-challenge.ts); a genuine window answers with a stretch of
 * its own video that turns that way and back, after a human reaction time
 * (scripts/lib/liveness-challenge.ts); a video with no such stretch is counted in
 * `cannot_answer`, never dropped. Attacks play on as they are. --mode passive scores the passive
 * cues alone (blink, lips, parallax: src/lib/decisions/liveness.ts), for comparison.
 * Attacks (made here, from those files only): --video-photos frames of each video and the first
 * photo of --people LFW-layout people with two photos or more (a seeded draw), each shown as a
 * still print, moved by hand, swung up to +-35 degrees, on a screen (gamma, moire, glare), and cut
 * to the person's second photo (scripts/lib/attacks.ts). Every frame goes through the app's own
 * front end in Chromium at --fps, and the app's own LivenessCheck decides. An attack lasts
 * --seconds, the app's LIVENESS_LIMIT_MS: as long as the app lets a face try.
 *
 * Meshes are cached under .cache/liveness (keyed by the front end, the points kept and every
 * frame's parameters), so re-scoring after a rule change takes seconds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFlags } from './lib/cli.ts';
import {
  LIVENESS_LIMIT_MS,
  LIVENESS_RULES,
  type LivenessEvidence,
} from '../src/lib/decisions/liveness.ts';
import { ATTACK_TYPES, DEFAULT_ATTACK_OPTIONS, type AttackType } from './lib/attacks.ts';
import { median } from './lib/dataset.ts';
import { buildLivenessSet, type Sequence } from './lib/liveness-set.ts';
import { genuineAttempts, runAttempt, type AttemptResult } from './lib/liveness-score.ts';
import {
  CHALLENGE_RULES,
  drawSide,
  type ChallengeRules,
} from '../src/lib/decisions/head-turn-challenge.ts';
import { seededRandom } from '../src/lib/math/seeded-random.ts';
import {
  answerStretches,
  challengeAttack,
  challengeGenuine,
  type ChallengeResult,
  type Policy,
} from './lib/liveness-challenge.ts';

export type LivenessMode = 'challenge' | 'passive';

export interface LivenessEvalArgs {
  videos: string[];
  attackVideos: string[];
  mode: LivenessMode;
  photos: string;
  people: number;
  videoPhotos: number;
  seconds: number;
  fps: number;
  step: number;
  seed: number;
  limit: number;
  types: AttackType[];
  json: string | null;
}

function positive(spec: string, what: string, integer: boolean): number {
  const n = Number(spec);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    throw new Error(`--${what} must be a positive ${integer ? 'integer' : 'number'}, got ${spec}`);
  }
  return n;
}

const USAGE =
  'npm run eval-liveness -- [--videos ../shared/data/videos] [--videos DIR2] ' +
  '[--attack-videos DIR] [--mode challenge|passive] [--photos ../shared/data/lfw] ' +
  '[--people 175] [--video-photos 3] [--seconds 6] [--fps 10] [--step 1] [--seed 1] [--limit N] ' +
  '[--types still,moved,swung,screen,cut,slideshow] [--json docs/eval-liveness.json]';

const folders = (values: string[] | undefined): string[] =>
  (values ?? [])
    .flatMap((v) => v.split(','))
    .filter((v) => v.trim() !== '')
    .map((v) => resolve(v));

export function parseLivenessArgs(argv: string[]): LivenessEvalArgs {
  const values = parseFlags(
    USAGE,
    {
      videos: { type: 'string', multiple: true, default: ['../shared/data/videos'] },
      'attack-videos': { type: 'string', multiple: true },
      mode: { type: 'string', default: 'challenge' },
      photos: { type: 'string', default: '../shared/data/lfw' },
      people: { type: 'string', default: '175' },
      'video-photos': { type: 'string', default: '3' },
      seconds: { type: 'string', default: String(LIVENESS_LIMIT_MS / 1000) },
      fps: { type: 'string', default: String(DEFAULT_ATTACK_OPTIONS.fps) },
      step: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      limit: { type: 'string' },
      types: { type: 'string', default: ATTACK_TYPES.join(',') },
      json: { type: 'string' },
    },
    argv,
  );
  if (values.mode !== 'challenge' && values.mode !== 'passive') {
    throw new Error(`--mode takes challenge or passive; got ${values.mode}`);
  }
  return {
    videos: folders(values.videos),
    attackVideos: folders(values['attack-videos']),
    mode: values.mode,
    photos: resolve(values.photos),
    people: positive(values.people, 'people', true),
    videoPhotos: positive(values['video-photos'], 'video-photos', true),
    seconds: positive(values.seconds, 'seconds', false),
    fps: positive(values.fps, 'fps', false),
    step: positive(values.step, 'step', false),
    seed: positive(values.seed, 'seed', true),
    limit: values.limit === undefined ? Infinity : positive(values.limit, 'limit', true),
    types: values.types.split(',').map((t) => {
      const type = t.trim() as AttackType;
      if (!ATTACK_TYPES.includes(type)) {
        throw new Error(`--types takes ${ATTACK_TYPES.join(', ')}; got ${t}`);
      }
      return type;
    }),
    json: values.json ?? null,
  };
}

const CUES: (keyof LivenessEvidence)[] = ['blink', 'mouth', 'parallax'];
const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;
const ATTACK_KINDS = [...ATTACK_TYPES, 'replay'] as const;

/** One attempt as scored in either mode (challenge fields null in passive mode). */
export interface ScoredAttempt extends AttemptResult {
  side: ChallengeResult['side'] | null;
  cannotAnswer: boolean;
  turn: number | null;
  turnParallax: number | null;
}

/** The person behind a sequence: the video, or the video an attack photo was taken from. */
export function personOf(label: string): string {
  const video = label.split('#')[0]!;
  // Two clips of videos-wild may be one man (its README): one person for the held-out folds.
  return video === 'vox-741400163' ? 'vox-741400104' : video;
}

export function summarise(results: readonly ScoredAttempt[], args: LivenessEvalArgs) {
  const genuine = results.filter((r) => r.kind === 'genuine');
  const answered = genuine.filter((r) => !r.cannotAnswer);
  const attacks = (type: string) => results.filter((r) => r.kind === type);
  const rate = (xs: readonly ScoredAttempt[], live: boolean) =>
    xs.length === 0 ? null : round(xs.filter((r) => r.live === live).length / xs.length);
  const apcer = Object.fromEntries(ATTACK_KINDS.map((t) => [t, rate(attacks(t), true)]));
  const attempts = {
    genuine: genuine.length,
    ...Object.fromEntries(ATTACK_KINDS.map((t) => [t, attacks(t).length])),
  };
  const passMs = answered.flatMap((r) => (r.liveMs === null ? [] : [r.liveMs]));
  // How close the attacks came to each cue's threshold: the margin the rules keep.
  const attackMax = Object.fromEntries(
    ATTACK_KINDS.map((t) => [
      t,
      {
        ...Object.fromEntries(
          CUES.map((c) => [c, round(Math.max(0, ...attacks(t).map((r) => r.evidence[c])))]),
        ),
        ...(args.mode === 'challenge'
          ? { turn_parallax: round(Math.max(0, ...attacks(t).map((r) => r.turnParallax ?? 0))) }
          : {}),
      },
    ]),
  );
  const videos = [...new Set(genuine.map((r) => r.label))];
  const cannot = genuine.filter((r) => r.cannotAnswer);
  return {
    mode: args.mode,
    apcer,
    // In challenge mode, of the windows whose footage could answer the side asked.
    bpcer: rate(answered, false),
    bpcer_all_windows: rate(genuine, false),
    attempts,
    cannot_answer: {
      windows: cannot.length,
      videos: [...new Set(cannot.map((r) => r.label))],
    },
    live_pass_ms_median: passMs.length ? Math.round(median(passMs)) : null,
    live_pass_ms_p90: passMs.length
      ? Math.round([...passMs].sort((a, b) => a - b)[Math.floor(0.9 * (passMs.length - 1))]!)
      : null,
    live_by_cue: Object.fromEntries(
      [...CUES, 'turn'].map((c) => [c, genuine.filter((r) => r.cue === c).length]),
    ),
    attack_evidence_max: attackMax,
    rules: args.mode === 'challenge' ? CHALLENGE_RULES : LIVENESS_RULES,
    per_video: Object.fromEntries(
      videos.map((v) => {
        const own = genuine.filter((r) => r.label === v);
        return [
          v,
          {
            attempts: own.length,
            refused: own.filter((r) => !r.live && !r.cannotAnswer).length,
            cannot_answer: own.filter((r) => r.cannotAnswer).length,
          },
        ];
      }),
    ),
    attacks_passed: results
      .filter((r) => r.kind !== 'genuine' && r.live)
      .map((r) => ({ type: r.kind, photo: r.label, cue: r.cue, start: r.start })),
    setup: {
      videos: args.videos,
      attack_videos: args.attackVideos,
      photos: args.photos,
      people: args.people,
      video_photos: args.videoPhotos,
      seconds: args.seconds,
      fps: args.fps,
      step: args.step,
      seed: args.seed,
      limit: Number.isFinite(args.limit) ? args.limit : null,
      types: args.types,
    },
  };
}

const passive = (r: AttemptResult): ScoredAttempt => ({
  ...r,
  side: null,
  cannotAnswer: false,
  turn: null,
  turnParallax: null,
});

function fromChallenge(
  c: ChallengeResult,
  meta: { kind: Sequence['kind']; label: string; start: number },
): ScoredAttempt {
  return {
    ...meta,
    live: c.live,
    liveMs: c.liveMs,
    cue: c.cue,
    evidence: { blink: 0, mouth: 0, parallax: 0 },
    side: c.side,
    cannotAnswer: c.cannotAnswer,
    turn: round(c.turn, 2),
    turnParallax: round(c.maxParallax),
  };
}

/** Windows of a whole recording, as genuineAttempts cuts them: the first frame of each. */
function windowStarts(sequence: Sequence, seconds: number, step: number): number[] {
  const frames = sequence.frames;
  const duration = frames.length > 0 ? frames[frames.length - 1]!.t : 0;
  const starts: number[] = [];
  for (let start = 0; start === 0 || start + seconds <= duration + 1e-9; start += step) {
    const first = frames.findIndex((f) => f.t >= start - 1e-9);
    if (first >= 0) starts.push(first);
  }
  return starts;
}

export function scoreSet(
  sequences: readonly Sequence[],
  args: LivenessEvalArgs,
  challengeRules: ChallengeRules = CHALLENGE_RULES,
  policy: Policy = 'passive-or-turn',
): ScoredAttempt[] {
  const results: ScoredAttempt[] = [];
  if (args.mode === 'passive') {
    for (const s of sequences) {
      if (s.kind === 'genuine' || s.kind === 'replay') {
        const windows = genuineAttempts(s, LIVENESS_RULES, args.seconds, args.step);
        results.push(...windows.map((r) => passive({ ...r, kind: s.kind })));
      } else {
        results.push(
          passive(runAttempt(s.frames, LIVENESS_RULES, { kind: s.kind, label: s.label, start: 0 })),
        );
      }
    }
    return results;
  }
  // One seeded draw per attempt, in a fixed order: the same run asks the same sides.
  const random = seededRandom(args.seed * 7919 + 1);
  const limitMs = args.seconds * 1000;
  for (const s of sequences) {
    if (s.kind === 'genuine') {
      const stretches = {
        left: answerStretches(s.frames, 'left'),
        right: answerStretches(s.frames, 'right'),
      };
      for (const from of windowStarts(s, args.seconds, args.step)) {
        const side = drawSide(random);
        const meta = { kind: s.kind, label: s.label, start: round(s.frames[from]!.t, 2) };
        results.push(
          fromChallenge(
            challengeGenuine(
              s.frames,
              from,
              side,
              challengeRules,
              stretches[side],
              limitMs,
              policy,
            ),
            meta,
          ),
        );
      }
    } else if (s.kind === 'replay') {
      for (const from of windowStarts(s, args.seconds, args.step)) {
        const side = drawSide(random);
        const window = s.frames.slice(from);
        const meta = { kind: s.kind, label: s.label, start: round(s.frames[from]!.t, 2) };
        results.push(
          fromChallenge(challengeAttack(window, side, challengeRules, limitMs, policy), meta),
        );
      }
    } else {
      const side = drawSide(random);
      const meta = { kind: s.kind, label: s.label, start: 0 };
      results.push(
        fromChallenge(challengeAttack(s.frames, side, challengeRules, limitMs, policy), meta),
      );
    }
  }
  return results;
}

/** A stable half of the photos, by name, for the held-out check. */
function fold(label: string): 0 | 1 {
  let h = 0;
  for (const c of label) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return (h & 1) as 0 | 1;
}

/**
 * Passive mode: how much the thresholds are fitted to this set: each cue's threshold set just
 * above the largest value the attacks of one half of the photos reached, then the other half's
 * attacks and all the genuine attempts scored with it. (The steadiness limits stay as shipped.)
 */
export function heldOutPassive(sequences: readonly Sequence[], args: LivenessEvalArgs) {
  const never = { ...LIVENESS_RULES, blink: Infinity, mouth: Infinity, parallax: Infinity };
  const attacks = sequences.filter((s) => s.kind !== 'genuine' && s.kind !== 'replay');
  const peaks = attacks.map((s) => ({
    sequence: s,
    evidence: runAttempt(s.frames, never, { kind: s.kind, label: s.label, start: 0 }).evidence,
  }));
  return ([0, 1] as const).map((fitOn) => {
    const fitted = { ...LIVENESS_RULES };
    for (const c of CUES) {
      const top = Math.max(
        0,
        ...peaks.filter((p) => fold(p.sequence.label) === fitOn).map((p) => p.evidence[c]),
      );
      fitted[c] = Math.round((top + 0.001) * 1000) / 1000;
    }
    const results: ScoredAttempt[] = [];
    for (const s of sequences) {
      if (s.kind === 'genuine')
        results.push(...genuineAttempts(s, fitted, args.seconds, args.step).map(passive));
      else if (s.kind !== 'replay' && fold(s.label) !== fitOn) {
        results.push(
          passive(runAttempt(s.frames, fitted, { kind: s.kind, label: s.label, start: 0 })),
        );
      }
    }
    const summary = summarise(results, args);
    return {
      fitted_on_half: fitOn,
      thresholds: Object.fromEntries(CUES.map((c) => [c, fitted[c]])),
      apcer_other_half: summary.apcer,
      attempts_other_half: summary.attempts,
      bpcer: summary.bpcer,
    };
  });
}

/** Just above the largest turn parallax any of these attacks reached, whichever side was asked. */
export function parallaxAbove(
  attacks: readonly Sequence[],
  rules: ChallengeRules,
  limitMs: number,
): number {
  const open = { ...rules, parallax: Infinity };
  let top = 0;
  for (const s of attacks) {
    for (const side of ['left', 'right'] as const) {
      top = Math.max(top, challengeAttack(s.frames, side, open, limitMs, 'turn').maxParallax);
    }
  }
  return Math.ceil((top + 0.002) * 1000) / 1000;
}

/**
 * Challenge mode, leave one person out: for each genuine person, the turn-parallax threshold is
 * chosen (parallaxAbove) on the attacks made from everyone else's photos and frames, then that
 * person's windows and the attacks made from their own frames are scored with it. Reports each
 * held-out person's threshold, refusals, attacks passed and margin (their median turn parallax
 * over the threshold).
 */
export function heldOutChallenge(sequences: readonly Sequence[], args: LivenessEvalArgs) {
  const limitMs = args.seconds * 1000;
  const attacks = sequences.filter((s) => s.kind !== 'genuine');
  const people = [
    ...new Set(sequences.filter((s) => s.kind === 'genuine').map((s) => personOf(s.label))),
  ];
  const rows = people.map((person) => {
    const others = attacks.filter((s) => personOf(s.label) !== person);
    const threshold = parallaxAbove(others, CHALLENGE_RULES, limitMs);
    const rules = { ...CHALLENGE_RULES, parallax: threshold };
    const own = sequences.filter((s) => personOf(s.label) === person);
    const scored = scoreSet(own, args, rules);
    const genuine = scored.filter((r) => r.kind === 'genuine' && !r.cannotAnswer);
    const turns = genuine.flatMap((r) => (r.turnParallax ? [r.turnParallax] : []));
    return {
      person,
      threshold,
      windows: genuine.length,
      refused: genuine.filter((r) => !r.live).length,
      own_attacks: scored.filter((r) => r.kind !== 'genuine').length,
      own_attacks_passed: scored.filter((r) => r.kind !== 'genuine' && r.live).length,
      median_turn_parallax: turns.length ? round(median(turns)) : null,
      margin: turns.length ? round(median(turns) - threshold) : null,
    };
  });
  const windows = rows.reduce((n, r) => n + r.windows, 0);
  const refused = rows.reduce((n, r) => n + r.refused, 0);
  return {
    method:
      'leave one person out: turn-parallax threshold just above every attack not made from the held-out person, then that person scored',
    bpcer_held_out: windows ? round(refused / windows) : null,
    own_attacks_passed: rows.reduce((n, r) => n + r.own_attacks_passed, 0),
    thresholds: {
      min: Math.min(...rows.map((r) => r.threshold)),
      max: Math.max(...rows.map((r) => r.threshold)),
    },
    per_person: rows,
  };
}

function table(summary: ReturnType<typeof summarise>): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(1)} %`);
  const lines = ['| attempts | kind | error |', '|---|---|---|'];
  for (const t of ATTACK_KINDS) {
    lines.push(
      `| ${summary.attempts[t as keyof typeof summary.attempts]} | attack: ${t} | APCER ${pct(summary.apcer[t] ?? null)} |`,
    );
  }
  lines.push(
    `| ${summary.attempts.genuine} | live (genuine videos, ${summary.mode}) | BPCER ${pct(summary.bpcer)} (cannot answer: ${summary.cannot_answer.windows}) |`,
  );
  return lines.join('\n');
}

async function main() {
  const args = parseLivenessArgs(process.argv.slice(2));
  const started = Date.now();
  const sequences = await buildLivenessSet({
    videos: args.videos,
    attackVideos: args.attackVideos,
    photos: args.photos,
    people: args.people,
    videoPhotos: args.videoPhotos,
    seed: args.seed,
    limit: args.limit,
    types: args.types,
    attack: { ...DEFAULT_ATTACK_OPTIONS, fps: args.fps, seconds: args.seconds },
  });
  const summary = {
    ...summarise(scoreSet(sequences, args), args),
    held_out: args.mode === 'challenge' ? null : heldOutPassive(sequences, args),
    held_out_people: args.mode === 'challenge' ? heldOutChallenge(sequences, args) : null,
    // The Strict level: the requested turn alone shows life (blinks and lips do not count).
    strict_turn_only:
      args.mode === 'challenge'
        ? (() => {
            const s = summarise(scoreSet(sequences, args, CHALLENGE_RULES, 'turn'), args);
            return {
              apcer: s.apcer,
              bpcer: s.bpcer,
              bpcer_all_windows: s.bpcer_all_windows,
              cannot_answer: s.cannot_answer,
              live_pass_ms_median: s.live_pass_ms_median,
              attacks_passed: s.attacks_passed,
            };
          })()
        : null,
  };
  console.log(table(summary));
  console.log(
    `live: median ${summary.live_pass_ms_median} ms to pass (p90 ${summary.live_pass_ms_p90} ms); by cue ${JSON.stringify(summary.live_by_cue)}`,
  );
  for (const h of summary.held_out ?? []) {
    console.log(
      `held out: thresholds from half ${h.fitted_on_half} ${JSON.stringify(h.thresholds)} -> other half APCER ${JSON.stringify(h.apcer_other_half)}, BPCER ${h.bpcer}`,
    );
  }
  if (summary.strict_turn_only) {
    const t = summary.strict_turn_only;
    console.log(
      `Strict (turn only): APCER ${JSON.stringify(t.apcer)}, BPCER ${t.bpcer} (cannot answer ${t.cannot_answer.windows}), median ${t.live_pass_ms_median} ms`,
    );
  }
  const lopo = summary.held_out_people;
  if (lopo) {
    console.log(
      `held out by person: BPCER ${lopo.bpcer_held_out}, own attacks passed ${lopo.own_attacks_passed}, thresholds ${lopo.thresholds.min}-${lopo.thresholds.max}`,
    );
  }
  console.log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  if (args.json) {
    mkdirSync(dirname(resolve(args.json)), { recursive: true });
    writeFileSync(args.json, `${JSON.stringify(summary, null, 2)}\n`);
    console.log(`wrote ${args.json}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
