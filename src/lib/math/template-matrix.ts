/**
 * 1:N matching over every enrolled template packed into one matrix, so a probe is scored against
 * all of them in one pass (match-kernel.ts) instead of a loop over people: 100,000 templates in
 * a few milliseconds (docs/IDENTIFY.md, "Packed 1:N matching").
 *
 * The results are identify()'s, not an approximation of them. Rows are stored as int8 with a
 * per-row scale, which makes the pass 4x lighter on memory than float32, and every quantised
 * score comes with a bound on its error (Cauchy-Schwarz on the rounding residues, measured per
 * row and per probe). Only the rows whose bound reaches the k-th best lower bound can be among
 * the k best; those few are scored again with verifyScore() on the original float templates and
 * ranked as identify() ranks (best first, ties in enrolment order). The ranks, scores and
 * decisions are therefore the same numbers identify() gives, to the last bit.
 */
import {
  decideRanked,
  identify,
  IDENTIFY_MARGIN,
  norm,
  verifyScore,
  type Candidate,
  type Enrolled,
  type IdentifyResult,
} from './match';
import { int8Rows, PROBE_MAX, ROW_MAX, type Int8Rows, type KernelName } from './match-kernel';

/**
 * Covers the float64 rounding of the bound's own arithmetic and of the score maps (a few ulps of
 * scores below 100 in magnitude), so a row on the boundary is rescored rather than dropped.
 */
const ROUNDING_SLACK = 1e-9;

/** The scale per-person score normalisation applies: score = slope * cosine + offset. */
function scoreMap(person: Enrolled): { slope: number; offset: number } {
  const n = person.norm;
  if (!n || !(n.template.sd > 0)) return { slope: 1, offset: 0 };
  const slope = n.reference.sd / n.template.sd;
  return { slope, offset: n.reference.mean - n.template.mean * slope };
}

function sameNorm(a: Enrolled, b: Enrolled): boolean {
  const x = a.norm;
  const y = b.norm;
  if (!x || !y) return x === y;
  return (
    x.template.mean === y.template.mean &&
    x.template.sd === y.template.sd &&
    x.reference.mean === y.reference.mean &&
    x.reference.sd === y.reference.sd
  );
}

export class TemplateMatrix {
  readonly size: number;
  readonly dim: number;
  /** Which kernel scores the rows; null when the matrix falls back to identify() throughout. */
  readonly kernel: KernelName | null;
  /** How many rows the last probe had to rescore exactly (diagnostics, benchmarks). */
  lastRescored = 0;

  private readonly people: readonly Enrolled[];
  private readonly packed: Int8Rows | null;
  /** Per row: the int8 scale, 1 / |template|, |quantised row|, |rounding residue|, score map. */
  private readonly scale: Float64Array;
  private readonly inverseNorm: Float64Array;
  private readonly quantNorm: Float64Array;
  private readonly residueNorm: Float64Array;
  private readonly slope: Float64Array;
  private readonly offset: Float64Array;
  /** Per row, per probe: the highest score the row could have. */
  private readonly upper: Float64Array;
  /** The current probe's int16 scale. */
  private probeScale = 0;

  private constructor(people: readonly Enrolled[], kernel: KernelName) {
    this.people = people;
    const n = people.length;
    this.size = n;
    this.dim = people[0]?.template.length ?? 0;
    this.scale = new Float64Array(n);
    this.inverseNorm = new Float64Array(n);
    this.quantNorm = new Float64Array(n);
    this.residueNorm = new Float64Array(n);
    this.slope = new Float64Array(n);
    this.offset = new Float64Array(n);
    this.upper = new Float64Array(n);
    // Mixed lengths or non-finite values: identify() throws or ranks NaNs its own way; the matrix
    // then leaves every probe to it rather than guessing.
    const sameLength = n > 0 && this.dim > 0 && people.every((p) => p.template.length === this.dim);
    const packed = sameLength ? int8Rows(n, this.dim, kernel) : null;
    this.packed = packed && this.pack(packed) ? packed : null;
    this.kernel = this.packed?.kernel ?? null;
  }

