import * as tf from '@tensorflow/tfjs-core';

/**
 * The backbone as a small list of tfjs ops. A converted CNN (Conv with folded BatchNorm, PReLU,
 * residual Add, global depthwise conv, linear) needs nothing more, and owning the runner lets the
 * same graph run on every tfjs backend, in a Worker and in Node, and be cut in two for fine-tuning
 * (run a frozen prefix once, train the tail on cached activations).
 */
export type GraphNode =
  | {
      /** 'dwconv' is depthwise (HWC1 filter), 'conv' a full convolution (HWIO filter). */
      op: 'conv' | 'dwconv';
      input: string;
      output: string;
      filter: string;
      bias: string;
      stride: number;
      pad: number;
    }
  | { op: 'prelu'; input: string; output: string; alpha: string }
  | { op: 'add'; inputs: [string, string]; output: string }
  | { op: 'flatten'; input: string; output: string };

export interface GraphSpec {
  input: string;
  output: string;
  nodes: GraphNode[];
}

export type Params = ReadonlyMap<string, tf.Tensor>;

function param(params: Params, name: string): tf.Tensor {
  const t = params.get(name);
  if (!t) throw new Error(`model weights lack "${name}"`);
  return t;
}

function nodeInputs(node: GraphNode): string[] {
  return node.op === 'add' ? node.inputs : [node.input];
}

/** Names of the parameters the nodes after `cut` use: what fine-tuning the tail may train. */
export function tailParamNames(spec: GraphSpec, cut: string): string[] {
  const names: string[] = [];
  for (const node of nodesAfter(spec, cut)) {
    if (node.op === 'conv' || node.op === 'dwconv') names.push(node.filter, node.bias);
    else if (node.op === 'prelu') names.push(node.alpha);
  }
  return names;
}

/** The nodes that depend on `cut` (in graph order). Throws if `cut` is not a tensor of the graph. */
export function nodesAfter(spec: GraphSpec, cut: string): GraphNode[] {
  if (cut === spec.input) return spec.nodes;
  const index = spec.nodes.findIndex((n) => n.output === cut);
  if (index < 0) throw new Error(`no tensor "${cut}" in the model graph`);
  const after = spec.nodes.slice(index + 1);
  const available = new Set([cut]);
  // Tensors produced before the cut that later nodes still read (residual branches) must not
  // exist: a tail is only well defined where the graph has a single live tensor.
  for (const node of after) {
    for (const input of nodeInputs(node)) {
      if (!available.has(input))
        throw new Error(`cannot cut the graph at "${cut}": "${input}" crosses it`);
    }
    available.add(node.output);
  }
  return after;
}

/**
 * 1x1 convolutions as a matrix product: the same numbers, but the pure-JS cpu backend (training
 * in Node) multiplies matrices many times faster than it runs its generic conv loops.
 */
function conv(x: tf.Tensor, filter: tf.Tensor, stride: number, pad: number): tf.Tensor {
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  if (kh === 1 && kw === 1 && stride === 1 && pad === 0) {
    const [n, h, w] = x.shape as [number, number, number, number];
    const y = tf.matMul(tf.reshape(x, [n * h * w, cin]), tf.reshape(filter, [cin, cout]));
    return tf.reshape(y, [n, h, w, cout]);
  }
  return tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, stride, pad);
}

/** A depthwise kernel as large as its unpadded input (the global depthwise conv) is a weighted sum. */
function depthwise(x: tf.Tensor, filter: tf.Tensor, stride: number, pad: number): tf.Tensor {
  const [kh, kw, c] = filter.shape as [number, number, number, number];
  const [, h, w] = x.shape as [number, number, number, number];
  if (kh === h && kw === w && pad === 0) {
    return tf.sum(tf.mul(x, tf.reshape(filter, [1, kh, kw, c])), [1, 2], true);
  }
  return tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, stride, pad);
}

type ConvolutionNode = Extract<GraphNode, { filter: string }>;

function isConvolution(node: GraphNode): node is ConvolutionNode {
  return node.op === 'conv' || node.op === 'dwconv';
}

