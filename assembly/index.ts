// The kernels of deeptype's "wasm" backend, compiled by scripts/build-wasm.mjs into two modules
// (plain SIMD and relaxed SIMD). Memory is imported and shared across worker threads; the JS side
// owns every address (no allocator runs in here), so the same instance code is safe on any thread.
export * from "./gemm";
export * from "./elementwise";
export * from "./reduce";
export * from "./conv";
export * from "./pool";
