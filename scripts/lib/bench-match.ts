/**
 * Time per probe of 1:N matching over 1k / 10k / 100k enrolled templates, for each way of doing
 * it that was considered (docs/IDENTIFY.md, "Packed 1:N matching"). Runs in Node (measureMatch)
 * and, bundled as it is, in Chromium (scripts/bench-match.ts): nothing here touches Node.
 *
 * Templates are seeded random unit vectors (Gaussian coordinates, 512-d as the model's); half the
 * probes are a template moved to cosine ~0.6 (a genuine user), half strangers.
 */
import {
  decideRanked,
  identify,
  normalize,
  type Enrolled,
  type SecurityLevel,
} from '../../src/lib/math/match.ts';
import {
  identifyThreshold,
  LEVEL_FAR,
  type CalibratedThresholds,
} from '../../src/lib/math/open-set.ts';
import { seededRandom } from '../../src/lib/math/seeded-random.ts';
import { TemplateMatrix } from '../../src/lib/math/template-matrix.ts';
import { unrolledDots } from '../../src/lib/math/match-kernel.ts';

export const DIM = 512;

/**
 * A float32 matrix-vector product with f32x4 SIMD, for comparison only (the app ships the int8
 * kernel, match-kernel.wat): out[r] = rows[r * dim ..] . probe, dim a multiple of 16.
 */
export const F32_KERNEL_WAT = `(module
  (memory (export "memory") 1)
  (func (export "dotsF32") (param $rows i32) (param $count i32) (param $dim i32) (param $probe i32) (param $out i32)
    (local $end i32) (local $rowEnd i32) (local $p i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.add (local.get $rows) (i32.mul (local.get $count) (i32.shl (local.get $dim) (i32.const 2)))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
        (local.set $rowEnd (i32.add (local.get $rows) (i32.shl (local.get $dim) (i32.const 2))))
        (local.set $p (local.get $probe))
        (local.set $a0 (v128.const f32x4 0 0 0 0)) (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0)) (local.set $a3 (v128.const f32x4 0 0 0 0))
        (loop $col
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $rows)) (v128.load (local.get $p)))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $rows)) (v128.load offset=16 (local.get $p)))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $rows)) (v128.load offset=32 (local.get $p)))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $rows)) (v128.load offset=48 (local.get $p)))))
          (local.set $rows (i32.add (local.get $rows) (i32.const 64)))
          (local.set $p (i32.add (local.get $p) (i32.const 64)))
          (br_if $col (i32.lt_u (local.get $rows) (local.get $rowEnd))))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (f32.store (local.get $out) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
          (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $row))))
)`;

export interface MatchBenchOptions {
  /** match F32_KERNEL_WAT compiled (the caller has wabt); without it that variant is skipped. */
  f32Wasm?: Uint8Array<ArrayBuffer>;
  /** Timed probes per variant and size (the median is kept); the per-person loop gets fewer. */
  runs?: number;
  seed?: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function gaussianUnit(random: () => number): Float32Array {
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) {
    const u = Math.max(random(), 1e-12);
    v[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return normalize(v);
}

function probes(people: readonly Enrolled[], random: () => number, n: number): Float32Array[] {
  return Array.from({ length: n }, (_, i) => {
    const stranger = gaussianUnit(random);
    if (i % 2 === 1) return stranger;
    const t = (people[Math.floor(random() * people.length)] as Enrolled).template;
    return normalize(t.map((x, j) => 0.6 * x + 0.8 * (stranger[j] as number)));
  });
}

/** Process CPU time in ms where the runtime tells it (Node), else null (browsers). */
function cpuMs(): number | null {
  const usage = (
    globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }
  ).process?.cpuUsage?.();
  return usage ? (usage.user + usage.system) / 1000 : null;
}

interface Timing {
  /** Median wall-clock ms per call. */
  wall: number;
  /** Median CPU ms per call (Node): what the call costs when it has a core to itself. */
  cpu: number | null;
}

/**
 * Median ms of fn per probe, after one untimed warm-up call. Each probe is repeated until 5 ms
 * have passed and the time divided: browsers coarsen performance.now() to 0.1 ms.
 */
function time(fn: (probe: Float32Array) => unknown, list: readonly Float32Array[]): Timing {
  fn(list[0] as Float32Array);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const p of list) {
    const t0 = performance.now();
    const c0 = cpuMs();
    let calls = 0;
    let elapsed = 0;
    do {
      fn(p);
      calls++;
      elapsed = performance.now() - t0;
    } while (elapsed < 5);
    const c1 = cpuMs();
    wall.push(elapsed / calls);
    if (c0 !== null && c1 !== null) cpu.push((c1 - c0) / calls);
  }
  return { wall: median(wall), cpu: cpu.length ? median(cpu) : null };
}

