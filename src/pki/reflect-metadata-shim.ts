/**
 * @peculiar/x509 resolves its algorithms through tsyringe, and tsyringe refuses to load unless a
 * Reflect metadata API (normally the reflect-metadata package) is present. The project does not depend on
 * reflect-metadata, so this module installs the three functions tsyringe calls — only when nobody has
 * installed them already, so a real polyfill loaded earlier always wins.
 *
 * It must be imported before @peculiar/x509 (see x509.ts): ESM evaluates imports in order.
 */

type MetadataKey = unknown;
type PropertyKeyOrUndefined = string | symbol | undefined;

const metadata = new WeakMap<object, Map<PropertyKeyOrUndefined, Map<MetadataKey, unknown>>>();

function ownMap(target: object, property: PropertyKeyOrUndefined, create: boolean): Map<MetadataKey, unknown> | undefined {
  let byProperty = metadata.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    metadata.set(target, byProperty);
  }
  let values = byProperty.get(property);
  if (!values && create) {
    values = new Map();
    byProperty.set(property, values);
  }
  return values;
}

interface ReflectMetadataApi {
  defineMetadata?: (key: MetadataKey, value: unknown, target: object, property?: string | symbol) => void;
  getOwnMetadata?: (key: MetadataKey, target: object, property?: string | symbol) => unknown;
  getMetadata?: (key: MetadataKey, target: object, property?: string | symbol) => unknown;
}

const reflect = Reflect as unknown as ReflectMetadataApi;

if (typeof reflect.getMetadata !== 'function') {
  reflect.defineMetadata = (key, value, target, property) => {
    ownMap(target, property, true)?.set(key, value);
  };
  reflect.getOwnMetadata = (key, target, property) => ownMap(target, property, false)?.get(key);
  reflect.getMetadata = (key, target, property) => {
    // Like reflect-metadata: look up the prototype chain.
    for (let o: object | null = target; o; o = Object.getPrototypeOf(o) as object | null) {
      const values = ownMap(o, property, false);
      if (values?.has(key)) return values.get(key);
    }
    return undefined;
  };
}

export {};
