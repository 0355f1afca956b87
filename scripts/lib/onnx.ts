/**
 * Reads an ONNX model file (onnx-proto's ModelProto decoder) into the plain shapes that
 * onnx-to-graph.ts converts: nodes, float/int initializers, graph inputs and outputs.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Float32 data (ONNX FLOAT = 1); other types are kept as raw bytes. */
  floats: Float32Array | null;
  ints: number[] | null;
  raw: Uint8Array | null;
}

export type OnnxAttr = number | string | number[] | OnnxTensor;

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, OnnxAttr>;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
  opsetVersion: number;
  producer: string;
}

/** protobufjs hands int64 fields back as Long objects; every size in a model fits 2^53. */
type Int64 = number | { toNumber(): number };
const int = (v: Int64 | null | undefined): number =>
  v == null ? 0 : typeof v === 'number' ? v : v.toNumber();

const FLOAT = 1;
const { AttributeType } = onnx.AttributeProto;

function readTensor(t: onnxProto.onnx.ITensorProto): OnnxTensor {
  const dataType = t.dataType ?? 0;
  // Under Node the decoder's bytes are Buffer views into the whole file (Buffer.slice() does not
  // copy): copy them into their own, aligned ArrayBuffer.
  const raw = t.rawData?.length ? new Uint8Array(t.rawData) : null;
  const ints = [...(t.int32Data ?? []), ...(t.int64Data ?? []).map(int)];
  let floats: Float32Array | null = null;
  if (dataType === FLOAT) {
    floats = raw
      ? new Float32Array(new Uint8Array(raw).buffer, 0, raw.length / 4)
      : Float32Array.from(t.floatData ?? []);
  }
  return {
    name: t.name ?? '',
    dims: (t.dims ?? []).map(int),
    dataType,
    floats,
    ints: ints.length ? ints : null,
    raw,
  };
}

function readAttr(a: onnxProto.onnx.IAttributeProto): OnnxAttr {
  switch (a.type) {
    case AttributeType.FLOAT:
      return a.f ?? 0;
    case AttributeType.INT:
      return int(a.i as Int64 | null | undefined);
    case AttributeType.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case AttributeType.TENSOR:
      return readTensor(a.t ?? {});
    case AttributeType.FLOATS:
      return a.floats ?? [];
    case AttributeType.INTS:
      return (a.ints ?? []).map(int);
    case AttributeType.UNDEFINED:
    case undefined:
    case null:
      // Files from before IR version 3 may leave the type out: go by which field is there.
      if (a.ints?.length) return a.ints.map(int);
      if (a.floats?.length) return a.floats;
      if (a.s?.length) return new TextDecoder().decode(a.s);
      if (a.t) return readTensor(a.t);
      return Object.hasOwn(a, 'f') ? (a.f ?? 0) : int(a.i as Int64 | null | undefined);
    default:
      throw new Error(`ONNX: attribute ${a.name} has unsupported type ${a.type}`);
  }
}

function readValueInfo(v: onnxProto.onnx.IValueInfoProto) {
  const dims = (v.type?.tensorType?.shape?.dim ?? []).map((d): number | string =>
    d.dimValue != null ? int(d.dimValue as Int64) : (d.dimParam ?? '?'),
  );
  return { name: v.name ?? '', dims };
}

export function parseOnnx(bytes: Uint8Array): OnnxGraph {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new Error(`ONNX: ${error instanceof Error ? error.message : String(error)}`);
  }
  const g = model.graph;
  if (!g?.node?.length) throw new Error('ONNX: no graph found; not an ONNX model?');
  const initializers = new Map((g.initializer ?? []).map((t) => [t.name ?? '', readTensor(t)]));
  return {
    nodes: g.node.map((n) => ({
      name: n.name ?? '',
      opType: n.opType ?? '',
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attrs: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', readAttr(a)])),
    })),
    initializers,
    // Older exporters list the initializers among the graph's inputs too.
    inputs: (g.input ?? []).map(readValueInfo).filter((i) => !initializers.has(i.name)),
    outputs: (g.output ?? []).map(readValueInfo),
    opsetVersion: Math.max(
      0,
      ...(model.opsetImport ?? []).map((o) => int(o.version as Int64 | null | undefined)),
    ),
    producer: model.producerName ?? '',
  };
}