/** All templates in one row-major float32 matrix (the float variants' input). */
function packF32(people: readonly Enrolled[], into: Float32Array): void {
  people.forEach((p, r) => into.set(p.template, r * DIM));
}

function jsF32(rows: Float32Array, count: number, out: Float64Array) {
  return (probe: Float32Array) => {
    for (let r = 0, o = 0; r < count; r++, o += DIM) {
      let s = 0;
      for (let j = 0; j < DIM; j++) s += (rows[o + j] as number) * (probe[j] as number);
      out[r] = s;
    }
  };
}

function jsF32Unrolled(rows: Float32Array, count: number, out: Float64Array) {
  return (probe: Float32Array) => unrolledDots(rows, count, DIM, probe, out);
}

interface F32Exports {
  memory: WebAssembly.Memory;
  dotsF32: (rows: number, count: number, dim: number, probe: number, out: number) => void;
}

function wasmF32(bytes: Uint8Array<ArrayBuffer>, people: readonly Enrolled[]) {
  const k = new WebAssembly.Instance(new WebAssembly.Module(bytes))
    .exports as unknown as F32Exports;
  const count = people.length;
  const outAt = DIM * 4;
  const rowsAt = outAt + Math.ceil((count * 4) / 16) * 16;
  const bytesNeeded = rowsAt + count * DIM * 4;
  k.memory.grow(Math.ceil(bytesNeeded / 65536));
  packF32(people, new Float32Array(k.memory.buffer, rowsAt, count * DIM));
  const probe = new Float32Array(k.memory.buffer, 0, DIM);
  return (p: Float32Array) => {
    probe.set(p);
    k.dotsF32(rowsAt, count, DIM, 0, outAt);
  };
}

/**
 * Median ms per probe, keyed `<variant>@<size>`:
 * - loop: identify(), the per-person loop (cosine and score map per person, full sort);
 * - js-f32, js-f32-unrolled, wasm-f32-simd: the dot products alone over a float32 matrix;
 * - js-i8, wasm-i8-simd: TemplateMatrix.identify() end to end (kernel pass, bounds, exact rescoring);
 * - wasm-i8-kernel: its kernel pass alone; pack-wasm-i8: building the matrix (once per attempt);
 * - rescored-wasm-i8: the median number of rows rescored exactly (a count, not ms).
 */
export function measureMatchWith(
  sizes: readonly number[],
  options: MatchBenchOptions = {},
): Promise<Record<string, number>> {
  const runs = options.runs ?? 15;
  const random = seededRandom(options.seed ?? 1);
  const result: Record<string, number> = {};
  const record = (key: string, t: Timing) => {
    result[key] = t.wall;
    if (t.cpu !== null) result[`cpu:${key}`] = t.cpu;
  };
  for (const size of sizes) {
    const people: Enrolled[] = Array.from({ length: size }, (_, i) => ({
      id: `p${i}`,
      name: `P${i}`,
      template: gaussianUnit(random),
    }));
    const list = probes(people, random, runs);
    const threshold = 0.5;
    // The old loop takes ~1 µs per person: a few probes are enough at 100k.
    record(
      `loop@${size}`,
      time(
        (p) => identify(p, people, threshold),
        list.slice(0, Math.max(3, Math.min(runs, Math.round(2e6 / size)))),
      ),
    );
    {
      const rows = new Float32Array(size * DIM);
      packF32(people, rows);
      const out = new Float64Array(size);
      record(`js-f32@${size}`, time(jsF32(rows, size, out), list));
      record(`js-f32-unrolled@${size}`, time(jsF32Unrolled(rows, size, out), list));
    }
    if (options.f32Wasm)
      record(`wasm-f32-simd@${size}`, time(wasmF32(options.f32Wasm, people), list));
    const t0 = performance.now();
    const c0 = cpuMs();
    const matrix = TemplateMatrix.of(people);
    result[`pack-wasm-i8@${size}`] = performance.now() - t0;
    const c1 = cpuMs();
    if (c0 !== null && c1 !== null) result[`cpu:pack-wasm-i8@${size}`] = c1 - c0;
    if (matrix.kernel !== 'wasm-simd') throw new Error('the WebAssembly SIMD kernel did not load');
    record(
      `wasm-i8-simd@${size}`,
      time((p) => matrix.identify(p, threshold), list),
    );
    const rescored = list.map((p) => (matrix.top(p, 2), matrix.lastRescored));
    result[`rescored-wasm-i8@${size}`] = median(rescored);
    const js = TemplateMatrix.of(people, 'js');
    record(
      `js-i8@${size}`,
      time((p) => js.identify(p, threshold), list),
    );
  }
  // A promise like the page's bundle of it (bench-match.ts awaits both alike).
  return Promise.resolve(result);
}

