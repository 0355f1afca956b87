/**
 * Adds TFLite Model Metadata (NormalizationOptions etc.) to MediaPipe's BlazeFace short-range
 * model:
 *
 *   tsx scripts/add-tflite-metadata.ts [--in model.tflite] [--out public/detector/....tflite]
 *
 * Why: @mediapipe/tasks-vision's FaceDetector refuses a float32-input model that has no
 * NormalizationOptions metadata, and the .tflite shipped in @mediapipe/face_detection has none.
 * We never commit a patched binary; this runs as `postinstall` and derives everything from
 * node_modules, deterministically. The input package is pinned exactly, so the input and the
 * output are pinned by sha256: a different input is refused, and a change to this code that
 * changes the output fails here rather than in the browser.
 *
 * How: instead of re-serialising the whole TFLite schema, the output is a small new flatbuffer
 * head (root Model table, buffers and metadata vectors, the new Buffer/Metadata tables and the
 * ModelMetadata bytes) followed by the original file copied verbatim at a 16-byte aligned
 * position. Flatbuffer references are relative and point forward, so the new root can point at
 * the untouched original sub-objects (subgraphs, operator codes, buffers, ...).
 *
 * Schemas: tensorflow/lite/schema/schema.fbs ("TFL3") and
 * tensorflow_lite_support/metadata/metadata_schema.fbs ("M001"). Slot numbers below follow the
 * declaration order in those files; a union occupies two slots (type, then value).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Builder, ByteBuffer } from 'flatbuffers';
import { readFlags } from './lib/cli.ts';

/** face_detection_short_range.tflite of @mediapipe/face_detection 0.4.1657300184. */
export const INPUT_SHA256 = '3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633';
/** What this script makes of it; tasks-vision's FaceDetector loads it (the e2e tests). */
export const OUTPUT_SHA256 = '533e5e8efbb5de3ea6c3b8a8193a00d4b0c0bf744688a6c014b4b0b9349466a9';

export const METADATA_NAME = 'TFLITE_METADATA';

/** tflite.Model */
const MODEL = {
  version: 0,
  operatorCodes: 1,
  subgraphs: 2,
  description: 3,
  buffers: 4,
  metadataBuffer: 5,
  metadata: 6,
  signatureDefs: 7,
  slotCount: 8,
} as const;
/** tflite.Buffer */
const BUFFER = { data: 0, slotCount: 3 } as const;
/** tflite.Metadata */
const METADATA = { name: 0, buffer: 1, slotCount: 2 } as const;
/** tflite.ModelMetadata (name, description, version, subgraph_metadata, author, license, ...) */
const MODEL_METADATA = { name: 0, description: 1, subgraphMetadata: 3, minParserVersion: 7 };
/** tflite.SubGraphMetadata (name, description, input_tensor_metadata, output_tensor_metadata) */
const SUBGRAPH_METADATA = { inputs: 2, outputs: 3, slotCount: 4 } as const;
/** tflite.TensorMetadata (name, description, dimension_names, content, process_units, stats, ...) */
const TENSOR_METADATA = { name: 0, description: 1, content: 3, processUnits: 4, stats: 5 };
const TENSOR_METADATA_SLOTS = 7;
/** tflite.Content: content_properties is a union, so slots 0 (type) and 1 (value). */
const CONTENT_PROPERTIES_IMAGE = 2;
/** tflite.ProcessUnit: options is a union, so slots 0 (type) and 1 (value). */
const PROCESS_UNIT_NORMALIZATION = 1;
const COLOR_SPACE_RGB = 1;

/** The pinned model's input size and output tensor names (its subgraph 0). */
const INPUT_SIZE = 128;
const OUTPUT_NAMES = ['regressors', 'classificators'];

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The few things the patch needs from a .tflite: the root table's reference fields (as
 * absolute positions, 0 when absent) and the positions of its Buffer and Metadata tables.
 */
function readModel(model: Uint8Array) {
  const bb = new ByteBuffer(model);
  const root = bb.readUint32(0);
  const field = (slot: number) => {
    const offset = bb.__offset(root, 4 + 2 * slot);
    return offset === 0 ? 0 : root + offset;
  };
  const ref = (slot: number) => (field(slot) === 0 ? 0 : bb.__indirect(field(slot)));
  const tables = (slot: number) => {
    const at = field(slot);
    if (at === 0) return [];
    const start = bb.__vector(at);
    return Array.from({ length: bb.__vector_len(at) }, (_, i) => bb.__indirect(start + 4 * i));
  };
  return {
    version: field(MODEL.version) === 0 ? 0 : bb.readUint32(field(MODEL.version)),
    ref,
    buffers: tables(MODEL.buffers),
    metadata: tables(MODEL.metadata),
  };
}

function floatVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i] ?? 0);
  return b.endVector();
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i] ?? 0);
  return b.endVector();
}

/** TensorMetadata with a name and, for the input, its description and the parts given. */
function tensorMetadata(b: Builder, name: string, input?: { description: string }): number {
  const nameAt = b.createString(name);
  if (!input) {
    b.startObject(TENSOR_METADATA_SLOTS);
    b.addFieldOffset(TENSOR_METADATA.name, nameAt, 0);
    return b.endObject();
  }
  const description = b.createString(input.description);
  b.startObject(2); // ImageSize { width, height }
  b.addFieldInt32(0, INPUT_SIZE, 0);
  b.addFieldInt32(1, INPUT_SIZE, 0);
  const size = b.endObject();
  b.startObject(2); // ImageProperties { color_space, default_size }
  b.addFieldInt8(0, COLOR_SPACE_RGB, 0);
  b.addFieldOffset(1, size, 0);
  const properties = b.endObject();
  b.startObject(3); // Content { content_properties_type, content_properties, range }
  b.addFieldInt8(0, CONTENT_PROPERTIES_IMAGE, 0);
  b.addFieldOffset(1, properties, 0);
  const content = b.endObject();
  // (x - 127.5) / 127.5 maps [0, 255] onto the [-1, 1] range BlazeFace was trained on.
  const mean = floatVector(b, [127.5]);
  const std = floatVector(b, [127.5]);
  b.startObject(2); // NormalizationOptions { mean, std }
  b.addFieldOffset(0, mean, 0);
  b.addFieldOffset(1, std, 0);
  const options = b.endObject();
  b.startObject(2); // ProcessUnit { options_type, options }
  b.addFieldInt8(0, PROCESS_UNIT_NORMALIZATION, 0);
  b.addFieldOffset(1, options, 0);
  const processUnits = offsetVector(b, [b.endObject()]);
  const max = floatVector(b, [1]);
  const min = floatVector(b, [-1]);
  b.startObject(2); // Stats { max, min }
  b.addFieldOffset(0, max, 0);
  b.addFieldOffset(1, min, 0);
  const stats = b.endObject();
  b.startObject(TENSOR_METADATA_SLOTS);
  b.addFieldOffset(TENSOR_METADATA.name, nameAt, 0);
  b.addFieldOffset(TENSOR_METADATA.description, description, 0);
  b.addFieldOffset(TENSOR_METADATA.content, content, 0);
  b.addFieldOffset(TENSOR_METADATA.processUnits, processUnits, 0);
  b.addFieldOffset(TENSOR_METADATA.stats, stats, 0);
  return b.endObject();
}

/** The ModelMetadata ("M001") flatbuffer for BlazeFace short-range: RGB image in [-1, 1]. */
export function blazeFaceMetadata(): Uint8Array {
  const b = new Builder(1024);
  const inputs = offsetVector(b, [
    tensorMetadata(b, 'image', {
      description: `RGB image, ${INPUT_SIZE}x${INPUT_SIZE}, normalized to [-1, 1].`,
    }),
  ]);
  const outputs = offsetVector(
    b,
    OUTPUT_NAMES.map((name) => tensorMetadata(b, name)),
  );
  b.startObject(SUBGRAPH_METADATA.slotCount);
  b.addFieldOffset(SUBGRAPH_METADATA.inputs, inputs, 0);
  b.addFieldOffset(SUBGRAPH_METADATA.outputs, outputs, 0);
  const subgraphs = offsetVector(b, [b.endObject()]);
  const name = b.createString('BlazeFace short-range');
  const description = b.createString(
    'MediaPipe BlazeFace short-range face detector (metadata added at install).',
  );
  // NormalizationOptions, ImageProperties and Stats all exist since metadata schema 1.0.0.
  const minParserVersion = b.createString('1.0.0');
  b.startObject(8);
  b.addFieldOffset(MODEL_METADATA.name, name, 0);
  b.addFieldOffset(MODEL_METADATA.description, description, 0);
  b.addFieldOffset(MODEL_METADATA.subgraphMetadata, subgraphs, 0);
  b.addFieldOffset(MODEL_METADATA.minParserVersion, minParserVersion, 0);
  b.finish(b.endObject(), 'M001');
  // Copy: asUint8Array() is a view into the builder's (larger, reusable) backing store.
  return b.asUint8Array().slice();
}

