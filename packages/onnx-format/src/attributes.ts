import { AttributeType } from './types.js';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from './types.js';

export function intAttribute(name: string, value: number): OnnxAttribute {
  return { name, type: AttributeType.INT, i: value };
}

export function intsAttribute(name: string, values: number[]): OnnxAttribute {
  return { name, type: AttributeType.INTS, ints: [...values] };
}

export function floatAttribute(name: string, value: number): OnnxAttribute {
  return { name, type: AttributeType.FLOAT, f: value };
}

export function floatsAttribute(name: string, values: number[]): OnnxAttribute {
  return { name, type: AttributeType.FLOATS, floats: [...values] };
}

export function stringAttribute(name: string, value: string): OnnxAttribute {
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
}

export function tensorAttribute(name: string, value: OnnxTensor): OnnxAttribute {
  return { name, type: AttributeType.TENSOR, t: value };
}

/** The node's attribute of that name, if set. */
export function findAttribute(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attribute.find((attribute) => attribute.name === name);
}

/** A STRING attribute's bytes as UTF-8 text. */
export function attributeText(attribute: OnnxAttribute): string | undefined {
  return attribute.s === undefined ? undefined : new TextDecoder().decode(attribute.s);
}
