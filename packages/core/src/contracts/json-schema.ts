/** A JSON Schema (draft 2020-12 or draft-07) object, as plugins publish for their options. */
export type JsonSchema = { [keyword: string]: unknown };
