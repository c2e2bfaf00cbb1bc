// Worker threads do not inherit tsx from the parent (neither `--import tsx` nor bin/logexport.mjs's register()),
// so the worker registers it itself before loading the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