  /**
   * Packs the templates of `people` (enrolment order kept for ties). Build it once per set of
   * people: packing reads every template, matching then reads only the packed rows.
   */
  static of(people: readonly Enrolled[], kernel: KernelName = 'wasm-simd'): TemplateMatrix {
    return new TemplateMatrix(people, kernel);
  }

  /**
   * Whether this matrix was packed from these very people (same order, ids, names, template
   * arrays and score normalisation), so a new attempt over an unchanged list can reuse it.
   */
  holds(people: readonly Enrolled[]): boolean {
    if (people.length !== this.size) return false;
    return people.every((p, i) => {
      const q = this.people[i] as Enrolled;
      return p.id === q.id && p.name === q.name && p.template === q.template && sameNorm(p, q);
    });
  }

  /** Quantises every template into `packed`; false when one is not finite (nothing to rank). */
  private pack(packed: Int8Rows): boolean {
    const { rows, stride } = packed;
    const dim = this.dim;
    for (let r = 0; r < this.size; r++) {
      const person = this.people[r] as Enrolled;
      const t = person.template;
      let max = 0;
      for (let j = 0; j < dim; j++) {
        const a = Math.abs(t[j] as number);
        if (!(a <= max)) max = a;
      }
      // NaN and infinities end up in max, so this one test covers the row.
      if (!Number.isFinite(max)) return false;
      const scale = max / ROW_MAX;
      // 0 for a zero (or vanishingly small) row: every value then rounds to 0.
      const inverse = scale > 0 && Number.isFinite(1 / scale) ? 1 / scale : 0;
      let quant = 0;
      let residue = 0;
      let length = 0;
      for (let j = 0, o = r * stride; j < dim; j++, o++) {
        const x = t[j] as number;
        // Rounds half up, as Math.round, at a third of its cost: x * inverse is within
        // [-ROW_MAX, ROW_MAX] (|x| <= max), so the sum is positive and `| 0` floors it.
        const q = ((x * inverse + (ROW_MAX + 1.5)) | 0) - (ROW_MAX + 1);
        rows[o] = q;
        const v = q * scale;
        quant += v * v;
        residue += (x - v) * (x - v);
        length += x * x;
      }
      this.scale[r] = scale;
      this.inverseNorm[r] = length > 0 ? 1 / Math.sqrt(length) : 0;
      this.quantNorm[r] = Math.sqrt(quant);
      this.residueNorm[r] = Math.sqrt(residue);
      const { slope, offset } = scoreMap(person);
      this.slope[r] = slope;
      this.offset[r] = offset;
    }
    return true;
  }

  /**
   * The `k` best people for `probe` by verifyScore(), best first, ties in enrolment order: the
   * first `k` of identify()'s ranking, with the same scores.
   */
  top(probe: Float32Array, k: number): Candidate[] {
    if (probe.length !== this.dim && this.size > 0) {
      throw new Error(`embedding lengths differ (${probe.length} vs ${this.dim})`);
    }
    const count = Math.max(0, Math.min(Math.floor(k), this.size));
    const probeNorm = norm(probe);
    const packed = this.packed;
    if (count === 0) return [];
    if (!packed || !(probeNorm > 0) || !Number.isFinite(probeNorm)) {
      // A zero or non-finite probe scores alike against everyone: nothing to gain from bounds.
      this.lastRescored = this.size;
      return identify(probe, this.people, Infinity).ranked.slice(0, count);
    }
    const residue = this.quantiseProbe(packed, probe);
    packed.dots();
    const floor = this.bounds(packed, probeNorm, residue, count);
    const rescored: { index: number; score: number }[] = [];
    const upper = this.upper;
    for (let r = 0; r < this.size; r++) {
      if ((upper[r] as number) >= floor) {
        rescored.push({ index: r, score: verifyScore(probe, this.people[r] as Enrolled) });
      }
    }
    this.lastRescored = rescored.length;
    rescored.sort((a, b) => b.score - a.score || a.index - b.index);
    return rescored.slice(0, count).map(({ index, score }) => {
      const p = this.people[index] as Enrolled;
      return { id: p.id, name: p.name, score };
    });
  }

