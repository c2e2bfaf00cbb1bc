/**
 * What Terraform itself (not a provider) accepts in the blocks the check reads: meta-arguments,
 * lifecycle, provisioners, variables, outputs and module calls, as the Terraform 1.9 language
 * documents them, in the shape of a provider schema so one checker reads both.
 */
import type { BlockSchema } from "./schema.js";

const CONDITION: BlockSchema = { attributes: { condition: { required: true }, error_message: { required: true } }, blocks: {} };

const LIFECYCLE: BlockSchema = {
  attributes: { create_before_destroy: {}, prevent_destroy: {}, ignore_changes: {}, replace_triggered_by: {} },
  blocks: { precondition: CONDITION, postcondition: CONDITION },
};

/** Arguments every resource and data block may have besides its provider's. */
export const RESOURCE_META: BlockSchema = {
  attributes: { count: {}, for_each: {}, depends_on: {}, provider: {} },
  blocks: { lifecycle: LIFECYCLE },
};

export const DATA_META: BlockSchema = {
  attributes: { count: {}, for_each: {}, depends_on: {}, provider: {} },
  blocks: { lifecycle: { attributes: {}, blocks: { precondition: CONDITION, postcondition: CONDITION } } },
};

/** Provisioners by type (the labels of `provisioner "<type>" { … }`); only resources have them. */
export const PROVISIONERS: Readonly<Record<string, BlockSchema>> = {
  "local-exec": {
    attributes: { command: { required: true }, working_dir: {}, interpreter: {}, environment: {}, when: {}, on_failure: {}, quiet: {} },
    blocks: {},
  },
};

/** `dynamic "<block>" { … }`: the generated blocks' bodies are checked against the block's own schema. */
export const DYNAMIC: BlockSchema = { attributes: { for_each: { required: true }, iterator: {}, labels: {} }, blocks: {} };

export const VARIABLE: BlockSchema = {
  attributes: { type: {}, default: {}, description: {}, sensitive: {}, nullable: {}, ephemeral: {} },
  blocks: { validation: CONDITION },
};

export const OUTPUT: BlockSchema = {
  attributes: { value: { required: true }, description: {}, sensitive: {}, depends_on: {}, ephemeral: {} },
  blocks: { precondition: CONDITION },
};

/** Arguments of a module call besides the called module's variables. */
export const MODULE_META: BlockSchema = {
  attributes: { source: { required: true }, version: {}, count: {}, for_each: {}, depends_on: {}, providers: {} },
  blocks: {},
};

export const PROVIDER_META: BlockSchema = { attributes: { alias: {} }, blocks: {} };

export function merged(a: BlockSchema, b: BlockSchema): BlockSchema {
  return { attributes: { ...a.attributes, ...b.attributes }, blocks: { ...a.blocks, ...b.blocks } };
}
