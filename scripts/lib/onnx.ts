/**
 * A minimal reader for ONNX model files (protobuf wire format), enough to turn a small CNN into
 * our own graph + weights. Field numbers are from onnx/onnx.proto (ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto, ValueInfoProto). Unknown fields are skipped.
 */

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

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}

  /** Unsigned varint; exact up to 2^53, which every size and offset in a model file is below. */
  varint(): number {
    return Number(this.bigVarint());
  }

  private bigVarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('ONNX: truncated varint');
      const byte = this.buf[this.pos++] ?? 0;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new Error('ONNX: varint too long');
    }
    return result;
  }

  /** int64 fields: negative values come as 10-byte two's complement. */
  signedVarint(): number {
    return Number(BigInt.asIntN(64, this.bigVarint()));
  }

  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.end)
      throw new Error('ONNX: length-delimited field runs past its end');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  sub(): Reader {
    const b = this.bytes();
    return new Reader(b);
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`ONNX: unsupported wire type ${wire}`);
  }

  *fields(): Generator<{ field: number; wire: number }> {
    while (this.pos < this.end) {
      const key = this.varint();
      yield { field: Math.floor(key / 8), wire: key & 7 };
    }
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function float32At(r: Reader): number {
  const view = new DataView(r.buf.buffer, r.buf.byteOffset + r.pos, 4);
  r.pos += 4;
  return view.getFloat32(0, true);
}

function readTensor(r: Reader): OnnxTensor {
  const t: OnnxTensor = { name: '', dims: [], dataType: 0, floats: null, ints: null, raw: null };
  const floats: number[] = [];
  const ints: number[] = [];
  for (const { field, wire } of r.fields()) {
    if (field === 1) {
      if (wire === 2) {
        const p = r.sub();
        while (p.pos < p.end) t.dims.push(p.signedVarint());
      } else t.dims.push(r.signedVarint());
    } else if (field === 2) t.dataType = r.varint();
    else if (field === 4) {
      if (wire === 2) {
        const p = r.sub();
        while (p.pos < p.end) floats.push(float32At(p));
      } else floats.push(float32At(r));
    } else if (field === 5 || field === 7) {
      if (wire === 2) {
        const p = r.sub();
        while (p.pos < p.end) ints.push(p.signedVarint());
      } else ints.push(r.signedVarint());
    } else if (field === 8) t.name = text(r.bytes());
    else if (field === 9) t.raw = r.bytes().slice();
    else r.skip(wire);
  }
  if (t.dataType === 1) {
    if (t.raw) {
      t.floats = new Float32Array(t.raw.slice().buffer, 0, t.raw.length / 4);
    } else t.floats = Float32Array.from(floats);
  }
  if (ints.length) t.ints = ints;
  return t;
}

function readAttr(r: Reader): { name: string; value: OnnxAttr } {
  let name = '';
  let value: OnnxAttr = 0;
  const floats: number[] = [];
  const ints: number[] = [];
  let kind = 0;
  for (const { field, wire } of r.fields()) {
    if (field === 1) name = text(r.bytes());
    else if (field === 2) value = float32At(r);
    else if (field === 3) value = r.signedVarint();
    else if (field === 4) value = text(r.bytes());
    else if (field === 5) value = readTensor(r.sub());
    else if (field === 7) {
      if (wire === 2) {
        const p = r.sub();
        while (p.pos < p.end) floats.push(float32At(p));
      } else floats.push(float32At(r));
    } else if (field === 8) {
      if (wire === 2) {
        const p = r.sub();
        while (p.pos < p.end) ints.push(p.signedVarint());
      } else ints.push(r.signedVarint());
    } else if (field === 20) kind = r.varint();
    else r.skip(wire);
  }
  if (kind === 6 || (floats.length && kind !== 7)) value = floats;
  if (kind === 7 || ints.length) value = ints;
  return { name, value };
}

function readNode(r: Reader): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', inputs: [], outputs: [], attrs: {} };
  for (const { field, wire } of r.fields()) {
    if (field === 1) node.inputs.push(text(r.bytes()));
    else if (field === 2) node.outputs.push(text(r.bytes()));
    else if (field === 3) node.name = text(r.bytes());
    else if (field === 4) node.opType = text(r.bytes());
    else if (field === 5) {
      const a = readAttr(r.sub());
      node.attrs[a.name] = a.value;
    } else r.skip(wire);
  }
  return node;
}

function readValueInfo(r: Reader): { name: string; dims: (number | string)[] } {
  let name = '';
  const dims: (number | string)[] = [];
  for (const { field, wire } of r.fields()) {
    if (field === 1) name = text(r.bytes());
    else if (field === 2) {
      // TypeProto.tensor_type(1).shape(2).dim(1).{dim_value(1) | dim_param(2)}
      const type = r.sub();
      for (const f1 of type.fields()) {
        if (f1.field !== 1) {
          type.skip(f1.wire);
          continue;
        }
        const tensorType = type.sub();
        for (const f2 of tensorType.fields()) {
          if (f2.field !== 2) {
            tensorType.skip(f2.wire);
            continue;
          }
          const shape = tensorType.sub();
          for (const f3 of shape.fields()) {
            if (f3.field !== 1) {
              shape.skip(f3.wire);
              continue;
            }
            const dim = shape.sub();
            let d: number | string = '?';
            for (const f4 of dim.fields()) {
              if (f4.field === 1) d = dim.signedVarint();
              else if (f4.field === 2) d = text(dim.bytes());
              else dim.skip(f4.wire);
            }
            dims.push(d);
          }
        }
      }
    } else r.skip(wire);
  }
  return { name, dims };
}

export function parseOnnx(input: Uint8Array): OnnxGraph {
  // A Node Buffer's slice() is a view, not a copy; work on a plain Uint8Array so copies are copies.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const model = new Reader(bytes);
  const graph: OnnxGraph = {
    nodes: [],
    initializers: new Map(),
    inputs: [],
    outputs: [],
    opsetVersion: 0,
    producer: '',
  };
  let sawGraph = false;
  for (const { field, wire } of model.fields()) {
    if (field === 2) graph.producer = text(model.bytes());
    else if (field === 8) {
      const opset = model.sub();
      for (const f of opset.fields()) {
        if (f.field === 2) graph.opsetVersion = Math.max(graph.opsetVersion, opset.signedVarint());
        else opset.skip(f.wire);
      }
    } else if (field === 7) {
      sawGraph = true;
      const g = model.sub();
      for (const f of g.fields()) {
        if (f.field === 1) graph.nodes.push(readNode(g.sub()));
        else if (f.field === 5) {
          const t = readTensor(g.sub());
          graph.initializers.set(t.name, t);
        } else if (f.field === 11) graph.inputs.push(readValueInfo(g.sub()));
        else if (f.field === 12) graph.outputs.push(readValueInfo(g.sub()));
        else g.skip(f.wire);
      }
    } else model.skip(wire);
  }
  if (!sawGraph || graph.nodes.length === 0)
    throw new Error('ONNX: no graph found; not an ONNX model?');
  graph.inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  return graph;
}
