/**
 * Encrypted export files (src/lib/store/export-format.ts, export-seal.ts) of people the guided enrollment cannot take from a
 * fake camera (LFW photos, a video person who hardly turns), with embeddings computed for real by
 * the same code as `npm run eval`: the dataset script aligns the photos in Chromium, then the model
 * in models/ embeds the crops in Node. Made at every run from whatever models/ holds (its id is the
 * file's modelId), so a retrained model never meets stale embeddings; never committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Embedder } from '../../src/lib/embedding/embedder.ts';
import { template } from '../../src/lib/math/match.ts';
import {
  EXPORT_FORMAT,
  float32ToBase64,
  type ExportFileV1,
} from '../../src/lib/store/export-format.ts';
import { sealExport } from '../../src/lib/store/export-seal.ts';
import { embedRecords } from '../../scripts/lib/embed-crops.ts';
import { fileFetcher, readManifest } from '../../scripts/lib/model-files.ts';
import { initTf } from '../../scripts/lib/tf-node.ts';
import { datasetArgs, prepareDataset } from '../../scripts/prepare-dataset.ts';
import { E2E_CACHE, FILE_PASSPHRASE, LFW, importFile } from './paths.ts';
import { FRAMES_ROOT, extractVideoFrames } from './video-cameras.ts';
import { frameFile } from '../../scripts/lib/video-frames.ts';
import { IMAGE_REFINE } from '../../src/lib/vision/front-end-version.ts';
import { frontEndTag } from '../../scripts/lib/crop-folder.ts';

export interface ImportPerson {
  name: string;
  /** 'lfw': files relative to LFW; 'frames': relative to the extracted video frames. */
  source: 'lfw' | 'frames';
  files: string[];
}

const lfw = (name: string, person: string, numbers: number[]): ImportPerson => ({
  name,
  source: 'lfw',
  files: numbers.map((n) => `${person}/${person}_${String(n).padStart(4, '0')}.jpg`),
});

/** d9 faces the camera at about -4° and turns only to +14°: too little for the guided views. */
export const BOB_D9: ImportPerson = {
  name: 'Bob',
  source: 'frames',
  // Straight, left, right, chin up, straight again (10 fps frame indices).
  files: [0, 105, 80, 188, 62].map((i) => frameFile('d9', i)),
};

/** d12 of ../shared/data/videos: the second person beside Alice (d9) in the e2e of enrollment. */
export const DAN_D12: ImportPerson = {
  name: 'Dan',
  source: 'frames',
  files: [5, 25, 45, 60, 70].map((i) => frameFile('d12', i)),
};

/**
 * The man of the real phone replay (videos-wild/attack-pair), from his live clip: straight at 1.0
 * and 2.4 s, left (+15°) at 4.0 s, right (-18°) at 6.8 s, straight at 12.6 s. The challenge e2e
 * shows his photo, his photo moved and the replay to the camera; none of those frames is here.
 */
export const SAM_ATTACK_PAIR: ImportPerson = {
  name: 'Sam',
  source: 'frames',
  files: [10, 24, 40, 68, 126].map((i) => frameFile('webcam-genuine', i)),
};

/**
 * Real, distinct LFW faces for the imports: five from View-2 folds 6-10, whom the model never saw in
 * training, and three from the training side (Colin Powell fold 4, Tony Blair fold 2, Hugo Chavez
 * fold 1). The e2e needs distinct people, not unseen ones; accuracy is measured by `npm run eval`.
 */
export const LFW_PEOPLE: ImportPerson[] = [
  lfw('Carol', 'Jean_Chretien', [2, 3, 4, 6]),
  lfw('George', 'George_W_Bush', [1, 2, 5, 6]),
  lfw('Gerhard', 'Gerhard_Schroeder', [1, 3, 4, 5]),
  lfw('Colin', 'Colin_Powell', [1, 2, 3, 4]),
  lfw('Tony', 'Tony_Blair', [1, 2, 3, 4]),
  lfw('Donald', 'Donald_Rumsfeld', [1, 2, 3, 4]),
  lfw('Ariel', 'Ariel_Sharon', [1, 2, 3, 4]),
  lfw('Hugo', 'Hugo_Chavez', [1, 2, 3, 4]),
];

/** The files global-setup writes: name -> people (import-<name>.json). */
export const IMPORTS: Record<string, ImportPerson[]> = {
  bob: [BOB_D9],
  'bob-carol': [BOB_D9, LFW_PEOPLE[0]!],
  // Beside Alice (d9, enrolled through the guided UI): Dan (d12) and Carol.
  dan: [DAN_D12],
  'dan-carol': [DAN_D12, LFW_PEOPLE[0]!],
  // With Alice (d3) enrolled through the guided UI: ten people.
  nine: [BOB_D9, ...LFW_PEOPLE],
  sam: [SAM_ATTACK_PAIR],
};

async function embedAll(people: ImportPerson[]): Promise<Map<string, Float32Array>> {
  extractVideoFrames('d9');
  extractVideoFrames('d12');
  extractVideoFrames('webcam-genuine');
  const roots = { lfw: LFW, frames: FRAMES_ROOT };
  await initTf('wasm');
  const embedder = await Embedder.load(readManifest('models'), fileFetcher('models'));
  const out = new Map<string, Float32Array>();
  for (const source of ['lfw', 'frames'] as const) {
    const files = [...new Set(people.filter((p) => p.source === source).flatMap((p) => p.files))];
    if (files.length === 0) continue;
    const cache = resolve(E2E_CACHE, `crops-${source}-${frontEndTag(IMAGE_REFINE)}`);
    const records = await prepareDataset(
      datasetArgs({ data: roots[source], out: cache, files }),
      false,
    );
    const embeddings = await embedRecords(embedder, cache, records);
    for (const [file, e] of embeddings) out.set(`${source}:${file}`, e);
  }
  return out;
}

/** Writes every IMPORTS file; returns the model id they were made with. */
export async function makeImports(): Promise<string> {
  const people = [...new Set(Object.values(IMPORTS).flat())];
  const embeddings = await embedAll(people);
  const modelId = readManifest('models').id;
  const now = Date.now();
  const entry = (p: ImportPerson) => {
    const samples = p.files.flatMap((f) => {
      const e = embeddings.get(`${p.source}:${f}`);
      return e ? [e] : [];
    });
    if (samples.length < 2) throw new Error(`only ${samples.length} usable faces for ${p.name}`);
    return {
      name: p.name,
      createdAt: now,
      updatedAt: now,
      template: float32ToBase64(template(samples)),
      samples: samples.map((e) => ({ embedding: float32ToBase64(e), createdAt: now })),
    };
  };
  mkdirSync(E2E_CACHE, { recursive: true });
  for (const [name, list] of Object.entries(IMPORTS)) {
    const file: ExportFileV1 = {
      format: EXPORT_FORMAT,
      version: 1,
      modelId,
      exportedAt: now,
      people: list.map(entry),
    };
    // Encrypted as the app's own Export does, so the e2e imports go through the real decryption.
    writeFileSync(importFile(name), await sealExport(JSON.stringify(file), FILE_PASSPHRASE));
  }
  return modelId;
}
