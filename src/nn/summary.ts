// nn.summary: a model summary in torchinfo's layout (torchinfo 1.8, `summary(model, input_size)`):
// one row per module call, indented by depth, with its output shape and parameter count, then the
// totals, the mult-adds of the forward pass and the memory estimates.
//
// As torchinfo: the model runs once under noGrad in eval mode (each module's training flag is
// restored afterwards) with forward hooks on every module; a row's depth is the module's depth in
// the module tree and `depth-idx` counts the rows of each depth across the whole table; containers
// show "--" or the parameters their children do not hold, a row at the deepest shown depth shows all
// of its parameters; a module called again shows "(recursive)" and is not counted twice; frozen
// layers show their count in parentheses. Mult-adds follow torchinfo's rule: a Conv layer's weight
// and bias elements times N * the output's spatial size, any other layer's weight and bias elements
// times N (recurrent weights such as weight_ih_l0 times the output's first two sizes); the total
// sums the leaf layers. Sizes: inputs' bytes, twice the output bytes of each leaf layer with
// parameters (forward and backward), and the parameters' bytes, in MB (1e6 bytes).

import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../tensor/autograd.js";
import type { DType } from "../tensor/dtype.js";
import { ones, zeros } from "../ops/creation.js";
import { Module } from "./module.js";

/** The columns torchinfo can show (its `col_names`, camelCased). */
export type SummaryColumn = "inputSize" | "outputSize" | "numParams" | "paramsPercent" | "kernelSize" | "multAdds" | "trainable";

/** Column titles, as torchinfo's HEADER_TITLES. */
export const COLUMN_TITLES: Record<SummaryColumn, string> = {
  kernelSize: "Kernel Shape",
  inputSize: "Input Shape",
  outputSize: "Output Shape",
  numParams: "Param #",
  paramsPercent: "Param %",
  multAdds: "Mult-Adds",
  trainable: "Trainable",
};

/** Options of nn.summary (torchinfo's keyword arguments, camelCased). */
export interface SummaryOptions {
  /** Deepest module level shown (default 3, as torchinfo). */
  depth?: number;
  /** dtype of each generated input (default float32); ignored for inputs given as tensors. */
  dtypes?: DType | DType[];
  /** Print the table with console.log (default true). */
  print?: boolean;
  /** Columns after the layer name (default ["outputSize", "numParams"]). */
  colNames?: SummaryColumn[];
  /** Width of each column (default 25). */
  colWidth?: number;
  /** "depth" shows `: depth-idx` after each type, "varNames" the module's field name (default ["depth"]). */
  rowSettings?: ("depth" | "varNames")[];
  /** Extra arguments passed to forward after the inputs. */
  forwardArgs?: unknown[];
}

/** One row of the summary: one call of one module (containers the forward never called are added
 *  above their children, as torchinfo does, with no shapes). */
export interface LayerSummary {
  /** Dotted path of the module in the model ("" for the model itself). */
  name: string;
  /** The module's field name (the last part of `name`). */
  varName: string;
  /** Class name, e.g. "Conv2d". */
  type: string;
  /** Depth in the module tree (0 for the model). */
  depth: number;
  /** 1-based index among the rows of the same depth. */
  depthIndex: number;
  /** Shape of the first input tensor (null when not called). */
  inputShape: number[] | null;
  /** Shape of the output (of its first tensor when it returns several; null when not called or not a tensor). */
  outputShape: number[] | null;
  /** Parameter elements of the module and its descendants. */
  numParams: number;
  /** The ones that require grad. */
  trainableParams: number;
  /** Whether every parameter requires grad (false for a module without parameters). */
  trainable: boolean;
  /** Mult-adds of this call (torchinfo's rule). */
  multAdds: number;
  /** Whether the module has no children. */
  isLeaf: boolean;
  /** Whether the module already had a row (a module called more than once). */
  isRecursive: boolean;
  /** Kernel size, for modules with a kernelSize field. */
  kernelSize: number | number[] | null;
  /** Bytes of the output tensor(s). */
  outputBytes: number;
  /** The module itself. */
  module: Module | null;
}