  /**
   * identify() through the matrix: the same decision, with `ranked` holding only the `k` best
   * (at least two: the decision reads the runner-up).
   */
  identify(
    probe: Float32Array,
    threshold: number,
    margin = IDENTIFY_MARGIN,
    k = 2,
  ): IdentifyResult {
    const ranked = this.top(probe, Math.max(2, k));
    return { ranked, ...decideRanked(ranked, threshold, margin) };
  }

  /**
   * Every row's score from the int8 pass alone, before any exact rescoring (for measuring what
   * the rescoring corrects); null when the matrix leaves probes to identify().
   */
  estimates(probe: Float32Array): Float64Array | null {
    const probeNorm = norm(probe);
    if (!this.packed || !(probeNorm > 0) || !Number.isFinite(probeNorm)) return null;
    this.quantiseProbe(this.packed, probe);
    this.packed.dots();
    const out = new Float64Array(this.size);
    for (let r = 0; r < this.size; r++) {
      const cosine =
        (this.probeScale *
          (this.scale[r] as number) *
          (this.packed.out[r] as number) *
          (this.inverseNorm[r] as number)) /
        probeNorm;
      out[r] = (this.slope[r] as number) * cosine + (this.offset[r] as number);
    }
    return out;
  }

  /** Writes the probe as int16 into the kernel's input; returns |probe - its quantised value|. */
  private quantiseProbe(packed: Int8Rows, probe: Float32Array): number {
    let max = 0;
    for (let j = 0; j < this.dim; j++) max = Math.max(max, Math.abs(probe[j] as number));
    const scale = max / PROBE_MAX;
    let residue = 0;
    for (let j = 0; j < this.dim; j++) {
      const x = probe[j] as number;
      const q = Math.max(-PROBE_MAX, Math.min(PROBE_MAX, Math.round(x / scale)));
      packed.probe[j] = q;
      residue += (x - q * scale) ** 2;
    }
    this.probeScale = scale;
    return Math.sqrt(residue);
  }

  /**
   * Fills `upper` with each row's highest possible score and returns the k-th highest lowest
   * possible score: no row whose upper bound is below it can be among the k best.
   *
   * With p = sp qp + ep and t = st qt + et (quantised values plus residues),
   * p.t - sp st (qp.qt) = p.et + ep.(st qt), so |error| <= |p| |et| + |ep| |st qt|.
   */
  private bounds(packed: Int8Rows, probeNorm: number, probeResidue: number, k: number): number {
    const { out } = packed;
    const lows = new Float64Array(k).fill(-Infinity);
    const sp = this.probeScale;
    const inverseProbe = 1 / probeNorm;
    for (let r = 0; r < this.size; r++) {
      const toCosine = (this.inverseNorm[r] as number) * inverseProbe;
      const cosine = sp * (this.scale[r] as number) * (out[r] as number) * toCosine;
      const error =
        (probeNorm * (this.residueNorm[r] as number) +
          probeResidue * (this.quantNorm[r] as number)) *
        toCosine;
      const slope = this.slope[r] as number;
      const score = slope * cosine + (this.offset[r] as number);
      const spread = Math.abs(slope) * error + ROUNDING_SLACK * (1 + Math.abs(score));
      this.upper[r] = score + spread;
      const low = score - spread;
      if (low > (lows[k - 1] as number)) {
        let i = k - 1;
        while (i > 0 && low > (lows[i - 1] as number)) {
          lows[i] = lows[i - 1] as number;
          i--;
        }
        lows[i] = low;
      }
    }
    return lows[k - 1] as number;
  }
}
