/**
 * The seeds' experiments on our data, one `npm run train` per configuration, same backbone
 * (frozen trunk, tail re-initialised at random), same budget. Resumable: a configuration whose
 * JSON exists in docs/experiments/ is skipped. Then run `npm run report-experiments`.
 *
 *   npm run experiments -- [--epochs 8] [--only m-sweep|norm|losses] [--s 64]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { readFlags } from './lib/cli.ts';

const flags = readFlags(
  'npm run experiments -- [--epochs 8] [--only m-sweep|norm|losses] [--s 64]',
  {
    epochs: { type: 'string', default: '8' },
    only: { type: 'string', default: '' },
    s: { type: 'string', default: '64' },
  },
);
const epochs = flags.epochs;
const only = flags.only;
const S = flags.s;

export const EXPERIMENTS: { group: string; name: string; args: string[] }[] = [
  ...['0', '0.1', '0.2', '0.25', '0.3', '0.35', '0.4', '0.45'].map((m) => ({
    group: 'm-sweep',
    name: `cosface-s${S}-m${m}`,
    args: ['--method', 'cosface', '--s', S, '--m', m],
  })),
  {
    group: 'norm',
    name: `cosface-nonorm-m0.35`,
    args: ['--method', 'cosface', '--s', S, '--m', '0.35', '--no-feature-norm'],
  },
  { group: 'losses', name: 'softmax', args: ['--method', 'softmax', '--s', S, '--m', '0'] },
  { group: 'losses', name: `nsl-s${S}`, args: ['--method', 'nsl', '--s', S, '--m', '0'] },
  {
    group: 'losses',
    name: 'sphereface-m4',
    args: ['--method', 'sphereface', '--s', S, '--m', '4'],
  },
  {
    group: 'losses',
    name: `arcface-s${S}-m0.5`,
    args: ['--method', 'arcface', '--s', S, '--m', '0.5'],
  },
];

if (process.argv[1]?.endsWith('run-experiments.ts')) {
  mkdirSync('docs/experiments', { recursive: true });
  for (const e of EXPERIMENTS) {
    if (only && e.group !== only) continue;
    const json = `docs/experiments/${e.name}.json`;
    if (existsSync(json)) continue;
    console.error(`== ${e.name}`);
    execFileSync(
      'npx',
      [
        'tsx',
        '--import',
        './scripts/lib/esm-extensionless.mjs',
        'scripts/train.ts',
        ...e.args,
        '--init',
        'random',
        '--epochs',
        epochs,
        '--lr',
        '2e-3',
        '--label',
        e.name,
        '--json',
        json,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
}
