#!/usr/bin/env node
// bin entry of the `deeptype` command (package.json "bin"): see main.ts.
import { main } from "./main.js";

process.exitCode = await main(process.argv);