/** The bench's measurement in this Node process (the main bench calls this). */
export async function measureMatch(sizes: number[]): Promise<Record<string, number>> {
  return measureMatchWith(sizes, { f32Wasm: await compileF32Kernel() });
}

/** F32_KERNEL_WAT as bytes; wabt is a dev dependency, loaded only here (never in the browser). */
export async function compileF32Kernel(): Promise<Uint8Array<ArrayBuffer>> {
  const { default: wabtInit } = await import('wabt');
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('f32-kernel.wat', F32_KERNEL_WAT, { simd: true });
  try {
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

export interface RealCheckLevel {
  threshold: number;
  /** Probes whose packed identify() gave identify()'s best, reason and scores. */
  sameAsIdentify: number;
  /** Probes whose decision from the int8 scores alone (no rescoring) matched identify()'s. */
  int8AloneSame: number;
}

export interface RealCheck {
  enrolled: number;
  probes: number;
  levels: Record<SecurityLevel, RealCheckLevel>;
  /** Largest |packed score - identify() score| over the top two (0: the same numbers). */
  maxScoreDifference: number;
  /** Largest |int8 score - exact score| over every row and probe. */
  maxInt8Error: number;
  rescoredMedian: number;
  rescoredMax: number;
}

/**
 * The packed matrix against identify() on real embeddings, at the security levels' identify
 * thresholds for this many people; also what the int8 scores alone (no rescoring) would decide.
 */
export function checkRealEmbeddings(
  people: readonly Enrolled[],
  probes: readonly Float32Array[],
  thresholds: CalibratedThresholds,
): RealCheck {
  const matrix = TemplateMatrix.of(people);
  const levels = {} as Record<SecurityLevel, RealCheckLevel>;
  for (const level of Object.keys(LEVEL_FAR) as SecurityLevel[]) {
    levels[level] = {
      threshold: identifyThreshold(thresholds, level, people.length),
      sameAsIdentify: 0,
      int8AloneSame: 0,
    };
  }
  let maxScoreDifference = 0;
  let maxInt8Error = 0;
  const rescored: number[] = [];
  for (const probe of probes) {
    const exact = identify(probe, people, 0);
    const estimates = matrix.estimates(probe);
    if (!estimates) throw new Error('the matrix did not pack these embeddings');
    exact.ranked.forEach((c) => {
      const i = people.findIndex((p) => p.id === c.id);
      maxInt8Error = Math.max(maxInt8Error, Math.abs((estimates[i] as number) - c.score));
    });
    const int8Ranked = people
      .map((p, i) => ({ id: p.id, name: p.name, score: estimates[i] as number }))
      .sort((x, y) => y.score - x.score);
    for (const entry of Object.values(levels)) {
      const old = identify(probe, people, entry.threshold);
      const packed = matrix.identify(probe, entry.threshold);
      rescored.push(matrix.lastRescored);
      packed.ranked.forEach((c, i) => {
        const o = old.ranked[i];
        maxScoreDifference = Math.max(
          maxScoreDifference,
          o && o.id === c.id ? Math.abs(o.score - c.score) : Infinity,
        );
      });
      if (packed.reason === old.reason && packed.best?.id === old.best?.id) entry.sameAsIdentify++;
      const alone = decideRanked(int8Ranked, entry.threshold);
      if (alone.reason === old.reason && alone.best?.id === old.best?.id) entry.int8AloneSame++;
    }
  }
  return {
    enrolled: people.length,
    probes: probes.length,
    levels,
    maxScoreDifference,
    maxInt8Error,
    rescoredMedian: median(rescored),
    rescoredMax: Math.max(...rescored),
  };
}
