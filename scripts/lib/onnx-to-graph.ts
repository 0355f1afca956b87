import type { GraphNode, GraphSpec } from '../../src/lib/embedding/graph.ts';
import type { OnnxGraph, OnnxTensor } from './onnx.ts';

export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

function floats(t: OnnxTensor | undefined, what: string): OnnxTensor & { floats: Float32Array } {
  if (!t?.floats) throw new Error(`ONNX: ${what} is not a float32 initializer`);
  return t as OnnxTensor & { floats: Float32Array };
}

/** OIHW -> HWIO (conv2d) or, for depthwise, C1HW -> HWC1. */
function transposeFilter(t: OnnxTensor & { floats: Float32Array }, depthwise: boolean): NamedArray {
  const [o = 0, i = 0, h = 0, w = 0] = t.dims;
  const out = new Float32Array(o * i * h * w);
  if (depthwise) {
    for (let c = 0; c < o; c++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[(y * w + x) * o + c] = t.floats[(c * h + y) * w + x] ?? 0;
    return { name: '', shape: [h, w, o, 1], values: out };
  }
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          out[((y * w + x) * i + b) * o + a] = t.floats[((a * i + b) * h + y) * w + x] ?? 0;
  return { name: '', shape: [h, w, i, o], values: out };
}

/** Converts a Conv/PRelu/Add/Reshape|Flatten ONNX CNN (NCHW) into our NHWC op list + weights. */
export function onnxToGraph(onnx: OnnxGraph): { spec: GraphSpec; weights: NamedArray[] } {
  const input = onnx.inputs[0]?.name;
  const output = onnx.outputs[0]?.name;
  if (!input || !output) throw new Error('ONNX: graph has no input or output');
  const nodes: GraphNode[] = [];
  const weights: NamedArray[] = [];
  onnx.nodes.forEach((node, k) => {
    const [x = '', wName = '', bName = ''] = node.inputs;
    const out = node.outputs[0] ?? '';
    if (node.opType === 'Conv') {
      const w = floats(onnx.initializers.get(wName), `${node.name} weight`);
      const group = Number(node.attrs.group ?? 1);
      const strides = (node.attrs.strides as number[] | undefined) ?? [1, 1];
      const pads = (node.attrs.pads as number[] | undefined) ?? [0, 0, 0, 0];
      const dil = (node.attrs.dilations as number[] | undefined) ?? [1, 1];
      const autoPad = node.attrs.auto_pad;
      if (autoPad !== undefined && autoPad !== 'NOTSET') {
        throw new Error(
          `ONNX: ${node.name} uses auto_pad ${JSON.stringify(autoPad)}, which is not supported`,
        );
      }
      if (new Set(pads).size > 1)
        throw new Error(`ONNX: ${node.name} has asymmetric padding ${pads.join(',')}`);
      if (strides[0] !== strides[1]) throw new Error(`ONNX: ${node.name} has unequal strides`);
      if (dil.some((d) => d !== 1)) throw new Error(`ONNX: ${node.name} is dilated`);
      const depthwise = group > 1;
      if (depthwise && !(group === w.dims[0] && w.dims[1] === 1)) {
        throw new Error(`ONNX: ${node.name} is a grouped conv that is not depthwise`);
      }
      const filter = { ...transposeFilter(w, depthwise), name: `n${k}.filter` };
      const outC = w.dims[0] ?? 0;
      const bias: NamedArray = {
        name: `n${k}.bias`,
        shape: [outC],
        values: bName
          ? Float32Array.from(floats(onnx.initializers.get(bName), `${node.name} bias`).floats)
          : new Float32Array(outC),
      };
      weights.push(filter, bias);
      nodes.push({
        op: depthwise ? 'dwconv' : 'conv',
        input: x,
        output: out,
        filter: filter.name,
        bias: bias.name,
        stride: strides[0] ?? 1,
        pad: pads[0] ?? 0,
      });
    } else if (node.opType === 'PRelu') {
      const slope = floats(onnx.initializers.get(wName), `${node.name} slope`);
      const alpha: NamedArray = {
        name: `n${k}.alpha`,
        shape: [slope.floats.length],
        values: Float32Array.from(slope.floats),
      };
      weights.push(alpha);
      nodes.push({ op: 'prelu', input: x, output: out, alpha: alpha.name });
    } else if (node.opType === 'Add') {
      nodes.push({ op: 'add', inputs: [x, wName], output: out });
    } else if (node.opType === 'Reshape' || node.opType === 'Flatten') {
      // NHWC flatten equals ONNX's NCHW flatten only at 1x1 spatial size (the embedding layer),
      // which runGraph's shapes make visible if a model ever breaks that.
      nodes.push({ op: 'flatten', input: x, output: out });
    } else {
      throw new Error(`ONNX: op ${node.opType} (${node.name}) is not supported by the converter`);
    }
  });
  return { spec: { input, output, nodes }, weights };
}
