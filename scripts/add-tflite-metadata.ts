/**
 * Adds TFLite Model Metadata (NormalizationOptions etc.) to MediaPipe's BlazeFace short-range
 * model and copies MediaPipe's wasm runtime into public/.
 *
 * Why: @mediapipe/tasks-vision's FaceDetector refuses a float32-input model that has no
 * NormalizationOptions metadata, and the .tflite shipped in @mediapipe/face_detection has none.
 * We never commit a patched binary; this runs as `postinstall` and derives everything from
 * node_modules, deterministically.
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
import { copyFileSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Builder } from 'flatbuffers';

export const TFLITE_IDENTIFIER = 'TFL3';
export const METADATA_IDENTIFIER = 'M001';
export const METADATA_NAME = 'TFLITE_METADATA';

/** Thrown for anything that is not a well-formed model/metadata flatbuffer. */
export class TfliteFormatError extends Error {
  override name = 'TfliteFormatError';
}

// ---------------------------------------------------------------------------------------------
// Schema constants (only what this script touches).

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
/** tflite.SubGraph */
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 } as const;
/** tflite.Tensor */
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3 } as const;
/** tflite.Operator: the large_custom_options_* pair is addressed relative to the file start. */
const OPERATOR = { largeCustomOptionsOffset: 9 } as const;
/** tflite.Buffer: `offset`/`size` address data outside the flatbuffer, relative to file start. */
const BUFFER = { data: 0, offset: 1, size: 2, slotCount: 3 } as const;
/** tflite.Metadata */
const METADATA = { name: 0, buffer: 1, slotCount: 2 } as const;

/** tflite.ModelMetadata */
const MODEL_METADATA = {
  name: 0,
  description: 1,
  version: 2,
  subgraphMetadata: 3,
  author: 4,
  license: 5,
  associatedFiles: 6,
  minParserVersion: 7,
  slotCount: 8,
} as const;
/** tflite.SubGraphMetadata */
const SUBGRAPH_METADATA = {
  name: 0,
  description: 1,
  inputTensorMetadata: 2,
  outputTensorMetadata: 3,
  slotCount: 4,
} as const;
/** tflite.TensorMetadata */
const TENSOR_METADATA = {
  name: 0,
  description: 1,
  dimensionNames: 2,
  content: 3,
  processUnits: 4,
  stats: 5,
  associatedFiles: 6,
  slotCount: 7,
} as const;
/** tflite.Content: content_properties is a union, so it takes slots 0 (type) and 1 (value). */
const CONTENT = { propertiesType: 0, properties: 1, range: 2, slotCount: 3 } as const;
/** tflite.ImageProperties */
const IMAGE_PROPERTIES = { colorSpace: 0, defaultSize: 1, slotCount: 2 } as const;
/** tflite.ImageSize */
const IMAGE_SIZE = { width: 0, height: 1, slotCount: 2 } as const;
/** tflite.ProcessUnit: options is a union, so slots 0 (type) and 1 (value). */
const PROCESS_UNIT = { optionsType: 0, options: 1, slotCount: 2 } as const;
/** tflite.NormalizationOptions */
const NORMALIZATION_OPTIONS = { mean: 0, std: 1, slotCount: 2 } as const;
/** tflite.Stats */
const STATS = { max: 0, min: 1, slotCount: 2 } as const;

/** union ContentProperties (0 = NONE) */
const CONTENT_PROPERTIES_IMAGE = 2;
/** union ProcessUnitOptions (0 = NONE) */
const PROCESS_UNIT_NORMALIZATION = 1;
/** enum tflite.TensorType */
const TENSOR_TYPE_FLOAT32 = 0;

const COLOR_SPACES = ['UNKNOWN', 'RGB', 'GRAYSCALE'] as const;
export type ColorSpace = (typeof COLOR_SPACES)[number];

// ---------------------------------------------------------------------------------------------
// Public data shapes.

export interface TensorInfo {
  index: number;
  name: string | null;
  shape: number[];
  /** tflite.TensorType enum value (0 = FLOAT32). */
  type: number;
  buffer: number;
}

