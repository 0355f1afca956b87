/**
 * Multi-photo templates, plain mean vs weighted by pose and face size vs the mean of the photos
 * the app's pose limits would take (issue #26, item 5):
 * several photos of a person make the template, each other photo of them is a genuine probe, and
 * every photo of the other people in the folds an impostor probe.
 *
 *   npm run eval-templates -- [--data ../shared/data/celeba-dev] [--folds 6-10] [--samples 5]
 *     [--trials 5] [--model models] [--json out.json]
 *
 * Reports, per security level, TAR and FAR at the model's shipped threshold, and TAR at the
 * level's FAR measured on these impostors (the threshold re-chosen here, for comparing the two
 * templates only, never for shipping). Photos without a face are left out.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SECURITY_LEVELS, template } from '../src/lib/math/match.ts';
import { LEVEL_FAR } from '../src/lib/math/open-set.ts';
import { seededRandom, shuffle } from '../src/lib/math/seeded-random.ts';
import { IMAGE_REFINE } from '../src/lib/vision/front-end-version.ts';
import { intFlag, readFlags } from './lib/cli.ts';
import { parseFolds } from './lib/lfw-pairs.ts';
import { countAtOrAbove, groupByPerson, thresholdForFar } from './lib/levels.ts';
import { readManifest } from './lib/model-files.ts';
import {
  gateWeights,
  sampleWeight,
  weightedTemplate,
  type SampleInfo,
} from './lib/template-weights.ts';
import { embedPairImages } from './eval.ts';

const USAGE =
  'npm run eval-templates -- [--data <LFW-layout folder>] [--folds 6-10] [--samples 5] ' +
  '[--trials 5] [--model models] [--json out.json]';

const dotp = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
};

async function main(): Promise<void> {
  const flags = readFlags(USAGE, {
    data: { type: 'string', default: '../shared/data/celeba-dev' },
    folds: { type: 'string', default: '6-10' },
    samples: { type: 'string', default: '5' },
    trials: { type: 'string', default: '5' },
    model: { type: 'string', default: 'models' },
    json: { type: 'string' },
  });
  const samples = intFlag(flags.samples, 'samples');
  const trials = intFlag(flags.trials, 'trials');
  const folds = parseFolds(flags.folds);
  const embedded = await embedPairImages({
    data: flags.data,
    pairs: join(flags.data, 'pairs.txt'),
    folds,
    json: null,
    model: flags.model,
    roc: null,
    cache: null,
    backend: 'wasm',
    refine: IMAGE_REFINE,
  });
  const manifest = readManifest(flags.model);
  const named = [...new Set(embedded.pairs.flatMap((p) => [p.a, p.b]))].sort();
  const files = named.filter((f) => embedded.embeddings.has(f));
  const byFile = new Map(embedded.records.map((r) => [r.file, r]));
  const emb = files.map((f) => embedded.embeddings.get(f) as Float32Array);
  const infos: SampleInfo[] = files.map((f) => {
    const r = byFile.get(f);
    return {
      pose: r?.pose ?? null,
      faceSide: r?.box ? Math.max(r.box[2] ?? 0, r.box[3] ?? 0) : null,
    };
  });
  const weights = infos.map(sampleWeight);
  const groups = groupByPerson(files.map((f) => f.split('/')[0] as string));
  const random = seededRandom(1);
  const mean = { genuine: [] as number[], impostor: [] as number[] };
  const weighted = { genuine: [] as number[], impostor: [] as number[] };
  const gated = { genuine: [] as number[], impostor: [] as number[] };
  let templates = 0;
  for (let t = 0; t < trials; t++) {
    for (const g of groups) {
      if (g.length < samples + 1) continue;
      const order = shuffle(g, random);
      const enrol = order.slice(0, samples);
      const probes = order.slice(samples);
      const plain = template(enrol.map((i) => emb[i] as Float32Array));
      const wt = weightedTemplate(
        enrol.map((i) => emb[i] as Float32Array),
        enrol.map((i) => weights[i] as number),
      );
      const gt = weightedTemplate(
        enrol.map((i) => emb[i] as Float32Array),
        gateWeights(enrol.map((i) => infos[i] as SampleInfo)),
      );
      templates++;
      const own = new Set(g);
      for (const p of probes) {
        mean.genuine.push(dotp(emb[p] as Float32Array, plain));
        weighted.genuine.push(dotp(emb[p] as Float32Array, wt));
        gated.genuine.push(dotp(emb[p] as Float32Array, gt));
      }
      for (let i = 0; i < emb.length; i++) {
        if (own.has(i)) continue;
        mean.impostor.push(dotp(emb[i] as Float32Array, plain));
        weighted.impostor.push(dotp(emb[i] as Float32Array, wt));
        gated.impostor.push(dotp(emb[i] as Float32Array, gt));
      }
    }
  }
  const desc = (xs: number[]) => Float64Array.from(xs).sort().reverse();
  const summarise = (s: { genuine: number[]; impostor: number[] }) => {
    const g = desc(s.genuine);
    const im = desc(s.impostor);
    return SECURITY_LEVELS.map(({ level }) => {
      const shipped = manifest.thresholds[level];
      const atFar = thresholdForFar(im, LEVEL_FAR[level]);
      return {
        level,
        shipped_threshold: shipped,
        tar_at_shipped: countAtOrAbove(g, shipped) / g.length,
        far_at_shipped: countAtOrAbove(im, shipped) / im.length,
        threshold_at_far: atFar,
        tar_at_far: countAtOrAbove(g, atFar) / g.length,
      };
    });
  };
  const result = {
    model: manifest.id,
    data: flags.data,
    folds,
    samples_per_template: samples,
    trials,
    templates,
    genuine_scores: weighted.genuine.length,
    impostor_scores: weighted.impostor.length,
    no_face: named.length - files.length,
    weighting: 'exp(-(yaw^2+pitch^2)/(2*25^2)) x min(1, face box side / 112 px), floor 0.05',
    mean: summarise(mean),
    weighted: summarise(weighted),
    gating: `samples past the app's pose limits (|yaw| > 35, |pitch| > 30) left out of the mean`,
    gated: summarise(gated),
  };
  console.log(JSON.stringify(result, null, 2));
  if (flags.json) {
    mkdirSync(dirname(resolve(flags.json)), { recursive: true });
    writeFileSync(flags.json, `${JSON.stringify(result, null, 2)}\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
