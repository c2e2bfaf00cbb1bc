export * from "./errors.js";
export * from "./ports.js";
export * from "./records.js";
export * from "./time.js";
export * from "./identifiers.js";
export * from "./logger.js";