export interface SubgraphSummary {
  name: string | null;
  tensorCount: number;
  operatorCount: number;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

export interface MetadataEntry {
  name: string | null;
  buffer: number;
}

export interface TfliteSummary {
  version: number;
  description: string | null;
  operatorCodeCount: number;
  bufferCount: number;
  subgraphs: SubgraphSummary[];
  metadata: MetadataEntry[];
  signatureDefCount: number;
}

export interface TensorMetadataSpec {
  name: string;
  description?: string;
  image?: { colorSpace: ColorSpace; defaultSize?: { width: number; height: number } };
  normalization?: { mean: number[]; std: number[] };
  stats?: { max: number[]; min: number[] };
}

export interface SubgraphMetadataSpec {
  name?: string;
  description?: string;
  inputs: TensorMetadataSpec[];
  outputs: TensorMetadataSpec[];
}

export interface ModelMetadataSpec {
  name: string;
  description?: string;
  version?: string;
  author?: string;
  license?: string;
  minParserVersion?: string;
  subgraphs: SubgraphMetadataSpec[];
}

// ---------------------------------------------------------------------------------------------
// Bounds- and alignment-checked flatbuffer reader. It applies the C++ flatbuffers Verifier's
// bounds and alignment rules (MediaPipe verifies models before use) to every object it visits,
// so corrupt input fails here with a message naming the file rather than inside the wasm runtime,
// and the patched output is checked the same way.

interface VectorRef {
  /** Absolute position of the first element. */
  start: number;
  length: number;
}

class Reader {
  private readonly view: DataView;
  private readonly decoder = new TextDecoder();

  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string): never {
    throw new TfliteFormatError(`${this.source}: ${message}`);
  }

  check(pos: number, size: number, align: number, what: string): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + size > this.bytes.length) {
      this.fail(
        `${what} at byte ${pos} (${size} bytes) lies outside the ${this.bytes.length}-byte ` +
          'buffer; the file is truncated or corrupt',
      );
    }
    if (pos % align !== 0) this.fail(`${what} at byte ${pos} is not ${align}-byte aligned`);
  }

  u8(pos: number, what: string): number {
    this.check(pos, 1, 1, what);
    return this.view.getUint8(pos);
  }
  u16(pos: number, what: string): number {
    this.check(pos, 2, 2, what);
    return this.view.getUint16(pos, true);
  }
  i32(pos: number, what: string): number {
    this.check(pos, 4, 4, what);
    return this.view.getInt32(pos, true);
  }
  u32(pos: number, what: string): number {
    this.check(pos, 4, 4, what);
    return this.view.getUint32(pos, true);
  }
  f32(pos: number, what: string): number {
    this.check(pos, 4, 4, what);
    return this.view.getFloat32(pos, true);
  }
  u64(pos: number, what: string): bigint {
    this.check(pos, 8, 8, what);
    return this.view.getBigUint64(pos, true);
  }

  /** Follows the uoffset stored at `pos`. */
  deref(pos: number, what: string): number {
    const offset = this.u32(pos, `offset to ${what}`);
    if (offset === 0) this.fail(`null offset to ${what} at byte ${pos}`);
    return pos + offset;
  }

  identifier(): string {
    this.check(0, 8, 1, 'flatbuffer header');
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }

  /** Opens the root table after checking the 4-byte file identifier. */
  root(identifier: string, kind: string): Table {
    if (this.bytes.length < 8) {
      this.fail(`${this.bytes.length} bytes is too short to be a ${kind} flatbuffer`);
    }
    const found = this.identifier();
    if (found !== identifier) {
      this.fail(
        `not a ${kind}: file identifier is ${JSON.stringify(found)}, expected ` +
          `${JSON.stringify(identifier)}`,
      );
    }
    return this.table(this.deref(0, `${kind} root table`), `${kind} root table`);
  }

  table(pos: number, what: string): Table {
    const vtable = pos - this.i32(pos, `${what} vtable offset`);
    const vtableSize = this.u16(vtable, `${what} vtable`);
    const tableSize = this.u16(vtable + 2, `${what} vtable`);
    if (vtableSize < 4 || vtableSize % 2 !== 0 || tableSize < 4) {
      this.fail(`${what} at byte ${pos} has a malformed vtable (size ${vtableSize})`);
    }
    this.check(vtable, vtableSize, 2, `${what} vtable`);
    this.check(pos, tableSize, 4, what);
    return new Table(this, pos, vtable, vtableSize, tableSize, what);
  }

  vector(pos: number, elemSize: number, what: string): VectorRef {
    const length = this.u32(pos, `${what} length`);
    const start = pos + 4;
    this.check(start, length * elemSize, 1, what);
    return { start, length };
  }

  string(pos: number, what: string): string {
    const { start, length } = this.vector(pos, 1, what);
    if (this.u8(start + length, `${what} terminator`) !== 0) {
      this.fail(`${what} at byte ${pos} is not NUL-terminated`);
    }
    return this.decoder.decode(this.bytes.subarray(start, start + length));
  }
}

