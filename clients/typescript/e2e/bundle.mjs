// Bundles the client as a front end ships it (esbuild, ESM for browsers). Usage: node e2e/bundle.mjs <outfile>
import { build } from "esbuild";

await build({ entryPoints: ["src/index.ts"], bundle: true, format: "esm", platform: "browser", target: "es2022", outfile: process.argv[2] ?? "dist/ledger-client.bundle.js", logLevel: "warning" });
