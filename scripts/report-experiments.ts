/**
 * Builds the tables and plots of docs/EXPERIMENTS.md from docs/experiments/*.json
 * (written by scripts/run-experiments.ts). Prints the markdown tables; writes the SVG plots.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rocSvg } from './lib/roc-svg.ts';

interface Run {
  label: string;
  method: string;
  s: number;
  m: number;
  feature_norm: boolean;
  epochs: number;
  classes: number;
  train_images: number;
  final_loss: number | null;
  converged: boolean;
  history: { epoch: number; loss: number }[];
  test_accuracy: number;
  test_accuracy_std: number;
  'test_tar_at_far_1e-3': number;
  test_roc: { far: number[]; tar: number[] };
  seconds: number;
}

const runs = readdirSync('docs/experiments')
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(`docs/experiments/${f}`, 'utf8')) as Run);

const pct = (v: number) => (100 * v).toFixed(2);
const row = (r: Run) =>
  `| ${r.label} | ${r.method} | ${r.s} | ${r.m} | ${r.method === 'softmax' ? 'no (plain W·x)' : r.method === 'sphereface' && r.feature_norm ? 'yes (NormFea)' : r.feature_norm ? 'yes' : 'no'} | ${pct(r.test_accuracy)} ± ${pct(r.test_accuracy_std)} | ${pct(r['test_tar_at_far_1e-3'])} | ${r.final_loss === null ? '-' : r.final_loss.toFixed(3)} | ${r.converged ? 'yes' : 'no'} |`;
const header =
  '| run | loss | s | m | feature norm | LFW 6-10 accuracy % | TAR@FAR1e-3 % | final loss | loss fell |\n|---|---|---|---|---|---|---|---|---|';

const sweep = runs
  .filter((r) => r.method === 'cosface' && r.feature_norm)
  .sort((a, b) => a.m - b.m);
console.log('### m sweep\n');
console.log(header);
for (const r of sweep) console.log(row(r));
console.log('\n### feature normalisation\n');
console.log(header);
for (const r of runs.filter((r) => r.method === 'cosface' && (r.m === 0.35 || !r.feature_norm)))
  console.log(row(r));
console.log('\n### losses\n');
console.log(header);
const lossRuns = runs.filter(
  (r) =>
    ['softmax', 'nsl', 'sphereface', 'arcface'].includes(r.method) ||
    (r.method === 'cosface' && r.m === 0.35 && r.feature_norm),
);
for (const r of lossRuns) console.log(row(r));

// Accuracy against m, as a small SVG line chart.
const W = 560;
const H = 320;
const accs = sweep.map((r) => 100 * r.test_accuracy);
const lo = Math.floor(Math.min(...accs, 99) - 0.5);
const hi = Math.ceil(Math.max(...accs, 99) + 0.2);
const x = (m: number) => 60 + (m / 0.45) * (W - 90);
const y = (a: number) => H - 40 - ((a - lo) / (hi - lo)) * (H - 70);
const points = sweep
  .map((r) => `${x(r.m).toFixed(1)},${y(100 * r.test_accuracy).toFixed(1)}`)
  .join(' ');
const ticksY = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
writeFileSync(
  'docs/experiments/m-sweep.svg',
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">LMCL margin m vs LFW folds 6-10 accuracy (s fixed)</text>
<line x1="60" y1="${H - 40}" x2="${W - 30}" y2="${H - 40}" stroke="black"/><line x1="60" y1="30" x2="60" y2="${H - 40}" stroke="black"/>
${sweep.map((r) => `<text x="${x(r.m)}" y="${H - 22}" text-anchor="middle">${r.m}</text>`).join('\n')}
${ticksY.map((t) => `<text x="52" y="${y(t) + 4}" text-anchor="end">${t}</text><line x1="60" y1="${y(t)}" x2="${W - 30}" y2="${y(t)}" stroke="#ddd"/>`).join('\n')}
<text x="${W / 2}" y="${H - 5}" text-anchor="middle">m</text>
<polyline points="${points}" fill="none" stroke="#0369a1" stroke-width="2"/>
${sweep.map((r) => `<circle cx="${x(r.m)}" cy="${y(100 * r.test_accuracy)}" r="4" fill="${r.converged ? '#0369a1' : '#dc2626'}"/>`).join('\n')}
</svg>
`,
);
writeFileSync(
  'docs/experiments/losses-roc.svg',
  rocSvg(
    lossRuns.map((r) => ({
      label: `${r.label} ${pct(r.test_accuracy)}%`,
      far: r.test_roc.far,
      tar: r.test_roc.tar,
    })),
    { title: 'ROC on LFW folds 6-10, tail trained with each loss', logFar: true, tarMin: 0.8 },
  ),
);
console.error('wrote docs/experiments/m-sweep.svg and docs/experiments/losses-roc.svg');