class Table {
  readonly slotCount: number;

  constructor(
    private readonly r: Reader,
    readonly pos: number,
    private readonly vtable: number,
    vtableSize: number,
    private readonly tableSize: number,
    readonly what: string,
  ) {
    this.slotCount = (vtableSize - 4) / 2;
  }

  /** Absolute position of a present field, or null when the field is absent (default value). */
  field(slot: number, size: number, name: string): number | null {
    if (slot >= this.slotCount) return null;
    const offset = this.r.u16(this.vtable + 4 + 2 * slot, `${this.what} vtable`);
    if (offset === 0) return null;
    if (offset + size > this.tableSize) {
      this.r.fail(`${this.what}.${name} at byte ${this.pos} overruns its table`);
    }
    // Alignment is checked by the typed read that follows.
    return this.pos + offset;
  }

  /** True if any slot at or beyond `firstUnknown` is set, i.e. the data has fields we'd drop. */
  hasFieldsFrom(firstUnknown: number): boolean {
    for (let slot = firstUnknown; slot < this.slotCount; slot++) {
      if (this.r.u16(this.vtable + 4 + 2 * slot, `${this.what} vtable`) !== 0) return true;
    }
    return false;
  }

  u8(slot: number, name: string, fallback: number): number {
    const at = this.field(slot, 1, name);
    return at === null ? fallback : this.r.u8(at, `${this.what}.${name}`);
  }
  u32(slot: number, name: string, fallback: number): number {
    const at = this.field(slot, 4, name);
    return at === null ? fallback : this.r.u32(at, `${this.what}.${name}`);
  }
  u64(slot: number, name: string): bigint {
    const at = this.field(slot, 8, name);
    return at === null ? 0n : this.r.u64(at, `${this.what}.${name}`);
  }

  /** Absolute position of the object a reference field points to, or null if absent. */
  ref(slot: number, name: string): number | null {
    const at = this.field(slot, 4, name);
    return at === null ? null : this.r.deref(at, `${this.what}.${name}`);
  }

  table(slot: number, name: string): Table | null {
    const at = this.ref(slot, name);
    return at === null ? null : this.r.table(at, `${this.what}.${name}`);
  }

  string(slot: number, name: string): string | null {
    const at = this.ref(slot, name);
    return at === null ? null : this.r.string(at, `${this.what}.${name}`);
  }

  vector(slot: number, elemSize: number, name: string): VectorRef | null {
    const at = this.ref(slot, name);
    return at === null ? null : this.r.vector(at, elemSize, `${this.what}.${name}`);
  }

  /** Positions of the tables in a vector of tables (empty if absent). */
  tablePositions(slot: number, name: string): number[] {
    const vec = this.vector(slot, 4, name);
    if (vec === null) return [];
    const out: number[] = [];
    for (let i = 0; i < vec.length; i++) {
      const elem = vec.start + 4 * i;
      out.push(this.r.deref(elem, `${this.what}.${name}[${i}]`));
    }
    return out;
  }

  tables(slot: number, name: string): Table[] {
    return this.tablePositions(slot, name).map((pos, i) =>
      this.r.table(pos, `${this.what}.${name}[${i}]`),
    );
  }

  i32s(slot: number, name: string): number[] | null {
    const vec = this.vector(slot, 4, name);
    if (vec === null) return null;
    return Array.from({ length: vec.length }, (_, i) =>
      this.r.i32(vec.start + 4 * i, `${this.what}.${name}`),
    );
  }

