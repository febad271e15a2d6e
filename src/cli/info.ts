// `deeptype info <checkpoint>`: what a saved model holds, in nn.summary's (torchinfo's) table layout.
// A file has no graph, so no output shapes: the rows are the module prefixes of the state-dict keys
// (`features.0.weight` -> features, 0) with their tensors below them, each with its dtype, shape and
// element count; a module row shows the elements of everything under it. Then the totals (running
// statistics of batch norm, PyTorch's standard buffer names, are counted apart from parameters) and,
// for a deeptype checkpoint, the epoch, metrics and optimizer state. Reads the header only (the file
// is still checked end to end by readHeader), so it is quick on large files.

import * as fs from "node:fs";
import * as path from "node:path";
import { readHeader, type TensorInfo, type Metadata } from "../io/safetensors.js";
import { formatTable, groupDigits, type TableRow } from "../nn/summary.js";

/** Keys of PyTorch's standard buffers (not parameters). */
const BUFFER_KEY = /(^|\.)(running_mean|running_var|num_batches_tracked)$/;
const CHECKPOINT_FORMAT = "deeptype.checkpoint";

export interface CheckpointContents {
  file: string;
  /** "deeptype checkpoint" or "safetensors". */
  kind: string;
  /** The model's state-dict entries (the `model.` prefix of a checkpoint removed), in file order. */
  tensors: TensorInfo[];
  /** Tensors of the optimizer / scheduler / other state of a checkpoint. */
  stateTensors: TensorInfo[];
  /** The checkpoint's JSON state (epoch, metrics, optimizer options...), null for a plain file. */
  state: Record<string, unknown> | null;
  metadata: Metadata | null;
  fileBytes: number;
}

/** Reads the header of a safetensors file or deeptype checkpoint; errors are one clear line. */
export function readCheckpointInfo(file: string): CheckpointContents {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`);
  }
  const { tensors, metadata } = readHeader(bytes, file);
  if (metadata?.format !== CHECKPOINT_FORMAT)
    return { file, kind: "safetensors", tensors, stateTensors: [], state: null, metadata, fileBytes: bytes.byteLength };
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(metadata.state ?? "{}");
  } catch (e) {
    throw new Error(`${file}: the checkpoint state is not valid JSON (${(e as Error).message})`);
  }
  const referenced = new Set<string>();
  const collect = (v: unknown): void => {
    if (v === null || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (o.$deeptype === "tensor") referenced.add(String(o.name));
    else for (const x of Array.isArray(v) ? v : Object.values(o)) collect(x);
  };
  collect(state);
  const model: TensorInfo[] = [], other: TensorInfo[] = [];
  for (const t of tensors) {
    if (t.name.startsWith("model.") && !referenced.has(t.name)) model.push({ ...t, name: t.name.slice(6) });
    else other.push(t);
  }
  return { file, kind: "deeptype checkpoint", tensors: model, stateTensors: other, state, metadata, fileBytes: bytes.byteLength };
}

const numel = (t: TensorInfo) => t.shape.reduce((a, b) => a * b, 1);

interface PrefixNode {
  name: string;
  children: Map<string, PrefixNode>;
  tensor: TensorInfo | null;
  elements: number;
}

/** The table of a checkpoint's model tensors, grouped by module prefix, then its totals. */
export function formatCheckpointInfo(c: CheckpointContents, opts: { depth?: number } = {}): string {
  const maxDepth = opts.depth ?? Infinity;
  const root: PrefixNode = { name: "", children: new Map(), tensor: null, elements: 0 };
  for (const t of c.tensors) {
    const parts = t.name.split(".");
    let node = root;
    root.elements += numel(t);
    for (let i = 0; i < parts.length; i++) {
      const key = i === parts.length - 1 ? `\u0000${parts[i]}` : parts[i]; // a tensor and a module may share a name
      let next = node.children.get(key);
      if (!next) {
        next = { name: parts[i], children: new Map(), tensor: null, elements: 0 };
        node.children.set(key, next);
      }
      next.elements += numel(t);
      if (i === parts.length - 1) next.tensor = t;
      node = next;
    }
  }
  const rows: TableRow[] = [];
  const counter = new Map<number, number>();
  const title = `${path.basename(c.file)} (${c.kind})`;
  rows.push({ title, depth: 0, cells: { dtype: "--", shape: "--", params: groupDigits(root.elements) } });
  const walk = (node: PrefixNode, depth: number) => {
    for (const child of node.children.values()) {
      counter.set(depth, (counter.get(depth) ?? 0) + 1);
      const t = child.tensor;
      rows.push({
        title: `${child.name}: ${depth}-${counter.get(depth)}`, depth,
        cells: t
          ? { dtype: t.dtype, shape: t.shape.length ? `[${t.shape.join(", ")}]` : "[]", params: groupDigits(numel(t)) }
          : { dtype: "--", shape: "--", params: groupDigits(child.elements) },
      });
      walk(child, depth + 1);
    }
  };
  walk(root, 1);
  const shown = rows.filter((r) => r.depth <= maxDepth);

  let params = 0, buffers = 0, dataBytes = 0;
  for (const t of c.tensors) {
    if (BUFFER_KEY.test(t.name)) buffers += numel(t);
    else params += numel(t);
    dataBytes += t.end - t.begin;
  }
  const totals = [
    `Tensors: ${groupDigits(c.tensors.length)}`,
    `Total params: ${groupDigits(params)}`,
    `Buffer elements (running_mean, running_var, num_batches_tracked): ${groupDigits(buffers)}`,
  ];
  const sizes = [`Tensor data size (MB): ${(dataBytes / 1e6).toFixed(2)}`, `File size (MB): ${(c.fileBytes / 1e6).toFixed(2)}`];
  const footer = [totals, sizes];
  if (c.state) {
    const lines: string[] = [];
    if (typeof c.state.epoch === "number") lines.push(`Epoch: ${c.state.epoch}`);
    const metrics = c.state.metrics;
    if (metrics && typeof metrics === "object" && Object.keys(metrics).length)
      lines.push(`Metrics: ${Object.entries(metrics as Record<string, unknown>).map(([k, v]) => `${k} ${typeof v === "number" ? +v.toFixed(6) : JSON.stringify(v)}`).join(", ")}`);
    const other = Object.keys(c.state).filter((k) => k !== "epoch" && k !== "metrics");
    if (other.length) lines.push(`Other state: ${other.join(", ")}`);
    if (c.stateTensors.length)
      lines.push(`State tensors (optimizer, scheduler, ...): ${groupDigits(c.stateTensors.length)}, ${groupDigits(c.stateTensors.reduce((a, t) => a + numel(t), 0))} elements`);
    if (lines.length) footer.push(lines);
  }
  return formatTable({
    header: "Layer (name:depth-idx)",
    columns: [{ key: "dtype", title: "Dtype" }, { key: "shape", title: "Shape" }, { key: "params", title: "Param #" }],
    rows: shown,
    footer,
  });
}
