/**
 * Where the starting weights come from: the MobileFaceNet-style network `model/fr_feature.onnx` of
 * the npm package faceplugin-face-recognition-js@0.0.1 (MIT). The package drags in an old
 * babel/jest/webpack toolchain, so instead of installing it we fetch its tarball from the npm
 * registry with `npm pack` and check the model's sha256.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BASE_PACKAGE = 'faceplugin-face-recognition-js@0.0.1';
export const BASE_MODEL_SHA256 = '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581';
const VENDOR = resolve(import.meta.dirname, '../../.cache/vendor');

export function baseModelPath(): string {
  const model = join(VENDOR, 'package/model/fr_feature.onnx');
  if (!existsSync(model)) {
    mkdirSync(VENDOR, { recursive: true });
    const tarball = execFileSync('npm', ['pack', BASE_PACKAGE, '--silent'], {
      cwd: VENDOR,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop();
    if (!tarball) throw new Error(`npm pack ${BASE_PACKAGE} printed no file name`);
    execFileSync('tar', ['xzf', tarball, 'package/model/fr_feature.onnx', 'package/LICENSE'], {
      cwd: VENDOR,
    });
  }
  const sha = createHash('sha256').update(readFileSync(model)).digest('hex');
  if (sha !== BASE_MODEL_SHA256) {
    throw new Error(`${model}: sha256 ${sha} is not the expected ${BASE_MODEL_SHA256}`);
  }
  return model;
}
