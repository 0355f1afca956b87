/**
 * The face-mesh model files the app serves at /landmarks/ (copied from the pinned
 * @vladmandic/human 3.3.6 into the build by scripts/lib/vendor-asset-copies.ts). The hashes pin
 * exactly those bytes: the app refuses anything else, the build too.
 */
export const LANDMARK_MODEL_FILES = [
  {
    name: 'facemesh.json',
    bytes: 95845,
    sha256: 'b60ca26f404724f43bd2b1575761d8265180e1f053cc0731caa68462927309e7',
  },
  {
    name: 'facemesh.bin',
    bytes: 1477958,
    sha256: '3826da640b0a3021161605369ee6af293f75d518040355b960ec71a3390c1c0b',
  },
] as const;

export const LANDMARK_MODEL_DIR = 'landmarks/';
