/**
 * docs/lab/: the margin lab's figures and angle tables, made by driving the real Lab screen of
 * the built app in Chromium (the same worker, losses and drawing a person uses):
 *   - one SVG per loss (Softmax, NSL, A-Softmax m=4, CosFace m=0.35, ArcFace m=0.5) after the same
 *     number of steps on the same data and seed, and their angles;
 *   - a CosFace m sweep from 0 to past the 2-D bound, with the angles at each m.
 *
 *   npm run build && npm run lab-figures [-- --steps 300 --seed 1 --s 16 --out docs/lab]
 *
 * Builds the app first if dist/ is missing. Starts its own `vite preview` on port 4175.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readFlags } from './lib/cli.ts';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './lib/chromium.ts';
import { format, resolveConfig } from 'prettier';
import { cosfaceMarginUpperBound } from '../src/lib/math/margin-losses.ts';

/** Writes `text` formatted as `npm run lint` (prettier --check .) expects it. */
async function writeFormatted(path: string, text: string): Promise<void> {
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(text, { ...options, filepath: path }));
}

const values = readFlags(
  'npm run lab-figures -- [--steps 300] [--seed 1] [--s 16] [--out docs/lab]',
  {
    steps: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    s: { type: 'string', default: '16' },
    out: { type: 'string', default: 'docs/lab' },
  },
);
const steps = Number(values.steps);
const seed = Number(values.seed);
const scale = Number(values.s);
const out = resolve(values.out);

interface Run {
  loss: string;
  m: number;
}
interface Measured extends Run {
  minInter: number;
  meanIntra: number;
  accuracy: number;
  marginMet: number;
  firstLoss: number;
  lastLoss: number;
  diverged: boolean;
}

const FIGURES: (Run & { file: string; expect: string })[] = [
  {
    loss: 'softmax',
    m: 0,
    file: 'softmax',
    expect: 'radial spread; classes separable but no angular gap',
  },
  {
    loss: 'nsl',
    m: 0,
    file: 'nsl',
    expect: 'on the circle; boundaries with no gap between classes',
  },
  {
    loss: 'sphereface',
    m: 4,
    file: 'a-softmax-m4',
    expect: 'angular margin, narrower for small angles',
  },
  {
    loss: 'cosface',
    m: 0.35,
    file: 'cosface-m0.35',
    expect: 'a visible angular gap between classes',
  },
  {
    loss: 'arcface',
    m: 0.5,
    file: 'arcface-m0.5',
    expect: 'a constant angular gap; compact classes',
  },
];
const SWEEP = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.45, 0.6, 0.8];
/** Sweep points also saved as figures: the gap growing inside the bound, and collapse past it. */
const SWEEP_FIGURES = [0.1, 0.2, 0.25, 0.8];

async function train(page: Page, run: Run): Promise<Measured> {
  const result = page.getByTestId('lab-result-a');
  await page.getByTestId('lab-loss-a').selectOption(run.loss);
  const m = page.getByTestId('lab-m-a');
  if (await m.count()) await m.fill(String(run.m));
  await page.getByTestId('lab-reset').click();
  await page.waitForFunction((loss) => {
    const el = document.querySelector('[data-testid=lab-result-a]');
    return el?.getAttribute('data-step') === '0' && el.getAttribute('data-loss') === loss;
  }, run.loss);
  await page.getByTestId('lab-step').click();
  await page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid=lab-result-a]')?.getAttribute('data-step') === String(n),
    steps,
    { timeout: 600_000 },
  );
  const num = async (name: string) => Number(await result.getAttribute(name));
  return {
    ...run,
    minInter: await num('data-min-inter'),
    meanIntra: await num('data-mean-intra'),
    accuracy: await num('data-accuracy'),
    marginMet: await num('data-margin-met'),
    firstLoss: await num('data-first-loss'),
    lastLoss: await num('data-last-loss'),
    diverged: (await result.getAttribute('data-diverged')) === 'yes',
  };
}

