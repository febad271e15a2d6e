// nn: modules, functional, init, utils.
export * as functional from "./functional.js";