/** Returns `model` with one more buffer holding `metadata` and a TFLITE_METADATA entry for it. */
export function addMetadata(model: Uint8Array, metadata: Uint8Array): Uint8Array {
  const parsed = readModel(model);
  // Generous initial size so the builder never has to grow (and copy) the model.
  const b = new Builder(model.length + metadata.length + 4096);

  // Built back to front: the original file ends up last. Aligning its start to 16 keeps every
  // buffer's data (force_align: 16 in the schema) exactly as aligned as it was.
  b.prep(16, model.length);
  // createByteVector returns the vector's 4-byte length prefix; the payload follows it.
  const base = b.createByteVector(model) - 4;
  const original = (pos: number): number => (pos === 0 ? 0 : base - pos);

  b.prep(16, metadata.length);
  const metadataData = b.createByteVector(metadata);
  b.startObject(BUFFER.slotCount);
  b.addFieldOffset(BUFFER.data, metadataData, 0);
  const buffers = offsetVector(b, [...parsed.buffers.map(original), b.endObject()]);

  const name = b.createString(METADATA_NAME);
  b.startObject(METADATA.slotCount);
  b.addFieldOffset(METADATA.name, name, 0);
  b.addFieldInt32(METADATA.buffer, parsed.buffers.length, 0);
  const metadataEntries = offsetVector(b, [...parsed.metadata.map(original), b.endObject()]);

  b.startObject(MODEL.slotCount);
  b.addFieldInt32(MODEL.version, parsed.version, 0);
  b.addFieldOffset(MODEL.operatorCodes, original(parsed.ref(MODEL.operatorCodes)), 0);
  b.addFieldOffset(MODEL.subgraphs, original(parsed.ref(MODEL.subgraphs)), 0);
  b.addFieldOffset(MODEL.description, original(parsed.ref(MODEL.description)), 0);
  b.addFieldOffset(MODEL.buffers, buffers, 0);
  b.addFieldOffset(MODEL.metadataBuffer, original(parsed.ref(MODEL.metadataBuffer)), 0);
  b.addFieldOffset(MODEL.metadata, metadataEntries, 0);
  b.addFieldOffset(MODEL.signatureDefs, original(parsed.ref(MODEL.signatureDefs)), 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array().slice();
}

/** Checks the input against its pin, patches it, checks the output against its pin. */
export function patchBlazeFaceModel(model: Uint8Array, source = 'model'): Uint8Array {
  const found = sha256(model);
  if (found !== INPUT_SHA256) {
    throw new Error(
      `${source}: sha256 ${found} is not the pinned ${INPUT_SHA256} ` +
        '(face_detection_short_range.tflite of @mediapipe/face_detection 0.4.1657300184); ' +
        'a new model needs its metadata checked and both pins in this script updated',
    );
  }
  const patched = addMetadata(model, blazeFaceMetadata());
  const made = sha256(patched);
  if (made !== OUTPUT_SHA256) {
    throw new Error(`${source}: the patched model's sha256 ${made} is not the pinned one`);
  }
  return patched;
}

// ---------------------------------------------------------------------------------------------
// CLI (postinstall).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_IN = 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite';
const DEFAULT_OUT = 'public/detector/face_detection_short_range.tflite';

/** Short paths in messages, absolute ones when the file is outside the working directory. */
function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}

function report(path: string, bytes: Uint8Array): void {
  console.log(`wrote ${displayPath(path)} (${bytes.length} bytes, sha256 ${sha256(bytes)})`);
}

function main(): void {
  const flags = readFlags('tsx scripts/add-tflite-metadata.ts [--in MODEL] [--out PATCHED]', {
    in: { type: 'string', default: resolve(ROOT, DEFAULT_IN) },
    out: { type: 'string', default: resolve(ROOT, DEFAULT_OUT) },
  });
  const input = resolve(flags.in);
  const output = resolve(flags.out);
  const label = displayPath(input);
  let model: Uint8Array;
  try {
    model = readFileSync(input);
  } catch (err) {
    throw new Error(`cannot read ${label}: ${(err as Error).message}`);
  }
  const patched = patchBlazeFaceModel(model, label);
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, patched);
  report(output, patched);
}

/** True when this file is the entry point (tsx/node), not when it is imported by tests. */
function isEntryPoint(): boolean {
  const invoked = process.argv[1];
  if (invoked === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(invoked)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  try {
    main();
  } catch (err) {
    console.error(`add-tflite-metadata: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