  f32s(slot: number, name: string): number[] | null {
    const vec = this.vector(slot, 4, name);
    if (vec === null) return null;
    return Array.from({ length: vec.length }, (_, i) =>
      this.r.f32(vec.start + 4 * i, `${this.what}.${name}`),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// TFLite model parsing.

interface ParsedModel {
  summary: TfliteSummary;
  root: Table;
  /** Positions of the original Buffer tables, in index order. */
  bufferTables: number[];
  /** Positions of the original Metadata tables, in order. */
  metadataTables: number[];
  /** Buffer indices referenced by any tensor (so they must never be replaced). */
  tensorBuffers: Set<number>;
}

function parseModel(bytes: Uint8Array, source: string): ParsedModel {
  const r: Reader = new Reader(bytes, source);
  const root = r.root(TFLITE_IDENTIFIER, 'TFLite model');
  const bufferTables = root.tablePositions(MODEL.buffers, 'buffers');
  const bufferCount = bufferTables.length;

  bufferTables.forEach((pos, i) => {
    const buffer = r.table(pos, `Model.buffers[${i}]`);
    buffer.vector(BUFFER.data, 1, 'data');
    // Offsets > 1 address data relative to the file start (models > 2 GB); prepending a new
    // head would silently break them, so refuse.
    if (buffer.u64(BUFFER.offset, 'offset') > 1n) {
      r.fail(`Model.buffers[${i}] stores its data outside the flatbuffer; not supported`);
    }
  });

  const tensorBuffers = new Set<number>();
  const subgraphs = root.tables(MODEL.subgraphs, 'subgraphs').map((sg): SubgraphSummary => {
    const tensors = sg.tables(SUBGRAPH.tensors, 'tensors').map((t, index): TensorInfo => {
      const buffer = t.u32(TENSOR.buffer, 'buffer', 0);
      if (buffer >= bufferCount && buffer !== 0) {
        r.fail(`${t.what} refers to buffer ${buffer} but the model has ${bufferCount}`);
      }
      tensorBuffers.add(buffer);
      return {
        index,
        name: t.string(TENSOR.name, 'name'),
        shape: t.i32s(TENSOR.shape, 'shape') ?? [],
        type: t.u8(TENSOR.type, 'type', 0),
        buffer,
      };
    });
    const pick = (slot: number, name: string): TensorInfo[] =>
      (sg.i32s(slot, name) ?? []).map((i) => {
        const tensor = tensors[i];
        if (tensor === undefined) r.fail(`${sg.what}.${name} refers to missing tensor ${i}`);
        return tensor;
      });
    const operators = sg.tables(SUBGRAPH.operators, 'operators');
    for (const op of operators) {
      if (op.u64(OPERATOR.largeCustomOptionsOffset, 'large_custom_options_offset') > 1n) {
        r.fail(`${op.what} stores custom options outside the flatbuffer; not supported`);
      }
    }
    return {
      name: sg.string(SUBGRAPH.name, 'name'),
      tensorCount: tensors.length,
      operatorCount: operators.length,
      inputs: pick(SUBGRAPH.inputs, 'inputs'),
      outputs: pick(SUBGRAPH.outputs, 'outputs'),
    };
  });

  const metadataTables = root.tablePositions(MODEL.metadata, 'metadata');
  const metadata = metadataTables.map((pos, i): MetadataEntry => {
    const m = r.table(pos, `Model.metadata[${i}]`);
    const buffer = m.u32(METADATA.buffer, 'buffer', 0);
    if (buffer >= bufferCount) {
      r.fail(`${m.what} refers to buffer ${buffer} but the model has ${bufferCount}`);
    }
    return { name: m.string(METADATA.name, 'name'), buffer };
  });

  // Walked only to validate them, since they are carried over by reference.
  root.tables(MODEL.operatorCodes, 'operator_codes');
  root.i32s(MODEL.metadataBuffer, 'metadata_buffer');
  const signatureDefs = root.tables(MODEL.signatureDefs, 'signature_defs');

  return {
    root,
    bufferTables,
    metadataTables,
    tensorBuffers,
    summary: {
      version: root.u32(MODEL.version, 'version', 0),
      description: root.string(MODEL.description, 'description'),
      operatorCodeCount: root.vector(MODEL.operatorCodes, 4, 'operator_codes')?.length ?? 0,
      bufferCount,
      subgraphs,
      metadata,
      signatureDefCount: signatureDefs.length,
    },
  };
}

/** Parses and validates a .tflite flatbuffer; throws TfliteFormatError naming `source`. */
export function readTfliteSummary(bytes: Uint8Array, source = 'model'): TfliteSummary {
  return parseModel(bytes, source).summary;
}

/** The bytes of Model.buffers[index].data (a view into `bytes`; empty if the buffer is empty). */
export function readBufferData(bytes: Uint8Array, index: number, source = 'model'): Uint8Array {
  const { bufferTables } = parseModel(bytes, source);
  const r: Reader = new Reader(bytes, source);
  const pos = bufferTables[index];
  if (pos === undefined) r.fail(`buffer ${index} does not exist (${bufferTables.length} buffers)`);
  const data = r.table(pos, `Model.buffers[${index}]`).vector(BUFFER.data, 1, 'data');
  return data === null ? new Uint8Array(0) : bytes.subarray(data.start, data.start + data.length);
}

// ---------------------------------------------------------------------------------------------
// ModelMetadata (M001) building and parsing.

function optionalString(b: Builder, s: string | undefined): number {
  return s === undefined ? 0 : b.createString(s);
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

function buildTensorMetadata(b: Builder, t: TensorMetadataSpec): number {
  const name = b.createString(t.name);
  const description = optionalString(b, t.description);

  let content = 0;
  if (t.image !== undefined) {
    let defaultSize = 0;
    if (t.image.defaultSize !== undefined) {
      b.startObject(IMAGE_SIZE.slotCount);
      b.addFieldInt32(IMAGE_SIZE.width, t.image.defaultSize.width, 0);
      b.addFieldInt32(IMAGE_SIZE.height, t.image.defaultSize.height, 0);
      defaultSize = b.endObject();
    }
    b.startObject(IMAGE_PROPERTIES.slotCount);
    b.addFieldInt8(IMAGE_PROPERTIES.colorSpace, COLOR_SPACES.indexOf(t.image.colorSpace), 0);
    b.addFieldOffset(IMAGE_PROPERTIES.defaultSize, defaultSize, 0);
    const properties = b.endObject();
    b.startObject(CONTENT.slotCount);
    b.addFieldInt8(CONTENT.propertiesType, CONTENT_PROPERTIES_IMAGE, 0);
    b.addFieldOffset(CONTENT.properties, properties, 0);
    content = b.endObject();
  }

  let processUnits = 0;
  if (t.normalization !== undefined) {
    const mean = floatVector(b, t.normalization.mean);
    const std = floatVector(b, t.normalization.std);
    b.startObject(NORMALIZATION_OPTIONS.slotCount);
    b.addFieldOffset(NORMALIZATION_OPTIONS.mean, mean, 0);
    b.addFieldOffset(NORMALIZATION_OPTIONS.std, std, 0);
    const options = b.endObject();
    b.startObject(PROCESS_UNIT.slotCount);
    b.addFieldInt8(PROCESS_UNIT.optionsType, PROCESS_UNIT_NORMALIZATION, 0);
    b.addFieldOffset(PROCESS_UNIT.options, options, 0);
    processUnits = offsetVector(b, [b.endObject()]);
  }

  let stats = 0;
  if (t.stats !== undefined) {
    const max = floatVector(b, t.stats.max);
    const min = floatVector(b, t.stats.min);
    b.startObject(STATS.slotCount);
    b.addFieldOffset(STATS.max, max, 0);
    b.addFieldOffset(STATS.min, min, 0);
    stats = b.endObject();
  }

  b.startObject(TENSOR_METADATA.slotCount);
  b.addFieldOffset(TENSOR_METADATA.name, name, 0);
  b.addFieldOffset(TENSOR_METADATA.description, description, 0);
  b.addFieldOffset(TENSOR_METADATA.content, content, 0);
  b.addFieldOffset(TENSOR_METADATA.processUnits, processUnits, 0);
  b.addFieldOffset(TENSOR_METADATA.stats, stats, 0);
  return b.endObject();
}

/** Serialises a ModelMetadata flatbuffer with file identifier "M001". */
export function buildModelMetadata(spec: ModelMetadataSpec): Uint8Array {
  const b = new Builder(1024);
  const subgraphs = spec.subgraphs.map((sg) => {
    const name = optionalString(b, sg.name);
    const description = optionalString(b, sg.description);
    const inputs = offsetVector(
      b,
      sg.inputs.map((t) => buildTensorMetadata(b, t)),
    );
    const outputs = offsetVector(
      b,
      sg.outputs.map((t) => buildTensorMetadata(b, t)),
    );
    b.startObject(SUBGRAPH_METADATA.slotCount);
    b.addFieldOffset(SUBGRAPH_METADATA.name, name, 0);
    b.addFieldOffset(SUBGRAPH_METADATA.description, description, 0);
    b.addFieldOffset(SUBGRAPH_METADATA.inputTensorMetadata, inputs, 0);
    b.addFieldOffset(SUBGRAPH_METADATA.outputTensorMetadata, outputs, 0);
    return b.endObject();
  });
  const subgraphVector = offsetVector(b, subgraphs);
  const name = b.createString(spec.name);
  const description = optionalString(b, spec.description);
  const version = optionalString(b, spec.version);
  const author = optionalString(b, spec.author);
  const license = optionalString(b, spec.license);
  const minParserVersion = optionalString(b, spec.minParserVersion);

  b.startObject(MODEL_METADATA.slotCount);
  b.addFieldOffset(MODEL_METADATA.name, name, 0);
  b.addFieldOffset(MODEL_METADATA.description, description, 0);
  b.addFieldOffset(MODEL_METADATA.version, version, 0);
  b.addFieldOffset(MODEL_METADATA.subgraphMetadata, subgraphVector, 0);
  b.addFieldOffset(MODEL_METADATA.author, author, 0);
  b.addFieldOffset(MODEL_METADATA.license, license, 0);
  b.addFieldOffset(MODEL_METADATA.minParserVersion, minParserVersion, 0);
  b.finish(b.endObject(), METADATA_IDENTIFIER);
  // Copy: asUint8Array() is a view into the builder's (larger, reusable) backing store.
  return b.asUint8Array().slice();
}

function readTensorMetadata(t: Table): TensorMetadataSpec {
  const out: TensorMetadataSpec = { name: t.string(TENSOR_METADATA.name, 'name') ?? '' };
  const description = t.string(TENSOR_METADATA.description, 'description');
  if (description !== null) out.description = description;

  const content = t.table(TENSOR_METADATA.content, 'content');
  if (
    content !== null &&
    content.u8(CONTENT.propertiesType, 'type', 0) === CONTENT_PROPERTIES_IMAGE
  ) {
    const props = content.table(CONTENT.properties, 'content_properties');
    if (props !== null) {
      const colorSpace = COLOR_SPACES[props.u8(IMAGE_PROPERTIES.colorSpace, 'color_space', 0)];
      out.image = { colorSpace: colorSpace ?? 'UNKNOWN' };
      const size = props.table(IMAGE_PROPERTIES.defaultSize, 'default_size');
      if (size !== null) {
        out.image.defaultSize = {
          width: size.u32(IMAGE_SIZE.width, 'width', 0),
          height: size.u32(IMAGE_SIZE.height, 'height', 0),
        };
      }
    }
  }

  for (const unit of t.tables(TENSOR_METADATA.processUnits, 'process_units')) {
    if (unit.u8(PROCESS_UNIT.optionsType, 'options_type', 0) !== PROCESS_UNIT_NORMALIZATION) {
      continue;
    }
    const options = unit.table(PROCESS_UNIT.options, 'options');
    if (options === null) continue;
    out.normalization = {
      mean: options.f32s(NORMALIZATION_OPTIONS.mean, 'mean') ?? [],
      std: options.f32s(NORMALIZATION_OPTIONS.std, 'std') ?? [],
    };
  }

  const stats = t.table(TENSOR_METADATA.stats, 'stats');
  if (stats !== null) {
    out.stats = {
      max: stats.f32s(STATS.max, 'max') ?? [],
      min: stats.f32s(STATS.min, 'min') ?? [],
    };
  }
  return out;
}

/** Parses a ModelMetadata ("M001") flatbuffer into the subset of fields this script writes. */
export function readModelMetadata(bytes: Uint8Array, source = 'metadata'): ModelMetadataSpec {
  const r: Reader = new Reader(bytes, source);
  const root = r.root(METADATA_IDENTIFIER, 'TFLite ModelMetadata');
  const out: ModelMetadataSpec = {
    name: root.string(MODEL_METADATA.name, 'name') ?? '',
    subgraphs: root.tables(MODEL_METADATA.subgraphMetadata, 'subgraph_metadata').map((sg) => {
      const spec: SubgraphMetadataSpec = {
        inputs: sg.tables(SUBGRAPH_METADATA.inputTensorMetadata, 'inputs').map(readTensorMetadata),
        outputs: sg
          .tables(SUBGRAPH_METADATA.outputTensorMetadata, 'outputs')
          .map(readTensorMetadata),
      };
      const name = sg.string(SUBGRAPH_METADATA.name, 'name');
      if (name !== null) spec.name = name;
      const description = sg.string(SUBGRAPH_METADATA.description, 'description');
      if (description !== null) spec.description = description;
      return spec;
    }),
  };
  const optional = [
    ['description', MODEL_METADATA.description],
    ['version', MODEL_METADATA.version],
    ['author', MODEL_METADATA.author],
    ['license', MODEL_METADATA.license],
    ['minParserVersion', MODEL_METADATA.minParserVersion],
  ] as const;
  for (const [key, slot] of optional) {
    const value = root.string(slot, key);
    if (value !== null) out[key] = value;
  }
  return out;
}

/** The ModelMetadata stored under TFLITE_METADATA in a model, or null if it has none. */
export function readEmbeddedModelMetadata(
  model: Uint8Array,
  source = 'model',
): ModelMetadataSpec | null {
  const entry = readTfliteSummary(model, source).metadata.find((m) => m.name === METADATA_NAME);
  if (entry === undefined) return null;
  return readModelMetadata(
    readBufferData(model, entry.buffer, source),
    `${source} (${METADATA_NAME} buffer)`,
  );
}

// ---------------------------------------------------------------------------------------------
// Patching.

/**
 * Returns a new .tflite equal to `model` plus a TFLITE_METADATA entry holding `metadata`.
 * If the model already has a TFLITE_METADATA entry, its buffer is replaced (same index), so
 * patching twice yields one entry with the latest metadata. The superseded bytes stay in the
 * file, unreferenced.
 */
export function addMetadata(model: Uint8Array, metadata: Uint8Array, source = 'model'): Uint8Array {
  const parsed = parseModel(model, source);
  readModelMetadata(metadata, 'metadata to embed'); // refuse to embed garbage
  const { root, bufferTables, metadataTables, summary, tensorBuffers } = parsed;
  const fail = (message: string): never => {
    throw new TfliteFormatError(`${source}: ${message}`);
  };

  if (root.hasFieldsFrom(MODEL.slotCount)) {
    fail('Model has fields newer than the schema this script knows; refusing to drop them');
  }
  const existing = summary.metadata.filter((m) => m.name === METADATA_NAME);
  if (existing.length > 1) fail(`Model has ${existing.length} ${METADATA_NAME} entries`);
  const replaced = existing[0]?.buffer;
  if (replaced !== undefined && (replaced === 0 || tensorBuffers.has(replaced))) {
    fail(`${METADATA_NAME} points at buffer ${replaced}, which also holds tensor data`);
  }
  const newBufferIndex = replaced ?? bufferTables.length;

  // Generous initial size so the builder never has to grow (and copy) the model.
  const b = new Builder(model.length + metadata.length + 4096);

  // Built back to front: the original file ends up last. Aligning its start to 16 keeps every
  // buffer's data (force_align: 16 in the schema) exactly as aligned as it was.
  b.prep(16, model.length);
  const originalVector = b.createByteVector(model);
  // `originalVector` addresses the vector's 4-byte length prefix; the payload follows it.
  const base = originalVector - 4;
  const original = (pos: number | null): number => (pos === null ? 0 : base - pos);

  b.prep(16, metadata.length);
  const metadataData = b.createByteVector(metadata);
  b.startObject(BUFFER.slotCount);
  b.addFieldOffset(BUFFER.data, metadataData, 0);
  const metadataBuffer = b.endObject();

  const buffers = bufferTables.map(original);
  if (replaced === undefined) buffers.push(metadataBuffer);
  else buffers[replaced] = metadataBuffer;
  const buffersVector = offsetVector(b, buffers);

  const metadataEntries = metadataTables.map(original);
  if (replaced === undefined) {
    const name = b.createString(METADATA_NAME);
    b.startObject(METADATA.slotCount);
    b.addFieldOffset(METADATA.name, name, 0);
    b.addFieldInt32(METADATA.buffer, newBufferIndex, 0);
    metadataEntries.push(b.endObject());
  }
  const metadataVector = offsetVector(b, metadataEntries);

  b.startObject(MODEL.slotCount);
  b.addFieldInt32(MODEL.version, summary.version, 0);
  b.addFieldOffset(
    MODEL.operatorCodes,
    original(root.ref(MODEL.operatorCodes, 'operator_codes')),
    0,
  );
  b.addFieldOffset(MODEL.subgraphs, original(root.ref(MODEL.subgraphs, 'subgraphs')), 0);
  b.addFieldOffset(MODEL.description, original(root.ref(MODEL.description, 'description')), 0);
  b.addFieldOffset(MODEL.buffers, buffersVector, 0);
  b.addFieldOffset(
    MODEL.metadataBuffer,
    original(root.ref(MODEL.metadataBuffer, 'metadata_buffer')),
    0,
  );
  b.addFieldOffset(MODEL.metadata, metadataVector, 0);
  b.addFieldOffset(
    MODEL.signatureDefs,
    original(root.ref(MODEL.signatureDefs, 'signature_defs')),
    0,
  );
  b.finish(b.endObject(), TFLITE_IDENTIFIER);
  const out = b.asUint8Array().slice();

  // Cheap self-check: a bug above must never ship a model that only fails in the browser.
  const check = readTfliteSummary(out, `${source} (patched)`);
  if (check.bufferCount !== summary.bufferCount + (replaced === undefined ? 1 : 0)) {
    fail('internal error: patched model has an unexpected buffer count');
  }
  return out;
}

/** Metadata for MediaPipe's BlazeFace short-range detector, derived from the model itself. */
export function blazeFaceMetadataSpec(summary: TfliteSummary): ModelMetadataSpec {
  const sg = summary.subgraphs[0];
  const input = sg?.inputs[0];
  if (sg === undefined || summary.subgraphs.length !== 1 || sg.inputs.length !== 1 || !input) {
    throw new TfliteFormatError('expected a model with one subgraph and one input tensor');
  }
  const [batch, height, width, channels] = input.shape;
  if (
    input.type !== TENSOR_TYPE_FLOAT32 ||
    input.shape.length !== 4 ||
    batch !== 1 ||
    channels !== 3 ||
    height === undefined ||
    width === undefined
  ) {
    throw new TfliteFormatError(
      `expected a float32 [1, H, W, 3] image input, got type ${input.type} ` +
        `shape [${input.shape.join(', ')}]`,
    );
  }
  return {
    name: 'BlazeFace short-range',
    description: 'MediaPipe BlazeFace short-range face detector (metadata added at install).',
    // NormalizationOptions, ImageProperties and Stats all exist since metadata schema 1.0.0.
    minParserVersion: '1.0.0',
    subgraphs: [
      {
        inputs: [
          {
            name: 'image',
            description: `RGB image, ${width}x${height}, normalized to [-1, 1].`,
            image: { colorSpace: 'RGB', defaultSize: { width, height } },
            // (x - 127.5) / 127.5 maps [0, 255] onto the [-1, 1] range BlazeFace was trained on.
            normalization: { mean: [127.5], std: [127.5] },
            stats: { max: [1], min: [-1] },
          },
        ],
        outputs: sg.outputs.map((t, i) => ({ name: t.name ?? `output_${i}` })),
      },
    ],
  };
}

/** readTfliteSummary + blazeFaceMetadataSpec + buildModelMetadata + addMetadata. */
export function patchBlazeFaceModel(model: Uint8Array, source = 'model'): Uint8Array {
  const summary = readTfliteSummary(model, source);
  let spec: ModelMetadataSpec;
  try {
    spec = blazeFaceMetadataSpec(summary);
  } catch (err) {
    throw new TfliteFormatError(`${source}: ${(err as Error).message}`);
  }
  return addMetadata(model, buildModelMetadata(spec), source);
}

// ---------------------------------------------------------------------------------------------
// CLI (postinstall).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_IN = 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite';
const DEFAULT_OUT = 'public/detector/face_detection_short_range.tflite';
const WASM_DIR = 'node_modules/@mediapipe/tasks-vision/wasm';
const WASM_FILES = ['vision_wasm_internal.js', 'vision_wasm_internal.wasm'];
const WASM_OUT = 'public/mediapipe';

function parseArgs(argv: string[]): { input: string; output: string } {
  let input = resolve(ROOT, DEFAULT_IN);
  let output = resolve(ROOT, DEFAULT_OUT);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--in' || flag === '--out') && value !== undefined) {
      if (flag === '--in') input = resolve(value);
      else output = resolve(value);
      i++;
    } else {
      throw new Error(`unknown or incomplete argument ${JSON.stringify(flag)}`);
    }
  }
  return { input, output };
}

/** Short paths in messages, absolute ones when the file is outside the working directory. */
function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}

function report(path: string, bytes: Uint8Array): void {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  console.log(`wrote ${displayPath(path)} (${bytes.length} bytes, sha256 ${sha256})`);
}

function main(argv: string[]): void {
  const { input, output } = parseArgs(argv);
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

  mkdirSync(resolve(ROOT, WASM_OUT), { recursive: true });
  for (const file of WASM_FILES) {
    const target = resolve(ROOT, WASM_OUT, file);
    copyFileSync(resolve(ROOT, WASM_DIR, file), target);
    report(target, readFileSync(target));
  }
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
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`add-tflite-metadata: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
