// CSV files (papaparse: quotes, escaped quotes, delimiter detection) to rows of values or to a tensor.

import { checkOptions } from "../tensor/options.js";
import Papa from "papaparse";
import { Tensor } from "../tensor/tensor.js";
import { readFileOrThrow } from "./idx.js";

const CSV_KEYS = ["header", "delimiter", "skipRows", "dtype"] as const;

/** Options of parseCsv / readCsv. */
export interface CsvOptions {
  /** The first (non-skipped) row holds column names (default true); otherwise columns are "0", "1", ... */
  header?: boolean;
  /** Field delimiter (default: detected among , ; tab |). */
  delimiter?: string;
  /** Lines to skip before the header or data (default 0), e.g. scikit-learn's "150,4,setosa,..." first line. */
  skipRows?: number;
  /** Return the values as one tensor [rows, columns] of this dtype (every cell must be a number). */
  dtype?: "float32" | "float64" | "int32";
}

/** Rows as parsed: numbers where a cell is numeric, strings otherwise, null for empty cells. */
export interface CsvTable {
  /** The column names (the header row, or "0", "1", ... without one). */
  columns: string[];
  /** The rows: numbers where a cell parses as one, strings otherwise, null for empty cells. */
  data: (number | string | null)[][];
}

/** A CSV read with `dtype`: the same columns, and the values as a tensor [rows, columns]. */
export interface CsvTensor {
  /** The column names (the header row, or "0", "1", ... without one). */
  columns: string[];
  /** The values as a float32 tensor [rows, columns]. */
  data: Tensor;
}

/** Parses CSV text (see readCsv). */
export function parseCsv(text: string, opts: CsvOptions & { dtype: "float32" | "float64" | "int32" }, source?: string): CsvTensor;
export function parseCsv(text: string, opts?: CsvOptions, source?: string): CsvTable;
export function parseCsv(text: string, opts: CsvOptions = {}, source = "<text>"): CsvTable | CsvTensor {
  const { header = true, delimiter, skipRows = 0, dtype } = checkOptions("data.parseCsv", opts, CSV_KEYS, 2);
  const bad = (what: string) => new Error(`readCsv: ${source}: ${what}`);
  if (text.includes("\u0000")) throw bad(`contains NUL bytes: not a text CSV file`);
  if (skipRows > 0) {
    let at = 0;
    for (let i = 0; i < skipRows && at >= 0; i++) {
      const nl = text.indexOf("\n", at);
      at = nl < 0 ? text.length : nl + 1;
    }
    text = text.slice(at);
  }
  const res = Papa.parse<string[]>(text, { delimiter: delimiter ?? "", skipEmptyLines: true, dynamicTyping: false });
  const fatal = res.errors.find((e) => e.type === "Quotes");
  if (fatal) throw bad(`${fatal.message} (row ${(fatal.row ?? 0) + 1 + skipRows})`);
  const rows = res.data;
  if (rows.length === 0) throw bad(`no rows`);
  const columns = header ? rows[0].map((c) => c.trim()) : rows[0].map((_, i) => String(i));
  const body = header ? rows.slice(1) : rows;
  const width = columns.length;
  const lineOf = (r: number) => r + 1 + skipRows + (header ? 1 : 0);
  body.forEach((row, r) => {
    if (row.length !== width) throw bad(`row ${lineOf(r)} has ${row.length} fields, expected ${width} (as the ${header ? "header" : "first row"})`);
  });
  const cell = (s: string): number | string | null => {
    const t = s.trim();
    if (t === "") return null;
    const v = Number(t);
    return Number.isNaN(v) && !/^nan$/i.test(t) ? s : v;
  };
  if (dtype === undefined) return { columns, data: body.map((row) => row.map(cell)) };
  if (dtype !== "float32" && dtype !== "float64" && dtype !== "int32") throw bad(`dtype must be float32, float64 or int32, got '${dtype}'`);
  const out = dtype === "float32" ? new Float32Array(body.length * width) : dtype === "float64" ? new Float64Array(body.length * width) : new Int32Array(body.length * width);
  body.forEach((row, r) => {
    row.forEach((s, c) => {
      const v = cell(s);
      if (typeof v === "string") throw bad(`row ${lineOf(r)}, column '${columns[c]}': '${s}' is not a number (dtype ${dtype})`);
      if (v === null && dtype === "int32") throw bad(`row ${lineOf(r)}, column '${columns[c]}': empty cell cannot be int32`);
      if (dtype === "int32" && !Number.isInteger(v)) throw bad(`row ${lineOf(r)}, column '${columns[c]}': ${s} is not an integer (dtype int32)`);
      out[r * width + c] = v ?? NaN;
    });
  });
  return { columns, data: new Tensor(out, [body.length, width], dtype) };
}

/** Reads a CSV file: `{ columns, data }` with data as rows of numbers/strings/nulls, or with `dtype`, a tensor [rows, columns].
 *  @example const { columns, data } = dt.data.readCsv("iris.csv", { header: false, skipRows: 1, dtype: "float32" }); */
export function readCsv(file: string, opts: CsvOptions & { dtype: "float32" | "float64" | "int32" }): CsvTensor;
export function readCsv(file: string, opts?: CsvOptions): CsvTable;
export function readCsv(file: string, opts: CsvOptions = {}): CsvTable | CsvTensor {
  checkOptions("data.readCsv", opts, CSV_KEYS, 2);
  const bytes = readFileOrThrow(file, "readCsv");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`readCsv: ${file}: not valid UTF-8 text (a binary or corrupt file?)`);
  }
  return parseCsv(text, opts, file);
}