/** What summary returns (torchinfo's ModelStatistics); toString() is the printed table. */
export interface ModelStatistics {
  /** One row per module call, in call order (containers above their children). */
  layers: LayerSummary[];
  /** Parameter elements of the model (model.parameters(), each counted once). */
  totalParams: number;
  /** The ones that require grad. */
  trainableParams: number;
  /** The ones that do not (frozen). */
  nonTrainableParams: number;
  /** Mult-adds of the forward pass (sum over leaf layers). */
  totalMultAdds: number;
  /** Bytes of the inputs. */
  totalInputBytes: number;
  /** Twice the output bytes of the leaf layers with parameters. */
  totalOutputBytes: number;
  /** Bytes of the parameters. */
  totalParamBytes: number;
  /** The table summary prints. */
  toString(): string;
}

const ELEMENT_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** 61706 -> "61,706" (Python's `{:,}`), independent of the locale. */
export function groupDigits(n: number): string {
  const s = String(Math.abs(Math.trunc(n)));
  return (n < 0 ? "-" : "") + s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** [1, 6, 28, 28] as Python prints a list; "--" for null or an empty shape (torchinfo's str_). */
export function formatShape(shape: number[] | null): string {
  return shape && shape.length ? `[${shape.join(", ")}]` : "--";
}

/** torchinfo's to_readable for mult-adds: "(M): 0.42", "(G): 1.82", "(T): ...". */
export function formatMultAdds(n: number): string {
  if (n >= 1e12) return ` (T): ${(n / 1e12).toFixed(2)}`;
  if (n >= 1e9) return ` (G): ${(n / 1e9).toFixed(2)}`;
  return ` (M): ${(n / 1e6).toFixed(2)}`;
}

/** A row of the table before formatting. */
export interface TableRow {
  /** What is printed after the tree prefix ("Conv2d: 1-1"). */
  title: string;
  depth: number;
  /** Cell text by column. */
  cells: Partial<Record<string, string>>;
}

/** The tree prefix of a row: "" at depth 0, "├─" at 1, "│    └─" at 2, ... (torchinfo's get_start_str). */
export function treePrefix(depth: number): string {
  if (depth <= 0) return "";
  return depth === 1 ? "├─" : "│    ".repeat(depth - 1) + "└─";
}

/** Formats rows in torchinfo's layout: a divider, the header, the rows, a divider, then each block
 *  of `footer` lines followed by a divider. The name column is 40 wide, widened to a multiple of 5
 *  when a title (with 5 characters per depth level) needs it; each other column `colWidth` wide. */
export function formatTable(opts: {
  header: string;
  columns: { key: string; title: string }[];
  rows: TableRow[];
  /** Rows that count for the name column's width (default: rows). */
  widthRows?: TableRow[];
  footer: string[][];
  colWidth?: number;
}): string {
  const colWidth = opts.colWidth ?? 25;
  let nameWidth = 40;
  let longest = 0;
  for (const r of opts.widthRows ?? opts.rows) longest = Math.max(longest, r.title.length + r.depth * 5 + 1);
  if (longest >= nameWidth) nameWidth = Math.ceil(longest / 5) * 5;
  const divider = "=".repeat(nameWidth + opts.columns.length * colWidth);
  const line = (name: string, cells: (string | undefined)[]) => {
    let s = name.padEnd(nameWidth) + " ";
    for (const c of cells) s += (c ?? "").padEnd(colWidth) + " ";
    return s.trimEnd();
  };
  const out = [divider, line(opts.header, opts.columns.map((c) => c.title)), divider];
  for (const r of opts.rows) out.push(line(treePrefix(r.depth) + r.title, opts.columns.map((c) => r.cells[c.key])));
  out.push(divider);
  for (const block of opts.footer) out.push(...block, divider);
  return out.join("\n");
}

// ---------------------------------------------------------------- running the model

interface Node {
  name: string;
  varName: string;
  depth: number;
  parent: Module | null;
}

/** The module tree: each module once, under its first name (namedModules' order). */
function moduleTree(model: Module): Map<Module, Node> {
  const tree = new Map<Module, Node>();
  const walk = (m: Module, name: string, varName: string, depth: number, parent: Module | null) => {
    if (tree.has(m)) return;
    tree.set(m, { name, varName, depth, parent });
    for (const [k, c] of m.namedChildren()) walk(c, name ? `${name}.${k}` : k, k, depth + 1, m);
  };
  walk(model, "", "", 0, null);
  return tree;
}

function paramCounts(m: Module): { total: number; trainable: number } {
  let total = 0, trainable = 0;
  for (const p of m.parameters()) {
    total += p.numel();
    if (p.requiresGrad) trainable += p.numel();
  }
  return { total, trainable };
}

/** Shape and bytes of a module's output: a tensor, or the first tensor of a (nested) array, bytes summed. */
function sizeOf(v: unknown): { shape: number[] | null; bytes: number } {
  if (v instanceof Tensor) return { shape: [...v.shape], bytes: v.numel() * ELEMENT_BYTES[v.dtype] };
  if (Array.isArray(v)) {
    let shape: number[] | null = null, bytes = 0;
    for (const x of v) {
      const s = sizeOf(x);
      if (shape === null) shape = s.shape;
      bytes += s.bytes;
    }
    return { shape, bytes };
  }
  return { shape: null, bytes: 0 };
}

function prod(xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

/** torchinfo's calculate_macs for one call. */
function multAddsOf(m: Module, type: string, out: number[] | null): number {
  if (!out || !out.length) return 0;
  let macs = 0;
  for (const [name, p] of m.namedParameters()) {
    const n = p.numel();
    if (name === "weight" || name === "bias") macs += type.includes("Conv") ? n * prod([out[0], ...out.slice(2)]) : out[0] * n;
    else if (name.includes("weight") || name.includes("bias")) macs += prod(out.slice(0, 2)) * n;
  }
  return macs;
}

function kernelSizeOf(m: Module): number | number[] | null {
  const k = (m as unknown as { kernelSize?: unknown }).kernelSize;
  if (typeof k === "number") return k;
  if (Array.isArray(k) && k.every((x) => typeof x === "number")) return [...k];
  return null;
}

function isShape(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((d) => Number.isInteger(d) && d >= 0);
}

/** The inputs summary runs the model on: shapes become ones (float) / zeros (int, bool) tensors. */
function makeInputs(input: number[] | number[][] | Tensor | Tensor[], dtypes: DType | DType[] | undefined): Tensor[] {
  if (input instanceof Tensor) return [input];
  if (Array.isArray(input) && input.length && input.every((x) => x instanceof Tensor)) return input as Tensor[];
  let shapes: number[][];
  if (isShape(input)) shapes = [input];
  else if (Array.isArray(input) && input.length && input.every(isShape)) shapes = input as number[][];
  else throw new Error(`nn.summary: inputShape must be a shape (number[]), a list of shapes, a Tensor or a list of Tensors, got ${JSON.stringify(input)}`);
  const dts = Array.isArray(dtypes) ? dtypes : shapes.map(() => dtypes ?? "float32");
  if (dts.length !== shapes.length) throw new Error(`nn.summary: ${dts.length} dtypes for ${shapes.length} inputs`);
  return shapes.map((s, i) => (dts[i] === "float32" || dts[i] === "float64" ? ones(s, { dtype: dts[i] }) : zeros(s, { dtype: dts[i] })));
}

/** Prints (and returns) a summary of `model` in torchinfo's layout: each layer's output shape and
 *  parameter count, the totals, the mult-adds and the memory estimates.
 *  `input` is the input's shape (batch included), a list of shapes for several inputs, or sample tensors.
 *  @example dt.nn.summary(model, [1, 1, 28, 28]);
 *  @example const stats = dt.nn.summary(model, [[1, 10], [1, 10]], { print: false, depth: 2 }); */
export function summary(model: Module, input: number[] | number[][] | Tensor | Tensor[], opts: SummaryOptions = {}): ModelStatistics {
  if (!(model instanceof Module)) throw new Error(`nn.summary: expected an nn.Module, got ${model === null ? "null" : typeof model}`);
  const maxDepth = opts.depth ?? 3;
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new Error(`nn.summary: depth must be a non-negative integer, got ${maxDepth}`);
  const colNames = opts.colNames ?? ["outputSize", "numParams"];
  for (const c of colNames) if (!(c in COLUMN_TITLES)) throw new Error(`nn.summary: unknown column '${c}' (columns: ${Object.keys(COLUMN_TITLES).join(", ")})`);
  const inputs = makeInputs(input, opts.dtypes);
  const tree = moduleTree(model);

  const rows: LayerSummary[] = [];
  const seen = new Set<Module>();
  const open: LayerSummary[] = [];
  const handles: { remove(): void }[] = [];
  const newRow = (m: Module): LayerSummary => {
    const node = tree.get(m)!;
    const counts = paramCounts(m);
    const row: LayerSummary = {
      name: node.name, varName: node.varName, type: m.constructor.name, depth: node.depth, depthIndex: 0,
      inputShape: null, outputShape: null, numParams: counts.total, trainableParams: counts.trainable,
      trainable: counts.total > 0 && counts.trainable === counts.total, multAdds: 0, isLeaf: m.children().length === 0,
      isRecursive: seen.has(m), kernelSize: kernelSizeOf(m), outputBytes: 0, module: m,
    };
    seen.add(m);
    return row;
  };
  for (const m of tree.keys()) {
    handles.push(m.registerForwardPreHook((mod, args) => {
      const row = newRow(mod);
      row.inputShape = sizeOf(args).shape;
      rows.push(row);
      open.push(row);
    }));
    handles.push(m.registerForwardHook((mod, _args, out) => {
      const row = open.pop();
      if (!row || row.module !== mod) return;
      const s = sizeOf(out);
      row.outputShape = s.shape;
      row.outputBytes = s.bytes;
      row.multAdds = multAddsOf(mod, row.type, s.shape);
    }));
  }
  const modes = [...tree.keys()].map((m) => [m, m.training] as const);
  try {
    for (const [m] of modes) m.training = false;
    noGrad(() => model.call(...(inputs as [any]), ...((opts.forwardArgs ?? []) as [])));
  } catch (e) {
    throw new Error(`nn.summary: running ${model.constructor.name} on inputs of shape ${inputs.map((t) => formatShape(t.shape)).join(", ")} failed: ${(e as Error).message}`);
  } finally {
    for (const h of handles) h.remove();
    for (const [m, mode] of modes) m.training = mode;
  }

  // containers that forward never called (a ModuleList iterated by its parent) go above their first child
  const layers: LayerSummary[] = [];
  const current: (Module | null)[] = [];
  for (const row of rows) {
    const chain: Module[] = [];
    for (let p = tree.get(row.module!)!.parent; p && tree.get(p)!.depth > 0; p = tree.get(p)!.parent) chain.unshift(p);
    for (let d = 1; d < row.depth; d++) {
      const anc = chain[d - 1];
      if (anc && current[d] !== anc && layers[layers.length - 1]?.module !== anc) {
        layers.push(newRow(anc));
        current[d] = anc;
      }
    }
    current[row.depth] = row.module;
    current.length = row.depth + 1;
    layers.push(row);
  }
  const counter = new Map<number, number>();
  for (const r of layers) {
    counter.set(r.depth, (counter.get(r.depth) ?? 0) + 1);
    r.depthIndex = counter.get(r.depth)!;
  }

  const all = paramCounts(model);
  let totalParamBytes = 0;
  for (const p of model.parameters()) totalParamBytes += p.numel() * ELEMENT_BYTES[p.dtype];
  let totalMultAdds = 0, totalOutputBytes = 0;
  for (const r of layers)
    if (r.isLeaf) {
      totalMultAdds += r.multAdds;
      if (r.numParams > 0) totalOutputBytes += 2 * r.outputBytes;
    }
  const totalInputBytes = inputs.reduce((a, t) => a + t.numel() * ELEMENT_BYTES[t.dtype], 0);

  const stats: ModelStatistics = {
    layers, totalParams: all.total, trainableParams: all.trainable, nonTrainableParams: all.total - all.trainable,
    totalMultAdds, totalInputBytes, totalOutputBytes, totalParamBytes,
    toString: () => render(stats, maxDepth, colNames, opts),
  };
  if (opts.print ?? true) console.log(stats.toString());
  return stats;
}

/** Descendant rows of layers[i] (the rows after it that are deeper), as torchinfo's get_children_layers. */
function descendants(layers: LayerSummary[], i: number): LayerSummary[] {
  const out: LayerSummary[] = [];
  for (let j = i + 1; j < layers.length && layers[j].depth > layers[i].depth; j++) out.push(layers[j]);
  return out;
}

/** Parameters of a row not held by the rows below it (torchinfo's leftover_params). */
function leftover(layers: LayerSummary[], i: number, key: "numParams" | "trainableParams"): number {
  let n = layers[i][key];
  const kids = descendants(layers, i);
  for (const c of kids) {
    if (c.isRecursive) continue;
    n -= c.isLeaf ? c[key] : leftover(layers, layers.indexOf(c), key);
  }
  return n;
}

function render(stats: ModelStatistics, maxDepth: number, colNames: SummaryColumn[], opts: SummaryOptions): string {
  const settings = opts.rowSettings ?? ["depth"];
  const showDepth = settings.includes("depth"), showVar = settings.includes("varNames");
  const { layers } = stats;
  const title = (r: LayerSummary) => {
    let s = r.type;
    if (showVar && r.varName) s += ` (${r.varName})`;
    if (showDepth && r.depth > 0) s += `: ${r.depth}-${r.depthIndex}`;
    return s;
  };
  const toRow = (r: LayerSummary): TableRow => ({ title: title(r), depth: r.depth, cells: {} });
  const rows: TableRow[] = [];
  layers.forEach((r, i) => {
    if (r.depth > maxDepth) return;
    const reached = r.depth === maxDepth;
    const own = () => (reached || r.isLeaf ? r.numParams : leftover(layers, i, "numParams"));
    const cells: Record<string, string> = {};
    for (const c of colNames) {
      switch (c) {
        case "inputSize": cells[c] = formatShape(r.inputShape); break;
        case "outputSize": cells[c] = formatShape(r.outputShape); break;
        case "kernelSize": cells[c] = r.kernelSize === null ? "--" : Array.isArray(r.kernelSize) ? formatShape(r.kernelSize) : String(r.kernelSize); break;
        case "numParams": {
          if (r.isRecursive) cells[c] = "(recursive)";
          else if (r.numParams > 0 && (reached || r.isLeaf)) cells[c] = r.trainableParams ? groupDigits(r.numParams) : `(${groupDigits(r.numParams)})`;
          else {
            const left = leftover(layers, i, "numParams");
            cells[c] = left > 0 ? groupDigits(left) : "--";
          }
          break;
        }
        case "paramsPercent": {
          const n = r.isRecursive ? 0 : own();
          cells[c] = r.isRecursive ? "(recursive)" : n > 0 && stats.totalParams > 0 ? `${((100 * n) / stats.totalParams).toFixed(2)}%`.padStart(6) : "--";
          break;
        }
        case "multAdds": cells[c] = r.multAdds > 0 && (reached || r.isLeaf) ? groupDigits(r.multAdds) : "--"; break;
        case "trainable": cells[c] = r.numParams === 0 ? "--" : r.trainableParams === 0 ? "False" : r.trainableParams === r.numParams ? "True" : "Partial"; break;
      }
    }
    rows.push({ ...toRow(r), cells });
  });
  const header = `Layer (type${showVar ? " (var_name)" : ""}${showDepth ? ":depth-idx" : ""})`;
  const mb = (b: number) => (b / 1e6).toFixed(2);
  return formatTable({
    header,
    columns: colNames.map((c) => ({ key: c, title: COLUMN_TITLES[c] })),
    rows,
    widthRows: layers.map(toRow),
    colWidth: opts.colWidth,
    footer: [
      [
        `Total params: ${groupDigits(stats.totalParams)}`,
        `Trainable params: ${groupDigits(stats.trainableParams)}`,
        `Non-trainable params: ${groupDigits(stats.nonTrainableParams)}`,
        `Total mult-adds${formatMultAdds(stats.totalMultAdds)}`,
      ],
      [
        `Input size (MB): ${mb(stats.totalInputBytes)}`,
        `Forward/backward pass size (MB): ${mb(stats.totalOutputBytes)}`,
        `Params size (MB): ${mb(stats.totalParamBytes)}`,
        `Estimated Total Size (MB): ${mb(stats.totalInputBytes + stats.totalOutputBytes + stats.totalParamBytes)}`,
      ],
    ],
  });
}
