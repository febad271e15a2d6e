// Builds the WebAssembly kernels of the "wasm" backend from assembly/ with AssemblyScript:
// one module with plain SIMD and one with relaxed SIMD (used when the runtime accepts it).
// Run by `npm run build:wasm`, and by `prepare` on `npm install`. No system compiler needed.
import asc from "assemblyscript/asc";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "src/backend/wasm/gen");
mkdirSync(outDir, { recursive: true });

const common = [
  join(root, "assembly/index.ts"),
  "-O3", "--noAssert", "--runtime", "stub",
  "--importMemory", "--sharedMemory", "--initialMemory", "1", "--maximumMemory", "65536",
  "--enable", "simd", "--enable", "threads",
];
const variants = [
  { file: "kernels-simd.wasm", extra: [] },
  { file: "kernels-relaxed.wasm", extra: ["--enable", "relaxed-simd"] },
];
for (const v of variants) {
  const { error, stderr } = await asc.main([...common, ...v.extra, "--outFile", join(outDir, v.file)]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${v.file} failed: ${error.message}`);
    process.exit(1);
  }
  console.log(`build-wasm: wrote src/backend/wasm/gen/${v.file}`);
}