/** The nodes other than convolutions: the same in the plain and the fused runner. */
function elementwise(
  node: Exclude<GraphNode, ConvolutionNode>,
  params: Params,
  get: (name: string) => tf.Tensor,
): tf.Tensor {
  switch (node.op) {
    case 'prelu':
      return tf.prelu(get(node.input), param(params, node.alpha));
    case 'add':
      return tf.add(get(node.inputs[0]), get(node.inputs[1]));
    case 'flatten': {
      const x = get(node.input);
      return tf.reshape(x, [x.shape[0] ?? -1, -1]);
    }
  }
}

/**
 * Runs the graph from `from` (default: the graph input) to `to` (default: the graph output).
 * Call inside tf.tidy; with trainable tensors in `params`, gradients flow through.
 */
export function runGraph(
  spec: GraphSpec,
  params: Params,
  input: tf.Tensor,
  options: { from?: string; to?: string } = {},
): tf.Tensor {
  const from = options.from ?? spec.input;
  const to = options.to ?? spec.output;
  const nodes = from === spec.input ? spec.nodes : nodesAfter(spec, from);
  const values = new Map<string, tf.Tensor>([[from, input]]);
  const get = (name: string) => {
    const v = values.get(name);
    if (!v) throw new Error(`model graph reads "${name}" before it is computed`);
    return v;
  };
  for (const node of nodes) {
    let out: tf.Tensor;
    switch (node.op) {
      case 'conv':
        out = tf.add(
          conv(get(node.input), param(params, node.filter), node.stride, node.pad),
          param(params, node.bias),
        );
        break;
      case 'dwconv':
        out = tf.add(
          depthwise(get(node.input), param(params, node.filter), node.stride, node.pad),
          param(params, node.bias),
        );
        break;
      default:
        out = elementwise(node, params, get);
    }
    values.set(node.output, out);
    if (node.output === to) return out;
  }
  throw new Error(`model graph never produced "${to}"`);
}

/**
 * Inference only (no gradients): each conv or depthwise conv followed by its PReLU runs as one
 * fused op (tf.fused.conv2d / depthwiseConv2d with bias and PReLU), so the backend does one pass
 * over the activations instead of three (conv, add bias, PReLU). Same numbers as runGraph within
 * float rounding; fused ops have no PReLU gradient, so training keeps runGraph.
 */
export function runGraphFused(spec: GraphSpec, params: Params, input: tf.Tensor): tf.Tensor {
  const readers = new Map<string, number>();
  for (const node of spec.nodes) {
    for (const name of nodeInputs(node)) readers.set(name, (readers.get(name) ?? 0) + 1);
  }
  const values = new Map<string, tf.Tensor>([[spec.input, input]]);
  const get = (name: string) => {
    const v = values.get(name);
    if (!v) throw new Error(`model graph reads "${name}" before it is computed`);
    return v;
  };
  const nodes = spec.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as GraphNode;
    if (isConvolution(node)) {
      const next = nodes[i + 1];
      // Fused only when the PReLU is the conv output's one and only reader.
      const prelu =
        next?.op === 'prelu' && next.input === node.output && readers.get(node.output) === 1
          ? next
          : null;
      const x = get(node.input) as tf.Tensor4D;
      const filter = param(params, node.filter) as tf.Tensor4D;
      const [kh, kw] = filter.shape;
      const [, h, w] = x.shape;
      const globalDepthwise = node.op === 'dwconv' && kh === h && kw === w && node.pad === 0;
      let out: tf.Tensor;
      if (globalDepthwise) {
        out = tf.add(depthwise(x, filter, node.stride, node.pad), param(params, node.bias));
        if (prelu) out = tf.prelu(out, param(params, prelu.alpha));
      } else {
        const args = {
          x,
          filter,
          strides: node.stride,
          pad: node.pad,
          bias: param(params, node.bias),
          ...(prelu
            ? { activation: 'prelu' as const, preluActivationWeights: param(params, prelu.alpha) }
            : {}),
        };
        out = node.op === 'conv' ? tf.fused.conv2d(args) : tf.fused.depthwiseConv2d(args);
      }
      values.set(prelu ? prelu.output : node.output, out);
      if (prelu) i += 1;
      continue;
    }
    values.set(node.output, elementwise(node, params, get));
  }
  const output = values.get(spec.output);
  if (!output) throw new Error(`model graph never produced "${spec.output}"`);
  return output;
}