async function figureSvg(page: Page): Promise<string> {
  return page.evaluate(() => {
    const svg = document.querySelector('[data-testid=lab-result-a] svg');
    if (!svg) throw new Error('no figure');
    return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}\n`;
  });
}

if (!existsSync(resolve('dist/index.html'))) {
  const built = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}
const port = 4175;
const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], {
  stdio: 'ignore',
  detached: true,
});
try {
  await new Promise((r) => setTimeout(r, 3000));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  await page.goto(`http://localhost:${port}/#/lab`);
  await page.getByTestId('lab-source').waitFor({ timeout: 120_000 });
  await page.getByTestId('lab-seed').fill(String(seed));
  await page.getByTestId('lab-seed').dispatchEvent('change');
  await page.getByTestId('lab-s').fill(String(scale));
  await page.getByTestId('lab-steps').fill(String(steps));
  const backend = await page.getByTestId('lab-backend').inputValue();

  mkdirSync(out, { recursive: true });
  const figures: (Measured & { file: string; expect: string })[] = [];
  for (const f of FIGURES) {
    const measured = await train(page, f);
    writeFileSync(resolve(out, `${f.file}.svg`), await figureSvg(page));
    figures.push({ ...measured, file: f.file, expect: f.expect });
    console.log(
      `${f.file}: min inter ${measured.minInter.toFixed(1)}°, mean intra ${measured.meanIntra.toFixed(1)}°`,
    );
  }
  const sweep: Measured[] = [];
  for (const m of SWEEP) {
    const measured = await train(page, { loss: 'cosface', m });
    sweep.push(measured);
    if (SWEEP_FIGURES.includes(m)) {
      const name = `cosface-m${m}${m > cosfaceMarginUpperBound(8, 2) ? '-past-bound' : ''}.svg`;
      writeFileSync(resolve(out, name), await figureSvg(page));
    }
    console.log(
      `cosface m=${m}: min inter ${measured.minInter.toFixed(1)}°, diverged ${measured.diverged}`,
    );
  }
  await browser.close();

  const bound = cosfaceMarginUpperBound(8, 2);
  const deg = (x: number) => `${x.toFixed(1)}°`;
  const lines = [
    '# Margin lab figures',
    '',
    `Made by \`npm run lab-figures -- --steps ${steps} --seed ${seed} --s ${scale}\` (scripts/lab-figures.ts), which drives`,
    'the Lab screen of the built app in headless Chromium: the same worker, losses',
    "(src/lib/train/margin-heads.ts) and drawing a person uses. Data: the backbone's embeddings of 8 LFW",
    `people from the training side (public/lab/lfw8.json); 2-D features; ${steps} full-batch Adam steps`,
    `(lr 0.01), seed ${seed}, s = ${scale} where it applies; trained on ${backend || 'the default backend'}.`,
    '',
    '## One figure per loss',
    '',
    '| Loss | m | min inter-class angle | mean intra-class angle | accuracy | margin met | loss (first → last) | what the seeds expect | figure |',
    '|---|---|---|---|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${f.loss} | ${f.loss === 'softmax' || f.loss === 'nsl' ? '-' : f.m} | ${deg(f.minInter)} | ${deg(f.meanIntra)} | ${(100 * f.accuracy).toFixed(0)} % | ${(100 * f.marginMet).toFixed(0)} % | ${f.firstLoss.toFixed(2)} → ${f.lastLoss.toFixed(2)} | ${f.expect} | [svg](${f.file}.svg) |`,
    ),
    '',
    'Min inter-class angle: the smallest angle between two class weight directions (8 evenly spread',
    'classes give 45°). Mean intra-class angle: the mean angle between a feature and its class',
    "weight: smaller is more compact. Margin met: the share of samples inside their own class's",
    'region once the margin is applied (for Softmax and NSL, plain accuracy). Accuracy: the share',
    'whose nearest class weight direction is their own; it understates Softmax, whose decision also',
    'weighs the norms (its loss reaches 0).',
    '',
    `CosFace's m = 0.35 is the paper's value for 512-D features; with 2-D features and 8 classes it is`,
    `past the bound (${cosfaceMarginUpperBound(8, 2).toFixed(3)}), so its features still separate with a wide gap but`,
    'most cannot meet the full margin (see the sweep).',
    '',
    '## CosFace m sweep (2-D features, 8 classes)',
    '',
    `The paper's bound for 2-D features: m ≤ 1 − cos(2π/C) = ${bound.toFixed(3)} for C = 8. Past it, the`,
    'paper predicts training cannot converge: no arrangement lets every class meet the margin, so the',
    'loss cannot fall to its floor. The lab flags a run where, 150 steps in, fewer than half of the',
    'samples meet the margin; in the sweep the flag turns on exactly between m = 0.25 and m = 0.3, and',
    'further past the bound the classes collapse onto each other (min inter-class angle towards 0°).',
    '',
    '| m | min inter-class angle | mean intra-class angle | accuracy | margin met | loss (first → last) | converging |',
    '|---|---|---|---|---|---|---|',
    ...sweep.map(
      (r) =>
        `| ${r.m}${r.m > bound ? ' (past the bound)' : ''} | ${deg(r.minInter)} | ${deg(r.meanIntra)} | ${(100 * r.accuracy).toFixed(0)} % | ${(100 * r.marginMet).toFixed(0)} % | ${r.firstLoss.toFixed(2)} → ${r.lastLoss.toFixed(2)} | ${r.diverged ? 'no' : 'yes'} |`,
    ),
    '',
    'Inside the bound the grey margin band between the regions widens with m:',
    '[m = 0.1](cosface-m0.1.svg), [m = 0.2](cosface-m0.2.svg), [m = 0.25](cosface-m0.25.svg). Past it no',
    "direction meets any class's margin, so the whole ring is band and the classes collapse:",
    '[m = 0.8](cosface-m0.8-past-bound.svg).',
    '',
  ];
  await writeFormatted(resolve(out, 'README.md'), lines.join('\n'));
  await writeFormatted(
    resolve(out, 'lab-figures.json'),
    JSON.stringify({ steps, seed, s: scale, backend, figures, sweep, bound }),
  );
} finally {
  if (server.pid) process.kill(-server.pid);
}
